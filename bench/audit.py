"""Benchmark: ``seawall audit`` detection throughput on >= 1M audit events.

Builds a JSON-lines audit log (BENCH_EVENTS, default 1,000,000) by varying the sample
events (Falco's k8saudit traces and audit2rbac's log from ../shared, and the attack
scenarios of the tests): user names, namespaces, object names, source IPs, audit IDs
and timestamps change from copy to copy. Then, each in its own child process, on the
same file in the same run:

- parse only: read the lines and ``orjson.loads`` each (the floor: no detection);
- seawall: the audit reader and every enabled rule (76 at the time of writing).

Prints events/s and peak RSS of each, and last ``ratio: <seawall time / parse time>``
(CPU seconds of each child). The machine is shared: absolute figures are noisy, the
ratio of two runs in the same minute less so.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "k8saudit-samples"
EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))


def _samples() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    paths = sorted((SHARED / "falco-trace-files").glob("*.json"))
    paths += [SHARED / "audit2rbac-testdata" / "demo.log"]
    paths += sorted((REPO / "tests" / "fixtures" / "detect" / "scenarios").glob("*.jsonl"))
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                doc = json.loads(line)
                if isinstance(doc, dict) and ("auditID" in doc or doc.get("kind") == "Event"):
                    out.append(doc)
    if not out:
        sys.exit(f"no samples under {SHARED}")
    return out


def generate(path: Path, count: int) -> int:
    """Write ``count`` varied events; returns bytes written."""
    rng = random.Random(14)
    samples = _samples()
    users = ["alice", "bob", "ci-bot", "minikube-user", "system:serviceaccount:apps:web",
             "system:serviceaccount:kube-system:replicaset-controller", "system:node:n1"]
    namespaces = ["default", "apps", "payments", "kube-system", "monitoring", "ci"]
    start = 1_767_225_600.0
    with path.open("wb") as f:
        written = 0
        for i in range(count):
            ev = dict(rng.choice(samples))
            ev["auditID"] = f"bench-{i:08d}"
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + i * 0.01))
            ev["requestReceivedTimestamp"] = ev["stageTimestamp"] = f"{stamp}.{i % 100:02d}0000Z"
            if rng.random() < 0.7:
                ev["user"] = {**(ev.get("user") or {}), "username": rng.choice(users)}
            ev["sourceIPs"] = [f"10.{rng.randrange(4)}.{rng.randrange(256)}.{rng.randrange(256)}"
                               if rng.random() < 0.9 else f"198.51.100.{rng.randrange(256)}"]
            ref = ev.get("objectRef")
            if isinstance(ref, dict):
                ref = dict(ref)
                if "namespace" in ref:
                    ref["namespace"] = rng.choice(namespaces)
                if "name" in ref:
                    ref["name"] = f"{ref['name']}-{rng.randrange(50)}"
                ev["objectRef"] = ref
            line = json.dumps(ev, separators=(",", ":")).encode() + b"\n"
            f.write(line)
            written += len(line)
    return written


def _child(mode: str, path: str) -> None:
    started = time.process_time()
    if mode == "parse":
        import orjson

        count = 0
        with open(path, "rb") as f:
            for line in f:
                orjson.loads(line)
                count += 1
        alerts = 0
    else:
        from seawall.detect.k8s_audit_detector import AuditDetection
        from seawall.detect.k8s_audit_reader import AuditLogReader
        from seawall.detect.rule_loader import load_rule_set

        detection = AuditDetection(load_rule_set(), keep_alerts=False)
        reader = AuditLogReader()
        alerts = detection.feed(reader.read_path(Path(path)))
        count = reader.stats.events
    cpu = time.process_time() - started
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"cpu": cpu, "events": count, "alerts": alerts, "rss_kib": rss_kib}))


def _run(mode: str, path: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([sys.executable, __file__, "--child", mode, str(path)],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
        return
    with tempfile.TemporaryDirectory(prefix="seawall-bench-audit-") as tmp:
        path = Path(tmp) / "audit.log"
        size = generate(path, EVENTS)
        print(f"events: {EVENTS}  file: {size / 1e6:.0f} MB")
        parse = _run("parse", path)
        sw = _run("seawall", path)
        for name, r in (("orjson parse only", parse), ("seawall audit", sw)):
            print(f"{name:18} {r['cpu']:7.2f} s cpu  {r['events'] / r['cpu']:10,.0f} events/s"
                  f"  peak RSS {r['rss_kib'] / 1024:6.0f} MiB  alerts {r['alerts']}")
        print(f"ratio: {sw['cpu'] / parse['cpu']:.2f}")


if __name__ == "__main__":
    main()
