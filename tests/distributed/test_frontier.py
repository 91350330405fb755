"""The shared frontier's pop against a real Redis: a worker takes only requests whose host has a
free download slot, with that host's lease, so that no taken request waits for a host that
other workers keep busy while another host is idle."""

from __future__ import annotations

from typing import Any

from crawler.distributed.connection import SharedRedis
from crawler.distributed.frontier import Admission, HostRoom, Limits, RedisFrontier
from crawler.distributed.hostslots import HOST_PREFIX

ROOM = HostRoom(HOST_PREFIX, limit=1, delay_ms=0)


def frontier_with(redis_url: str, hosts: list[str]) -> RedisFrontier:
    frontier = RedisFrontier(SharedRedis(redis_url), "run-pop", Limits(100, 100, 100), 60)
    for n, host in enumerate(hosts):
        frontier.push(f"{host}/{n}".encode(), 0, Admission(fingerprint=f"fp{n}", slot=host))
    return frontier


def test_pop_passes_over_busy_hosts_and_takes_the_lease(redis_aof: Any) -> None:
    frontier = frontier_with(redis_aof.url, ["a", "a", "a", "b"])
    first = frontier.pop(2, ROOM)
    assert [t.payload for t in first.entries] == [b"a/0", b"b/3"]   # a/1, a/2 wait for a
    assert first.busy == 2
    client = frontier.shared.client
    assert client.zcard(HOST_PREFIX + "a") == 1 and client.zcard(HOST_PREFIX + "b") == 1
    # both hosts busy: nothing is taken, and the worker is told the rest waits for hosts
    second = frontier.pop(1, ROOM)
    assert second.entries == [] and second.busy == 2
    assert frontier.counts() == (2, 2)
    # a's download ended: its lease ends with the next pop, which takes a/1 and a's slot
    a = first.entries[0]
    third = frontier.pop(1, ROOM, [(a.lease_key, a.lease_token)])
    assert [t.payload for t in third.entries] == [b"a/1"]
    assert client.zrange(HOST_PREFIX + "a", 0, -1) == [third.entries[0].lease_token.encode()]


def test_pop_without_host_room_takes_in_order(redis_aof: Any) -> None:
    frontier = frontier_with(redis_aof.url, ["a", "a", "b"])
    taken = frontier.pop(3)
    assert [t.payload for t in taken.entries] == [b"a/0", b"a/1", b"b/2"]
    assert all(t.lease_key == "" for t in taken.entries)
    assert frontier.shared.client.exists(HOST_PREFIX + "a") == 0


def test_push_after_the_finish_is_claimed_is_refused_and_leaves_no_key(redis_aof: Any) -> None:
    """A worker stopped past its lease comes back after the run ended: what it pushes then is
    refused, and the run's dropped queue keys are not made again (they would never expire)."""
    from crawler.distributed import runs

    shared = SharedRedis(redis_aof.url)
    frontier = RedisFrontier(shared, "run-late", Limits(100, 100, 100), 60)
    answers: list[str] = []
    frontier.push(b"early", 0, Admission(canonical="http://a/1", host="a", pattern="p",
                                         fingerprint="fp1"), answers.append)
    assert runs.claim_finish(shared, "run-late", "worker-b")
    frontier.drop()
    frontier.commit([(b"late", 0, Admission(canonical="http://a/2", host="a", pattern="p",
                                            fingerprint="fp2"), answers.append)])
    assert answers == ["ok", "run_over"]
    left = sorted(k.decode() for k in shared.client.scan_iter("patrol:run:run-late:*"))
    assert left == ["patrol:run:run-late:finish"]
