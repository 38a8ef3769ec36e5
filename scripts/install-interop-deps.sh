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
# `apt-get update` at most once (only when something is missing), and prints
# the versions at the end. The packages' maintainer scripts would start the
# system-wide daemons (bird, frr, exabgp, openbgpd services); the tests never
# use those (each test daemon runs from its own temporary directory on its own
# loopback address and port), so the install runs with a policy-rc.d that
# denies service starts (Debian's documented switch), created only for the
# install when the machine has none.
#
# Environment:
#   CONDOR_TEST_NO_INSTALL=1  never install; exit 1 if something is missing.
set -euo pipefail

# Debian packages, each installed when dpkg does not list it as installed.
# iproute2 (`ip`) is not used by the harness itself; it is there for tests
# that build network namespaces.
PACKAGES=(bird2 frr gobgpd openbgpd exabgp iproute2)

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

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
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
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
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
version "bird" /usr/sbin/bird --version
version "frr" /usr/lib/frr/bgpd --version
version "gobgpd" /usr/bin/gobgpd --version
version "openbgpd" /usr/sbin/bgpd -V
version "exabgp" /usr/sbin/exabgp --version
