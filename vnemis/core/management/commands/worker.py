from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from vnemis.core.taskqueue import QueueSettings, queue_settings, using_settings, work, worker_name

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]


def _address_space() -> int:
    """The process's virtual memory size in bytes (0 where /proc is not available)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@contextmanager
def memory_limit(megabytes: int) -> Iterator[None]:
    """Cap the process's address space (soft limit, restored afterwards), so that a file
    that makes a task allocate without bound raises MemoryError in the task, which fails
    its job, instead of the kernel killing the worker."""
    wanted = megabytes * 2**20
    # A process already past half the cap (the command called inside a large one) is left
    # alone: the cap would break what it is already doing.
    if not megabytes or resource is None or _address_space() > wanted // 2:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM (a service manager, ``vnemis serve`` stopping) stops the worker as Ctrl-C
    does: the running task is rolled back and put back in the queue, not left RUNNING."""

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(0)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (a test calling the command): nothing to do
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Command(BaseCommand):
    help = "Run background jobs from the database queue (imports, indicator refreshes)."

    def add_arguments(self, parser: CommandParser) -> None:
        default = queue_settings()
        parser.add_argument("--once", action="store_true", help="run what is ready, then stop")
        parser.add_argument("--sleep", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=default.heartbeat,
            help="seconds between heartbeats of a running task (default %(default)s)",
        )
        parser.add_argument(
            "--stale-after",
            "--requeue-after",
            dest="stale_after",
            type=float,
            default=default.stale_after,
            help="put back running tasks with no heartbeat for this many seconds "
            "(default %(default)s)",
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=default.max_attempts,
            help="runs of a task before it is failed, retries included (default %(default)s)",
        )
        parser.add_argument(
            "--retry-delay",
            type=float,
            default=default.retry_delay,
            help="seconds before a task is retried, doubled each time (default %(default)s)",
        )
        parser.add_argument(
            "--memory-limit",
            type=int,
            default=int(getattr(settings, "VNEMIS_WORKER_MEMORY_MB", 4096)),
            help="address-space limit of the worker in MiB, 0 for none (default %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = worker_name()
        active = QueueSettings(
            heartbeat=options["heartbeat"],
            stale_after=options["stale_after"],
            max_attempts=max(1, options["max_attempts"]),
            retry_delay=options["retry_delay"],
        )
        self.stdout.write(f"Worker {name} started.")
        self.stdout.flush()

        def log(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        with (
            using_settings(active),
            memory_limit(options["memory_limit"]),
            stop_on_sigterm(),
        ):
            try:
                work(worker_id=name, once=options["once"], poll=options["sleep"], log=log)
            except (KeyboardInterrupt, SystemExit):
                log(f"Worker {name} stopped.")
