"""The ``backdoor`` scanner: persistence checks (``SW-BD-0NN``), one module per check
family, all registered in :data:`.check_registry.CHECKS` and run by :mod:`.analyzer`
over the target's final filesystem."""

from seawall.analyzers.backdoor.analyzer import BackdoorAnalyzer, scan_filesystem

__all__ = ["BackdoorAnalyzer", "scan_filesystem"]
