"""Public-opinion spikes: a sudden burst of public_risk posts about one platform.

Per platform, the posts (distinct sources) written in the sliding window ending now are
compared with the platform's baseline, its average per window over the spike_baseline_windows
windows before (or over the windows since its first post, if it is newer than that). An alarm
needs at least spike_min_posts posts and spike_factor times the baseline.

A post counts when it was written (findings.dated_at: its posted_at when its time could be
read, else when it was first seen). The first patrol of a forum finds years of posts at once:
those of the last day go to the baseline, older ones count nowhere, so an old story raises no
alarm while posts written in the last hour still do. It goes to the departments of `spikes.to` in departments.yaml (市委宣传部, 市网信办),
and also to `spikes.mass_incident_to` (市委维稳办) when the posts carry mass-incident words.
One alarm per platform per window: none while an alarm for the platform is younger than the
window, and the idempotency key carries the window bucket.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from findings import FindingQuery, FindingRecord, Store, dated_at, utcnow, walk_findings
from settings import Settings

from .departments import load_directory
from .messages import spike_message
from .outbox import enqueue_for_department

log = logging.getLogger("alerts.spikes")

MAX_FINDINGS = 50_000   # scanned per check; far above any real window
SAMPLES = 5
# Posts scored at least this positive (analyzers' sentiment, -1..1; the console's 正面) do not
# count: a spike is negative posts about one platform rising fast (rules.md).
POSITIVE = 0.3


@dataclass
class PlatformCounts:
    current: dict[str, FindingRecord] = field(default_factory=dict)   # source -> finding
    earlier: set[str] = field(default_factory=set)
    first_earlier: datetime | None = None
    words: set[str] = field(default_factory=set)

    def baseline(self, window_start: datetime, window: timedelta, n_windows: int) -> float:
        """Posts per window before the current one, over the windows the platform has been
        watched (at most n_windows): a platform first seen an hour ago is compared with that
        hour, not with a day of zeros that would make its every window look like a spike."""
        if not self.earlier or self.first_earlier is None:
            return 0.0
        watched = math.ceil((window_start - self.first_earlier) / window)
        return len(self.earlier) / min(n_windows, max(1, watched))


def scan(store: Store, since: datetime, window_start: datetime, now: datetime,
         words: tuple[str, ...]) -> dict[str, PlatformCounts]:
    """public_risk posts per platform: those of the current window and those before it."""
    out: dict[str, PlatformCounts] = defaultdict(PlatformCounts)
    query = FindingQuery(rules=["public_risk"], dated_since=since)
    for f in walk_findings(store, query, MAX_FINDINGS):
        platform = (f.platform or "").strip()
        t = dated_at(f)
        if not platform or not since < t <= now:
            continue
        if f.sentiment is not None and f.sentiment >= POSITIVE:
            continue  # praise of a platform (a founder who pays investors back) is no alarm
        counts = out[platform]
        if t > window_start:
            counts.current.setdefault(f.source, f)
            counts.words.update(w for w in words if w in f"{f.evidence}\n{f.context}")
        else:
            counts.earlier.add(f.source)
            if counts.first_earlier is None or t < counts.first_earlier:
                counts.first_earlier = t
    return out


def recently_alarmed(store: Store, now: datetime, window: timedelta) -> set[str]:
    return {a.payload.get("platform", "") for a in store.list_alerts(kind="spike", limit=500)
            if now - a.created_at < window}


def check_spikes(store: Store, settings: Settings, now: datetime | None = None) -> int:
    """Raise the alarms that are due; returns how many platforms were alarmed."""
    directory = load_directory(settings)
    now = now or utcnow()
    minutes = max(1, settings["spike_window_minutes"])
    window = timedelta(minutes=minutes)
    n_windows = max(1, settings["spike_baseline_windows"])
    since = now - window * (n_windows + 1)
    counts = scan(store, since, now - window, now, directory.mass_incident_words)
    alarmed_before = recently_alarmed(store, now, window)
    bucket = int(now.timestamp() // (minutes * 60))
    alarms = 0
    for platform, c in sorted(counts.items()):
        current = len(c.current)
        baseline = c.baseline(now - window, window, n_windows)
        if current < settings["spike_min_posts"] or current < settings["spike_factor"] * baseline:
            continue
        if platform in alarmed_before:
            continue
        samples = sorted(c.current.values(), key=dated_at, reverse=True)[:SAMPLES]
        mass = sorted(c.words)
        msg = spike_message(platform, current, baseline, minutes, samples, mass,
                            settings["console_base_url"], settings["time_zone"], now)
        depts = list(directory.spike_to) + ([d for d in directory.spike_mass_incident_to
                                             if d not in directory.spike_to] if mass else [])
        tag = hashlib.sha256(platform.encode("utf-8")).hexdigest()[:12]
        payload = {"severity": "high", "platform": platform, "count": current,
                   "baseline": baseline, "mass_incident_words": mass, "window_bucket": bucket}
        ids = [f.id for f in c.current.values()]
        written = sum(enqueue_for_department(
            store, "spike", f"spike:{tag}:{bucket}:{d}", directory.departments[d], msg, now,
            payload, ids) for d in depts)
        if written:
            alarms += 1
            log.warning("spike on %s: %d posts in %d min (baseline %.1f)", platform, current,
                        minutes, baseline)
    return alarms
