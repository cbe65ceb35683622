from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Serve vnemis with gunicorn (production server, DEBUG off, static files by "
        "WhiteNoise) and a background worker for the job queue."
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
        worker = None
        uses_queue = settings.TASKS["default"]["BACKEND"].endswith("DatabaseBackend")
        if uses_queue and not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "vnemis.cli", "worker"], env=env)
            self.stdout.write(f"Job worker started (pid {worker.pid}).")
        self.stdout.write(f"Serving vnemis on http://{bind}/ (Ctrl-C to stop)")
        sys.stdout.flush()
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
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
