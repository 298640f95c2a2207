"""Build and publish every fixture image, several at a time, dependencies first.

An image starts as soon as everything it is built on is done, so one slow apt-get does
not hold the others up. A failure is recorded against its Dockerfile and only skips the
images built on top of it."""

from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from lab import exports, fixture_images
from lab.commands import LabError, say
from lab.fixture_images import FixtureImage
from lab.paths import LabPaths


@dataclass
class PipelineResult:
    """What ``up`` publishes and what it must report as broken."""

    published: dict[str, str] = field(default_factory=dict)
    """Fixture name -> image ID, in build order."""
    failed: dict[str, str] = field(default_factory=dict)
    """Fixture name (or step) -> one-paragraph reason naming the Dockerfile or step."""
    restricted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Published images with a ``# lab-exports`` list -> the transports they have."""


def _build_and_publish(paths: LabPaths, image: FixtureImage, podman: bool) -> str:
    fixture_images.build(paths, image)
    image_id = fixture_images.image_id(image.name)
    try:
        exports.export(paths, image.name, image_id, podman=podman,
                       transports=image.transports)
    except LabError as exc:
        raise LabError(f"publishing {image.tag} failed: {exc}") from None
    return image_id


def run_pipeline(paths: LabPaths, *, podman: bool, jobs: int | None = None) -> PipelineResult:
    """Build + export every fixture image with ``jobs`` workers (SEAWALL_LAB_JOBS, 2)."""
    jobs = jobs or int(os.environ.get("SEAWALL_LAB_JOBS") or 2)
    images = fixture_images.discover()
    result = PipelineResult()
    done: dict[str, str] = {}
    pending = list(images)
    running: dict[Future[str], FixtureImage] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        while pending or running:
            for image in list(pending):
                broken = [d for d in image.depends if d in result.failed]
                if broken:
                    pending.remove(image)
                    result.failed[image.name] = (f"{image.dockerfile}: not built, it depends "
                                                 f"on failed {', '.join(broken)}")
                elif all(d in done for d in image.depends):
                    pending.remove(image)
                    running[pool.submit(_build_and_publish, paths, image, podman)] = image
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                image = running.pop(future)
                try:
                    done[image.name] = future.result()
                except LabError as exc:
                    result.failed[image.name] = str(exc)
                    say(f"FAILED: {exc}")
                except Exception as exc:  # a lab bug must not hide the other images
                    result.failed[image.name] = f"{image.dockerfile}: {exc!r}"
                    say(f"FAILED: {image.name}: {exc!r}")
    # Report in discovery (dependency) order, whatever order they finished in.
    result.published = {i.name: done[i.name] for i in images if i.name in done}
    result.restricted = {i.name: i.transports for i in images
                         if i.name in done and i.transports is not None}
    return result
