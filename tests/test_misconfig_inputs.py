"""Hostile and broken input: every bad file becomes an error entry naming it, the
rest is still scanned, time and memory stay bounded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from seawall.analyzers.misconfig.dockerfile_parser import DockerfileSyntaxError, parse_dockerfile
from seawall.analyzers.misconfig.engine import ConfigScanner, ConfigScanOptions

GOOD = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: ok, namespace: a}\n"
    "spec:\n  containers: [{name: c, image: nginx}]\n"
)
BILLION_LAUGHS = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
kind: Pod
apiVersion: v1
"""


def scan(tmp_path: Path, files: dict[str, str | bytes], **opts: object) -> tuple[dict, list[str]]:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    report = ConfigScanner(ConfigScanOptions(**opts)).scan([str(tmp_path)]).to_dict()  # type: ignore[arg-type]
    return report, [e["message"] for e in report["errors"]]


def _scanned(report: dict, name: str) -> bool:
    return any(f["location"].get("path", "").endswith(name) for f in report["findings"])


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    started = time.monotonic()
    report, errors = scan(tmp_path, {"bomb.yaml": BILLION_LAUGHS, "good.yaml": GOOD})
    assert time.monotonic() - started < 10
    assert any("bomb.yaml" in e and "alias bomb" in e for e in errors)
    assert _scanned(report, "good.yaml")


def test_self_referencing_anchor(tmp_path: Path) -> None:
    report, errors = scan(tmp_path, {"loop.yaml": "a: &a [*a]\n", "good.yaml": GOOD})
    assert any("loop.yaml" in e and "self-referencing" in e for e in errors)
    assert _scanned(report, "good.yaml")


def test_binary_huge_and_non_utf8(tmp_path: Path) -> None:
    report, errors = scan(
        tmp_path,
        {
            "blob.yaml": b"\x7fELF\x00\x01\x02" * 100,
            "huge.yaml": "a: " + "x" * 5000 + "\n",
            "latin.yaml": b"a: \xff\xfe\n",
            "good.yaml": GOOD,
        },
        max_file_bytes=4096,
    )
    assert any("blob.yaml" in e and "binary" in e for e in errors)
    assert any("huge.yaml" in e and "too large" in e for e in errors)
    assert any("latin.yaml" in e and "UTF-8" in e for e in errors)
    assert _scanned(report, "good.yaml")


def test_malformed_yaml_and_json_name_file_and_line(tmp_path: Path) -> None:
    broken_multi = GOOD + "---\nkind: [oops\n---\n" + GOOD.replace("name: ok", "name: ok2")
    report, errors = scan(
        tmp_path,
        {
            "multi.yaml": broken_multi,
            "dump.json": '{"apiVersion": "v1", "kind": "List", "items": [',
            "ok.json": "{}",
        },
    )
    assert any("multi.yaml:8" in e and "invalid YAML" in e for e in errors), errors
    assert any("dump.json:1" in e and "invalid JSON" in e for e in errors)
    resources = {f["location"].get("resource") for f in report["findings"]}
    assert {"Pod/a/ok", "Pod/a/ok2"} <= resources  # documents around the broken one


def test_dockerfile_syntax_error_and_unknown_kinds(tmp_path: Path) -> None:
    rollout = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r, namespace: a}\n"
        "spec:\n  template:\n    spec:\n      containers:\n"
        "        [{name: c, image: x:1, securityContext: {privileged: true}}]\n"
    )
    crd = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n"
    report, errors = scan(
        tmp_path,
        {
            "Dockerfile": "FROM alpine:3\nRUNN echo\n",
            "rollout.yaml": rollout,
            "crd.yaml": crd,
            "sub/Dockerfile": "FROM a:1\n",
        },
    )
    assert any(
        e.endswith("Dockerfile: Dockerfile syntax error: line 2: unknown instruction 'RUNN'")
        for e in errors
    ), errors
    assert len(errors) == 1  # the CRD is not an error, just not a workload
    assert any(
        f["rule_id"] == "SW-K8S-001" and f["location"]["resource"] == "Rollout/a/r"
        for f in report["findings"]
    )
    assert _scanned(report, "sub/Dockerfile")


def test_unrendered_helm_template_and_deep_nesting(tmp_path: Path) -> None:
    template = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n"
    deep = "a: " + "[" * 500 + "]" * 500 + "\n"
    report, errors = scan(
        tmp_path, {"templates/svc.yaml": template, "deep.yaml": deep, "good.yaml": GOOD}
    )
    assert any("svc.yaml" in e and "helm template" in e for e in errors)
    assert any("deep.yaml" in e and "nested" in e for e in errors)
    assert _scanned(report, "good.yaml")


def test_dockerfile_parser_features() -> None:
    text = (
        "# escape=`\n"
        "ARG BASE=alpine\nARG TAG=3.19\n"
        "FROM ${BASE}:${TAG} AS build\n"
        "ENV APP=/srv/app\n"
        "WORKDIR $APP/src\n"
        "RUN echo a && `\n"
        "    # a comment inside the continuation\n"
        "    echo b\n"
        "COPY <<-EOT /etc/motd\n"
        "\thello $APP\n"
        "\tEOT\n"
        'CMD ["run", "--fast"]\n'
    )
    df = parse_dockerfile(text, "x")
    assert df.directives == {"escape": "`"}
    stage = df.stages[0]
    assert (stage.base, stage.name, stage.line) == ("alpine:3.19", "build", 4)
    by_kw = {i.keyword: i for i in stage.instructions}
    assert by_kw["WORKDIR"].value == "/srv/app/src"
    assert (by_kw["RUN"].line, by_kw["RUN"].end_line) == (7, 9)
    assert by_kw["RUN"].value == "echo a && echo b"
    assert by_kw["COPY"].heredocs[0].body == "hello /srv/app"
    assert by_kw["CMD"].json_form and by_kw["CMD"].args == ["run", "--fast"]
    assert by_kw["CMD"].line == 13


@pytest.mark.parametrize(
    "text, line",
    [
        ("RUN echo\n", 1),
        ("FROM a\nRUN <<EOF\necho\n", 2),
        ("FROM a\nCOPY\n", 2),
        ("# escape=x\nFROM a\n", 1),
    ],
)
def test_dockerfile_syntax_errors(text: str, line: int) -> None:
    with pytest.raises(DockerfileSyntaxError) as info:
        parse_dockerfile(text)
    assert info.value.line == line
