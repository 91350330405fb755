"""Email over SMTP (plain, STARTTLS or TLS, with login), Chinese subject and body in UTF-8.

smtplib rather than Apprise: the outbox must tell an SMTP 4xx (retry) from a 5xx or a refused
address (dead letter), and must set its own header (X-Patrol-Alert-Key); Apprise's email
plugin only reports success or failure.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import quote

from findings import AlertRecord

from ..messages import Message, as_text
from .base import Channel, Delivery, overall_deadline

KEY_HEADER = "X-Patrol-Alert-Key"


def _code_outcome(code: int) -> str:
    return "dead" if code >= 500 else "retry"


class EmailChannel(Channel):
    type = "email"

    def describe(self) -> str:
        return f"email to {len(self.spec.to)} via {self.settings['smtp_host']}:" \
               f"{self.settings['smtp_port']}"

    def build(self, alert: AlertRecord, message: Message) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = message.subject
        msg["From"] = self.settings["smtp_from"]
        msg["To"] = ", ".join(self.spec.to)
        msg["Date"] = formatdate(localtime=False)
        # The same Message-ID on every attempt: mail systems drop repeats by it, too.
        domain = self.settings["smtp_from"].rpartition("@")[2] or "patrol.invalid"
        msg["Message-ID"] = f"<{alert.id}@{domain}>"
        msg[KEY_HEADER] = quote(alert.key, safe=":/-_.@+=")
        msg.set_content(as_text(message, alert.key), charset="utf-8")
        return msg

    def _context(self) -> ssl.SSLContext:
        cafile = str(self.settings.path("smtp_ca_file")) if self.settings["smtp_ca_file"] else None
        return ssl.create_default_context(cafile=cafile)

    def _client(self) -> smtplib.SMTP:
        """Not yet connected, so that the deadline covers the greeting too."""
        if self.settings["smtp_security"] == "tls":
            return smtplib.SMTP_SSL(timeout=self.timeout, context=self._context())
        return smtplib.SMTP(timeout=self.timeout)

    def _connect(self, smtp: smtplib.SMTP) -> None:
        host, port = self.settings["smtp_host"], int(self.settings["smtp_port"])
        security = self.settings["smtp_security"]
        # smtplib takes the TLS server name from `_host`, which only its constructor sets; the
        # client is built unconnected (so the deadline covers the greeting), hence set it here.
        smtp._host = host
        try:
            smtp.connect(host, port)
            smtp.ehlo()
            if security == "starttls":
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if self.settings["smtp_username"]:
                _login(smtp, self.settings["smtp_username"], self.settings["smtp_password"])
        except BaseException:
            smtp.close()
            raise

    def send(self, alert: AlertRecord, message: Message) -> Delivery:
        if not self.settings["smtp_host"]:
            return Delivery("dead", "smtp_host is not set: email is off")
        msg = self.build(alert, message)
        smtp = self._client()
        with overall_deadline(self.deadline, lambda: getattr(smtp, "sock", None)) as expired:
            result = self._exchange(smtp, msg)
        if expired.is_set() and result.outcome != "sent":
            return Delivery("retry", f"no complete answer within {self.deadline:g} s "
                                     f"({result.detail[:200]})")
        return result

    def _exchange(self, smtp: smtplib.SMTP, msg: EmailMessage) -> Delivery:
        try:
            self._connect(smtp)
            try:
                refused = smtp.send_message(msg)
            finally:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            outcome = "retry" if any(400 <= c < 500 for c in codes) else "dead"
            return Delivery(outcome, f"recipients refused: {_refusals(exc.recipients)}")
        except smtplib.SMTPResponseException as exc:   # sender refused, data refused, login
            text = exc.smtp_error.decode("utf-8", "replace") if isinstance(
                exc.smtp_error, bytes) else str(exc.smtp_error)
            return Delivery(_code_outcome(exc.smtp_code), f"SMTP {exc.smtp_code} {text}"[:300])
        except ssl.SSLCertVerificationError as exc:
            return Delivery("dead", f"TLS certificate not trusted: {exc.verify_message}")
        except (smtplib.SMTPException, OSError) as exc:   # refused, timeout, disconnected
            return Delivery("retry", f"{type(exc).__name__}: {exc}"[:300])
        if refused:  # some recipients took it, the others never will
            return Delivery("sent", f"partly refused: {_refusals(refused)}",
                            warning=f"收件人地址被拒收：{_refusals(refused)}")
        return Delivery("sent", f"SMTP accepted for {len(self.spec.to)} recipients")


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH PLAIN in UTF-8 (RFC 4616) when the server offers it: smtplib's login encodes
    credentials as ASCII (a Chinese password fails) and, after a refusal, goes on trying other
    mechanisms. Otherwise smtplib's choice (CRAM-MD5, LOGIN)."""
    smtp.ehlo_or_helo_if_needed()
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" not in offered:
        smtp.login(user, password)
        return
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, resp = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, resp)


def _refusals(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr} {code}" for addr, (code, _) in recipients.items())
