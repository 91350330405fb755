"""What each role may open: every room by every role, 200 or 403 (never a 500)."""

from __future__ import annotations

import pytest

from .conftest import ROLES, Console, make_finding

ALL = set(ROLES)
REVIEW = {"commerce", "finance", "opinion", "admin"}
OPINION = {"opinion", "finance", "admin"}
SUPPORT = {"support", "admin"}

ROOMS = [
    ("/review", REVIEW),
    ("/review/finding/{fid}", ALL),
    ("/opinion", OPINION),
    ("/opinion/platform?name=某某贷", OPINION),
    ("/patrols", SUPPORT),
    ("/search?q=保本", ALL),
    ("/reports", ALL),
    ("/reports/print", ALL),
    ("/reports/export.xlsx", ALL),
    ("/pages/{pid}", ALL),
]


@pytest.fixture
def seeded(console: Console) -> dict[str, str]:
    page = console.page(title="某某贷", text="保本保息")
    finding = console.add(make_finding(page_id=page.id))[0]
    return {"fid": finding.id, "pid": page.id}


@pytest.mark.parametrize("role", ROLES)
def test_every_room_answers_each_role_as_its_permissions_say(
        console: Console, seeded: dict[str, str], role: str) -> None:
    client = console.client(role)
    for path, allowed in ROOMS:
        url = path.format(**seeded)
        expected = 200 if role in allowed else 403
        assert client.get(url).status_code == expected, (role, url)


def test_forbidden_answers_in_chinese(console: Console) -> None:
    response = console.client("commerce").get("/patrols")
    assert response.status_code == 403
    assert "无权" in response.get_data(as_text=True)


def test_navigation_shows_only_the_rooms_of_the_role(console: Console) -> None:
    html = console.client("commerce").get("/review").get_data(as_text=True)
    assert 'href="/review"' in html and 'href="/patrols"' not in html
    assert 'href="/opinion"' not in html
    html = console.client("support").get("/patrols").get_data(as_text=True)
    assert 'href="/patrols"' in html and 'href="/review"' not in html
