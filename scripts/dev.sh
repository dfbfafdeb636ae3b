#!/usr/bin/env bash
# One command from a fresh clone to a running development chain:
# setup (system packages, Rust, WASM target) → release build → `cess-node --dev`.
# Extra arguments go to cess-node, e.g. `scripts/dev.sh --rpc-external`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$CESS_ROOT/scripts/setup.sh"
log "building cess-node (release; the first build takes 30–45 minutes on 2 cores)"
(cd "$CESS_ROOT" && cargo build --release --locked --workspace)
log "starting a development chain: Alice validates alone, RPC on ws://127.0.0.1:9944"
exec "$CESS_NODE_BIN" --dev "$@"
