"""Per-layer analyzer results on disk, so a re-scan of a layer does no per-file work.

Key: (layer diff_id, :meth:`Analyzer.cache_key`) -- the diff_id pins the content, the
analyzer key pins name + version + options. One zstd-compressed JSON file per key,
written to a temp name and renamed into place, so concurrent seawall processes
sharing a cache never see half an entry (Trivy's BoltDB cache allows one process).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from typing import Any

import zstandard

from seawall.analyzers.interface import AnalyzerResult

log = logging.getLogger(__name__)

_DIGEST = re.compile(r"^(sha256|sha512):([0-9a-f]{64}|[0-9a-f]{128})$")
_KEY = re.compile(r"^[0-9a-zA-Z_.-]{1,128}$")
_FORMAT = 1


@dataclass
class LayerWalkStats:
    """How much a layer's walk covered (cached too, so stats survive cache hits)."""

    files: int = 0
    bytes: int = 0


class LayerResultCache:
    """Cached per-file analyzer results of image layers under ``root``."""

    def __init__(self, root: str) -> None:
        self.root = os.path.join(root, "analysis")

    def _dir(self, diff_id: str) -> str | None:
        m = _DIGEST.match(diff_id)
        if m is None:  # never build a path from an untrusted, odd-looking digest
            return None
        return os.path.join(self.root, m.group(1), m.group(2))

    def _file(self, diff_id: str, name: str) -> str | None:
        d = self._dir(diff_id)
        if d is None or not _KEY.match(name):
            return None
        return os.path.join(d, name + ".json.zst")

    def _load(self, path: str | None) -> dict[str, Any] | None:
        if path is None:
            return None
        try:
            with open(path, "rb") as fh:
                raw = zstandard.ZstdDecompressor().decompress(fh.read())
            data = json.loads(raw)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, zstandard.ZstdError) as exc:
            log.debug("dropping unreadable cache entry %s: %s", path, exc)
            _remove_quietly(path)
            return None
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return None
        return data

    def _store(self, path: str | None, data: dict[str, Any]) -> None:
        if path is None:
            return
        data = {"format": _FORMAT, **data}
        blob = zstandard.ZstdCompressor(level=3).compress(
            json.dumps(data, separators=(",", ":")).encode()
        )
        directory = os.path.dirname(path)
        tmp = None
        try:
            os.makedirs(directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, path)
        except OSError as exc:  # a read-only or full cache only costs speed
            log.debug("cannot write cache entry %s: %s", path, exc)
            if tmp is not None:
                _remove_quietly(tmp)  # no half-written debris on a full disk

    def get(self, diff_id: str, analyzer_key: str) -> dict[str, AnalyzerResult] | None:
        """path -> result of one analyzer over one layer, or None on a miss."""
        data = self._load(self._file(diff_id, analyzer_key))
        if data is None:
            return None
        try:
            return {p: AnalyzerResult.from_dict(r) for p, r in data["files"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def put(self, diff_id: str, analyzer_key: str, files: dict[str, AnalyzerResult]) -> None:
        """Store one analyzer's per-file results for one layer."""
        self._store(
            self._file(diff_id, analyzer_key),
            {"files": {p: r.to_dict() for p, r in files.items()}},
        )

    def get_stats(self, diff_id: str) -> LayerWalkStats | None:
        """Walk statistics recorded with the layer's last full walk."""
        data = self._load(self._file(diff_id, "walk"))
        if data is None:
            return None
        return LayerWalkStats(int(data.get("files", 0)), int(data.get("bytes", 0)))

    def put_stats(self, diff_id: str, stats: LayerWalkStats) -> None:
        """Record a layer's walk statistics."""
        self._store(self._file(diff_id, "walk"), {"files": stats.files, "bytes": stats.bytes})


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
