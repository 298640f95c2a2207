"""What a service parser extracts: credentials to test, and findings that need no
cracking (no password at all, ``trust`` authentication, unencrypted keys)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Credential:
    """One stored password (hash or plaintext) of one account."""

    service: str
    """Service it belongs to: ``system``, ``htpasswd``, ``redis``, ``mysql``..."""
    account: str
    """User name ("" when the format has none, e.g. Redis ``requirepass``)."""
    scheme: str
    """How ``secret`` is verified: a key of :data:`seawall.analyzers.weakpass.verifiers.SCHEMES`."""
    secret: str
    """The stored hash or plaintext (hashes of binary formats are latin-1 text)."""
    path: str
    """File it was read from, or ``config:Env`` for image metadata."""
    line: int | None = None
    """1-based line, for text formats."""
    privileged: bool = False
    """Root/administrator account: a cracked password is critical."""
    extra_users: tuple[str, ...] = ()
    """Other plausible user names (binary formats where the owner is a guess)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the per-layer cache."""
        d = asdict(self)
        d["extra_users"] = list(self.extra_users)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Credential:
        """Inverse of :meth:`to_dict`."""
        data = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        data["extra_users"] = tuple(d.get("extra_users") or ())
        return cls(**data)

    @property
    def key(self) -> str:
        """Identity of the account (same stored value at the same place = same job)."""
        return f"{self.service}\x1f{self.path}\x1f{self.account}\x1f{self.secret}"


@dataclass(frozen=True)
class DirectIssue:
    """A weakness seen without cracking (empty password, trust auth, no passphrase)."""

    rule_id: str
    """``SW-WP-…`` id from :mod:`seawall.analyzers.weakpass.findings`."""
    service: str
    account: str
    path: str
    line: int | None = None
    detail: str = ""
    """Why (one sentence, no secret in it)."""
    privileged: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the per-layer cache."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DirectIssue:
        """Inverse of :meth:`to_dict`."""
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


@dataclass
class ParseOutcome:
    """Everything one service parser found in one file."""

    credentials: list[Credential] = field(default_factory=list)
    issues: list[DirectIssue] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Entries not checked, each with its reason (malformed line, unknown hash...)."""
    context_words: list[str] = field(default_factory=list)
    """Words worth trying on every account (user names, host names...)."""

    def extend(self, other: ParseOutcome) -> None:
        """Append another outcome."""
        self.credentials += other.credentials
        self.issues += other.issues
        self.skipped += other.skipped
        self.context_words += other.context_words
