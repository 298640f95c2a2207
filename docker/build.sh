#!/usr/bin/env bash
# Build seawall's container image from wheels made on this machine (the build itself
# needs no PyPI, so it also works in the offline lab).
#
#   docker/build.sh                                    BASE=debian:bookworm-slim, seawall:latest
#   BASE=seawall-lab/bookworm:base TAG=seawall:lab docker/build.sh     the lab image
#
# The dependency wheels are cached under $SEAWALL_WHEEL_CACHE (default
# ~/.cache/seawall/image-wheels), keyed by the hash of pyproject.toml: they are built
# once per dependency change; only the small seawall wheel is rebuilt every time.
# The host's Python must match the image's (Debian bookworm: CPython 3.11, same arch).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${BASE:-debian:bookworm-slim}"
tag="${TAG:-seawall:latest}"
python="${PYTHON:-python3}"
cache="${SEAWALL_WHEEL_CACHE:-$HOME/.cache/seawall/image-wheels}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# Build from a copy: setuptools leaves build/ and *.egg-info behind in the tree it builds.
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
source_copy="$context/source"
mkdir -p "$source_copy"
cp -r "$repo/pyproject.toml" "$repo/README.md" "$repo/src" "$source_copy/"
find "$source_copy" \( -name '__pycache__' -o -name '*.egg-info' \) -prune -exec rm -rf {} +

key="$(cat "$repo/pyproject.toml" <("$python" -c 'import sys; print(sys.version_info[:2])') \
       | sha256sum | cut -c1-16)"
deps="$cache/deps-$key"
if [[ ! -f "$deps/.complete" ]]; then
  echo "building dependency wheels into $deps" >&2
  rm -rf "$deps" && mkdir -p "$deps"
  "$python" -m pip wheel --quiet --wheel-dir "$deps" "$source_copy"
  rm -f "$deps"/seawall-*.whl
  touch "$deps/.complete"
fi

mkdir -p "$context/wheels/deps" "$context/wheels/seawall"
cp "$repo/docker/Dockerfile" "$context/Dockerfile"
cp -l "$deps"/*.whl "$context/wheels/deps/" 2>/dev/null || cp "$deps"/*.whl "$context/wheels/deps/"
"$python" -m pip wheel --quiet --no-deps --no-build-isolation \
  --wheel-dir "$context/wheels/seawall" "$source_copy" 2>/dev/null \
  || "$python" -m pip wheel --quiet --no-deps --wheel-dir "$context/wheels/seawall" "$source_copy"
rm -rf "$source_copy"

# The classic builder: BuildKit is not always installed, and --network host lets
# apt-get reach the lab's (or any local) Debian mirror.
DOCKER_BUILDKIT=0 docker build --quiet --network host --build-arg "BASE=$base" \
  --tag "$tag" "$context" >&2
echo "$tag"
