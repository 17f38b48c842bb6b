"""What each job kind is, registered by the app that owns it in its `AppConfig.ready()`.

The ground floor never names an app above it: dispatch (which function runs a job), its
queue, the role that starts and retries it, whether the reaper may retry it on its own, a
hook called when it ends, and how the jobs API starts it all come from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from tenants.models import JobKind, Role

Hook = str | Callable[..., Any] | None


def _resolve(target: Hook) -> Callable[..., Any] | None:
    if target is None or callable(target):
        return target
    return import_string(target)


@dataclass(frozen=True)
class JobKindSpec:
    """One registered kind. Callables may be given as dotted paths, imported on first use.

    - execute(job=..., progress=ProgressReporter): the thin body the runner calls between
      start and end; returns the counts (a dict), a JobOutcome, or None; raises to fail
      (JobFailed carries counts and notes; any other exception is recorded as the reason).
    - queue: the Celery queue its runs are sent to ("publish", "bulk"; tenants.jobs.queues),
      which also sets its time limits.
    - start_role: the lowest role that may start it (R1a); retries need `retry_role`, which
      defaults to it (R30). `retry_check(job=..., user=...)` adds the kind's own refusals.
    - auto_retry: the work is idempotent, so the reaper queues a run whose worker died again
      on its own (at most JOB_AUTO_RETRY_ATTEMPTS attempts in all).
    - finished(job=...): called once the job has ended for good, succeeded or failed (not
      when the reaper queues it again).
    - api_start(tenant=..., user=..., data=...): starts it from `POST .../jobs/`.
    """

    kind: str
    label: str
    execute: Hook
    queue: str
    start_role: str
    auto_retry: bool = False
    retry_role: str | None = None
    retry_check: Hook = None
    finished: Hook = None
    api_start: Hook = None

    @property
    def role_to_retry(self) -> str:
        return self.retry_role or self.start_role

    def execute_callable(self) -> Callable[..., Any] | None:
        return _resolve(self.execute)

    def retry_check_callable(self) -> Callable[..., Any] | None:
        return _resolve(self.retry_check)

    def finished_callable(self) -> Callable[..., Any] | None:
        return _resolve(self.finished)

    def api_start_callable(self) -> Callable[..., Any] | None:
        return _resolve(self.api_start)


_KINDS: dict[str, JobKindSpec] = {}

# A kind nobody registered (an old row, a removed feature) is retried by admins only and
# fails when run, saying so.
UNREGISTERED_RETRY_ROLE = Role.ADMIN


def job_kind_register(
    *,
    kind: str,
    label: str,
    execute: Hook,
    queue: str,
    start_role: str,
    auto_retry: bool = False,
    retry_role: str | None = None,
    retry_check: Hook = None,
    finished: Hook = None,
    api_start: Hook = None,
) -> JobKindSpec:
    """Register (or replace, so a second `ready()` is harmless) what a kind is."""
    if kind not in JobKind.values:
        raise ImproperlyConfigured(
            f"Job kind '{kind}' is not a tenants.models.JobKind value: add it there (and a "
            "migration) before registering it."
        )
    if start_role not in Role.values or (retry_role is not None and retry_role not in Role.values):
        raise ImproperlyConfigured(f"Job kind '{kind}': unknown role.")
    if not queue:
        raise ImproperlyConfigured(f"Job kind '{kind}' needs a queue.")
    spec = JobKindSpec(
        kind=kind,
        label=label,
        execute=execute,
        queue=queue,
        start_role=start_role,
        auto_retry=auto_retry,
        retry_role=retry_role,
        retry_check=retry_check,
        finished=finished,
        api_start=api_start,
    )
    _KINDS[kind] = spec
    return spec


def job_kind_get(kind: str) -> JobKindSpec | None:
    return _KINDS.get(kind)


def job_kinds() -> list[JobKindSpec]:
    return sorted(_KINDS.values(), key=lambda spec: spec.kind)


def job_kinds_started_by_api() -> list[str]:
    return [spec.kind for spec in job_kinds() if spec.api_start is not None]
