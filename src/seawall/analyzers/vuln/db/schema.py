"""The SQLite schema of the vulnerability database (one file, ``vuln.db``).

Advisory text lives once in ``advisories``; what each advisory affects lives in
``affected`` (OSV ranges/versions per ecosystem + package), ``debian_status``
(security-tracker state per release and source package) and ``alpine_secfixes``
(secdb fixed versions per branch). Indexes cover the matcher's lookups.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
"""Bump when the layout changes; an older file is rebuilt by ``seawall db update``."""

FORMAT_TAG = "seawall-vulndb"
"""Written to ``meta.format``: tells our DB apart from any other SQLite file."""

DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    name TEXT PRIMARY KEY,          -- osv:PyPI, debian-tracker, alpine-secdb ...
    location TEXT NOT NULL,         -- URL or path it was read from
    record_count INTEGER NOT NULL,
    last_modified TEXT,             -- newest 'modified' seen in the data
    imported_at TEXT NOT NULL
);
CREATE TABLE advisories (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    summary TEXT,
    details TEXT,
    published TEXT,
    modified TEXT,
    withdrawn TEXT,
    vendor_severity TEXT            -- GHSA/Debian/... label, when the source gives one
);
CREATE TABLE aliases (
    advisory_id TEXT NOT NULL,
    alias TEXT NOT NULL,
    PRIMARY KEY (advisory_id, alias)
);
CREATE TABLE severities (
    advisory_id TEXT NOT NULL,
    type TEXT NOT NULL,             -- CVSS_V2 | CVSS_V3 | CVSS_V4 | Ubuntu ...
    score TEXT NOT NULL,            -- the vector (or label) as published
    PRIMARY KEY (advisory_id, type, score)
);
CREATE TABLE refs (
    advisory_id TEXT NOT NULL,
    type TEXT,
    url TEXT NOT NULL
);
CREATE TABLE affected (
    advisory_id TEXT NOT NULL,
    ecosystem TEXT NOT NULL,        -- as in OSV: PyPI, Go, Debian:12, Alpine:v3.19
    name TEXT NOT NULL,             -- normalised package name (PEP 503 for PyPI)
    ranges TEXT NOT NULL,           -- JSON list of OSV ranges
    versions TEXT NOT NULL,         -- JSON list of explicitly affected versions
    severity TEXT                   -- per-package label from ecosystem_specific
);
CREATE TABLE debian_status (
    release TEXT NOT NULL,          -- codename, 'sid' for the unstable line
    package TEXT NOT NULL,          -- source package
    vuln_id TEXT NOT NULL,
    -- state: fixed|unfixed|not-affected|no-dsa|postponed|ignored|end-of-life|removed|undetermined
    state TEXT NOT NULL,
    fixed_version TEXT,
    urgency TEXT,
    PRIMARY KEY (release, package, vuln_id)
);
CREATE TABLE debian_sources (
    release TEXT NOT NULL,
    package TEXT NOT NULL,
    version TEXT NOT NULL,          -- the release's current source version (incl. -security)
    PRIMARY KEY (release, package)
);
CREATE TABLE debian_releases (codename TEXT PRIMARY KEY, major_version TEXT NOT NULL);
CREATE TABLE alpine_secfixes (
    branch TEXT NOT NULL,           -- v3.19
    package TEXT NOT NULL,          -- origin (source) package
    fixed_version TEXT NOT NULL,    -- '0' means never affected on this branch
    vuln_id TEXT NOT NULL,
    PRIMARY KEY (branch, package, vuln_id, fixed_version)
);
"""

INDEXES = """
CREATE INDEX IF NOT EXISTS idx_affected_pkg ON affected (name, ecosystem);
CREATE INDEX IF NOT EXISTS idx_affected_adv ON affected (advisory_id);
CREATE INDEX IF NOT EXISTS idx_aliases_alias ON aliases (alias);
CREATE INDEX IF NOT EXISTS idx_refs_adv ON refs (advisory_id);
CREATE INDEX IF NOT EXISTS idx_debian_pkg ON debian_status (package, release);
CREATE INDEX IF NOT EXISTS idx_alpine_pkg ON alpine_secfixes (package, branch);
"""
