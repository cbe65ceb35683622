from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion


class Command(BaseCommand):
    help = "List organisation units: code, name, kind and parent code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=OrgUnitKind.values, help="only units of this kind")
        parser.add_argument("--under", help="only units below the unit with this code")
        parser.add_argument(
            "--tree",
            help="tree version for parents (default: per unit, the latest version it is placed in)",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        units = OrgUnit.objects.all()
        placements = OrgPlacement.objects.select_related("parent", "version")
        if options["tree"]:
            if not TreeVersion.objects.filter(code=options["tree"]).exists():
                raise CommandError(f"No tree version has the code {options['tree']!r}.")
            placements = placements.filter(version__code=options["tree"])
        if options["kind"]:
            units = units.filter(kind=options["kind"])
        if options["under"]:
            top = OrgUnit.objects.filter(code=options["under"]).first()
            if top is None:
                raise CommandError(f"No organisation unit has the code {options['under']!r}.")
            paths = tuple(top.placements.values_list("path", flat=True))
            units = units.under_paths(paths).exclude(pk=top.pk)
        parent_of: dict[int, str | None] = {}
        for p in placements.order_by("version__valid_from"):
            parent_of[p.unit_id] = p.parent.code if p.parent else None
        rows = [
            {"code": u.code, "name": u.name, "kind": u.kind, "parent": parent_of.get(u.pk)}
            for u in units.order_by("kind", "code")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            self.stdout.write(
                f"{r['code']:<14} {r['kind']:<16} {r['parent'] or '-':<12} {r['name']}"
            )
