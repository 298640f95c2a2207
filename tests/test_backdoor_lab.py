"""End to end on lab images: the backdoor-planted image trips every SW-BD check (with
the layer that planted it); the clean Debian and Python images give no finding."""

from __future__ import annotations

import pytest

from conftest import Lab
from seawall import open_image
from seawall.analyzers.backdoor.check_registry import CHECKS
from seawall.scanning import ScanDriver, ScanOptions
from seawall.scanning.driver import ScanOutcome


def _scan(lab: Lab, image: str, scanners: tuple[str, ...]) -> ScanOutcome:
    driver = ScanDriver(ScanOptions(scanners=scanners, use_cache=False))
    with open_image(lab.ref(image, "oci-archive"), lab.source_options()) as target:
        return driver.scan(target)


@pytest.mark.lab
def test_planted_image_trips_every_check(lab: Lab) -> None:
    outcome = _scan(lab, "backdoor-planted", ("backdoor",))
    report = outcome.report
    assert outcome.complete, report.errors
    found = {f.rule_id for f in report.findings}
    assert sorted(set(CHECKS) - found) == []
    on_disk = [f for f in report.findings if f.location.path.startswith("/")]
    assert on_disk and all(f.location.layer and f.location.layer.startswith("sha256:")
                           for f in on_disk)
    env = [f for f in report.findings if f.rule_id == "SW-BD-005"
           and f.location.path == "(image config Env)"]
    assert env, "LD_PRELOAD from the image config was not reported"


@pytest.mark.lab
@pytest.mark.parametrize("image", ["base-debian", "app-python"])
def test_clean_images_have_no_backdoor_findings(lab: Lab, image: str) -> None:
    outcome = _scan(lab, image, ("backdoor",))
    report = outcome.report
    assert outcome.complete, report.errors
    assert [(f.rule_id, f.location.path) for f in report.findings] == []
