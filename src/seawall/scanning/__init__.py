"""The scan driver: targets in, reports out (analyzers walk once, plugins run boxed)."""

from seawall.scanning.driver import ScanDriver, ScanOutcome, scan_target
from seawall.scanning.options import ScanOptions

__all__ = ["ScanDriver", "ScanOptions", "ScanOutcome", "scan_target"]
