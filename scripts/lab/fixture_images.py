"""Build every ``tests/lab/images/<name>/Dockerfile`` as ``seawall-lab/<name>:latest``.

Conventions a fixture dir may use:
- ``# lab-depends: other-dir ...`` comment lines, and ``FROM seawall-lab/<dir>``, order
  builds;
- ``wheels.txt`` (pip requirement lines, pinned, *no dependency resolution*: list every
  distribution) is ``pip download``ed as wheels for the image's Python (bookworm: CPython
  3.11, x86_64) into the build context's ``wheels/`` so the Dockerfile can
  ``COPY wheels/ /wheels/`` and install offline.

The build runs from a copy under ``tests/lab/.build/<name>`` (ignored by git). An image
is rebuilt only when the hash of its context, its wheels.txt or the image IDs it is built
on changed (the hash is kept as an image label)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from lab.commands import LabError, output, run, say
from lab.exports import TRANSPORT_STEPS
from lab.paths import (
    BASE_IMAGE,
    BUILD_DIR,
    IMAGE_REPO_PREFIX,
    IMAGES_DIR,
    REPO_ROOT,
    LabPaths,
    image_tag,
)

CONTEXT_LABEL = "org.seawall.lab.context-hash"
_DEPENDS = re.compile(r"^\s*#\s*lab-depends:\s*(.+)$", re.MULTILINE)
_EXPORTS = re.compile(r"^\s*#\s*lab-exports:\s*(.+)$", re.MULTILINE)
_FROM = re.compile(rf"^\s*FROM\s+(?:--\S+\s+)*{re.escape(IMAGE_REPO_PREFIX)}/([\w.-]+)",
                   re.MULTILINE | re.IGNORECASE)
PIP_PLATFORM_ARGS = (
    "--only-binary=:all:", "--no-deps",
    "--python-version", "3.11", "--implementation", "cp",
    "--abi", "cp311", "--abi", "abi3", "--abi", "none",
    "--platform", "manylinux2014_x86_64", "--platform", "manylinux_2_28_x86_64",
    "--platform", "manylinux_2_17_x86_64", "--platform", "linux_x86_64",
)


@dataclass(frozen=True)
class FixtureImage:
    """One fixture image directory."""

    name: str
    context: Path
    depends: tuple[str, ...]
    transports: tuple[str, ...] | None = None
    """From ``# lab-exports: docker-archive oci ...``: publish only to these (big images
    that only some transports' tests need); None = every transport."""

    @property
    def dockerfile(self) -> Path:
        return self.context / "Dockerfile"

    @property
    def tag(self) -> str:
        return image_tag(self.name)


def discover(images_dir: Path = IMAGES_DIR) -> list[FixtureImage]:
    """Every fixture dir with a Dockerfile, in an order where dependencies come first."""
    found: dict[str, FixtureImage] = {}
    for dockerfile in sorted(images_dir.glob("*/Dockerfile")):
        text = dockerfile.read_text()
        deps = {d for line in _DEPENDS.findall(text) for d in line.replace(",", " ").split()}
        deps |= {m for m in _FROM.findall(text) if m != "bookworm"}
        name = dockerfile.parent.name
        transports = None
        declared = _EXPORTS.findall(text)
        if declared:
            transports = tuple(t for line in declared for t in line.replace(",", " ").split())
            unknown = sorted(set(transports) - set(TRANSPORT_STEPS) - {"docker-daemon"})
            if unknown:
                raise LabError(f"{dockerfile}: unknown lab-exports transport(s) "
                               f"{', '.join(unknown)}; known: {', '.join(TRANSPORT_STEPS)}")
        found[name] = FixtureImage(name, dockerfile.parent, tuple(sorted(deps - {name})),
                                   transports)
    ordered: list[FixtureImage] = []
    visiting: set[str] = set()

    def visit(image: FixtureImage) -> None:
        if image in ordered:
            return
        if image.name in visiting:
            raise LabError(f"dependency cycle through {image.dockerfile}")
        visiting.add(image.name)
        for dep in image.depends:
            if dep not in found:
                raise LabError(f"{image.dockerfile} depends on {dep!r}, which is not a "
                               f"fixture dir under {images_dir}")
            visit(found[dep])
        visiting.discard(image.name)
        ordered.append(image)

    for image in found.values():
        visit(image)
    return ordered


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == "wheels" or rel.startswith("wheels/") or "__pycache__" in rel:
            continue
        st = path.lstat()
        digest.update(f"{rel}\0{st.st_mode:o}\0".encode())
        if path.is_symlink():
            digest.update(os.readlink(path).encode())
        elif path.is_file():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _pip_command() -> list[str]:
    """pip that can download for another interpreter: the repo's venv first."""
    override = os.environ.get("SEAWALL_LAB_PIP")
    if override:
        return override.split()
    for candidate in (REPO_ROOT / ".venv" / "bin" / "python", Path(sys.executable)):
        if candidate.exists() and run([candidate, "-m", "pip", "--version"],
                                      check=False).returncode == 0:
            return [str(candidate), "-m", "pip"]
    raise LabError("no pip available to download wheels (create .venv or set SEAWALL_LAB_PIP)")


def _wheels(paths: LabPaths, image: FixtureImage) -> Path | None:
    """Download ``wheels.txt`` once into the cache; return the cache dir."""
    wheels_txt = image.context / "wheels.txt"
    if not wheels_txt.exists():
        return None
    key = hashlib.sha256(wheels_txt.read_bytes() + repr(PIP_PLATFORM_ARGS).encode())
    cached = paths.cache / "wheels" / key.hexdigest()[:16]
    cached.parent.mkdir(parents=True, exist_ok=True)
    # Images with the same wheels.txt may build in parallel: one downloads, others wait.
    with (cached.parent / f"{cached.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cached / ".complete").exists():
            _download_wheels(paths, image, wheels_txt, cached)
    return cached


def _download_wheels(paths: LabPaths, image: FixtureImage, wheels_txt: Path,
                     cached: Path) -> None:
    say(f"pip download {wheels_txt.relative_to(REPO_ROOT)}")
    shutil.rmtree(cached, ignore_errors=True)
    cached.mkdir(parents=True)
    try:
        run([*_pip_command(), "download", "--disable-pip-version-check", "--no-cache-dir",
             *PIP_PLATFORM_ARGS, "--dest", cached, "-r", wheels_txt],
            log=paths.log_file(f"wheels-{image.name}"), timeout=600)
    except LabError as exc:
        raise LabError(f"downloading {wheels_txt} failed: {exc}") from None
    (cached / ".complete").write_text("")


def _image_id(ref: str) -> str | None:
    proc = run(["docker", "image", "inspect", "-f", "{{.Id}}", ref], check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def _current_hash(ref: str) -> str | None:
    proc = run(["docker", "image", "inspect", "-f", "{{json .Config.Labels}}", ref],
               check=False)
    if proc.returncode != 0:
        return None
    return (json.loads(proc.stdout or "null") or {}).get(CONTEXT_LABEL)


def build(paths: LabPaths, image: FixtureImage) -> bool:
    """Build one image if its inputs changed; True when a build ran."""
    parents = [BASE_IMAGE] + [image_tag(d) for d in image.depends]
    parent_ids = [_image_id(p) or "missing" for p in parents]
    wheels_txt = image.context / "wheels.txt"
    key = hashlib.sha256("\0".join([
        _tree_hash(image.context), *parent_ids,
        wheels_txt.read_text() if wheels_txt.exists() else "",
    ]).encode()).hexdigest()[:24]
    if _current_hash(image.tag) == key:
        return False
    wheels = _wheels(paths, image)
    context = BUILD_DIR / image.name
    shutil.rmtree(context, ignore_errors=True)
    shutil.copytree(image.context, context, symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "wheels"))
    if wheels is not None:
        shutil.copytree(wheels, context / "wheels", ignore=shutil.ignore_patterns(".complete"))
    log = paths.log_file(f"build-{image.name}")
    log.unlink(missing_ok=True)
    say(f"docker build {image.tag}")
    try:
        # Legacy builder: the Debian engine (20.10) has no buildx, and its layer diffs are
        # what users of that engine get. Host network: apt inside builds must not depend
        # on bridge/iptables working in the CI sandbox.
        run(["docker", "build", "--network", "host", "--label", f"{CONTEXT_LABEL}={key}",
             "-t", image.tag, "-f", context / "Dockerfile", context],
            log=log, env={"DOCKER_BUILDKIT": "0"}, timeout=1200)
    except LabError as exc:
        raise LabError(f"build of {image.dockerfile} failed: {exc}") from None
    return True


def image_id(name: str) -> str:
    """Image ID of a built fixture image."""
    return output(["docker", "image", "inspect", "-f", "{{.Id}}", image_tag(name)])


def remove_dangling() -> None:
    """Drop superseded fixture builds so rebuilds do not fill the disk."""
    run(["docker", "image", "prune", "-f", "--filter", f"label={CONTEXT_LABEL}"], check=False)
