"""The ``weakpass`` analyzer: extract stored passwords per file during the layer walk
(cached per layer), then crack them once per scan in :meth:`finalize`.

Options (``ScanOptions.analyzer_options``):
``weakpass.wordlist`` (path, or list of paths: more candidates, after the built-in list),
``weakpass.show_secrets`` (print cracked passwords whole),
``weakpass.jobs`` (cracking processes; default every core),
``weakpass.seconds_per_account`` (time budget per hash, default 20; 0 = no limit),
``weakpass.seconds_total`` (time budget of the whole cracking run, shared by the hashes
the first candidates did not crack, default 1; 0 = no limit; ``--weakpass-budget``).

The defaults keep cracking to about a second of all cores per scan, so a whole default
scan stays within Trivy's time on an image (Trivy does no cracking). What it costs in
recall: each hash the first candidates miss gets ``1 s / n`` of the cores and at least
the ``MIN_CANDIDATES`` likeliest candidates (its likeliest account-name variants and the
top common passwords first), where 20 s per hash (the default before) let fast hashes
try the whole ~30,000-word list and yescrypt at least 1,000 candidates. Measured on 2
busy cores, one hash now gets: md5crypt ~5,000
candidates, sha256/sha512crypt and bcrypt ~400, yescrypt (Debian 12's default) 100;
a common password ranked ~200 (``password1``) is then missed on slow hashes. The lab's
weak accounts are all still found. ``--weakpass-budget 0`` restores 20 s per hash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import seawall.analyzers.weakpass.services.all  # noqa: F401 - every built-in service registered
from seawall.analyzers.facts.target_facts import facts_for
from seawall.analyzers.interface import (
    AnalysisContext,
    Analyzer,
    AnalyzerResult,
    FileInput,
    FileResult,
)
from seawall.analyzers.weakpass.cracker import DictionaryCracker
from seawall.analyzers.weakpass.credentials import Credential, DirectIssue, ParseOutcome
from seawall.analyzers.weakpass.dictionary import (
    candidates_for,
    common_passwords,
    context_words,
    dedupe,
    read_wordlist,
    variants,
)
from seawall.analyzers.weakpass.environment import (
    password_variables,
    passwordless_switches,
)
from seawall.analyzers.weakpass.findings import (
    cracked_finding,
    env_empty_finding,
    env_finding,
    issue_finding,
)
from seawall.analyzers.weakpass.service_parser import SERVICE_PARSERS, ServiceParser
from seawall.analyzers.weakpass.verifiers import scheme_label
from seawall.fs.interface import FileInfo
from seawall.model.report import CoverageNote, ErrorEntry

if TYPE_CHECKING:
    from seawall.sources.interface import Target

SCOPE = "analyzer:weakpass"
#: Common passwords tried before the context words.
TOP_FIRST = 1000
#: Candidates every hash gets whatever the scan-wide budget (the 100 likeliest), and
#: without a scan-wide budget (``--weakpass-budget 0``: 20 s per hash, as before).
MIN_CANDIDATES, MIN_CANDIDATES_PER_HASH_BUDGET = 100, 1000
#: Account-name variants and common passwords inside those first candidates.
TOP_VARIANTS, TOP_COMMON = 12, 80
#: Default budget of one scan's cracking run, seconds of every core.
SECONDS_TOTAL = 1.0


class WeakpassAnalyzer(Analyzer):
    """Offline dictionary attack on every password store we can read."""

    name = "weakpass"
    version = "2"
    description = ("Weak passwords: shadow, htpasswd, Redis, MySQL, PostgreSQL, Tomcat, FTP, "
                   "Grafana, RabbitMQ, MongoDB, Env, unencrypted SSH keys")

    def __init__(self) -> None:
        self.parsers: list[ServiceParser] = [cls() for _, cls in SERVICE_PARSERS.items()]
        self.wordlists: list[str] = []
        self.show_secrets = False
        self.jobs: int | None = None
        self.seconds_per_account: float | None = 20.0
        self.seconds_total: float | None = SECONDS_TOTAL

    def configure(self, options: Mapping[str, Any]) -> None:
        """Read the ``weakpass.*`` options (``show_secrets`` also from ``show_secrets``)."""
        wordlist = options.get("weakpass.wordlist")
        if isinstance(wordlist, str):
            self.wordlists = [wordlist]
        elif isinstance(wordlist, Sequence):
            self.wordlists = [str(w) for w in wordlist]
        for w in self.wordlists:  # fail early, as an input error naming the file
            read_wordlist(w)
        self.show_secrets = bool(options.get("weakpass.show_secrets",
                                             options.get("show_secrets", False)))
        jobs = options.get("weakpass.jobs")
        self.jobs = int(jobs) if jobs else None
        if "weakpass.seconds_per_account" in options:
            budget = options["weakpass.seconds_per_account"]
            self.seconds_per_account = float(budget) if budget else None
        if "weakpass.seconds_total" in options:
            total = options["weakpass.seconds_total"]
            self.seconds_total = float(total) if total else None

    def required(self, path: str, info: FileInfo) -> bool:
        """Regular files some service parser knows."""
        return info.is_file() and any(p.wants(path) for p in self.parsers)

    def analyze_file(self, file: FileInput, ctx: AnalysisContext) -> AnalyzerResult:
        """Parse only (no cracking here: results are cached per layer)."""
        out = AnalyzerResult()
        merged = ParseOutcome()
        for parser in self.parsers:
            if not parser.wants(file.path):
                continue
            if file.info.size > parser.max_bytes:
                merged.skipped.append(f"{file.path}: {file.info.size} bytes, over the "
                                      f"{parser.name} limit of {parser.max_bytes}")
                continue
            try:
                data = file.read(parser.max_bytes + 1)
            except OSError as exc:
                out.errors.append(ErrorEntry(SCOPE, f"{file.path}: cannot read: {exc}"))
                return out
            merged.extend(parser.parse(file.path, data))
        if merged.credentials or merged.issues or merged.skipped or merged.context_words:
            out.data = {
                "credentials": [c.to_dict() for c in merged.credentials],
                "issues": [i.to_dict() for i in merged.issues],
                "skipped": merged.skipped,
                "context": dedupe(merged.context_words),
            }
        return out

    def finalize(
        self, target: Target, files: list[FileResult], ctx: AnalysisContext
    ) -> AnalyzerResult:
        """Direct issues, plaintext and Env checks, then one cracking run for all hashes."""
        out = AnalyzerResult()
        creds: dict[str, tuple[Credential, str | None]] = {}
        words: list[str] = [target.ref]
        for fr in files:
            out.errors.extend(fr.result.errors)
            if not fr.visible:
                continue  # replaced or deleted later: the final image does not use it
            data = fr.result.data
            words += data.get("context", [])
            out.errors += [ErrorEntry(SCOPE, f"skipped {s}") for s in data.get("skipped", [])]
            for d in data.get("issues", []):
                out.findings.append(issue_finding(DirectIssue.from_dict(d), fr.layer))
            for d in data.get("credentials", []):
                cred = Credential.from_dict(d)
                creds.setdefault(cred.key, (cred, fr.layer))
                words.append(cred.service)
        environment = facts_for(target, ctx, self.facts).environment
        env, where = environment.pairs(), environment.origin
        base = self._base_list()
        shared = candidates_for(context_words(words))
        self._check_env(env, where, set(base) | set(shared), out)
        self._crack(list(creds.values()), base, shared, out)
        return out

    def _base_list(self) -> list[str]:
        base = list(common_passwords())
        for w in self.wordlists:
            base += read_wordlist(w)
        return dedupe(base)

    def _check_env(self, env: list[tuple[str, str]], where: str, known: set[str],
                   out: AnalyzerResult) -> None:
        for name, value in passwordless_switches(env):
            out.findings.append(env_empty_finding(name, value, where))
        for name, value in password_variables(env):
            if value in known or value.lower() in known:
                out.findings.append(env_finding(name, value, where, self.show_secrets))

    def _crack(self, items: list[tuple[Credential, str | None]], base: list[str],
               shared: list[str], out: AnalyzerResult) -> None:
        known = set(base) | set(shared)
        hashed: list[tuple[Credential, str | None]] = []
        for cred, layer in items:
            if cred.scheme != "plain":
                hashed.append((cred, layer))
                continue
            own = set(variants(cred.account)) if cred.account else set()
            if cred.secret in known or cred.secret in own or cred.secret == "":
                out.findings.append(cracked_finding(cred, cred.secret, "plaintext", layer,
                                                    self.show_secrets))
        if not hashed:
            return
        # Order: the account's likeliest name variants (alice, alice123 ...), the top
        # of the common list, the other variants, the rest of the head, the image's
        # context words, then the rest of the list: slow hashes (yescrypt ~50/s per
        # core) stop at the budget, and every hash gets at least MIN_CANDIDATES, so
        # the likeliest candidates go first. (An account's own variants may come again
        # in the tail: at most ~80 repeats.)
        shared_set = set(shared)
        head = base[:TOP_FIRST]
        tail = [w for w in base[TOP_FIRST:] if w not in shared_set]
        prefixes = []
        for cred, _ in hashed:
            names = variants(cred.account)
            prefixes.append(dedupe([*names[:TOP_VARIANTS], *head[:TOP_COMMON], *names, *head,
                                    *shared]))
        cracker = DictionaryCracker(tail, self.jobs, self.seconds_per_account,
                                    min_candidates=MIN_CANDIDATES if self.seconds_total
                                    is not None else MIN_CANDIDATES_PER_HASH_BUDGET,
                                    seconds_total=self.seconds_total)
        outcomes = cracker.crack([c for c, _ in hashed], prefixes)
        for (cred, layer), result in zip(hashed, outcomes, strict=True):
            label = scheme_label(cred)
            who = f"{cred.path}: {cred.service} account {cred.account!r}"
            if result.error:
                out.errors.append(ErrorEntry(SCOPE, f"{who}: not checked: {result.error}"))
            elif result.password is not None:
                out.findings.append(cracked_finding(cred, result.password, label, layer,
                                                    self.show_secrets))
            elif result.limit < result.total:
                # A dictionary attack is bounded by nature: a cut is how far the check
                # went, not a place the scan could not look (a note, not an error).
                out.notes.append(CoverageNote(
                    SCOPE, f"{who}: {label} stopped after {result.tried} of {result.total} "
                    f"candidates (time budget {self._budget_text()})"))

    def _budget_text(self) -> str:
        parts = []
        if self.seconds_per_account is not None:
            parts.append(f"{self.seconds_per_account:g}s per account")
        if self.seconds_total is not None:
            parts.append(f"{self.seconds_total:g}s per scan, --weakpass-budget")
        return ", ".join(parts)
