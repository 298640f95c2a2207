"""Java archives (jar, war, ear, par, hpi), nested archives included: Maven
``META-INF/maven/<group>/<artifact>/pom.properties``, else the manifest
(``Implementation-*`` / ``Bundle-*``), else the file name (``name-1.2.3.jar``).

Archives are hostile: nesting depth, entry count and the total bytes inflated per
top-level archive are capped (zip bombs), and oversized entries are skipped.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from seawall.analyzers.interface import AnalyzerResult, FileInput
from seawall.analyzers.packages.package_format import PackageFormat, register_format
from seawall.fs.interface import FileInfo
from seawall.model.package import Package
from seawall.model.report import ErrorEntry

ARCHIVE_SUFFIXES = (".jar", ".war", ".ear", ".par", ".hpi", ".jpi")
MAX_DEPTH = 4
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024
MAX_INFLATED_TOTAL = 1024 * 1024 * 1024
MAX_ENTRIES = 200_000
_SMALL_ENTRY = 1024 * 1024
_FILENAME = re.compile(r"^(?P<name>.+?)-(?P<version>\d[\w.+-]*?)(?:\.(?:jar|war|ear|par|hpi|jpi))$")


@dataclass
class _Budget:
    remaining: int = MAX_INFLATED_TOTAL

    def read(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
        """Inflate one entry within the per-entry ``limit`` and the shared budget;
        None when it is over budget or unreadable."""
        cap = min(limit, self.remaining)
        try:
            with zf.open(info) as stream:
                data = stream.read(cap + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError,
                NotImplementedError):
            return None  # corrupt, encrypted or exotic entry: skip it
        if len(data) > cap:
            return None
        self.remaining -= len(data)
        return data


def parse_properties(text: str) -> dict[str, str]:
    """``key=value`` lines of a Java .properties file (comments and blanks skipped)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        key, sep, value = line.partition("=")
        if not sep:
            key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def parse_manifest(text: str) -> dict[str, str]:
    """Main section of a MANIFEST.MF (72-byte continuation lines joined)."""
    out: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        if not line:
            break  # end of the main section
        if line.startswith(" ") and last:
            out[last] += line[1:]
            continue
        key, sep, value = line.partition(":")
        if sep:
            last = key.strip()
            out[last] = value.strip()
    return out


def _from_manifest(manifest: dict[str, str]) -> tuple[str, str, str] | None:
    """(group, artifact, version) from manifest attributes, when they say enough."""
    version = manifest.get("Implementation-Version") or manifest.get("Bundle-Version")
    artifact = manifest.get("Implementation-Title") or manifest.get("Bundle-SymbolicName")
    if not version or not artifact:
        return None
    artifact = artifact.split(";")[0].strip()
    group = manifest.get("Implementation-Vendor-Id", "")
    if not group and "." in artifact and artifact == manifest.get("Bundle-SymbolicName", ""):
        group, _, artifact = artifact.rpartition(".")
    return group, artifact, version


def _maven_package(group: str, artifact: str, version: str, file: FileInput,
                   inner: str) -> Package:
    name = f"{group}:{artifact}" if group else artifact
    extra = {"archive_path": inner} if inner else {}
    return Package(name=name, version=version, type="maven", layer=file.layer,
                   path=file.path, extra=extra)


def _walk_archive(data: bytes, label: str, inner: str, depth: int, file: FileInput,
                  budget: _Budget, out: AnalyzerResult) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        out.errors.append(ErrorEntry("analyzer:packages", f"{file.path}{inner}: {exc}"))
        return
    found = 0
    manifest: dict[str, str] = {}
    nested: list[zipfile.ZipInfo] = []
    for index, info in enumerate(zf.infolist()):
        if index >= MAX_ENTRIES:
            break
        name = info.filename
        if name.startswith("META-INF/maven/") and name.endswith("/pom.properties"):
            raw = budget.read(zf, info, _SMALL_ENTRY)
            props = parse_properties(raw.decode("utf-8", "replace")) if raw else {}
            if props.get("artifactId") and props.get("version"):
                out.packages.append(_maven_package(props.get("groupId", ""), props["artifactId"],
                                                   props["version"], file, f"{inner}!{name}"))
                found += 1
        elif name == "META-INF/MANIFEST.MF":
            raw = budget.read(zf, info, _SMALL_ENTRY)
            manifest = parse_manifest(raw.decode("utf-8", "replace")) if raw else {}
        elif name.lower().endswith(ARCHIVE_SUFFIXES) and not info.is_dir():
            nested.append(info)
    if not found:
        coords = _from_manifest(manifest)
        if coords is None:
            match = _FILENAME.match(label.rpartition("/")[2])
            coords = ("", match.group("name"), match.group("version")) if match else None
        if coords:
            out.packages.append(_maven_package(*coords, file, inner))
    if depth >= MAX_DEPTH:
        return
    for info in nested:
        raw = budget.read(zf, info, MAX_ARCHIVE_BYTES)
        if raw is None:
            out.errors.append(ErrorEntry(
                "analyzer:packages",
                f"{file.path}{inner}!{info.filename}: skipped, over the size budget"))
            continue
        _walk_archive(raw, info.filename, f"{inner}!{info.filename}", depth + 1, file,
                      budget, out)


def _matches(path: str, info: FileInfo) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def parse_java_archive(file: FileInput) -> AnalyzerResult:
    """Every Maven artifact in a Java archive and its nested archives."""
    data = file.read(MAX_ARCHIVE_BYTES + 1)
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ValueError(f"archive larger than {MAX_ARCHIVE_BYTES} bytes, not parsed")
    out = AnalyzerResult()
    _walk_archive(data, file.path, "", 0, file, _Budget(), out)
    return out


register_format(PackageFormat("java", _matches, parse_java_archive,
                              suffixes=ARCHIVE_SUFFIXES))
