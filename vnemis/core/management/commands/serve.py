from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class WorkerSupervisor:
    """Keep a child process (the job worker) running: start it, and when it exits, log it
    and start it again after a delay that doubles while it keeps dying (reset once it has
    run ``healthy_after`` seconds), until ``stop``.

    A worker dies when a file kills it (out of memory, a crash in a native library) or
    when the database goes away for good; without a restart, every later import would wait
    in the queue forever.
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        log: Callable[[str], None] = print,
        min_delay: float = 1.0,
        max_delay: float = 60.0,
        healthy_after: float = 60.0,
    ) -> None:
        self.command, self.env, self.log = list(command), env, log
        self.min_delay, self.max_delay, self.healthy_after = min_delay, max_delay, healthy_after
        self.restarts = 0
        self.child: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        """Supervise until ``stop`` is called (blocks: run it in a thread)."""
        delay = self.min_delay
        while True:
            started = time.monotonic()
            with self._lock:
                if self._stopping.is_set():
                    return
                try:
                    self.child = subprocess.Popen(self.command, env=self.env)
                except OSError as exc:
                    self.child = None
                    ended = f"could not be started ({exc})"
            child = self.child
            if child is not None:
                self.log(f"Job worker started (pid {child.pid}).")
                ended = f"(pid {child.pid}) stopped with exit code {child.wait()}"
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= self.healthy_after:
                delay = self.min_delay
            self.restarts += 1
            self.log(f"Job worker {ended}; restart {self.restarts} in {delay:g} s.")
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self.max_delay)

    def stop(self, *, timeout: float = 30.0) -> None:
        """Stop supervising and stop the child (SIGTERM, then SIGKILL after ``timeout``)."""
        with self._lock:
            self._stopping.set()
            child = self.child
        if child is None or child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


class Command(BaseCommand):
    help = (
        "Serve vnemis with gunicorn (production server, DEBUG off, static files by "
        "WhiteNoise) and a background worker for the job queue, restarted if it dies."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=min(4, (os.cpu_count() or 1) + 1))
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start `vnemis worker` beside the web server",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        env = dict(os.environ, VNEMIS_DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings")
        hosts = {h for h in env.get("VNEMIS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h}
        hosts.add(options["host"])
        env["VNEMIS_ALLOWED_HOSTS"] = ",".join(sorted(hosts))
        bind = f"{options['host']}:{options['port']}"

        def log(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        supervisor = None
        thread = None
        uses_queue = settings.TASKS["default"]["BACKEND"].endswith("DatabaseBackend")
        if uses_queue and not options["no_worker"]:
            supervisor = WorkerSupervisor(
                [sys.executable, "-m", "vnemis.cli", "worker"], env=env, log=log
            )
            thread = threading.Thread(target=supervisor.run, name="worker-supervisor", daemon=True)
            thread.start()
        log(f"Serving vnemis on http://{bind}/ (Ctrl-C to stop)")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
                "--timeout",
                "120",
            ],
            env=env,
        )

        def stop(_signum: int, _frame: object) -> None:
            raise KeyboardInterrupt

        # Stopped by a service manager (SIGTERM) as by Ctrl-C: both children are shut down.
        signal.signal(signal.SIGTERM, stop)
        try:
            server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGTERM)
            server.wait()
        finally:
            if supervisor is not None and thread is not None:
                supervisor.stop()
                thread.join(timeout=35)
