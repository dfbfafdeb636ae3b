#!/usr/bin/env bash
# One command from a fresh clone to every test having run:
# setup → formatting (`cargo fmt --check`) → the node build of scripts/dev.sh and the test build
# on top of it (scripts/check-shared-build.sh) → `cargo test --workspace --release` (unit,
# pallet and runtime tests, and the node tests that start real cess-node processes on
# 127.0.0.1) → the pallets' benchmark test suites (`--features runtime-benchmarks`) → the
# polkadot.js tests against a dev node.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$CESS_ROOT/scripts/setup.sh"
bash "$CESS_ROOT/scripts/check-lockfile.sh"

# Formatting first: it takes a second and fails before the long build does.
log "cargo fmt --check"
(cd "$CESS_ROOT" && cargo fmt --all --check) || die "unformatted code: run \`cargo fmt --all\` and commit the result"

# The node build of scripts/dev.sh, then every test harness: fails if the tests rebuild a
# dependency of the node with other features (the newcomer would pay for the big build twice).
bash "$CESS_ROOT/scripts/check-shared-build.sh"

start=$(date +%s)
log "cargo test --workspace --release"
(cd "$CESS_ROOT" && cargo test --locked --workspace --release)
log "Rust tests passed in $(( $(date +%s) - start )) s"

# The pallets' benchmark test suites (`impl_benchmark_test_suite!`) only exist with the
# `runtime-benchmarks` feature: run every benchmark once in its mock runtime, so a benchmark
# whose setup or assertions break fails here rather than when weights are next generated.
start=$(date +%s)
log "benchmark test suites of the pallets (--features runtime-benchmarks)"
bench_pallets=(pallet-sminer pallet-r2s pallet-incentive pallet-file-bank pallet-audit)
bench_args=()
for p in "${bench_pallets[@]}"; do bench_args+=(-p "$p" --features "$p/runtime-benchmarks"); done
(cd "$CESS_ROOT" && cargo test --locked --release "${bench_args[@]}" -- benchmark)
log "benchmark test suites passed in $(( $(date +%s) - start )) s"

start=$(date +%s)
log "polkadot.js tests (tests/js)"
(cd "$CESS_ROOT/tests/js" && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || timeout 600 npm ci --no-audit --no-fund --loglevel=error; } && node --test --test-concurrency=1 ./*.test.mjs)
log "polkadot.js tests passed in $(( $(date +%s) - start )) s"
