#!/usr/bin/env bash
# tests/install-deps.sh [PACKAGE...]: install everything floatd needs to build, test and
# demo on Debian 12 (run as root), or only the packages given (packaging/build-deb.sh asks
# for its build dependencies this way). Idempotent: when every package is already
# installed it returns immediately.
set -euo pipefail

PACKAGES=(
  cmake make g++ pkg-config
  libnl-3-dev libnl-route-3-dev libev-dev libtoml11-dev libspdlog-dev libfmt-dev
  libsystemd-dev doctest-dev nlohmann-json3-dev
  libcurl4-openssl-dev   # the built-in http check (libcurl's multi API on the libev loop)
  iproute2 iputils-ping nftables tcpdump keepalived python3-scapy
  systemd   # journald and journalctl for the journal scenario
  clang libclang-rt-14-dev
  procps   # pgrep/pkill used by the demo and the e2e harness (absent from minimal images)
  bash-completion   # package_install completes floatctl and floatd as an interactive shell does
)
(($# == 0)) || PACKAGES=("$@")

# One dpkg-query for all packages; unknown ones print nothing and count as missing.
declare -A installed=()
while read -r name status; do
  [[ "$status" == ii* ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null || true)
missing=()
for p in "${PACKAGES[@]}"; do
  [[ -n "${installed[$p]:-}" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

if ((EUID != 0)); then
  echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q "${missing[@]}"
echo "install-deps: done"
