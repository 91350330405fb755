"""Parts of the scheduler (`scheduler.py`): the schedules file, and one patrol run as a process.

- `scheduling.plan`: read and check `config/schedules.yaml` against the targets, and turn it
  into the jobs the scheduler should hold (with cron and interval triggers).
- `scheduling.runner`: run one patrol under the scheduler's rules: per-target lock, run record,
  subprocess with a time limit and a log file, support alert on failure.
- `scheduling.support`: the calls into `alerts/`, kept in one place.
"""
