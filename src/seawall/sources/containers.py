"""Docker containers (running or stopped) as scan targets.

The filesystem is what the container sees: the image layers, Docker's ``-init`` layer
and the container's read-write upper dir, merged with overlay whiteouts. Through the
API the layer directories come from ``GraphDriver.Data`` (``LowerDir``/``UpperDir``)
when this process can read them (same host, root); otherwise ``docker export`` is
streamed into the cache work dir and indexed in place as one tar layer. With
``--host-root`` nothing asks the daemon: ``containers/<id>/config.v2.json`` and the
overlay2 dirs are read from disk and processes are found in ``<host-root>/proc``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from typing import Any

from seawall.errors import InputError, NotFoundError, SizeLimitError, SourceUnavailableError
from seawall.fs.cache_space import disk_full_as_error, format_size, write_all
from seawall.fs.indexed import TarBacking
from seawall.fs.layer_cache import LayerCache
from seawall.fs.layer_fs import LayerFileSystem
from seawall.fs.layer_store import LayerStore, SizeBudget
from seawall.fs.overlay_dir_layer import open_directory_layer
from seawall.model.report import TargetInfo
from seawall.sources.docker_storage import DockerStorage, host_path
from seawall.sources.engine_client import connect, docker_engine
from seawall.sources.interface import BlobLayerContent, Container, ProcessInfo, SourceOptions
from seawall.sources.merged_layers import MergedLayersView
from seawall.sources.proc_table import container_processes, pids_of_container, read_process

LayerOpener = Callable[[], list[LayerFileSystem]]


class DockerContainer(MergedLayersView, Container):
    """A container and its merged filesystem (image layers + init layer + its writes,
    built on first use of :attr:`fs`)."""

    def __init__(
        self,
        ref: str,
        inspect: dict[str, Any],
        open_layers: LayerOpener,
        list_processes: Callable[[], list[ProcessInfo]],
        closers: list[Callable[[], None]] | None = None,
    ) -> None:
        self.ref = ref
        self._inspect = inspect
        self._layer_opener = open_layers
        self._list_processes = list_processes
        self._closers = closers or []
        self._init_merged_view()
        self._closed = False

    def _open_layers(self) -> list[LayerFileSystem]:
        return self._layer_opener()

    @property
    def id(self) -> str:
        """Full container ID."""
        return str(self._inspect.get("Id") or self._inspect.get("ID") or "")

    @property
    def name(self) -> str:
        """Name without the leading slash."""
        return str(self._inspect.get("Name") or "").lstrip("/")

    @property
    def state(self) -> str:
        """running | exited | created | paused | restarting | dead."""
        state = self._inspect.get("State") or {}
        if isinstance(state.get("Status"), str):
            return str(state["Status"])
        # config.v2.json (host-root mode) keeps only the booleans.
        if state.get("Running"):
            return "paused" if state.get("Paused") else "running"
        if state.get("Dead"):
            return "dead"
        return "exited" if state.get("StartedAt", "").startswith(("1", "2")) else "created"

    @property
    def inspect(self) -> dict[str, Any]:
        """``docker inspect`` (API) or ``config.v2.json`` (host-root) document."""
        return self._inspect

    @property
    def image_id(self) -> str:
        """The image the container was created from."""
        return str(self._inspect.get("Image") or "")

    def processes(self) -> list[ProcessInfo]:
        """Processes now running in the container (empty when it is not running)."""
        if self.state not in ("running", "paused"):
            return []
        return self._list_processes()

    def target_info(self) -> TargetInfo:
        """The report's ``target`` object (kind ``container``)."""
        return TargetInfo(
            kind="container",
            ref=self.ref,
            digest=self.image_id or None,
            os=self.os,
            extra={"container_id": self.id, "name": self.name, "state": self.state},
        )

    def close(self) -> None:
        """Release layer data and temp files (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._fs is not None:
            self._fs.close()
        for closer in self._closers:
            closer()


def _directory_layers(dirs: list[tuple[str, str | None]]) -> LayerOpener:
    def open_layers() -> list[LayerFileSystem]:
        return [open_directory_layer(path, "overlay", diff_id) for path, diff_id in dirs]

    return open_layers


def _graph_driver_dirs(inspect: dict[str, Any]) -> list[tuple[str, str | None]] | None:
    """(dir, diff_id) bottom to top from ``GraphDriver.Data``, None if unreadable."""
    driver = inspect.get("GraphDriver") or {}
    data = driver.get("Data") or {}
    if driver.get("Name") not in ("overlay2", "overlay") or not data.get("UpperDir"):
        return None
    lower = [d for d in str(data.get("LowerDir") or "").split(":") if d]
    dirs = [*reversed(lower), str(data["UpperDir"])]
    if not all(os.path.isdir(d) and os.access(d, os.R_OK | os.X_OK) for d in dirs):
        return None
    return [(d, None) for d in dirs]


def export_layer_opener(
    container: Any, options: SourceOptions, closers: list[Callable[[], None]]
) -> LayerOpener:
    """``docker export`` into a work file, indexed in place as one tar layer."""

    def open_layers() -> list[LayerFileSystem]:
        cache = LayerCache(options.cache_dir)
        limit = options.image_size_limit()
        with disk_full_as_error(cache.root):
            fd, path = tempfile.mkstemp(
                prefix="container-export-", suffix=".tar", dir=cache.scratch_dir
            )
        closers.append(lambda: _remove(path))
        digest = hashlib.sha256()
        size = 0
        try:
            for chunk in container.export(chunk_size=4 << 20):
                size += len(chunk)
                if size > limit:
                    raise SizeLimitError(
                        f"container {container.name}: export exceeds the maximum image "
                        f"size of {format_size(limit)} (--max-image-size)"
                    )
                digest.update(chunk)
                write_all(fd, chunk, cache.root)
        finally:
            os.close(fd)
        diff_id = f"sha256:{digest.hexdigest()}"
        content = BlobLayerContent(
            digest=diff_id,
            media_type="application/x-tar",
            open_blob=lambda: open(path, "rb"),  # noqa: SIM115
            size=size,
            local_file=(path, 0, size),
        )
        store = LayerStore(cache, SizeBudget(limit))
        cached = store.materialize(content, diff_id, f"export of container {container.name}")
        return [LayerFileSystem(cached.index, TarBacking(cached.tar_path, None))]

    return open_layers


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _api_processes(container: Any) -> Callable[[], list[ProcessInfo]]:
    def list_processes() -> list[ProcessInfo]:
        import docker.errors  # imported on use: the SDK costs ~0.3 s to load
        import requests

        try:
            top = container.top()
        except (docker.errors.APIError, requests.RequestException):
            return []
        titles = top.get("Titles") or []
        if "PID" not in titles:
            return []
        col = {title: i for i, title in enumerate(titles)}
        found = []
        for row in top.get("Processes") or []:
            pid = int(row[col["PID"]])
            # /proc gives the exact argv and exe when the engine is on this host.
            info = read_process("/proc", pid)
            if info is None:
                cmd = row[col["CMD"]] if "CMD" in col else row[-1]
                ppid = int(row[col["PPID"]]) if "PPID" in col else 0
                user = (
                    row[col["UID"]] if "UID" in col else (row[col["USER"]] if "USER" in col else "")
                )
                info = ProcessInfo(pid=pid, ppid=ppid, user=user, cmdline=cmd.split())
            found.append(info)
        return found

    return list_processes


def _open_via_api(ref: str, options: SourceOptions) -> DockerContainer:
    import docker.errors  # imported on use: the SDK costs ~0.3 s to load
    import requests

    client = connect(docker_engine(options))
    try:
        container = client.containers.get(ref)
    except docker.errors.NotFound:
        client.close()
        raise NotFoundError(f"docker engine has no container {ref!r}") from None
    except (docker.errors.DockerException, requests.RequestException) as exc:
        client.close()
        raise SourceUnavailableError(f"docker engine: inspect container {ref!r}: {exc}") from None
    closers: list[Callable[[], None]] = []
    inspect = container.attrs
    dirs = _graph_driver_dirs(inspect)
    opener = _directory_layers(dirs) if dirs else export_layer_opener(container, options, closers)
    closers.append(client.close)
    return DockerContainer(ref, inspect, opener, _api_processes(container), closers)


def _open_from_storage(ref: str, options: SourceOptions) -> DockerContainer:
    storage = DockerStorage.from_options(options)
    wanted = ref.lstrip("/")
    matches = []
    for container_id in storage.container_ids():
        if container_id == wanted:
            matches = [container_id]
            break
        if container_id.startswith(wanted) and len(wanted) >= 4:
            matches.append(container_id)
            continue
        with contextlib.suppress(NotFoundError):
            if storage.container_config(container_id).get("Name", "").lstrip("/") == wanted:
                matches = [container_id]
                break
    if not matches:
        raise NotFoundError(f"Docker storage {storage.root}: no container {ref!r}")
    if len(matches) > 1:
        raise InputError(f"container ID prefix {ref!r} is ambiguous in {storage.root}")
    container_id = matches[0]
    inspect = storage.container_config(container_id)
    image_id = str(inspect.get("Image") or "")
    config = storage.config_bytes(image_id)
    diff_ids = json.loads(config)["rootfs"]["diff_ids"]
    dirs: list[tuple[str, str | None]] = list(
        zip(storage.layer_dirs(diff_ids), diff_ids, strict=True)
    )
    upper = storage.container_upper_dir(container_id)
    init = upper.removesuffix("/diff").rstrip("/")
    if os.path.isdir(f"{init}-init/diff"):
        dirs.append((f"{init}-init/diff", None))
    dirs.append((upper, None))
    proc_root = host_path(options, "/proc")

    def list_processes() -> list[ProcessInfo]:
        return container_processes(proc_root, pids_of_container(proc_root, container_id))

    return DockerContainer(ref, inspect, _directory_layers(dirs), list_processes)


def open_container(id_or_name: str, options: SourceOptions | None = None) -> DockerContainer:
    """A Docker container by ID, ID prefix or name; from storage with ``--host-root``."""
    options = options or SourceOptions()
    if not id_or_name or not id_or_name.strip():
        raise InputError("empty container reference")
    if options.host_root:
        return _open_from_storage(id_or_name.strip(), options)
    return _open_via_api(id_or_name.strip(), options)
