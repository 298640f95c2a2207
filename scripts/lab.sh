#!/usr/bin/env bash
# The seawall test lab: dockerd, two registries, a standalone containerd, podman's API
# socket and the fixture images exported to every transport. See scripts/lab/__main__.py.
#   scripts/lab.sh up | down | status | env
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# System python on purpose: the lab needs only the standard library and must run before
# (and independently of) the project's virtualenv.
py="$(command -v python3.11 || command -v python3)"
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" exec "$py" -m lab "$@"
