"""Reports for renderer and policy tests: one finding of every category, packages,
an error, hostile text (markup, pipes, newlines) in places a renderer must escape."""

from __future__ import annotations

from seawall.model.finding import Category, Finding, Location, PackageRef, Severity
from seawall.model.package import Package
from seawall.model.report import ErrorEntry, OSInfo, Report, Stats, TargetInfo

LAYER = "sha256:" + "4e" * 32
IMAGE_DIGEST = "sha256:" + "9a" * 32
HOSTILE_TITLE = 'evil </script><img src=x onerror="alert(1)"> | title\nsecond line'

OPENSSL_PURL = "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12"
ZLIB_PURL = "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"


def packages() -> list[Package]:
    """An OS and a language package."""
    return [
        Package("openssl", "3.0.11-1~deb12u1", "deb", OPENSSL_PURL, source_name="openssl",
                layer=LAYER, path="/var/lib/dpkg/status", licenses=["Apache-2.0"]),
        Package("zlib1g", "1:1.2.13.dfsg-1", "deb", ZLIB_PURL, source_name="zlib",
                layer=LAYER, path="/var/lib/dpkg/status"),
        Package("jinja2", "2.10", "pypi", "pkg:pypi/jinja2@2.10",
                path="/usr/lib/python3/dist-packages/Jinja2-2.10.dist-info/METADATA"),
    ]


def findings() -> list[Finding]:
    """A finding of every category, with the fields each category typically fills."""
    out = [
        Finding("CVE-2023-0286", Category.VULNERABILITY, Severity.HIGH,
                "openssl 3.0.11: X.400 address type confusion",
                description="A type confusion vulnerability relating to X.400 addresses.",
                remediation="Upgrade openssl to 3.0.13-1~deb12u1 or later.",
                location=Location(path="/var/lib/dpkg/status", layer=LAYER),
                package=PackageRef("openssl", "3.0.11-1~deb12u1", "3.0.13-1~deb12u1", "deb",
                                   OPENSSL_PURL),
                references=["https://security-tracker.debian.org/tracker/CVE-2023-0286"],
                extra={"status": "fixed", "aliases": ["DSA-5343-1"]}),
        Finding("CVE-2023-45853", Category.VULNERABILITY, Severity.CRITICAL,
                "zlib1g: MiniZip integer overflow",
                location=Location(path="/var/lib/dpkg/status", layer=LAYER),
                package=PackageRef("zlib1g", "1:1.2.13.dfsg-1", None, "deb", ZLIB_PURL),
                references=["https://nvd.nist.gov/vuln/detail/CVE-2023-45853"],
                extra={"status": "will_not_fix", "aliases": ["GHSA-zzzz-0000-1111"]}),
        Finding("SW-SEC-AWS-001", Category.SECRET, Severity.CRITICAL, "AWS access key ID",
                remediation="Rotate the key and remove it from the image.",
                location=Location(path="/root/.aws/credentials", line=2, layer=LAYER),
                evidence="AKIA************MBVZ"),
        Finding("SW-MAL-EICAR", Category.MALWARE, Severity.CRITICAL, "EICAR test file",
                location=Location(path="/tmp/eicar.com", layer=LAYER),
                tags={"attack": ["T1204"]}),
        Finding("SW-BD-LDPRELOAD", Category.BACKDOOR, Severity.HIGH,
                "ld.so.preload injects a library into every process",
                location=Location(path="/etc/ld.so.preload", line=1, layer=LAYER),
                tags={"attack": ["T1574.006"]}),
        Finding("SW-WEAKPASS-001", Category.WEAKPASS, Severity.HIGH,
                "Account root has a weak password",
                location=Location(path="/etc/shadow", line=1, layer=LAYER), evidence="pa****"),
        Finding("SW-PRIV-SUID-001", Category.PRIVESC, Severity.MEDIUM,
                "setuid binary that can spawn a shell",
                location=Location(path="/usr/bin/find", layer=LAYER)),
        Finding("SW-K8S-012", Category.MISCONFIG, Severity.MEDIUM, HOSTILE_TITLE,
                description="Containers should not run as root | really.",
                location=Location(path="deploy/app.yaml", line=14,
                                  resource="Deployment/prod/web", container="web"),
                references=["CIS 5.2.6", "https://kubernetes.io/docs/concepts/security/"],
                tags={"cis": ["5.2.6"]}),
        Finding("SW-RT-001", Category.RUNTIME, Severity.LOW, "Container runs privileged",
                location=Location(container="web-1")),
        Finding("SW-ESC-003", Category.ESCAPE, Severity.CRITICAL,
                "Docker socket mounted into the container",
                location=Location(path="/var/run/docker.sock", container="web-1")),
        Finding("SW-AUDIT-007", Category.AUDIT, Severity.INFO, "exec into a pod",
                location=Location(resource="Pod/prod/web-1")),
        Finding("SW-HOST-2.1", Category.HOST, Severity.LOW,
                "Docker daemon without user namespace remapping",
                location=Location(path="/etc/docker/daemon.json")),
    ]
    return out


def sample_report(ref: str = "docker-archive:/images/app.tar") -> Report:
    """The whole thing: an image report with packages, all categories and an error."""
    return Report(
        target=TargetInfo("image", ref, IMAGE_DIGEST, OSInfo("debian", "12", codename="bookworm")),
        packages=packages(),
        findings=findings(),
        errors=[ErrorEntry("plugin:slow", "timed out after 30s")],
        stats=Stats(2.5, 1200, 4_000_000),
    )
