"""Importers: OSV (JSON/YAML/zip), Debian tracker data, Alpine secdb, RustSec, Node WG."""
