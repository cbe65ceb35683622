"""OneRoster 1.1 / 1.2 CSV bundles: reading and checking (``bundle``), import
(``importer``) and the v1.2 bulk export (``exporter``). Mapping: docs/modules/imports.md."""
