"""Finding out-of-process plugins: executables in plugin directories that answer
``PLUGIN info`` with a valid manifest.

Search order (first plugin of a name wins): ``--plugin-dir`` directories,
``SEAWALL_PLUGIN_PATH`` (``:``-separated), ``$XDG_DATA_HOME/seawall/plugins``
(default ``~/.local/share/seawall/plugins``). A directory is searched two levels deep,
so a plugin may live in its own folder next to its data files. Manifests are cached
by (path, size, mtime) so listing plugins does not spawn every one of them each time.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from seawall.plugins.manifest import ManifestError, PluginManifest, parse_manifest
from seawall.plugins.process import limit_resources, plugin_environment

log = logging.getLogger("seawall.plugins")

#: Seconds ``PLUGIN info`` may take.
INFO_TIMEOUT = 10.0
_INFO_MEMORY_MB = 1024
#: Bytes of ``info`` output read at most (a manifest is a few KiB).
MAX_INFO_BYTES = 1024 * 1024
_MAX_DEPTH = 2


@dataclass(frozen=True)
class DiscoveredPlugin:
    """An executable with a valid manifest."""

    path: str
    """Absolute path of the executable."""
    manifest: PluginManifest

    @property
    def name(self) -> str:
        """The manifest's name."""
        return self.manifest.name


def plugin_search_dirs(extra: Sequence[str] = ()) -> list[str]:
    """Directories searched, in priority order."""
    dirs = list(extra)
    dirs += [d for d in os.environ.get("SEAWALL_PLUGIN_PATH", "").split(os.pathsep) if d]
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    dirs.append(os.path.join(data_home, "seawall", "plugins"))
    seen: set[str] = set()
    out = []
    for d in dirs:
        real = os.path.realpath(d)
        if real not in seen:
            seen.add(real)
            out.append(d)
    return out


def _candidates(directory: str, depth: int = 0) -> Iterator[str]:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith((".", "_")):
            continue
        try:
            st = entry.stat()  # a symlinked plugin is fine: the user put it there
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode):
            if depth + 1 < _MAX_DEPTH:
                yield from _candidates(entry.path, depth + 1)
        elif stat.S_ISREG(st.st_mode) and st.st_mode & 0o111 and os.access(entry.path, os.X_OK):
            yield os.path.abspath(entry.path)


class ManifestCache:
    """Manifests of executables keyed by path and (size, mtime, inode)."""

    def __init__(self, cache_dir: str | None) -> None:
        self._file = os.path.join(cache_dir, "plugin-manifests.json") if cache_dir else None
        self._data: dict[str, Any] = {}
        self._dirty = False
        if self._file:
            try:
                with open(self._file, encoding="utf-8") as fh:
                    loaded = json.load(fh)
                if isinstance(loaded, dict):
                    self._data = loaded
            except (OSError, ValueError):
                pass

    @staticmethod
    def _stamp(path: str) -> list[int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns, st.st_ino]

    def get(self, path: str) -> dict[str, Any] | None:
        """The cached raw manifest, when the file has not changed since."""
        entry = self._data.get(path)
        if isinstance(entry, dict) and entry.get("stamp") == self._stamp(path):
            manifest = entry.get("manifest")
            return manifest if isinstance(manifest, dict) else None
        return None

    def put(self, path: str, manifest: dict[str, Any]) -> None:
        """Remember a raw manifest."""
        self._data[path] = {"stamp": self._stamp(path), "manifest": manifest}
        self._dirty = True

    def save(self) -> None:
        """Write back (atomically) when something changed."""
        if not (self._file and self._dirty):
            return
        try:
            os.makedirs(os.path.dirname(self._file), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(self._file), prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self._data, fh)
            os.replace(tmp, self._file)
        except OSError as exc:
            log.debug("cannot save the plugin manifest cache: %s", exc)


def read_manifest(path: str) -> dict[str, Any]:
    """Run ``PATH info`` and decode its stdout; ``ManifestError`` says what is wrong.

    Boxed like a plugin run: its own process group, killed (children included) when
    it is done or past :data:`INFO_TIMEOUT`, and at most :data:`MAX_INFO_BYTES` of
    output read, so an ``info`` that floods or hangs costs the host nothing."""
    try:
        proc = subprocess.Popen(
            [path, "info"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=plugin_environment(os.path.basename(path), hosted=False),
            cwd=os.path.dirname(path) or ".",
            start_new_session=True,
            preexec_fn=lambda: limit_resources(_INFO_MEMORY_MB),
        )
    except OSError as exc:
        raise ManifestError(f"cannot run it: {exc.strerror or exc}") from None
    deadline = time.monotonic() + INFO_TIMEOUT
    assert proc.stdout is not None
    try:
        stdout = _read_bounded(proc.stdout.fileno(), deadline)
        returncode = proc.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise ManifestError(f"'info' did not answer within {INFO_TIMEOUT:.0f}s") from None
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # what it left running, or itself
        proc.wait()
        proc.stdout.close()
    if returncode != 0:
        raise ManifestError(f"'info' exited with status {returncode}")
    try:
        data = json.loads(stdout)
    except ValueError:
        raise ManifestError(f"'info' did not print JSON: {stdout[:60]!r}") from None
    if not isinstance(data, dict):
        raise ManifestError("'info' did not print a JSON object")
    return data


def _read_bounded(fd: int, deadline: float) -> bytes:
    """Everything on ``fd`` up to EOF; ``TimeoutExpired`` past ``deadline``,
    ``ManifestError`` past :data:`MAX_INFO_BYTES`."""
    data = bytearray()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                raise subprocess.TimeoutExpired("info", INFO_TIMEOUT)
            chunk = os.read(fd, 65536)
            if not chunk:
                return bytes(data)
            data += chunk
            if len(data) > MAX_INFO_BYTES:
                raise ManifestError(f"'info' printed more than {MAX_INFO_BYTES} bytes")


def discover_plugins(
    extra_dirs: Sequence[str] = (),
    cache_dir: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[DiscoveredPlugin]:
    """Every valid plugin in the search directories. Invalid candidates are skipped
    with one warning each naming the file; a name seen twice keeps the first."""
    warn = warn or log.warning
    paths: list[str] = []
    for directory in plugin_search_dirs(extra_dirs):
        paths.extend(_candidates(directory))
    cache = ManifestCache(cache_dir)

    def load(path: str) -> tuple[str, PluginManifest | None, str | None]:
        raw = cache.get(path)
        try:
            if raw is None:
                raw = read_manifest(path)
                manifest = parse_manifest(raw)
                cache.put(path, raw)
            else:
                manifest = parse_manifest(raw)
        except ManifestError as exc:
            return path, None, str(exc)
        return path, manifest, None

    with ThreadPoolExecutor(max(1, min(8, len(paths)))) as pool:
        loaded = list(pool.map(load, paths))
    cache.save()
    out: list[DiscoveredPlugin] = []
    names: dict[str, str] = {}
    for path, manifest, problem in loaded:
        if manifest is None:
            warn(f"skipping plugin {path}: {problem}")
            continue
        if manifest.name in names:
            first = names[manifest.name]
            warn(f"skipping plugin {path}: name {manifest.name!r} already provided by {first}")
            continue
        names[manifest.name] = path
        out.append(DiscoveredPlugin(path=path, manifest=manifest))
    return out
