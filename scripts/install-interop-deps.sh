#!/usr/bin/env bash
# scripts/install-interop-deps.sh — installs the BGP daemons that the interop
# tests (crates/interop, package condor-interop) drive on loopback:
#
#   bird2    BIRD 2        (bird, birdc)
#   frr      FRRouting     (/usr/lib/frr/bgpd, vtysh)
#   gobgpd   GoBGP         (gobgpd, gobgp)
#   openbgpd OpenBGPD      (bgpd, bgpctl)
#   exabgp   ExaBGP        (exabgp, exabgpcli)
#
# Idempotent: installs only the packages whose binary is missing, runs
# `apt-get update` at most once, and never starts anything. Some packages
# start their system-wide daemon from their maintainer scripts where an init
# system runs; the tests never use those (each test daemon runs from its own
# temporary directory on its own loopback address and port), so this script
# stops only daemons it finds running from the packages' system-wide config
# and pid paths right after installing them. Prints the versions at the end.
#
# Environment:
#   CONDOR_TEST_NO_INSTALL=1  never install; exit 1 if something is missing.
set -euo pipefail

# "package:binary" — the package is installed when the binary is absent.
PACKAGES=(
    "bird2:/usr/sbin/bird"
    "frr:/usr/lib/frr/bgpd"
    "gobgpd:/usr/bin/gobgpd"
    "openbgpd:/usr/sbin/bgpd"
    "exabgp:/usr/sbin/exabgp"
    "iproute2:/usr/sbin/ip"
)

log() { printf '==> %s\n' "$*"; }
die() { printf 'install-interop-deps.sh: error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run: $*"
    fi
}

have() {
    # A path is checked as a file; a bare name on PATH.
    case "$1" in
        /*) [ -x "$1" ] ;;
        *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}

missing=()
for entry in "${PACKAGES[@]}"; do
    pkg="${entry%%:*}"
    bin="${entry#*:}"
    # Debian may place a binary in /usr/bin or /usr/sbin; accept either.
    if ! have "$bin" && ! have "$(basename "$bin")"; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    [ "${CONDOR_TEST_NO_INSTALL:-0}" != "1" ] ||
        die "missing Debian packages: ${missing[*]} (CONDOR_TEST_NO_INSTALL=1)"
    command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get"
    log "installing: ${missing[*]}"
    as_root apt-get update
    # policy-rc.d exit 101 = "do not start services from maintainer scripts";
    # removed afterwards only if this script created it.
    created_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
        as_root chmod 755 /usr/sbin/policy-rc.d
        created_policy=1
    fi
    rc=0
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y --no-install-recommends \
        "${missing[@]}" || rc=$?
    [ "$created_policy" -eq 0 ] || as_root rm -f /usr/sbin/policy-rc.d
    [ "$rc" -eq 0 ] || die "apt-get install failed (exit $rc)"
else
    log "all interop daemons already installed"
fi

# Versions, one line each (the first line of each tool's own answer).
version() {
    local name="$1"
    shift
    local out
    out="$("$@" 2>&1 | head -n 1 || true)"
    printf '  %-9s %s\n' "$name" "${out:-unknown}"
}
log "versions:"
version "bird" bird --version
version "frr" /usr/lib/frr/bgpd --version
version "gobgpd" gobgpd --version
version "openbgpd" sh -c 'dpkg-query -W -f="openbgpd \${Version}\n" openbgpd'
version "exabgp" exabgp --version
