"""``seawall-lab/bookworm:base``: a minbase Debian bookworm rootfs made by mmdebstrap and
``docker import``ed, because nothing can be pulled from Docker Hub.

The tarball is cached under the cache dir keyed by a hash of the mmdebstrap arguments;
the imported image carries that hash as a label so an unchanged base is never
re-imported (a re-import would mint a new image ID and invalidate every build on top)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil

from lab.commands import LabError, output, run, say, succeeds
from lab.paths import BASE_IMAGE, LabPaths

BASE_LABEL = "org.seawall.lab.base-hash"
MIRROR = os.environ.get("SEAWALL_LAB_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SECURITY_MIRROR = os.environ.get("SEAWALL_LAB_DEBIAN_SECURITY",
                                 "http://deb.debian.org/debian-security")
MMDEBSTRAP_ARGS = (
    "--variant=minbase",
    "--mode=root",
    "--format=tar",
    # Like debian:bookworm-slim: no apt binary caches, man pages or translations, in the
    # base and in every `apt-get install` on top of it (the options stay in the image).
    # Copyright files stay: license scanners read them.
    '--aptopt=Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache ""',
    "--dpkgopt=path-exclude=/usr/share/man/*",
    "--dpkgopt=path-exclude=/usr/share/locale/*",
    "--dpkgopt=path-include=/usr/share/locale/locale.alias",
    "--dpkgopt=path-exclude=/usr/share/doc/*",
    "--dpkgopt=path-include=/usr/share/doc/*/copyright",
    "bookworm",
)
SOURCES = (
    f"deb {MIRROR} bookworm main",
    f"deb {MIRROR} bookworm-updates main",
    f"deb {SECURITY_MIRROR} bookworm-security main",
)


def _args_hash() -> str:
    return hashlib.sha256(json.dumps([MMDEBSTRAP_ARGS, SOURCES]).encode()).hexdigest()[:16]


def _image_label(image: str, label: str) -> str | None:
    proc = run(["docker", "image", "inspect", "-f", "{{json .Config.Labels}}", image],
               check=False)
    if proc.returncode != 0:
        return None
    labels = json.loads(proc.stdout or "null") or {}
    return labels.get(label)


def ensure_base_image(paths: LabPaths) -> str:
    """Import the base image if missing or made from other mmdebstrap arguments; return
    its image ID."""
    key = _args_hash()
    if _image_label(BASE_IMAGE, BASE_LABEL) == key:
        return output(["docker", "image", "inspect", "-f", "{{.Id}}", BASE_IMAGE])
    tarball = paths.cache / "base" / f"bookworm-minbase-{key}.tar"
    if not tarball.exists():
        if shutil.which("mmdebstrap") is None:
            raise LabError("mmdebstrap is not installed (apt-get install mmdebstrap)")
        say(f"mmdebstrap bookworm minbase -> {tarball}")
        tarball.parent.mkdir(parents=True, exist_ok=True)
        partial = tarball.with_suffix(".partial.tar")
        partial.unlink(missing_ok=True)
        run(["mmdebstrap", *MMDEBSTRAP_ARGS, partial, *SOURCES],
            log=paths.log_file("mmdebstrap"), timeout=1200)
        partial.rename(tarball)
        for stale in tarball.parent.glob("bookworm-minbase-*.tar"):
            if stale != tarball:
                stale.unlink()
    say(f"docker import {tarball.name} as {BASE_IMAGE}")
    run(["docker", "import", "--change", f"LABEL {BASE_LABEL}={key}",
         "--change", 'CMD ["bash"]', "--message", f"mmdebstrap {' '.join(MMDEBSTRAP_ARGS)}",
         tarball, BASE_IMAGE], log=paths.log_file("base-import"))
    if not succeeds(["docker", "image", "inspect", BASE_IMAGE]):
        raise LabError(f"{BASE_IMAGE} missing after docker import")
    return output(["docker", "image", "inspect", "-f", "{{.Id}}", BASE_IMAGE])
