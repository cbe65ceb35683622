from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve vnemis with gunicorn (production server, DEBUG off, static files by WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=min(4, (os.cpu_count() or 1) + 1))

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        env = dict(os.environ, VNEMIS_DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings")
        hosts = {h for h in env.get("VNEMIS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h}
        hosts.add(options["host"])
        env["VNEMIS_ALLOWED_HOSTS"] = ",".join(sorted(hosts))
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Serving vnemis on http://{bind}/ (Ctrl-C to stop)")
        argv = [
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
        ]
        sys.stdout.flush()
        os.execve(sys.executable, argv, env)
