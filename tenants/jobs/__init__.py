"""The generic job machinery (ground floor, issue 13): every app runs its long work through it
without importing the app that used to own it (publishing).

- `registry`: what each kind is (its body, queue, the role that starts and retries it,
  whether the reaper may retry it, a finished hook), filled by each app in its
  `AppConfig.ready()`.
- `services`: the row's life (create, claim, start, progress, end), sending it to its queue,
  and the one retry service (API, admin, reaper) with the role check of its kind.
- `runner`: the one skeleton every job runs through, in a worker (`tenants.tasks.job_run`)
  or in-process (management commands), with `heartbeat`'s thread saving signs of life.
- `reaper`: jobs whose worker died are failed (and retried when their kind allows it);
  queued jobs whose message was lost are sent again.
- `queues`: the Celery queues (publish, renditions, bulk) and their time limits.
- `scheduler` and `beat`: exactly one Celery beat (a lock in Redis), which records that it is
  alive; the warning shown when it has not been seen lately.
- `admin`, `checks`: the jobs admin (with retry) and system checks of the set-up.

The model is `tenants.models.Job`.
"""
