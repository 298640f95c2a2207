"""``scripts/lab.sh up|down|status|env``: the seawall test lab.

``up`` is idempotent and fast when everything is already in place: each daemon is
started only if it does not answer, each image built only if its inputs changed, each
export redone only if the image ID changed. A broken fixture image does not stop the
others from being built and published; ``up`` then exits 1 naming its Dockerfile."""

from __future__ import annotations

import argparse
import fcntl
import json
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lab import daemons, exports, fixture_images
from lab.base_image import ensure_base_image
from lab.commands import LabError, run, say
from lab.labenv import write_lab_env
from lab.multiarch import publish_multiarch
from lab.paths import MULTIARCH_NAME, MULTIARCH_SOURCE, LabPaths
from lab.pipeline import run_pipeline


@contextmanager
def _locked(paths: LabPaths) -> Iterator[None]:
    """One ``up``/``down`` at a time: several pytest sessions may ask for the lab."""
    paths.root.mkdir(parents=True, exist_ok=True)
    with paths.lock_file.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("another lab command holds the lock; waiting")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _publish_multiarch(paths: LabPaths, published: dict[str, str]) -> bool:
    source_id = published.get(MULTIARCH_SOURCE)
    if source_id is None:
        return False
    state = paths.state / f"{MULTIARCH_NAME}.json"
    done = (paths.oci_layout(MULTIARCH_NAME) / "index.json").exists() and state.exists() \
        and json.loads(state.read_text()).get("source") == source_id
    if not done:
        publish_multiarch(paths, MULTIARCH_SOURCE)
        state.write_text(json.dumps({"source": source_id}))
    return True


def up(paths: LabPaths) -> int:
    started = time.monotonic()
    paths.make_dirs()
    daemons.ensure_dockerd(paths)
    daemons.ensure_registries(paths)
    daemons.ensure_containerd(paths)
    podman_problem = daemons.ensure_podman(paths)
    if podman_problem:
        say(f"podman unavailable: {podman_problem}")
    ensure_base_image(paths)

    result = run_pipeline(paths, podman=podman_problem is None)
    fixture_images.remove_dangling()
    published, failed = result.published, result.failed
    multiarch = False
    try:
        multiarch = _publish_multiarch(paths, published)
    except LabError as exc:
        failed[MULTIARCH_NAME] = f"multi-arch index failed: {exc}"
    saved = [n for n in published if "docker-save" in result.restricted.get(n, ("docker-save",))]
    save_format = exports.docker_save_format(paths, saved[0]) if saved else None
    env = write_lab_env(
        paths, images=list(published), failed=sorted(failed), podman_problem=podman_problem,
        podman_images=[] if podman_problem is not None else [
            name for name in published
            if name not in result.restricted or "podman" in result.restricted[name]],
        docker_save_format=save_format, multiarch=multiarch, restricted=result.restricted)
    say(f"lab up in {time.monotonic() - started:.1f}s: {len(published)} images "
        f"({' '.join(published)}); {env}")
    if failed:
        print("lab: FAILED:\n  " + "\n  ".join(failed.values()), file=sys.stderr)
        return 1
    return 0


def _unmount_below(paths: LabPaths) -> None:
    """Lab daemons can leave mounts in the lab dir (dockerd's netns bind mount);
    they must go before the tree can be deleted. Deepest first."""
    root = str(paths.root) + "/"
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point.startswith(root):
            mounts.append(point)
    for point in sorted(mounts, key=len, reverse=True):
        run(["umount", "-l", point], check=False)


def down(paths: LabPaths, purge: bool) -> int:
    stopped = daemons.stop_all(paths) if paths.root.exists() else []
    say(f"stopped: {', '.join(stopped) or 'nothing (no daemon started by this lab)'}")
    if purge and paths.root.exists():
        _unmount_below(paths)
        shutil.rmtree(paths.root)
        say(f"removed {paths.root}")
    return 0


def status(paths: LabPaths) -> int:
    print(f"lab dir: {paths.root} (lab.env {'present' if paths.env_file.exists() else 'MISSING'})")
    for line in daemons.status_lines(paths):
        print(line)
    if paths.env_file.exists():
        for line in paths.env_file.read_text().splitlines():
            if line.startswith(("LAB_IMAGES=", "LAB_FAILED_IMAGES=")):
                print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/lab.sh", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start daemons, build and publish fixture images")
    down_parser = sub.add_parser("down", help="stop the daemons this lab started")
    down_parser.add_argument("--purge", action="store_true",
                             help="also delete $SEAWALL_LAB_DIR (the cache stays)")
    sub.add_parser("status", help="what is running")
    sub.add_parser("env", help="print lab.env")
    args = parser.parse_args(argv)
    paths = LabPaths.from_environment()
    try:
        if args.command == "status":
            return status(paths)
        if args.command == "env":
            print(paths.env_file.read_text(), end="")
            return 0
        with _locked(paths):
            if args.command == "up":
                return up(paths)
            return down(paths, args.purge)
    except LabError as exc:
        print(f"lab: FAILED: {exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"lab: FAILED: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
