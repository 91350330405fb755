"""Patrols across machines: `patrol worker` processes sharing one frontier in Redis.

- `connection`: the Redis client that survives an outage (reads pause, writes wait in order).
- `frontier`: the run's reliable priority queue with leases, admission and duplicate filter.
- `runs`: a run's life in Redis: enqueued once, joined by idle workers, finished once.
- `hostslots`: politeness across workers (per-host concurrency and delay as leases).
- `scheduler`: the Scrapy scheduler on that frontier (scrapy-redis underneath).
- `worker`: the long-lived worker process.
"""
