"""Dictionary attack over every core: each account's candidates are cut into chunks
that a process pool works through; the first hit stops that account.

Candidates of one account = its own prefix (context variants) + the shared base list.
The base list reaches workers once (inherited at fork), each task names only
(account, start, end), and verifiers are built in the worker (ctypes buffers do not
cross processes). A per-account time budget keeps slow hashes (yescrypt ~50/s per
core) from stalling a scan; a cut-short account is reported, never silently passed.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.sharedctypes
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from seawall.analyzers.weakpass.credentials import Credential
from seawall.analyzers.weakpass.verifiers import UnsupportedHash, Verifier, make_verifier

#: Seconds of work per chunk: small enough for a prompt stop after a hit, large
#: enough that task overhead stays far below the hash cost.
CHUNK_SECONDS = 0.25


@dataclass(frozen=True)
class CrackOutcome:
    """Result for one credential."""

    password: str | None
    """The matching candidate, or None."""
    tried: int
    """Candidates actually tested."""
    total: int
    """Candidates available for this account."""
    limit: int
    """Candidates allowed by the time budget."""
    error: str | None = None
    """Why nothing could be tried (unsupported hash...)."""


# Worker-process state, set by _init_worker (inherited on fork, pickled otherwise).
_BASE: Sequence[str] = ()
_CREDS: Sequence[Credential] = ()
_PREFIXES: Sequence[Sequence[str]] = ()
_FOUND: Any = None
_VERIFIERS: dict[int, Verifier] = {}


def _init_worker(base: Sequence[str], creds: Sequence[Credential],
                 prefixes: Sequence[Sequence[str]], found: Any) -> None:
    global _BASE, _CREDS, _PREFIXES, _FOUND, _VERIFIERS
    _BASE, _CREDS, _PREFIXES, _FOUND, _VERIFIERS = base, creds, prefixes, found, {}


def _candidate(idx: int, i: int) -> str:
    prefix = _PREFIXES[idx]
    return prefix[i] if i < len(prefix) else _BASE[i - len(prefix)]


def _run_chunk(task: tuple[int, int, int]) -> tuple[int, str | None, int]:
    """Test candidates [start, end) of account ``idx``; returns (idx, hit, tried)."""
    idx, start, end = task
    if _FOUND[idx]:
        return idx, None, 0
    verify = _VERIFIERS.get(idx)
    if verify is None:
        verify = _VERIFIERS[idx] = make_verifier(_CREDS[idx])
    tried = 0
    for i in range(start, end):
        if tried & 63 == 63 and _FOUND[idx]:
            break
        word = _candidate(idx, i)
        tried += 1
        if verify(word):
            _FOUND[idx] = 1
            return idx, word, tried
    return idx, None, tried


def default_jobs() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class DictionaryCracker:
    """Tests credentials against ``base`` (plus per-account prefixes)."""

    def __init__(self, base: Sequence[str], jobs: int | None = None,
                 seconds_per_account: float | None = 20.0, min_candidates: int = 1000,
                 seconds_total: float | None = None) -> None:
        self.base = base
        self.jobs = jobs or default_jobs()
        """Worker processes (1: in this process, no pool)."""
        self.seconds_per_account = seconds_per_account
        """Time budget per account in core-seconds x jobs; None: try everything."""
        self.min_candidates = min_candidates
        """Budget floor: at least this many candidates however slow the hash."""
        self.seconds_total = seconds_total
        """Budget of the whole run (seconds x jobs), shared equally by the accounts the
        first candidates did not crack; each still gets ``min_candidates``. None: only
        the per-account budget applies."""

    def crack(self, creds: Sequence[Credential],
              prefixes: Sequence[Sequence[str]] | None = None) -> list[CrackOutcome]:
        """One outcome per credential, in order."""
        prefixes = list(prefixes) if prefixes is not None else [() for _ in creds]
        outcomes: list[CrackOutcome | None] = [None] * len(creds)
        tasks: list[tuple[int, int, int]] = []
        limits: dict[int, tuple[int, int]] = {}
        tried = [0] * len(creds)
        found: list[str | None] = [None] * len(creds)
        rates: dict[int, tuple[float, int]] = {}  # calibrated: candidates/s, total
        for idx, cred in enumerate(creds):
            total = len(prefixes[idx]) + len(self.base)
            try:
                verify = make_verifier(cred)
            except UnsupportedHash as exc:
                outcomes[idx] = CrackOutcome(None, 0, total, 0, str(exc))
                continue
            # Calibrate on the first candidates (the likeliest ones): it measures the
            # hash cost and often already finds the password.
            pre = prefixes[idx]
            started, done = time.perf_counter(), 0
            while done < min(total, 32) and (done < 2 or time.perf_counter() - started < 0.05):
                word = pre[done] if done < len(pre) else self.base[done - len(pre)]
                done += 1
                if verify(word):
                    found[idx] = word
                    break
            tried[idx] = done
            if found[idx] is not None:
                outcomes[idx] = CrackOutcome(word, done, total, total)
                continue
            rates[idx] = (done / max(time.perf_counter() - started, 1e-9), total)
        seconds = self.seconds_per_account
        if self.seconds_total is not None and rates:
            share = self.seconds_total / len(rates)
            seconds = share if seconds is None else min(seconds, share)
        for idx, (rate, total) in rates.items():
            limit = total
            if seconds is not None:
                limit = min(total, max(self.min_candidates, int(rate * seconds * self.jobs)))
            limits[idx] = (total, limit)
            chunk = max(1, min(5000, int(rate * CHUNK_SECONDS)))
            tasks += [(idx, s, min(s + chunk, limit)) for s in range(tried[idx], limit, chunk)]
        if tasks:
            self._run(tasks, list(creds), prefixes, found, tried)
        for idx, (total, limit) in limits.items():
            outcomes[idx] = CrackOutcome(found[idx], tried[idx], total, limit)
        return [o for o in outcomes if o is not None]

    def _run(self, tasks: list[tuple[int, int, int]], creds: list[Credential],
             prefixes: list[Sequence[str]], found: list[str | None], tried: list[int]) -> None:
        flags = multiprocessing.sharedctypes.RawArray("b", len(creds))
        init_args = (self.base, creds, prefixes, flags)
        if self.jobs == 1:
            _init_worker(*init_args)
            results = map(_run_chunk, tasks)
            for idx, hit, n in results:
                tried[idx] += n
                if hit is not None:
                    found[idx] = hit
            _init_worker((), (), (), None)
            return
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        ctx = multiprocessing.get_context(method)
        with ctx.Pool(self.jobs, initializer=_init_worker, initargs=init_args) as pool:
            for idx, hit, n in pool.imap_unordered(_run_chunk, tasks):
                tried[idx] += n
                if hit is not None and found[idx] is None:
                    found[idx] = hit
