"""Fields of the ``k8s_audit`` source: an ``audit.k8s.io`` Event (v1, v1beta1 or no
apiVersion at all, as hand-trimmed logs have). Names follow Falco's ``ka.*`` so rule
authors who know Falco read them at once."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from seawall.detect.event import EventSchema, Extractor, FieldSpec, FieldType
from seawall.detect.k8s_audit_workload_controls import workload_violations

SOURCE = "k8s_audit"


def _path(*keys: str) -> Extractor:
    def read(raw: Mapping[str, Any]) -> Any:
        cur: Any = raw
        for key in keys:
            if not isinstance(cur, dict):
                return None
            cur = cur.get(key)
        return cur

    return read


def _str(*keys: str) -> Extractor:
    read = _path(*keys)

    def as_str(raw: Mapping[str, Any]) -> str | None:
        value = read(raw)
        return value if isinstance(value, str) else None

    return as_str


def _str_list(*keys: str) -> Extractor:
    read = _path(*keys)

    def as_list(raw: Mapping[str, Any]) -> list[str] | None:
        value = read(raw)
        if not isinstance(value, list):
            return None
        return [v for v in value if isinstance(v, str)]

    return as_list


def _annotation(key: str) -> Extractor:
    def read(raw: Mapping[str, Any]) -> str | None:
        ann = raw.get("annotations")
        value = ann.get(key) if isinstance(ann, dict) else None
        return value if isinstance(value, str) else None

    return read


def _response_code(raw: Mapping[str, Any]) -> int | None:
    status = raw.get("responseStatus")
    code = status.get("code") if isinstance(status, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _uri_param(name: str) -> Extractor:
    def read(raw: Mapping[str, Any]) -> str | None:
        uri = raw.get("requestURI")
        if not isinstance(uri, str):
            return None
        values = parse_qs(urlsplit(uri).query).get(name)
        return " ".join(values) if values else None

    return read


def _json_pointer(pointer: str) -> Extractor:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")]

    def read(raw: Mapping[str, Any]) -> Any:
        cur: Any = raw
        for part in parts:
            if isinstance(cur, dict):
                cur = cur.get(part)
            elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
                cur = cur[int(part)]
            else:
                return None
        return cur

    return read


def _request_kind_object(raw: Mapping[str, Any], kind: str) -> dict[str, Any] | None:
    obj = raw.get("requestObject")
    if not isinstance(obj, dict):
        return None
    obj_kind = obj.get("kind")
    if obj_kind is not None and obj_kind != kind:
        return None
    return obj


def _pod_spec(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    obj = _request_kind_object(raw, "Pod")
    spec = obj.get("spec") if obj else None
    return spec if isinstance(spec, dict) else None


def _containers(raw: Mapping[str, Any], group: str) -> Iterator[dict[str, Any]]:
    spec = _pod_spec(raw)
    items = spec.get(group) if spec else None
    if isinstance(items, list):
        yield from (c for c in items if isinstance(c, dict))


def image_repository(image: str) -> str:
    """``registry/name`` of an image reference without tag or digest."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def _container_images(group: str, repository: bool = False) -> Extractor:
    def read(raw: Mapping[str, Any]) -> list[str] | None:
        if _pod_spec(raw) is None:
            return None
        images = [c["image"] for c in _containers(raw, group) if isinstance(c.get("image"), str)]
        return [image_repository(i) for i in images] if repository else images

    return read


def _container_privileged(group: str) -> Extractor:
    def read(raw: Mapping[str, Any]) -> list[bool] | None:
        if _pod_spec(raw) is None:
            return None
        out = []
        for c in _containers(raw, group):
            ctx = c.get("securityContext")
            out.append(bool(isinstance(ctx, dict) and ctx.get("privileged") is True))
        return out

    return read


def _pod_flag(name: str) -> Extractor:
    def read(raw: Mapping[str, Any]) -> bool | None:
        spec = _pod_spec(raw)
        if spec is None:
            return None
        return spec.get(name) is True

    return read


def _host_paths(raw: Mapping[str, Any]) -> list[str] | None:
    spec = _pod_spec(raw)
    if spec is None:
        return None
    out = []
    for vol in spec.get("volumes") or []:
        host = vol.get("hostPath") if isinstance(vol, dict) else None
        if isinstance(host, dict) and isinstance(host.get("path"), str):
            out.append(host["path"])
    return out


def _role_rules(raw: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    obj = raw.get("requestObject")
    if not isinstance(obj, dict) or obj.get("kind") not in ("Role", "ClusterRole", None):
        return None
    rules = obj.get("rules")
    return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else None


def _role_rule_items(key: str) -> Extractor:
    def read(raw: Mapping[str, Any]) -> list[str] | None:
        rules = _role_rules(raw)
        if rules is None:
            return None
        return [v for r in rules for v in (r.get(key) or []) if isinstance(v, str)]

    return read


def _role_rules_json(raw: Mapping[str, Any]) -> Any:
    return _role_rules(raw)


def _binding_role(raw: Mapping[str, Any]) -> str | None:
    obj = raw.get("requestObject")
    ref = obj.get("roleRef") if isinstance(obj, dict) else None
    name = ref.get("name") if isinstance(ref, dict) else None
    return name if isinstance(name, str) else None


def _binding_subjects(raw: Mapping[str, Any]) -> list[str] | None:
    obj = raw.get("requestObject")
    subjects = obj.get("subjects") if isinstance(obj, dict) else None
    if not isinstance(subjects, list):
        return None
    out = []
    for s in subjects:
        if isinstance(s, dict) and isinstance(s.get("name"), str):
            ns = s.get("namespace")
            out.append(f"{s.get('kind', '')}:{ns + '/' if isinstance(ns, str) else ''}{s['name']}")
    return out


def _configmap_data(raw: Mapping[str, Any]) -> str | None:
    obj = _request_kind_object(raw, "ConfigMap")
    if obj is None:
        return None
    return json.dumps(obj.get("data") or {}, separators=(",", ":"), sort_keys=True)


def _service_ports(raw: Mapping[str, Any]) -> Any:
    obj = _request_kind_object(raw, "Service")
    spec = obj.get("spec") if obj else None
    return spec.get("ports") if isinstance(spec, dict) else None


def _sourceip(raw: Mapping[str, Any]) -> str | None:
    ips = raw.get("sourceIPs")
    return ips[0] if isinstance(ips, list) and ips and isinstance(ips[0], str) else None


def _user_is_serviceaccount(raw: Mapping[str, Any]) -> bool | None:
    name = _path("user", "username")(raw)
    return name.startswith("system:serviceaccount:") if isinstance(name, str) else None


def event_time(raw: Mapping[str, Any]) -> float | None:
    """When the apiserver received the request (falls back to the stage and legacy
    ``timestamp`` fields); None when no timestamp parses."""
    for key in ("requestReceivedTimestamp", "stageTimestamp", "timestamp"):
        value = raw.get(key)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
    return None


def locate(raw: Mapping[str, Any]) -> str | None:
    """``resource[/subresource]/namespace/name`` of the event's object."""
    ref = raw.get("objectRef")
    if not isinstance(ref, dict) or not isinstance(ref.get("resource"), str):
        return None
    parts = [ref["resource"] + (f"/{ref['subresource']}" if isinstance(
        ref.get("subresource"), str) else "")]
    parts += [ref[k] for k in ("namespace", "name") if isinstance(ref.get(k), str)]
    return "/".join(parts)


def identify(raw: Mapping[str, Any]) -> str | None:
    """``auditID:stage`` (one request has an event per stage)."""
    audit_id = raw.get("auditID")
    return f"{audit_id}:{raw.get('stage', '')}" if isinstance(audit_id, str) else None


def _plain(name: str, ftype: FieldType, doc: str, extract: Extractor) -> FieldSpec:
    return FieldSpec(name, ftype, doc, extract=extract)


def build_schema() -> EventSchema:
    """The ``k8s_audit`` field table."""
    S, INT, B, SL, BL, J = (FieldType.STR, FieldType.INT, FieldType.BOOL, FieldType.STR_LIST,
                          FieldType.BOOL_LIST, FieldType.JSON)
    schema = EventSchema(SOURCE, locate=locate, identify=identify)
    for spec in [
        _plain("ka.auditid", S, "auditID of the event", _str("auditID")),
        _plain("ka.stage", S, "stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)",
               _str("stage")),
        _plain("ka.level", S, "audit level (Metadata, Request, RequestResponse)", _str("level")),
        _plain("ka.verb", S, "API verb (get, list, watch, create, update, patch, delete ...)",
               _str("verb")),
        _plain("ka.uri", S, "request URI", _str("requestURI")),
        _plain("ka.user.name", S, "authenticated user name", _str("user", "username")),
        _plain("ka.user.groups", SL, "groups of the authenticated user",
               _str_list("user", "groups")),
        _plain("ka.user.serviceaccount", B, "the user is a service account",
               _user_is_serviceaccount),
        _plain("ka.impuser.name", S, "impersonated user name",
               _str("impersonatedUser", "username")),
        _plain("ka.impuser.groups", SL, "impersonated groups",
               _str_list("impersonatedUser", "groups")),
        _plain("ka.auth.decision", S, "authorization decision annotation (allow, forbid)",
               _annotation("authorization.k8s.io/decision")),
        _plain("ka.auth.reason", S, "authorization reason annotation",
               _annotation("authorization.k8s.io/reason")),
        _plain("ka.useragent", S, "user agent of the client", _str("userAgent")),
        _plain("ka.sourceips", SL, "source IPs of the request", _str_list("sourceIPs")),
        _plain("ka.sourceip", S, "first source IP", _sourceip),
        _plain("ka.target.name", S, "name of the target object", _str("objectRef", "name")),
        _plain("ka.target.namespace", S, "namespace of the target object",
               _str("objectRef", "namespace")),
        _plain("ka.target.resource", S, "resource (pods, secrets ...)",
               _str("objectRef", "resource")),
        _plain("ka.target.subresource", S, "subresource (exec, attach, token ...)",
               _str("objectRef", "subresource")),
        _plain("ka.target.apigroup", S, "API group of the target", _str("objectRef", "apiGroup")),
        _plain("ka.response.code", INT, "HTTP status code of the response", _response_code),
        _plain("ka.response.reason", S, "reason of the response status",
               _str("responseStatus", "reason")),
        _plain("ka.resp.name", S, "name of the object in the response",
               _str("responseObject", "metadata", "name")),
        _plain("ka.req.pod.containers.image", SL, "images of the pod's containers",
               _container_images("containers")),
        _plain("ka.req.pod.containers.image.repository", SL, "image repositories (no tag)",
               _container_images("containers", repository=True)),
        _plain("ka.req.pod.initContainers.image", SL, "images of the init containers",
               _container_images("initContainers")),
        _plain("ka.req.pod.ephemeralContainers.image", SL, "images of the ephemeral containers",
               _container_images("ephemeralContainers")),
        _plain("ka.req.pod.containers.privileged", BL, "privileged flag per container",
               _container_privileged("containers")),
        _plain("ka.req.pod.initContainers.privileged", BL, "privileged flag per init container",
               _container_privileged("initContainers")),
        _plain("ka.req.pod.ephemeralContainers.privileged", BL,
               "privileged flag per ephemeral container",
               _container_privileged("ephemeralContainers")),
        _plain("ka.req.pod.host_network", B, "the pod uses the host network",
               _pod_flag("hostNetwork")),
        _plain("ka.req.pod.host_pid", B, "the pod uses the host PID namespace",
               _pod_flag("hostPID")),
        _plain("ka.req.pod.host_ipc", B, "the pod uses the host IPC namespace",
               _pod_flag("hostIPC")),
        _plain("ka.req.pod.volumes.hostpath", SL, "hostPath volume paths", _host_paths),
        _plain("ka.req.service.type", S, "type of the requested service",
               _str("requestObject", "spec", "type")),
        _plain("ka.req.service.ports", J, "ports of the requested service", _service_ports),
        _plain("ka.req.configmap.name", S, "name of the requested configmap",
               _str("requestObject", "metadata", "name")),
        _plain("ka.req.configmap.obj", S, "data of the requested configmap as JSON text",
               _configmap_data),
        _plain("ka.req.binding.role", S, "roleRef name of the requested binding", _binding_role),
        _plain("ka.req.binding.subjects", SL, "subjects (kind:ns/name) of the requested binding",
               _binding_subjects),
        _plain("ka.req.role.rules", J, "rules of the requested role", _role_rules_json),
        _plain("ka.req.role.rules.verbs", SL, "verbs of all rules of the requested role",
               _role_rule_items("verbs")),
        _plain("ka.req.role.rules.resources", SL, "resources of all rules of the requested role",
               _role_rule_items("resources")),
        _plain("ka.req.workload.violations", SL,
               "ids of the misconfig workload controls (SW-K8S-*) the request object violates",
               workload_violations),
        _plain("ka.req.role.rules.apigroups", SL, "API groups of the requested role's rules",
               _role_rule_items("apiGroups")),
    ]:
        schema.add(spec)
    schema.add(FieldSpec("ka.uri.param", S, "query parameter of the URI: ka.uri.param[command]",
                         extract_arg=_uri_param))
    schema.add(FieldSpec("ka.json", J, "any value by JSON pointer: ka.json[/requestObject/spec]",
                         extract_arg=_json_pointer))
    return schema


K8S_AUDIT_SCHEMA = build_schema()
"""The one instance rules compile against."""
