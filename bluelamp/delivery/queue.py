"""A database-backed backend for Django's tasks API, and the worker that runs it.

Why our own and not ``django-tasks-db``: a task whose worker is killed stays RUNNING there for
ever, and "a worker killed in the middle of a send, another takes over" is exactly what this
queue must survive. Here a worker claims jobs for a lease (``QUEUE_LEASE_SECONDS``); when a
worker dies its lease runs out and any other worker claims the job again. So a job may run
more than once, and every task is written to be harmless when repeated.

Claiming is one short transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; on
SQLite the write transaction itself is exclusive (``BEGIN IMMEDIATE``), so two workers never
claim the same job.
"""

import datetime as dt
import logging
import os
import signal
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.tasks import TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import Task, TaskError
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.module_loading import import_string

from bluelamp.delivery.models import Job
from bluelamp.lib import clock
from bluelamp.lib.rows import row_insert, row_new, rows_insert

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # an unexpected error is retried with backoff up to this many runs


class DatabaseBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True
    supports_priority = True

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:  # type: ignore[type-arg]
        # A task is checked once per process (its signature read by inspect each time was a
        # tenth of queueing), again when its priority or context changes.
        checked = (task.func, task.priority, task.takes_context)
        if checked not in _tasks_checked:
            self.validate_task(task)
            _tasks_checked.add(checked)
        now = clock.now()
        job = row_insert(
            row_new(
                Job,
                task_path=task.module_path,
                args=list(args),
                kwargs=dict(kwargs),
                queue_name=task.queue_name,
                priority=task.priority,
                backend=self.alias,
                run_after=task.run_after or now,
                enqueued_at=now,
            )
        )
        return _result(job, task)

    def get_result(self, result_id: str) -> TaskResult:  # type: ignore[type-arg]
        try:
            job = Job.objects.get(pk=int(result_id))
        except (Job.DoesNotExist, ValueError):
            raise TaskResultDoesNotExist(result_id) from None
        return _result(job, import_string(job.task_path))


_tasks_checked: set[tuple[Any, int, bool]] = set()


def tasks_enqueue(
    *,
    task: Task,  # type: ignore[type-arg]
    calls: Sequence[tuple[list[Any], dt.datetime | None]],
) -> None:
    """Queue many runs of one task, each ``(args, run_after)``, in the caller's transaction: the
    same jobs as ``task.using(run_after=...).enqueue(*args)`` for each, in one insert (a batch
    of imported contacts queues a send per invitation)."""
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):  # another backend queues them its own way
        for args, run_after in calls:
            task.using(run_after=run_after).enqueue(*args)
        return
    backend.validate_task(task)
    now = clock.now()
    rows_insert(
        [
            row_new(
                Job,
                task_path=task.module_path,
                args=list(args),
                kwargs={},
                queue_name=task.queue_name,
                priority=task.priority,
                backend=backend.alias,
                run_after=run_after or task.run_after or now,
                enqueued_at=now,
            )
            for args, run_after in calls
        ]
    )


def _result(job: Job, task: Task) -> TaskResult:  # type: ignore[type-arg]
    result: TaskResult = TaskResult(  # type: ignore[type-arg]
        task=task,
        id=str(job.pk),
        status=TaskResultStatus(job.status),
        enqueued_at=job.enqueued_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        last_attempted_at=job.last_attempted_at,
        args=job.args,
        kwargs=job.kwargs,
        backend=job.backend,
        errors=[TaskError(**e) for e in job.errors],
        worker_ids=[job.worker_id] if job.worker_id else [],
    )
    object.__setattr__(result, "_return_value", job.return_value)
    return result


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(
    *,
    worker: str,
    now: dt.datetime,
    limit: int,
    queues: list[str] | None = None,
    finished: list[Job] | None = None,
) -> list[Job]:
    """Take up to ``limit`` due jobs (or jobs whose worker's lease ran out) for this worker.

    ``finished``: jobs this worker ran since its last claim, recorded as done in the same
    transaction (one commit for a batch, not one a job). Should the worker die first, they
    are run again when their lease ends, which every task takes in its stride.
    """
    lease = now + dt.timedelta(seconds=settings.QUEUE_LEASE_SECONDS)
    due = Q(status=Job.Status.READY, run_after__lte=now) | Q(
        status=Job.Status.RUNNING, lease_until__lt=now
    )
    with transaction.atomic():
        if finished:
            Job.objects.filter(
                pk__in=[j.pk for j in finished], status=Job.Status.RUNNING, worker_id=worker
            ).update(status=Job.Status.SUCCESSFUL, finished_at=now, lease_until=None)
        found = Job.objects.filter(due)
        if queues:
            found = found.filter(queue_name__in=queues)
        jobs = list(
            found.select_for_update(skip_locked=True).order_by("-priority", "run_after")[:limit]
        )
        if jobs:
            Job.objects.filter(pk__in=[j.pk for j in jobs]).update(
                status=Job.Status.RUNNING,
                lease_until=lease,
                worker_id=worker,
                attempts=F("attempts") + 1,
                started_at=Coalesce("started_at", Value(now)),
                last_attempted_at=now,
            )
        for job in jobs:
            job.status = Job.Status.RUNNING
            job.lease_until = lease
            job.worker_id = worker
            job.attempts += 1
            job.started_at = job.started_at or now
            job.last_attempted_at = now
    return jobs


def run_job(job: Job, *, worker: str, record_success: bool = True) -> bool | None:
    """Run one claimed job and record how it ended; False if it raised, None if skipped.

    A job claimed in a batch whose lease is half gone is renewed first, and only if it is
    still this worker's: once the lease has run out it may be another worker's.
    """
    now = clock.now()
    lease = dt.timedelta(seconds=settings.QUEUE_LEASE_SECONDS)
    assert job.lease_until is not None
    if job.lease_until - now < lease / 2:  # else nobody else can have claimed it yet
        renewed = now + lease
        if not Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, lease_until=job.lease_until
        ).update(lease_until=renewed):
            return None
        job.lease_until = renewed
    try:
        task = import_string(job.task_path)
        value = task.call(*job.args, **job.kwargs)
    except Exception as e:
        log.exception("task %s (job %s) failed", job.task_path, job.pk)
        error = {
            "exception_class_path": f"{type(e).__module__}.{type(e).__qualname__}",
            "traceback": "".join(traceback.format_exception(e))[-4000:],
        }
        now = clock.now()
        retry = job.attempts < MAX_ATTEMPTS
        Job.objects.filter(pk=job.pk, lease_until=job.lease_until).update(
            status=Job.Status.READY if retry else Job.Status.FAILED,
            run_after=now + dt.timedelta(seconds=min(5 * 2**job.attempts, 3600)),
            lease_until=None,
            finished_at=None if retry else now,
            errors=[*job.errors, error][-5:],
        )
        return False
    if not record_success:
        return True
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCESSFUL,
        finished_at=clock.now(),
        lease_until=None,
        return_value=value if isinstance(value, int | str | float | bool | None) else None,
    )
    return True


def run_due(*, now: dt.datetime, worker: str = "inline", limit: int = 100_000) -> int:
    """Run every job due at ``now``, with the clock at ``now`` (the demo's replay, and tests).

    Jobs that the run queues for later (reminders, retries, the morning after quiet hours)
    wait for a later call.
    """
    done = 0
    with clock.frozen_at(now):
        while done < limit:
            jobs = claim(worker=worker, now=now, limit=100)
            if not jobs:
                break
            for job in jobs:
                run_job(job, worker=worker)
                done += 1
    return done


def jobs_prune(*, now: dt.datetime, days: int = 7) -> int:
    """Forget finished jobs after a week."""
    deleted, _ = Job.objects.filter(
        status__in=[Job.Status.SUCCESSFUL, Job.Status.FAILED],
        finished_at__lt=now - dt.timedelta(days=days),
    ).delete()
    return deleted


@dataclass
class Worker:
    """The worker loop: claim, run, and now and then the housekeeping jobs."""

    worker: str
    batch: int = 20
    housekeeping: Callable[[dt.datetime], None] | None = None
    housekeeping_every: float = 60.0
    stopping: bool = False

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def run(self, *, once: bool = False, max_jobs: int | None = None) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        done = 0
        next_housekeeping = 0.0
        finished: list[Job] = []
        while not self.stopping:
            if self.housekeeping is not None and time.monotonic() >= next_housekeeping:
                self.housekeeping(timezone.now())
                next_housekeeping = time.monotonic() + self.housekeeping_every
            jobs = claim(
                worker=self.worker, now=timezone.now(), limit=self.batch, finished=finished
            )
            finished = []
            for i, job in enumerate(jobs):
                if run_job(job, worker=self.worker, record_success=False):
                    finished.append(job)
                done += 1
                if self.stopping or (max_jobs is not None and done >= max_jobs):
                    jobs_finish(finished, worker=self.worker)
                    # Jobs claimed but not started go back now rather than when the lease ends.
                    for rest in jobs[i + 1 :]:
                        Job.objects.filter(pk=rest.pk, lease_until=rest.lease_until).update(
                            status=Job.Status.READY, lease_until=None
                        )
                    return done
            if once and not jobs:
                return done
            if not jobs:
                time.sleep(settings.WORKER_POLL_SECONDS)
        jobs_finish(finished, worker=self.worker)
        return done


def jobs_finish(jobs: list[Job], *, worker: str) -> None:
    """Record jobs this worker ran as done (those still its own)."""
    if jobs:
        Job.objects.filter(
            pk__in=[j.pk for j in jobs], status=Job.Status.RUNNING, worker_id=worker
        ).update(status=Job.Status.SUCCESSFUL, finished_at=timezone.now(), lease_until=None)
