#!/usr/bin/env bash
# scripts/test.sh — the project's one test command (README, .ci/run).
#
# Installs what the tests need when it is missing, then runs, failing fast:
#   1. cargo fmt --check        (workspace and the fuzz crate)
#   2. cargo clippy -D warnings (workspace, all targets)
#   3. cargo check of fuzz/     (so the fuzz targets keep compiling)
#   4. doc tests                (cargo test --workspace --doc)
#   5. all other tests          (cargo nextest run --workspace)
#   6. a closing line: "summary: N passed, N failed, N skipped"
#
# Why nextest plus a separate doc-test run, not plain `cargo test`: nextest
# runs each test in its own process (a test that hangs or aborts is named, and
# its timeout is enforced), runs test binaries in parallel, and ends with ONE
# summary line for the whole workspace. `cargo test` ends with the result of
# whichever test binary ran last (often a crate with 0 doc tests), which says
# nothing about the run. nextest does not run doc tests, hence step 4.
#
# Idempotent and safe from any working directory. Environment:
#   CI=true                  set by CI; nothing changes, it is only echoed.
#   CONDOR_TEST_NO_INSTALL=1 never install anything; fail if a tool is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# ---------------------------------------------------------------------------
# What the tests need. Later issues append here, and only here.
#
# Debian packages, one entry per package: "package" or "package:binary".
# With a binary, the package is installed when that command is absent;
# without one, when dpkg says the package is not installed.
APT_PACKAGES=(
    # The interop daemons (BIRD 2, FRR, GoBGP, OpenBGPD, ExaBGP) are installed
    # by scripts/install-interop-deps.sh, called from ensure_tools.
    "bgpq4:bgpq4"                # IRR AS-SET expansion for the irr crate
    "stayrtr:stayrtr"            # RPKI-RTR cache for the rtr crate
    "python3-aiosmtpd"           # SMTP sink for the onboarding mail tests (crates/condor/tests/onboarding.rs)
    "chromium:chromium"          # looking-glass browser tests (headless)
    "chromium-driver:chromedriver"  # WebDriver for them
)
# Cargo tools: "crate:binary" (installed with `cargo install --locked`).
CARGO_TOOLS=(
    "cargo-nextest:cargo-nextest"
)
# rustup components.
RUSTUP_COMPONENTS=(rustfmt clippy)
# PyPI packages, installed into the venv target/arouteserver-venv (the
# BIRD-vs-Condor differential, crates/server/tests/e2e/ars_bird_diff.rs,
# runs arouteserver from there to generate BIRD's configuration).
PYPI_VENV="$ROOT/target/arouteserver-venv"
PYPI_PACKAGES=(
    "arouteserver:arouteserver"
)
# ---------------------------------------------------------------------------

log() { printf '==> %s\n' "$*"; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

TIMINGS=()
# step NAME CMD...: runs CMD, prints its wall time, stops the script on failure.
step() {
    local name="$1"
    shift
    log "$name: $*"
    local t0 rc
    t0="$(now)"
    # A subshell with errexit on: a failure anywhere inside the step (not
    # only in its last command) fails it. (`"$@" || rc=$?` would not do:
    # bash ignores errexit inside anything run on the left of `||`.)
    set +e
    (
        set -e
        "$@"
    )
    rc=$?
    set -e
    local took
    took="$(elapsed "$t0")"
    TIMINGS+=("$(printf '%8ss  %s' "$took" "$name")")
    if [ "$rc" -ne 0 ]; then
        printf '<== %s: FAILED (exit %d) after %ss\n' "$name" "$rc" "$took"
        exit "$rc"
    fi
    printf '<== %s: ok in %ss\n' "$name" "$took"
}

can_install() {
    [ "${CONDOR_TEST_NO_INSTALL:-0}" != "1" ]
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run: $*"
    fi
}

dpkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

ensure_apt_packages() {
    local missing=() entry pkg bin
    for entry in "${APT_PACKAGES[@]+"${APT_PACKAGES[@]}"}"; do
        pkg="${entry%%:*}"
        bin=""
        [ "$entry" != "$pkg" ] && bin="${entry#*:}"
        if [ -n "$bin" ]; then
            command -v "$bin" >/dev/null 2>&1 || missing+=("$pkg")
        else
            dpkg_installed "$pkg" || missing+=("$pkg")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    can_install || die "missing Debian packages: ${missing[*]} (CONDOR_TEST_NO_INSTALL=1)"
    command -v apt-get >/dev/null 2>&1 || die "missing Debian packages and no apt-get: ${missing[*]}"
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y --no-install-recommends "${missing[@]}"
}

ensure_rustup_components() {
    local c missing=()
    cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
    cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
    for c in "${RUSTUP_COMPONENTS[@]}"; do
        case "$c" in rustfmt | clippy) ;; *) missing+=("$c") ;; esac
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    can_install || die "missing rustup components: ${missing[*]}"
    command -v rustup >/dev/null 2>&1 || die "missing ${missing[*]} and no rustup to add them"
    log "adding rustup components: ${missing[*]}"
    rustup component add "${missing[@]}"
}

ensure_cargo_tools() {
    local entry crate bin
    for entry in "${CARGO_TOOLS[@]}"; do
        crate="${entry%%:*}"
        bin="${entry#*:}"
        command -v "$bin" >/dev/null 2>&1 && continue
        can_install || die "missing cargo tool $bin (crate $crate)"
        log "installing $crate (cargo install --locked)"
        cargo install --locked "$crate"
    done
}

ensure_pypi_packages() {
    local entry pkg bin missing=()
    for entry in "${PYPI_PACKAGES[@]}"; do
        pkg="${entry%%:*}"
        bin="${entry#*:}"
        [ -x "$PYPI_VENV/bin/$bin" ] || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    can_install || die "missing PyPI packages in $PYPI_VENV: ${missing[*]}"
    command -v python3 >/dev/null 2>&1 || die "missing PyPI packages and no python3: ${missing[*]}"
    log "installing PyPI packages into $PYPI_VENV: ${missing[*]}"
    [ -x "$PYPI_VENV/bin/pip" ] || python3 -m venv "$PYPI_VENV"
    "$PYPI_VENV/bin/pip" install --quiet "${missing[@]}"
}

ensure_tools() {
    command -v cargo >/dev/null 2>&1 || die "cargo is not on PATH (install Rust with rustup)"
    ensure_rustup_components
    ensure_cargo_tools
    ensure_apt_packages
    ensure_pypi_packages
    # The BGP daemons of the interop tests (BIRD 2, FRR, GoBGP, OpenBGPD,
    # ExaBGP): their own script also stops the system-wide daemons that the
    # packages may start.
    if can_install; then
        "$ROOT/scripts/install-interop-deps.sh"
    else
        CONDOR_TEST_NO_INSTALL=1 "$ROOT/scripts/install-interop-deps.sh"
    fi
}

fmt_check() {
    cargo fmt --all -- --check
    cargo fmt --manifest-path fuzz/Cargo.toml -- --check
}

LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT

doc_tests() {
    # tee keeps the output visible; pipefail keeps cargo's exit code.
    cargo test --workspace --doc 2>&1 | tee "$LOG_DIR/doc.log"
}

nextest() {
    cargo nextest run --workspace --no-fail-fast 2>&1 | tee "$LOG_DIR/nextest.log"
}

# Sums the doc-test results and nextest's summary into one closing line.
closing_line() {
    local doc_passed doc_failed doc_ignored nx nx_passed nx_failed nx_skipped
    read -r doc_passed doc_failed doc_ignored < <(
        awk '/^test result:/ {
                for (i = 1; i <= NF; i++) {
                    if ($(i+1) ~ /^passed/)  p += $i
                    if ($(i+1) ~ /^failed/)  f += $i
                    if ($(i+1) ~ /^ignored/) g += $i
                }
             } END { printf "%d %d %d\n", p, f, g }' "$LOG_DIR/doc.log"
    )
    nx="$(grep -E '^ +Summary \[' "$LOG_DIR/nextest.log" | tail -n 1 || true)"
    [ -n "$nx" ] || die "no nextest summary line found"
    nx_passed="$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$nx")"
    nx_failed="$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$nx")"
    nx_skipped="$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$nx")"
    printf '\nTimings:\n'
    printf '%s\n' "${TIMINGS[@]}"
    printf '%8ss  total\n' "$(elapsed "$T_START")"
    printf 'doc tests: %d passed, %d failed, %d ignored; nextest: %s\n' \
        "$doc_passed" "$doc_failed" "$doc_ignored" "${nx#"${nx%%[![:space:]]*}"}"
    printf 'summary: %d passed, %d failed, %d skipped\n' \
        "$((doc_passed + ${nx_passed:-0}))" "$((doc_failed + ${nx_failed:-0}))" \
        "$((doc_ignored + ${nx_skipped:-0}))"
}

T_START="$(now)"
log "condor tests in $ROOT${CI:+ (CI=$CI)}"
step "tools" ensure_tools
log "$(rustc --version); $(cargo --version); $(cargo nextest --version 2>/dev/null | head -n 1)"
step "fmt" fmt_check
step "clippy" cargo clippy --workspace --all-targets -- -D warnings
step "fuzz-check" cargo check --manifest-path fuzz/Cargo.toml --bins
step "doc-tests" doc_tests
step "tests" nextest
closing_line
