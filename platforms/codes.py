"""Identifiers of a platform's operator: the 统一社会信用代码 (GB 32100-2015) and the ICP 备案号.

The credit code is 18 characters from a 31-character alphabet (digits and capitals without I, O,
S, V, Z); its last character is a check digit over the first 17 (weights 3^i mod 31). A code that
fails the check is a typing or copying error and is refused, never stored.
"""

from __future__ import annotations

import re

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Province abbreviations that start an ICP number (京ICP备12345678号-1, 粤ICP证030173号).
_PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀黔贵滇云藏陕秦甘陇青宁新"
ICP_PATTERN = re.compile(rf"^[{_PROVINCES}]ICP[备证]\d{{5,12}}号(?:-\d{{1,4}})?$")
ICP_IN_TEXT = re.compile(rf"[{_PROVINCES}]\s*ICP\s*[备证]\s*\d{{5,12}}\s*号(?:\s*-\s*\d{{1,4}})?")


class InvalidCode(ValueError):
    """An identifier that cannot be right; the message is one line of Simplified Chinese."""


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(raw: str) -> str:
    """The code in canonical form (upper case, no spaces), or InvalidCode saying why not."""
    code = re.sub(r"\s+", "", raw or "").upper()
    if len(code) != 18:
        raise InvalidCode(f"统一社会信用代码应为 18 位，收到 {len(code)} 位：{code[:40]}")
    bad = [c for c in code if c not in CREDIT_ALPHABET]
    if bad:
        raise InvalidCode(f"统一社会信用代码含不允许的字符 {bad[0]!r}：{code}")
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        raise InvalidCode(f"统一社会信用代码校验位错误：{code}（第 18 位应为 {expected}）")
    return code


def normalize_icp(raw: str) -> str:
    """An ICP 备案/许可证 number in canonical form, or InvalidCode."""
    text = re.sub(r"\s+", "", raw or "").replace("－", "-").replace("icp", "ICP")
    if not ICP_PATTERN.match(text):
        raise InvalidCode(f"ICP 备案号格式不正确：{text[:60]}（例如 粤ICP备12345678号-1）")
    return text


def find_icp(text: str) -> str | None:
    """The first ICP number shown in a page's text, normalized, or None."""
    match = ICP_IN_TEXT.search(text or "")
    if not match:
        return None
    try:
        return normalize_icp(match.group(0))
    except InvalidCode:
        return None
