"""Benchmark: seawall's dictionary attack against John the Ripper on the same shadow
file and the same wordlist, in the same run.

The shadow file holds sha512crypt and yescrypt accounts whose passwords are NOT in
the wordlist, so both tools try every candidate on every account. Both are timed
wall-clock; "candidates/s" counts hash computations (candidate x account) per second,
which is john's ``C/s``. Per core: john ``--fork=1`` (OMP_NUM_THREADS=1) vs seawall
``jobs=1``; all cores: john ``--fork=N`` vs seawall ``jobs=N``. john's ``crypt``
format calls the system crypt(3) like seawall; ``--format=sha512crypt`` (john's own
code) is tried too, and reported as unsupported when this john lacks it (core 1.9.0).

Last line: ``ratio: <seawall/john candidates per second, per core>`` (goal >= 0.8).

    python bench/weakpass.py [--words 300] [--accounts 4]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from seawall.analyzers.weakpass.cracker import DictionaryCracker, default_jobs
from seawall.analyzers.weakpass.credentials import Credential
from seawall.analyzers.weakpass.dictionary import common_passwords
from seawall.analyzers.weakpass.libcrypt import SystemCrypt


def make_shadow(accounts: int) -> tuple[list[Credential], str]:
    """``accounts`` sha512crypt + ``accounts`` yescrypt entries with random passwords."""
    engine = SystemCrypt()
    creds, lines = [], []
    for method in ("$6$", "$y$"):
        for i in range(accounts):
            user = f"{'sha' if method == '$6$' else 'yes'}{i}"
            password = os.urandom(12).hex()  # never in any list
            stored = engine.hash(password, engine.gensalt(method))
            assert stored is not None
            creds.append(Credential("system", user, "crypt", stored, "/etc/shadow"))
            lines.append(f"{user}:{stored}:19000:0:99999:7:::")
    return creds, "\n".join(lines) + "\n"


def run_seawall(creds: list[Credential], words: list[str], jobs: int) -> float:
    """Wall seconds for the whole list on every account."""
    cracker = DictionaryCracker(words, jobs=jobs, seconds_per_account=None)
    started = time.perf_counter()
    outcomes = cracker.crack(creds)
    elapsed = time.perf_counter() - started
    assert all(o.password is None and o.tried == len(words) for o in outcomes), outcomes
    return elapsed


def run_john(john: str, fmt: str, shadow: Path, wordlist: Path, fork: int,
             work: Path) -> tuple[float | None, str]:
    """Wall seconds of one john run (None when the format is not supported)."""
    # Core john has no --pot: HOME points at the scratch dir, so ~/.john/john.pot is
    # fresh (and stays empty: nothing is cracked).
    cmd = [john, f"--format={fmt}", f"--wordlist={wordlist}",
           f"--session={work / f'session-{fmt}-{fork}'}", str(shadow)]
    if fork > 1:
        cmd.insert(1, f"--fork={fork}")
    env = dict(os.environ, OMP_NUM_THREADS="1", HOME=str(work))
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    elapsed = time.perf_counter() - started
    text = proc.stdout + proc.stderr
    if proc.returncode != 0 or "No password hashes loaded" in text or "Unknown" in text:
        return None, text.strip().splitlines()[-1] if text.strip() else f"rc={proc.returncode}"
    speeds = re.findall(r"([0-9.]+[KM]?)C/s", text)
    return elapsed, f"john reported {speeds[-1]} C/s" if speeds else ""


def main() -> None:
    """Run both tools and print the figures, ratio last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=300, help="wordlist size (top of zxcvbn)")
    parser.add_argument("--accounts", type=int, default=4, help="accounts per hash method")
    args = parser.parse_args()
    john = shutil.which("john") or ("/usr/sbin/john" if Path("/usr/sbin/john").exists() else None)
    if john is None:
        raise SystemExit("bench/weakpass.py: john not installed (apt-get install john)")
    cores = default_jobs()
    words = list(common_passwords()[: args.words])
    creds, shadow_text = make_shadow(args.accounts)
    checks = len(words) * len(creds)
    print(f"shadow: {args.accounts} sha512crypt + {args.accounts} yescrypt accounts; "
          f"wordlist: {len(words)} words (zxcvbn top); {checks} hash computations per run; "
          f"{cores} cores")
    with tempfile.TemporaryDirectory(prefix="seawall-bench-weakpass-") as tmp:
        work = Path(tmp)
        shadow, wordlist = work / "shadow", work / "words.txt"
        shadow.write_text(shadow_text)
        wordlist.write_text("\n".join(words) + "\n")
        rates: dict[str, float] = {}
        for label, jobs in (("1 core", 1), (f"{cores} cores", cores)):
            seconds = run_seawall(creds, words, jobs)
            rates[f"seawall {label}"] = checks / seconds
            print(f"seawall jobs={jobs}: {seconds:.2f} s, {checks / seconds:.1f} candidates/s")
            for fmt in ("crypt", "sha512crypt"):
                j_seconds, note = run_john(john, fmt, shadow, wordlist, jobs, work)
                if j_seconds is None:
                    print(f"john --format={fmt} --fork={jobs}: unsupported ({note})")
                    continue
                rates[f"john-{fmt} {label}"] = checks / j_seconds
                print(f"john --format={fmt} --fork={jobs}: {j_seconds:.2f} s, "
                      f"{checks / j_seconds:.1f} candidates/s ({note})")
    john_core = rates.get("john-crypt 1 core")
    if john_core is None:
        raise SystemExit("bench/weakpass.py: john --format=crypt did not run")
    print(f"ratio: {rates['seawall 1 core'] / john_core:.3f}")


if __name__ == "__main__":
    main()
