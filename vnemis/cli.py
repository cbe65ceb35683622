"""The ``vnemis`` console script: Django's management commands under one name.

``vnemis demo laocai-2022``, ``vnemis summary --json``, ``vnemis orgs --json``, ``vnemis serve``
and every Django command (``vnemis migrate``) run from any folder.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["help", "--commands"]
    execute_from_command_line(["vnemis", *args])


if __name__ == "__main__":
    main()
