"""Package inventory: OS packages (dpkg, apk, rpm) and language packages (Python, npm,
Go, Java, Ruby, Rust, PHP, .NET) found in a target, each with its layer, path and purl;
plus the OS end-of-life check (``SW-OS-EOL``).

One module per metadata format (registered in :data:`.package_format.FORMATS`, all
imported by :mod:`.all`); the per-file parse and the merge are the inventory *fact*
(:mod:`seawall.analyzers.facts.inventory`), which the ``packages`` analyzer
(:mod:`.analyzer`), the ``vuln`` analyzer and package ownership read. Entry points
for other callers: ``seawall.analyzers.facts.inventory.collect_packages(target)``
(sorted, deduplicated packages) and ``run_inventory(target)`` (packages, the end of
life finding and parse errors).

(Nothing is re-exported here: the format modules are imported by the inventory fact,
which the analyzer imports, so a re-export would be an import cycle.)
"""
