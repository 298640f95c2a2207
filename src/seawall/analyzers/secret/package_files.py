"""Low-confidence secret findings in files a package manager installed are dropped.

A generic rule (``password = "..."``, ``--password x``) only knows a value is a
credential from the words around it, and distributions and language packages ship
thousands of files where such words sit next to code or documentation: perl's
``Config_heavy.pl`` (``d_grpasswd='define'``), pip's ``--password options``, openssl's
sample ``openssl.cnf``. Trivy hides these with built-in path allow rules; here the
decision is made per file from facts about the target:

* the file is listed by the OS package database (dpkg/apk/rpm, read with
  :mod:`seawall.analyzers.package_ownership`) **and** still has the content its package
  installed (dpkg md5 sums, conffiles included: an ``/etc`` file the admin edited to
  hold a password is still reported), or
* it lies in an installed third-party language package directory
  (:data:`THIRD_PARTY_DIRS`: ``site-packages``, ``node_modules``, ``vendor``...).

High-confidence rules (a secret with a format of its own: ``AKIA...``, PEM keys,
``ghp_...``) report everywhere, except in test fixtures (:data:`TEST_FIXTURES`:
``testdata/``, ``*_test.go``, ``tests/``...) of an installed package or toolchain
(:data:`TOOLCHAIN_DIRS`): Go's standard library ships example TLS keys in
``crypto/tls/testdata`` and ``example_test.go``, public since they were committed.
What was dropped is counted in the analyzer result's ``data["package_files"]``; the
``secret.include_package_files`` option turns this off.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from seawall.analyzers.package_ownership import PackageOwnership
from seawall.fs.interface import FileSystem
from seawall.model.finding import Finding

THIRD_PARTY_DIRS = re.compile(
    r"/(?:site-packages|dist-packages|node_modules|bower_components|jspm_packages|vendor"
    r"|gems|\.cargo/registry|pkg/mod|\.m2/repository|\.gradle/caches|\.nuget/packages)/"
)
"""Directories where language package managers (pip, npm, composer/go vendoring,
gem/bundler, cargo, go modules, maven, gradle, nuget) install other people's code."""


PACKAGE_INDEXES = re.compile(
    r"^/var/lib/apt/lists/|^/var/cache/apt/|^/var/lib/dpkg/(?:status|available)(?:-old)?$"
    r"|^/lib/apk/db/|^/var/cache/apk/|^/var/cache/(?:yum|dnf)/|^/var/lib/(?:yum|dnf)/"
)
"""Package manager indexes and caches: text downloaded from the distribution's mirrors
(package descriptions quoting ``--password x``), never the image owner's secret. The
analyzer does not scan them (they are also the biggest text files of many images)."""

TEST_FIXTURES = re.compile(
    r"/(?:testdata|test-data|tests?|__tests__|fixtures|test_fixtures|spec)/|_test\.go$"
    r"|/test_[^/]+\.py$|\.(?:test|spec)\.[cm]?[jt]s$"
)
"""Paths of test code and test data."""

TOOLCHAIN_DIRS = re.compile(
    r"^/usr/local/go/|^/usr/(?:lib|share)/go(?:lang)?(?:-[\d.]+)?/|^/usr/lib/jvm/"
    r"|^/opt/(?:java|jdk|openjdk)[^/]*/|^/usr/local/lib/node_modules/|^/usr/(?:lib|share)/nodejs/"
    r"|^/usr/local/lib/python3[\d.]*/|^/usr/lib/python3[\d.]*/"
)
"""Where official images and distributions install language toolchains (the Go tree of
the golang image, a JDK, Node's and Python's own libraries) when no package database
lists their files."""


@dataclass
class PackageFileFilter:
    """Decides, per finding, whether it sits in a file a package installed (the scan's
    package ownership fact; dpkg's md5 sums are read on first need only)."""

    fs: FileSystem
    low_confidence: Collection[str]
    """Rule IDs of low-confidence rules (the only ones ever dropped)."""
    ownership: PackageOwnership
    """The target's package ownership."""
    dropped: Counter[str] = field(default_factory=Counter)
    """Dropped findings per rule ID."""
    reasons: Counter[str] = field(default_factory=Counter)
    """Dropped findings per reason (``os-package``, ``language-package-dir``,
    ``package-test-fixture``)."""
    kept_modified: int = 0
    """Low-confidence findings kept because their package file was edited."""
    _unmodified: dict[str, bool] = field(default_factory=dict)

    def reason_to_drop(self, finding: Finding, visible: bool) -> str | None:
        """Why ``finding`` is dropped: ``package-test-fixture`` (any rule),
        ``os-package`` / ``language-package-dir`` (a low-confidence hit in a package's
        file); None to keep it. ``visible`` False: the file was deleted or
        replaced later, so its content cannot be compared with the package's."""
        path = finding.location.path
        if not path:
            return None
        if TEST_FIXTURES.search(path) and (
            THIRD_PARTY_DIRS.search(path) or TOOLCHAIN_DIRS.search(path)
            or self._package_file(path, visible)
        ):
            return "package-test-fixture"
        if finding.rule_id not in self.low_confidence:
            return None
        if THIRD_PARTY_DIRS.search(path):
            return "language-package-dir"
        if not self.ownership.owns(path):
            return None
        if visible and not self._unmodified_file(path):
            self.kept_modified += 1
            return None
        return "os-package"

    def _unmodified_file(self, path: str) -> bool:
        if path not in self._unmodified:
            self._unmodified[path] = self.ownership.unmodified(self.fs, path)
        return self._unmodified[path]

    def _package_file(self, path: str, visible: bool) -> bool:
        """A file the OS package database lists, with the content its package gave it."""
        return self.ownership.owns(path) and (not visible or self._unmodified_file(path))

    def keep(self, finding: Finding, visible: bool) -> bool:
        """False (and counted) when the finding is to be dropped."""
        reason = self.reason_to_drop(finding, visible)
        if reason is None:
            return True
        self.dropped[finding.rule_id] += 1
        self.reasons[reason] += 1
        return False

    def summary(self) -> dict[str, Any]:
        """What was dropped, for the analyzer result's ``data`` (JSON values)."""
        return {
            "dropped": sum(self.dropped.values()),
            "by_rule": dict(sorted(self.dropped.items())),
            "by_reason": dict(sorted(self.reasons.items())),
            "kept_modified_package_files": self.kept_modified,
            "package_database": self.ownership.known,
        }
