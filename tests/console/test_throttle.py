"""Login throttling per account and per address, counted atomically, through trusted proxies
only, and never usable to keep an officer out of their own browser."""

from __future__ import annotations

import threading

from console.clientaddr import client_address

from .conftest import PASSWORD, csrf_of, login


def post_login(client, name: str, password: str, **environ: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token},
                       environ_base=environ or None,
                       headers={k: v for k, v in environ.items() if k == "X-Forwarded-For"})


def test_many_usernames_from_one_address_are_throttled(console_factory) -> None:  # type: ignore[no-untyped-def]
    console = console_factory(login_address_failures=20, login_delay_seconds=600)
    codes = [login(console.client(), f"nobody{i}", "wrong-password").status_code
             for i in range(30)]
    assert codes[:20] == [401] * 20
    assert set(codes[20:]) == {429}


def test_concurrent_wrong_passwords_get_exactly_the_limit(console_factory) -> None:  # type: ignore[no-untyped-def]
    # A delay far longer than the test, so every try past the fifth must be refused.
    console = console_factory(login_account_failures=5, login_address_failures=1000,
                              login_delay_seconds=600)
    clients = [console.client() for _ in range(40)]
    tokens = [csrf_of(c) for c in clients]
    start = threading.Barrier(40)
    codes: list[int] = []
    lock = threading.Lock()

    def attempt(client, token) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        code = client.post("/login", data={"name": "finance", "password": "wrong-password",
                                           "csrf_token": token}).status_code
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [401] * 5 + [429] * 35


def test_a_stranger_cannot_lock_an_officer_out_of_their_own_browser(console_factory) -> None:  # type: ignore[no-untyped-def]
    console = console_factory(login_account_failures=3, login_delay_seconds=600)
    officer = console.client()
    assert login(officer, "finance").status_code == 302          # the officer's browser
    assert officer.get_cookie("patrol_device") is not None
    token = csrf_of(officer, "/review")
    officer.post("/logout", data={"csrf_token": token})
    for _ in range(10):                                           # a stranger hammers the name
        login(console.client(), "finance", "wrong-password")
    assert login(console.client(), "finance").status_code == 429  # a new browser waits...
    assert login(officer, "finance").status_code == 302           # ...the officer's does not


def test_delays_grow_and_pass(console_factory) -> None:  # type: ignore[no-untyped-def]
    console = console_factory(login_account_failures=2, login_delay_seconds=600,
                              login_delay_max_seconds=5000)
    client = console.client()
    for _ in range(2):
        assert login(client, "support", "wrong-password").status_code == 401
    first = login(client, "support", "wrong-password")
    assert first.status_code == 429 and 300 < int(first.headers["Retry-After"]) <= 600
    console.users._exec("UPDATE login_attempts SET at = at - 601")  # the delay has passed
    assert login(client, "support", "wrong-password").status_code == 401
    second = login(client, "support", PASSWORD)                    # the delay has doubled
    assert second.status_code == 429 and 900 < int(second.headers["Retry-After"]) <= 1200
    console.users._exec("UPDATE login_attempts SET at = at - 1201")
    assert login(client, "support", PASSWORD).status_code == 302


def test_a_trusted_proxy_names_the_client(console_factory) -> None:  # type: ignore[no-untyped-def]
    console = console_factory(login_address_failures=3, login_delay_seconds=600,
                              console_trusted_proxies=["127.0.0.1"])
    for i in range(3):
        assert post_login(console.client(), f"x{i}", "wrong-password",
                          **{"X-Forwarded-For": "198.51.100.7"}).status_code == 401
    assert post_login(console.client(), "x9", "wrong-password",
                      **{"X-Forwarded-For": "198.51.100.7"}).status_code == 429
    # Another client behind the same proxy has its own count.
    assert post_login(console.client(), "x9", "wrong-password",
                      **{"X-Forwarded-For": "198.51.100.8"}).status_code == 401


def test_forwarded_for_is_ignored_from_untrusted_peers() -> None:
    assert client_address("203.0.113.5", "10.9.9.9", []) == "203.0.113.5"
    assert client_address("203.0.113.5", "10.9.9.9", ["127.0.0.1"]) == "203.0.113.5"
    # A client cannot slip an address in front of what the proxy appended.
    chain = "1.2.3.4, 198.51.100.7"
    assert client_address("127.0.0.1", chain, ["127.0.0.0/8"]) == "198.51.100.7"
    assert client_address("127.0.0.1", "not-an-ip", ["127.0.0.1"]) == "127.0.0.1"
