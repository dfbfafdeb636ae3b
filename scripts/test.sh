#!/usr/bin/env bash
# One command from a fresh clone to every test having run:
# setup → `cargo test --workspace --release` (unit, pallet and runtime tests, and the node tests
# that start real cess-node processes on 127.0.0.1) → the polkadot.js tests against a dev node.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$CESS_ROOT/scripts/setup.sh"
bash "$CESS_ROOT/scripts/check-lockfile.sh"

start=$(date +%s)
log "cargo test --workspace --release"
(cd "$CESS_ROOT" && cargo test --locked --workspace --release)
log "Rust tests passed in $(( $(date +%s) - start )) s"

start=$(date +%s)
log "polkadot.js tests (tests/js)"
(cd "$CESS_ROOT/tests/js" && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || timeout 600 npm ci --no-audit --no-fund --loglevel=error; } && node --test --test-concurrency=1 ./*.test.mjs)
log "polkadot.js tests passed in $(( $(date +%s) - start )) s"
