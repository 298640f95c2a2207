"""Benchmark: ``seawall config`` vs Checkov on the same generated corpus.

Generates >= 2,000 Kubernetes objects (variations of realistic Deployments,
StatefulSets, DaemonSets, CronJobs, Jobs, Pods, Services, ConfigMaps, Ingresses,
RBAC and NetworkPolicies, as multi-document files) plus Dockerfiles into a temp
dir, scans it with both tools in the same run (Checkov from its own venv,
created on first use: ``python -m venv /tmp/checkov-venv && pip install checkov``),
prints both wall times, the controls both cover (our IDs <-> CKV IDs, taken from
the catalogue's ``mappings.checkov``), how often the verdicts agree per resource,
and last ``ratio: <checkov time / seawall time>``.
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
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

CHECKOV_VENV = Path(os.environ.get("CHECKOV_VENV", "/tmp/checkov-venv"))
OBJECTS = int(os.environ.get("BENCH_OBJECTS", "2400"))
DOCKERFILES = int(os.environ.get("BENCH_DOCKERFILES", "300"))

NAMESPACES = ["shop", "payments", "search", "identity", "ops", "default"]
IMAGES = [
    "nginx",
    "nginx:1.25.3",
    "redis:7.2",
    "postgres:latest",
    "ghcr.io/acme/api:2.3.1",
    f"registry.example.com/web@sha256:{'b' * 64}",
    "busybox",
    "python:3.12-slim",
    "quay.io/prometheus/node-exporter:v1.7.0",
]


def _container(rng: random.Random, name: str) -> dict[str, Any]:
    c: dict[str, Any] = {
        "name": name,
        "image": rng.choice(IMAGES),
        "ports": [{"containerPort": rng.choice([80, 8080, 9090, 22])}],
    }
    if rng.random() < 0.6:
        sc: dict[str, Any] = {}
        for key, choices in (
            ("allowPrivilegeEscalation", [False, True]),
            ("readOnlyRootFilesystem", [True, False]),
            ("privileged", [False, True, None]),
            ("runAsNonRoot", [True, None]),
            ("runAsUser", [10001, 0, 1000, None]),
        ):
            value = rng.choice(choices)
            if value is not None:
                sc[key] = value
        if rng.random() < 0.5:
            sc["capabilities"] = (
                {"drop": ["ALL"]}
                if rng.random() < 0.6
                else {"add": [rng.choice(["NET_ADMIN", "SYS_ADMIN", "NET_BIND_SERVICE"])]}
            )
        if rng.random() < 0.3:
            sc["seccompProfile"] = {"type": rng.choice(["RuntimeDefault", "Unconfined"])}
        c["securityContext"] = sc
    if rng.random() < 0.7:
        c["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"}}
        if rng.random() < 0.6:
            c["resources"]["limits"] = {"cpu": "1", "memory": "256Mi"}
    if rng.random() < 0.6:
        c["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": 8080}}
    if rng.random() < 0.5:
        c["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 8080}}
    if rng.random() < 0.5:
        c["imagePullPolicy"] = rng.choice(["Always", "IfNotPresent"])
    if rng.random() < 0.3:
        c["env"] = [
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}
        ]
    return c


def _pod_spec(rng: random.Random, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [_container(rng, name)]}
    if rng.random() < 0.3:
        spec["containers"].append(_container(rng, "sidecar"))
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if rng.random() < 0.08:
            spec[key] = True
    if rng.random() < 0.5:
        spec["securityContext"] = {
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
    if rng.random() < 0.4:
        spec["automountServiceAccountToken"] = False
    if rng.random() < 0.5:
        spec["serviceAccountName"] = name
    if rng.random() < 0.1:
        spec["volumes"] = [
            {
                "name": "sock",
                "hostPath": {"path": rng.choice(["/var/run/docker.sock", "/var/log", "/data"])},
            }
        ]
    return spec


def _workload(rng: random.Random, i: int) -> dict[str, Any]:
    kind = rng.choice(["Deployment"] * 5 + ["StatefulSet", "DaemonSet", "CronJob", "Job", "Pod"])
    name = f"app-{i}"
    meta: dict[str, Any] = {"name": name, "labels": {"app": name}}
    ns = rng.choice(NAMESPACES)
    if ns != "default" or rng.random() < 0.5:
        meta["namespace"] = ns
    template = {"metadata": {"labels": {"app": name}}, "spec": _pod_spec(rng, name)}
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"]}
    if kind == "CronJob":
        return {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": meta,
            "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": template}}},
        }
    api = "batch/v1" if kind == "Job" else "apps/v1"
    spec: dict[str, Any] = {"template": template}
    if kind != "Job":
        spec["selector"] = {"matchLabels": {"app": name}}
    return {"apiVersion": api, "kind": kind, "metadata": meta, "spec": spec}


def _other(rng: random.Random, i: int) -> dict[str, Any]:
    ns = rng.choice(NAMESPACES)
    meta = {"name": f"obj-{i}", "namespace": ns}
    kind = rng.choice(
        ["Service", "ConfigMap", "Role", "RoleBinding", "NetworkPolicy", "Ingress", "ClusterRole"]
    )
    if kind == "Service":
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta,
            "spec": {
                "type": rng.choice(["ClusterIP", "NodePort", "LoadBalancer"]),
                "ports": [{"port": 80}],
            },
        }
    if kind == "ConfigMap":
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta,
            "data": {rng.choice(["color", "api_token"]): "x1y2z3"},
        }
    if kind in ("Role", "ClusterRole"):
        rules = [
            {
                "apiGroups": [""],
                "resources": [rng.choice(["pods", "secrets", "*", "pods/exec"])],
                "verbs": rng.choice([["get"], ["*"], ["create"]]),
            }
        ]
        if kind == "ClusterRole":
            meta = {"name": meta["name"]}
        return {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": kind,
            "metadata": meta,
            "rules": rules,
        }
    if kind == "RoleBinding":
        return {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta,
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": rng.choice(["view", "edit", "cluster-admin"]),
            },
            "subjects": [
                {
                    "kind": "ServiceAccount",
                    "name": rng.choice(["default", f"app-{i}"]),
                    "namespace": ns,
                }
            ],
        }
    if kind == "NetworkPolicy":
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta,
            "spec": {
                "podSelector": rng.choice([{}, {"matchLabels": {"app": f"app-{i}"}}]),
                "policyTypes": ["Ingress"],
            },
        }
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta,
        "spec": {
            "rules": [{"host": "shop.example.com"}],
            **({"tls": [{"hosts": ["shop.example.com"]}]} if rng.random() < 0.5 else {}),
        },
    }


def _dockerfile(rng: random.Random) -> str:
    base = rng.choice(
        [
            "ubuntu",
            "ubuntu:22.04",
            "debian:12-slim",
            "python:3.12",
            f"alpine:3.19@sha256:{'c' * 64}",
        ]
    )
    lines = [f"FROM {base}"]
    if "alpine" in base:
        lines.append("RUN apk add " + rng.choice(["curl", "--no-cache curl"]))
    else:
        lines.append(
            rng.choice(
                [
                    "RUN apt-get update",
                    "RUN apt-get update && apt-get install -y --no-install-recommends curl"
                    " && rm -rf /var/lib/apt/lists/*",
                    "RUN apt install -y curl",
                    "RUN apt-get update && apt-get install -y curl",
                ]
            )
        )
    if rng.random() < 0.3:
        lines.append("RUN curl -k -fsSL https://get.example.com/install.sh | sh")
    if rng.random() < 0.3:
        lines.append("ADD app.tar.gz /opt/")
    lines.append("COPY . /app")
    lines.append("WORKDIR " + rng.choice(["/app", "app"]))
    if rng.random() < 0.2:
        lines.append("EXPOSE 22")
    if rng.random() < 0.5:
        lines.append("HEALTHCHECK CMD curl -f http://localhost/ || exit 1")
    if rng.random() < 0.5:
        lines.append("USER " + rng.choice(["10001", "root", "app"]))
    lines.append('CMD ["python", "-m", "app"]')
    return "\n".join(lines) + "\n"


def generate(root: Path) -> tuple[int, int]:
    rng = random.Random(7)
    objects = 0
    for f in range(OBJECTS // 6):
        docs = [_workload(rng, f * 10 + j) if j < 3 else _other(rng, f * 10 + j) for j in range(6)]
        objects += len(docs)
        folder = root / "k8s" / f"team-{f % 20}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"app-{f}.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    for d in range(DOCKERFILES):
        folder = root / "images" / f"svc-{d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "Dockerfile").write_text(_dockerfile(rng))
    return objects, DOCKERFILES


def ensure_checkov() -> Path:
    exe = CHECKOV_VENV / "bin" / "checkov"
    if not exe.exists():
        print(f"creating {CHECKOV_VENV} and installing checkov ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        subprocess.run([str(CHECKOV_VENV / "bin" / "pip"), "install", "-q", "checkov"], check=True)
    return exe


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_seawall(root: Path) -> tuple[float, dict[str, Any]]:
    cpu = _child_cpu()
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from seawall.cli import main; main()",
            "config",
            str(root),
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    print(f"seawall cpu: {_child_cpu() - cpu:.2f}s")
    if proc.returncode not in (0, 1):
        raise SystemExit(f"seawall failed ({proc.returncode}): {proc.stderr[-500:]}")
    return elapsed, json.loads(proc.stdout)


def run_checkov(exe: Path, root: Path) -> tuple[float, list[dict[str, Any]]]:
    cpu = _child_cpu()
    started = time.perf_counter()
    proc = subprocess.run(
        [
            str(exe),
            "-d",
            str(root),
            "--framework",
            "kubernetes,dockerfile",
            "--quiet",
            "-o",
            "json",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    print(f"checkov cpu: {_child_cpu() - cpu:.2f}s")
    data = json.loads(proc.stdout)
    return elapsed, data if isinstance(data, list) else [data]


def _k8s_key(path: str, kind: str, ns: str | None, name: str) -> tuple[str, ...]:
    return (path.lstrip("/"), kind, ns or "default", name)


def checkov_verdicts(
    reports: list[dict[str, Any]], root: Path
) -> dict[tuple[str, tuple[str, ...]], bool]:
    """(CKV id, resource key) -> failed?"""
    out: dict[tuple[str, tuple[str, ...]], bool] = {}
    for report in reports:
        results = report.get("results") or {}
        for status, failed in (("passed_checks", False), ("failed_checks", True)):
            for r in results.get(status) or []:
                path = str(r.get("file_path", "")).lstrip("/")
                if report.get("check_type") == "dockerfile":
                    key: tuple[str, ...] = (path,)
                else:
                    parts = str(r.get("resource", "")).split(".")
                    if len(parts) < 3:
                        continue
                    key = _k8s_key(path, parts[0], parts[1], ".".join(parts[2:]))
                out[(r["check_id"], key)] = out.get((r["check_id"], key), False) or failed
    return out


def seawall_failures(report: dict[str, Any], root: Path) -> set[tuple[str, tuple[str, ...]]]:
    out = set()
    for f in report["findings"] + report.get("suppressed", []):
        loc = f["location"]
        path = os.path.relpath(loc.get("path", ""), root)
        if path.endswith("Dockerfile"):
            out.add((f["rule_id"], (path,)))
        elif loc.get("resource", "").count("/") >= 1:
            parts = loc["resource"].split("/")
            kind, name = parts[0], parts[-1]
            ns = parts[1] if len(parts) == 3 else None
            out.add((f["rule_id"], _k8s_key(path, kind, ns, name)))
    return out


def main() -> None:
    from seawall.analyzers.misconfig.controls import load_controls

    exe = ensure_checkov()
    with tempfile.TemporaryDirectory(prefix="seawall-bench-misconfig-") as tmp:
        root = Path(tmp)
        objects, dockerfiles = generate(root)
        print(f"corpus: {objects} Kubernetes objects, {dockerfiles} Dockerfiles")
        sw_time, sw_report = run_seawall(root)
        ck_time, ck_reports = run_checkov(exe, root)
        print(f"seawall: {sw_time:.2f}s, {len(sw_report['findings'])} findings")
        ck_failed = sum(
            len((r.get("results") or {}).get("failed_checks") or []) for r in ck_reports
        )
        print(f"checkov: {ck_time:.2f}s, {ck_failed} failed checks")

        # SW-IMG controls judge built images, not Dockerfiles: not comparable here
        pairs = sorted(
            (c.id, ckv)
            for c in load_controls().values()
            if c.domain != "image"
            for ckv in c.mappings.get("checkov", [])
        )
        verdicts = checkov_verdicts(ck_reports, root)
        ours = seawall_failures(sw_report, root)
        by_ckv: dict[str, list[tuple[tuple[str, ...], bool]]] = defaultdict(list)
        for (ckv, key), failed in verdicts.items():
            by_ckv[ckv].append((key, failed))
        print(f"\ncontrols both cover: {len(pairs)} pairs")
        print(f"{'seawall':<12} {'checkov':<14} {'resources':>9} {'agree':>7}")
        total = agree_total = 0
        for our_id, ckv in pairs:
            rows = by_ckv.get(ckv, [])
            if not rows:
                print(f"{our_id:<12} {ckv:<14} {'-':>9} {'-':>7}")
                continue
            agree = sum(((our_id, key) in ours) == failed for key, failed in rows)
            total += len(rows)
            agree_total += agree
            print(f"{our_id:<12} {ckv:<14} {len(rows):>9} {100 * agree / len(rows):>6.1f}%")
        if total:
            print(
                f"overall verdict agreement: {100 * agree_total / total:.1f}%"
                f" of {total} (resource, control) verdicts"
            )
        print(f"ratio: {ck_time / sw_time:.1f}")


if __name__ == "__main__":
    main()
