"""npm ecosystem lock files: ``package-lock.json`` (v1, v2, v3), ``yarn.lock`` (classic
v1 and Berry) and ``pnpm-lock.yaml`` (v5, v6, v9).

Lock files describe what *would* be installed; when the same package is also found
installed under the lock file's directory the installed copy wins (see the merge step).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.analyzers.packages.package_format import (
    DATA_LOCKFILE,
    PackageFormat,
    read_capped,
    register_format,
)
from seawall.fs.interface import FileInfo
from seawall.model.package import Package

_LOCK_NAMES = ("package-lock.json", "yarn.lock", "pnpm-lock.yaml")
_YARN_VERSION = re.compile(r'^\s+version:?\s+"?([^"\s]+)"?\s*$')
_EXACT_VERSION = re.compile(r"^\d[\w.+-]*$")


def _matches(path: str, info: FileInfo) -> bool:
    name = path.rpartition("/")[2]
    return name in _LOCK_NAMES and "/node_modules/" not in path


def _name_from_spec(spec: str) -> str:
    """``@scope/name@^1.0`` -> ``@scope/name``; ``name@npm:^1`` -> ``name``."""
    spec = spec.strip().strip('"')
    at = spec.find("@", 1)
    return spec if at < 0 else spec[:at]


def package_lock_entries(doc: dict[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """``(name, version, dev)`` of a package-lock document of any lockfileVersion."""
    packages = doc.get("packages")
    if isinstance(packages, dict):  # v2 and v3
        for key, entry in packages.items():
            if not key or "node_modules/" not in key or not isinstance(entry, dict):
                continue
            if entry.get("link") or not isinstance(entry.get("version"), str):
                continue
            name = entry.get("name") or key.rsplit("node_modules/", 1)[1]
            yield str(name), entry["version"], bool(entry.get("dev"))
        return
    stack: list[dict[str, Any]] = [doc.get("dependencies") or {}]
    while stack:  # v1: nested "dependencies" maps
        deps = stack.pop()
        for name, entry in deps.items():
            if not isinstance(entry, dict):
                continue
            version = entry.get("version")
            if isinstance(version, str) and _EXACT_VERSION.match(version):
                yield name, version, bool(entry.get("dev"))
            nested = entry.get("dependencies")
            if isinstance(nested, dict):
                stack.append(nested)


def yarn_lock_entries(text: str) -> Iterator[tuple[str, str, bool]]:
    """``(name, version, False)`` of a yarn.lock (classic or Berry)."""
    if "\n__metadata:" in text or text.startswith("__metadata:"):
        doc = yaml.safe_load(text) or {}
        for key, entry in doc.items():
            if key == "__metadata" or not isinstance(entry, dict):
                continue
            resolution = str(entry.get("resolution") or "")
            if "@npm:" not in resolution[1:]:
                continue  # workspace:, link:, patch: ... are not registry packages
            berry_name = resolution[: resolution.index("@npm:", 1)]
            version = str(entry.get("version") or "")
            if berry_name and version:
                yield berry_name, version, False
        return
    current: str | None = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line[0].isspace():
            spec = line.rstrip(":").split(",")[0]
            current = _name_from_spec(spec) if line.endswith(":") else None
            continue
        match = _YARN_VERSION.match(line)
        if current and match:
            yield current, match.group(1), False
            current = None


def _pnpm_key(key: str, slash_style: bool) -> tuple[str, str] | None:
    key = key.lstrip("/")
    if slash_style:  # lockfile v5 and older: "/@scope/name/1.0.0_peer@2.0.0"
        name, _, version = key.rpartition("/")
        return (name, version.split("_", 1)[0]) if name else None
    key = re.sub(r"\(.*\)$", "", key)  # v6+/v9 peer suffix "(react@18.2.0)"
    at = key.find("@", 1)
    return (key[:at], key[at + 1:]) if at > 0 else None


def pnpm_lock_entries(text: str) -> Iterator[tuple[str, str, bool]]:
    """``(name, version, dev)`` of a pnpm-lock.yaml."""
    doc = yaml.safe_load(text) or {}
    packages = doc.get("packages") or {}
    if not isinstance(packages, dict):
        return
    slash_style = str(doc.get("lockfileVersion", "")).split(".")[0] in ("3", "4", "5")
    for key, entry in packages.items():
        entry = entry if isinstance(entry, dict) else {}
        if entry.get("name") and entry.get("version"):
            yield str(entry["name"]), str(entry["version"]), bool(entry.get("dev"))
            continue
        parsed = _pnpm_key(str(key), slash_style)
        if parsed and _EXACT_VERSION.match(parsed[1]):
            yield parsed[0], parsed[1], bool(entry.get("dev"))


def _parse(file: FileInput) -> AnalyzerResult:
    raw = read_capped(file)
    base = file.path.rpartition("/")[2]
    try:
        if base == "package-lock.json":
            doc = json.loads(raw)
            if not isinstance(doc, dict):
                raise ValueError("not a JSON object")
            entries = list(package_lock_entries(doc))
        elif base == "yarn.lock":
            entries = list(yarn_lock_entries(raw.decode("utf-8", "replace")))
        else:
            entries = list(pnpm_lock_entries(raw.decode("utf-8", "replace")))
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"malformed lock file: {str(exc).splitlines()[0]}") from None
    seen: set[tuple[str, str]] = set()
    packages: list[Package] = []
    for name, version, dev in entries:
        if (name, version) in seen:
            continue
        seen.add((name, version))
        extra = {"dev": True} if dev else {}
        packages.append(Package(name=name, version=version, type="npm", layer=file.layer,
                                path=file.path, extra=extra))
    return AnalyzerResult(packages=packages, data={DATA_LOCKFILE: True})


register_format(PackageFormat("npm-lock", _matches, _parse,
                              suffixes=tuple("/" + n.lower() for n in _LOCK_NAMES)))
