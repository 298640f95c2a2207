"""Workload hygiene checks (SW-K8S-033..055): service accounts, images, resources,
probes, secrets in the environment, namespaces, well-known risky deployments."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.analyzers.misconfig.image_refs import is_trusted, parse_image_ref
from seawall.analyzers.misconfig.k8s_model import Workload, as_list, dig
from seawall.analyzers.misconfig.registry import CheckFunction, ScanSettings, Violation, check

_NO_PROBE_KINDS = frozenset(("Job", "CronJob"))


def _v(w: Workload, message: str, container: str | None = None, **extra: object) -> Violation:
    line = w.obj.line_of(f"name: {container}") if container else None
    return Violation(message, container=container, line=line, source=w.obj, extra=dict(extra))


@check("SW-K8S-033", "workload")
def automount_token(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    pod_value = w.pod_spec.get("automountServiceAccountToken")
    if pod_value is False:
        return
    sa = w.service_account
    if pod_value is None and sa is not None and sa.get("automountServiceAccountToken") is False:
        return  # the ServiceAccount disables it and the pod does not override
    yield _v(
        w, f"automountServiceAccountToken is {pod_value if pod_value is not None else 'unset'}"
    )


@check("SW-K8S-034", "workload")
def default_service_account(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.service_account_name == "default":
        yield _v(w, "pod uses the default service account")


def _images(w: Workload) -> Iterator[tuple[str, str]]:
    for c in w.containers:
        if c.image:
            yield c.name, c.image


@check("SW-K8S-035", "workload")
def not_pinned(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for name, image in _images(w):
        if parse_image_ref(image).digest is None:
            yield _v(w, f"container {name!r} image {image} has no digest", name, image=image)


@check("SW-K8S-036", "workload")
def latest_tag(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for name, image in _images(w):
        if parse_image_ref(image).is_latest_or_untagged:
            yield _v(w, f"container {name!r} image {image} uses latest/no tag", name, image=image)


@check("SW-K8S-037", "workload")
def pull_policy(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        if not c.image or parse_image_ref(c.image).digest:
            continue
        policy = c.spec.get("imagePullPolicy")
        # Kubernetes defaults to Always for latest/untagged images
        if policy is None and parse_image_ref(c.image).is_latest_or_untagged:
            continue
        if policy != "Always":
            yield _v(
                w,
                f"container {c.name!r} imagePullPolicy is {policy or 'IfNotPresent (default)'}",
                c.name,
            )


@check("SW-K8S-038", "workload")
def untrusted_registry(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for name, image in _images(w):
        if not is_trusted(image, s.trusted_registries):
            yield _v(
                w,
                f"container {name!r} image {image} is not from a trusted registry",
                name,
                image=image,
            )


def _resource_check(section: str, resource: str) -> CheckFunction:
    def run(w: Workload, s: ScanSettings) -> Iterator[Violation]:
        for c in w.containers:
            if c.kind == "ephemeralContainer":
                continue  # ephemeral containers cannot have resources
            if dig(c.spec, "resources", section, resource) in (None, ""):
                yield _v(w, f"{c.kind} {c.name!r} has no {section}.{resource}", c.name)

    return run


check("SW-K8S-039", "workload")(_resource_check("requests", "cpu"))
check("SW-K8S-040", "workload")(_resource_check("limits", "cpu"))
check("SW-K8S-041", "workload")(_resource_check("requests", "memory"))
check("SW-K8S-042", "workload")(_resource_check("limits", "memory"))


def _probe_check(probe: str) -> CheckFunction:
    def run(w: Workload, s: ScanSettings) -> Iterator[Violation]:
        if w.obj.kind in _NO_PROBE_KINDS:
            return  # run-to-completion pods are not probed
        for c in w.app_containers():
            if not isinstance(c.spec.get(probe), dict):
                yield _v(w, f"container {c.name!r} has no {probe}", c.name)

    return run


check("SW-K8S-043", "workload")(_probe_check("livenessProbe"))
check("SW-K8S-044", "workload")(_probe_check("readinessProbe"))


@check("SW-K8S-045", "workload")
def secrets_in_env(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        for env in as_list(c.spec.get("env")):
            ref = dig(env, "valueFrom", "secretKeyRef")
            if isinstance(ref, dict):
                yield _v(
                    w,
                    f"{c.kind} {c.name!r} env {dig(env, 'name')} from secret {ref.get('name')}",
                    c.name,
                )
        for src in as_list(c.spec.get("envFrom")):
            ref = dig(src, "secretRef")
            if isinstance(ref, dict):
                yield _v(w, f"{c.kind} {c.name!r} envFrom secret {ref.get('name')}", c.name)


@check("SW-K8S-046", "workload")
def hardcoded_secret_env(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    pattern = re.compile(s.secret_name_pattern)
    for c in w.containers:
        for env in as_list(c.spec.get("env")):
            name, value = str(dig(env, "name") or ""), dig(env, "value")
            if (
                isinstance(value, str)
                and len(value) >= 4
                and pattern.search(name)
                and "$(" not in value
            ):
                yield _v(
                    w,
                    f"{c.kind} {c.name!r} env {name} holds a literal value",
                    c.name,
                    variable=name,
                )


@check("SW-K8S-047", "workload")
def kube_system(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.obj.namespace == "kube-system":
        yield _v(w, "workload runs in kube-system")


@check("SW-K8S-048", "workload")
def naked_pod(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.obj.kind == "Pod" and not as_list(w.obj.metadata.get("ownerReferences")):
        yield _v(w, "Pod without a controller")


def _command_words(spec: dict[str, object]) -> list[str]:
    words: list[str] = []
    for key in ("command", "args"):
        for part in as_list(spec.get(key)):
            words.extend(str(part).split())
    return words


@check("SW-K8S-049", "workload")
def sudo_command(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        if "sudo" in _command_words(c.spec):
            yield _v(w, f"{c.kind} {c.name!r} command uses sudo", c.name)


@check("SW-K8S-050", "workload")
def ssh_server(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        ports = {dig(p, "containerPort") for p in as_list(c.spec.get("ports"))}
        if 22 in ports or any(word.endswith("sshd") for word in _command_words(c.spec)):
            yield _v(w, f"{c.kind} {c.name!r} runs or exposes an SSH server", c.name)


@check("SW-K8S-051", "workload")
def host_aliases(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if as_list(w.pod_spec.get("hostAliases")):
        yield _v(w, "pod sets hostAliases")


@check("SW-K8S-052", "workload")
def deprecated_sa_field(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    if w.pod_spec.get("serviceAccount"):
        yield _v(w, "pod uses the deprecated spec.serviceAccount field")


@check("SW-K8S-053", "workload")
def duplicate_env(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    for c in w.containers:
        seen: set[str] = set()
        for env in as_list(c.spec.get("env")):
            name = str(dig(env, "name") or "")
            if name in seen:
                yield _v(w, f"{c.kind} {c.name!r} defines {name} twice", c.name)
            seen.add(name)


@check("SW-K8S-054", "workload")
def tiller(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    labels = w.pod_labels | w.obj.labels
    images = [image for _, image in _images(w)]
    if any("tiller" in parse_image_ref(i).repository for i in images) or (
        labels.get("app") == "helm" and labels.get("name") == "tiller"
    ):
        yield _v(w, "Tiller (Helm v2) is deployed")


@check("SW-K8S-055", "workload")
def dashboard(w: Workload, s: ScanSettings) -> Iterator[Violation]:
    labels = w.pod_labels | w.obj.labels
    images = [parse_image_ref(image).repository for _, image in _images(w)]
    if labels.get("k8s-app") == "kubernetes-dashboard" or any(
        r.endswith(("kubernetesui/dashboard", "kubernetes-dashboard-amd64")) for r in images
    ):
        yield _v(w, "the Kubernetes dashboard is deployed")
