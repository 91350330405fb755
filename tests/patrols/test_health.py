"""The health monitors on their own: each judges one thing, and a page limit is not a drop."""

from __future__ import annotations

from patrols.health import RunFacts, failed, judge


def failing(facts: RunFacts) -> set[str]:
    return {v.monitor for v in failed(judge(facts))}


def test_each_monitor_judges_one_thing() -> None:
    assert failing(RunFacts("t", pages=0)) == {"some_pages"}
    assert failing(RunFacts("t", pages=0, errors={"http_503": 4, "timeout": 1})) == {
        "not_only_errors"}
    assert failing(RunFacts("t", pages=4, previous_pages=10, previous_run="r1")) == {
        "no_sharp_drop"}
    assert failing(RunFacts("t", pages=5, previous_pages=10, errors={"http_404": 9})) == set()
    assert failing(RunFacts("t", pages=1)) == set()  # a first run has nothing to compare


def test_a_page_limit_is_not_a_drop() -> None:
    limited = RunFacts("t", pages=3, previous_pages=50, skips={"page_limit": 40})
    assert failing(limited) == set()
