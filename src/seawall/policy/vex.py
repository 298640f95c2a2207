"""OpenVEX documents (``--vex FILE``): a supplier's word that a vulnerability does not
affect a product (``not_affected``) or is already fixed in it (``fixed``).

A statement applies to a vulnerability finding when its vulnerability (name, ``@id``
or aliases) is the finding's rule ID or one of the finding's aliases, and one of its
products names the finding's package purl -- directly, or as a subcomponent of a
product that is the scanned target itself (``pkg:oci/...`` with the image digest, or
the reference as the user typed it). Statements are applied in timestamp order, so a
later ``affected`` or ``under_investigation`` statement revokes an earlier
``not_affected`` one, as the OpenVEX specification says.

Both the v0.2.0 shape (vulnerability object, product objects with ``@id`` and
``subcomponents``) and the early v0.0.x shape (strings) are read.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seawall.errors import InputError
from seawall.model.finding import Category, Finding
from seawall.model.report import TargetInfo
from seawall.policy.ignore_rules import purl_base, purl_matches

#: Statuses that suppress a finding.
SUPPRESSING = frozenset({"not_affected", "fixed"})
KNOWN_STATUSES = SUPPRESSING | {"affected", "under_investigation"}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class VexProduct:
    """A product of a statement and the subcomponents it lists."""

    ids: tuple[str, ...]
    """``@id`` and every identifier (purl, cpe) of the product."""
    subcomponents: tuple[str, ...] = ()
    """Identifiers of subcomponents (package purls inside an image product)."""


@dataclass(frozen=True)
class VexStatement:
    """One OpenVEX statement."""

    vulnerabilities: frozenset[str]
    """Vulnerability name, ``@id`` and aliases."""
    products: tuple[VexProduct, ...]
    status: str
    justification: str = ""
    statement: str = ""
    """impact_statement / status_notes / action_statement, whichever is given."""
    timestamp: dt.datetime = _EPOCH
    origin: str = ""

    def describe(self) -> dict[str, Any]:
        """JSON form recorded on a suppressed finding."""
        out: dict[str, Any] = {"kind": "vex", "origin": self.origin, "status": self.status}
        if self.justification:
            out["justification"] = self.justification
        text = self.statement or self.justification
        if text:
            out["statement"] = text
        return out


def _target_ids(target: TargetInfo) -> set[str]:
    ids = {target.ref}
    if target.digest:
        ids.add(target.digest)
    ref = target.ref.split(":", 1)[1] if target.ref.startswith("docker-daemon:") else target.ref
    ref = ref.removeprefix("docker://")
    name = ref.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    ids.add(last.split(":", 1)[0])
    return ids


def _product_is_target(product_id: str, target: TargetInfo) -> bool:
    if target.digest and target.digest in product_id:
        return True
    ids = _target_ids(target)
    if product_id in ids:
        return True
    if product_id.startswith("pkg:oci/"):
        name = purl_base(product_id)[len("pkg:oci/"):].split("@", 1)[0]
        return name in ids
    return False


def _finding_vulns(finding: Finding) -> set[str]:
    names = {finding.rule_id}
    aliases = finding.extra.get("aliases")
    if isinstance(aliases, list):
        names |= {str(a) for a in aliases}
    return names


def statement_applies(stmt: VexStatement, finding: Finding, target: TargetInfo) -> bool:
    """Does ``stmt`` speak about ``finding`` in ``target``?"""
    if finding.category is not Category.VULNERABILITY:
        return False
    if not stmt.vulnerabilities & _finding_vulns(finding):
        return False
    purl = (finding.package.purl or "") if finding.package else ""
    for product in stmt.products:
        if purl and any(purl_matches(pid, purl) for pid in product.ids):
            return True
        if any(_product_is_target(pid, target) for pid in product.ids) and (
            not product.subcomponents
            or any(purl_matches(sub, purl) for sub in product.subcomponents)
        ):
            return True
    return False


def vex_verdict(statements: list[VexStatement], finding: Finding,
                target: TargetInfo) -> VexStatement | None:
    """The statement that suppresses ``finding``, or None (the latest applicable
    statement decides; ``statements`` must be in timestamp order)."""
    last = None
    for stmt in statements:
        if statement_applies(stmt, finding, target):
            last = stmt
    return last if last is not None and last.status in SUPPRESSING else None


def _timestamp(value: Any, fallback: dt.datetime, where: str) -> dt.datetime:
    if not value:
        return fallback
    try:
        stamp = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: invalid timestamp {value!r}") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _ids_of(entry: Any, where: str) -> tuple[str, ...]:
    if isinstance(entry, str):
        return (entry,)
    if not isinstance(entry, dict):
        raise InputError(f"{where}: a product must be a string or an object with '@id'")
    ids = [str(entry["@id"])] if entry.get("@id") else []
    identifiers = entry.get("identifiers")
    if isinstance(identifiers, dict):
        ids += [str(v) for v in identifiers.values() if isinstance(v, str)]
    return tuple(ids)


def _vulnerability_names(value: Any, where: str) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, dict):
        names = {str(value[k]) for k in ("name", "@id") if value.get(k)}
        names |= {str(a) for a in value.get("aliases") or [] if isinstance(a, str)}
        if names:
            return frozenset(names)
    raise InputError(f"{where}: statement has no vulnerability name")


def parse_openvex(data: Any, origin: str) -> list[VexStatement]:
    """Statements of one OpenVEX document (already JSON-decoded)."""
    if not isinstance(data, dict) or not isinstance(data.get("statements"), list):
        raise InputError(f"{origin}: not an OpenVEX document (no 'statements' list)")
    context = str(data.get("@context", ""))
    if context and "openvex" not in context:
        raise InputError(f"{origin}: @context {context!r} is not OpenVEX")
    doc_time = _timestamp(data.get("timestamp"), _EPOCH, origin)
    out = []
    for index, raw in enumerate(data["statements"], start=1):
        where = f"{origin}#{index}"
        if not isinstance(raw, dict):
            raise InputError(f"{where}: statement must be an object")
        status = str(raw.get("status", ""))
        if status not in KNOWN_STATUSES:
            raise InputError(f"{where}: unknown status {status!r}")
        products = []
        for entry in raw.get("products") or []:
            subs = entry.get("subcomponents") if isinstance(entry, dict) else None
            sub_ids = tuple(i for s in subs or [] for i in _ids_of(s, where))
            products.append(VexProduct(_ids_of(entry, where), sub_ids))
        text = next((str(raw[k]) for k in ("impact_statement", "status_notes",
                                            "action_statement") if raw.get(k)), "")
        out.append(VexStatement(
            vulnerabilities=_vulnerability_names(raw.get("vulnerability"), where),
            products=tuple(products), status=status,
            justification=str(raw.get("justification") or ""), statement=text,
            timestamp=_timestamp(raw.get("timestamp"), doc_time, where), origin=where,
        ))
    return out


def load_vex(paths: list[str] | tuple[str, ...]) -> list[VexStatement]:
    """Every statement of the given files, in timestamp order (stable)."""
    statements: list[VexStatement] = []
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read VEX file {path}: {exc.strerror or exc}") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"VEX file {path} is not JSON: {exc}") from None
        statements += parse_openvex(data, path)
    return sorted(statements, key=lambda s: s.timestamp)
