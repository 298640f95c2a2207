"""A two-platform image: one fixture image re-published under an OCI index as
linux/amd64 and linux/arm64/v8, so sources can be tested on ``--platform``.

Each platform gets one extra layer holding ``/etc/seawall-lab-platform`` with its own
platform string, so a test can tell which manifest it was given. The layout is written
by hand (blobs are content-addressed files) and pushed with ``skopeo --multi-arch all``."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

from lab.commands import run, say
from lab.oci_layout import OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST, BlobWriter
from lab.paths import MULTIARCH_NAME, OPEN_REGISTRY, LabPaths, image_tag, replacing

PLATFORMS = ({"os": "linux", "architecture": "amd64"},
             {"os": "linux", "architecture": "arm64", "variant": "v8"})
MARKER_PATH = "etc/seawall-lab-platform"


def platform_string(platform: dict[str, str]) -> str:
    return "/".join(platform[k] for k in ("os", "architecture", "variant") if k in platform)


def _marker_layer(text: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        data = text.encode()
        info = tarfile.TarInfo(MARKER_PATH)
        info.size, info.mode, info.mtime = len(data), 0o644, 0
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def build_multiarch_layout(paths: LabPaths, source_image: str, target: Path) -> None:
    """Write the two-platform layout ``target`` from the source image's oci-archive
    (its layers are gzipped already: nothing gets compressed again on the way out)."""
    layout = BlobWriter(target)
    index = layout.adopt_archive(paths.oci_archive(source_image))
    manifest = layout.read_json(index["manifests"][0]["digest"])
    config = layout.read_json(manifest["config"]["digest"])
    entries = []
    for platform in PLATFORMS:
        text = platform_string(platform)
        layer = _marker_layer(text + "\n")
        layer_desc = layout.put_bytes(gzip.compress(layer, mtime=0), OCI_LAYER_GZIP)
        cfg = json.loads(json.dumps(config))
        cfg.pop("variant", None)
        cfg.update(platform)
        cfg["rootfs"]["diff_ids"].append(f"sha256:{hashlib.sha256(layer).hexdigest()}")
        cfg.setdefault("history", []).append({
            "created": cfg.get("created", "1970-01-01T00:00:00Z"),
            "created_by": f"seawall-lab: mark platform {text}"})
        cfg_desc = layout.put_bytes(json.dumps(cfg, sort_keys=True).encode(), OCI_CONFIG)
        image_manifest = {
            "schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": cfg_desc,
            "layers": [*manifest["layers"], layer_desc],
        }
        desc = layout.put_bytes(json.dumps(image_manifest).encode(), OCI_MANIFEST)
        entries.append({**desc, "platform": platform})
    image_index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    index_desc = layout.put_bytes(json.dumps(image_index).encode(), OCI_INDEX)
    (target / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    index_desc["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    (target / "index.json").write_text(json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [index_desc]}))


def publish_multiarch(paths: LabPaths, source_image: str) -> None:
    """Build the layout and push it to the open registry as ``seawall-lab/multiarch``."""
    layout = paths.oci_layout(MULTIARCH_NAME)
    with replacing(layout) as scratch:
        build_multiarch_layout(paths, source_image, scratch)
    log = paths.log_file(f"export-{MULTIARCH_NAME}")
    base = ["skopeo", "--insecure-policy", "copy", "--quiet", "--multi-arch", "all"]
    with replacing(paths.oci_archive(MULTIARCH_NAME)) as scratch:
        run([*base, f"oci:{layout}:latest", f"oci-archive:{scratch}:latest"], log=log)
    run([*base, "--dest-tls-verify=false", f"oci:{layout}:latest",
         f"docker://{OPEN_REGISTRY}/{image_tag(MULTIARCH_NAME)}"], log=log)
    say(f"pushed {OPEN_REGISTRY}/{image_tag(MULTIARCH_NAME)} "
        f"({', '.join(platform_string(p) for p in PLATFORMS)})")
