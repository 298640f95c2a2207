"""The one report schema of DESIGN.md as typed, frozen-ish dataclasses."""

from seawall.model.finding import Category, Finding, Location, PackageRef, Severity
from seawall.model.package import Package
from seawall.model.report import ErrorEntry, OSInfo, Report, Stats, TargetInfo, ToolInfo

__all__ = [
    "Category",
    "ErrorEntry",
    "Finding",
    "Location",
    "OSInfo",
    "Package",
    "PackageRef",
    "Report",
    "Severity",
    "Stats",
    "TargetInfo",
    "ToolInfo",
]
