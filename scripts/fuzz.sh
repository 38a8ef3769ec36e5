#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] [TARGET...] — runs the cargo-fuzz targets in fuzz/.
#
# Each target runs for SECONDS (default 60) of libFuzzer time, starting from
# its committed seeds (fuzz/seeds/<target>/) plus the local corpus
# (fuzz/corpus/<target>/, gitignored, grows across runs). Crashes land in
# fuzz/artifacts/<target>/ (gitignored); reproduce one with
#   cargo fuzz run -s none <target> fuzz/artifacts/<target>/<file>
# (run from the repository root).
#
# Stable toolchain: `-s none` turns off the sanitizer (AddressSanitizer needs
# nightly's -Zsanitizer). What remains is stable: checked with cargo-fuzz
# 0.13.2 and rustc 1.95 (`cargo fuzz build -s none -v` passes only -C flags:
# -Cpasses=sancov-module, -Cllvm-args=-sanitizer-coverage-*, --cfg fuzzing),
# so no RUSTC_BOOTSTRAP is needed. Should a later cargo-fuzz add -Z flags,
# run with RUSTC_BOOTSTRAP=1 in the environment. Safe Rust needs no
# sanitizer to find what we look for: panics, overflows (--debug-assertions)
# and unbounded allocation (-rss_limit_mb, -malloc_limit_mb).
#
# libFuzzer runs with fuzz/ as its working directory, so paths given to it
# are absolute.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECONDS_PER_TARGET="${1:-60}"
shift || true
case "$SECONDS_PER_TARGET" in
    '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz (cargo install --locked)"
    cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(cargo fuzz list)
fi

for target in "${TARGETS[@]}"; do
    corpus="$ROOT/fuzz/corpus/$target"
    seeds="$ROOT/fuzz/seeds/$target"
    mkdir -p "$corpus"
    dirs=("$corpus")
    [ -d "$seeds" ] && dirs+=("$seeds")
    echo "==> fuzzing $target for ${SECONDS_PER_TARGET}s (corpus: ${dirs[*]})"
    t0=$(date +%s)
    cargo fuzz run -s none --debug-assertions "$target" "${dirs[@]}" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -malloc_limit_mb=512 \
        -max_len=65536 -print_final_stats=1
    echo "<== $target: no crash in $(( $(date +%s) - t0 ))s"
done
