#!/usr/bin/env bash
# Measures the weights of CESS's own pallets and writes them to pallets/<name>/src/weights.rs.
#
#   scripts/benchmark/run.sh                 # every pallet
#   scripts/benchmark/run.sh sminer audit    # some of them
#   STEPS=50 REPEAT=20 scripts/benchmark/run.sh
#
# Builds cess-node with the `runtime-benchmarks` feature first (a separate, slow build: the
# default build and CI leave the feature off). Run it on a quiet machine: the figures are the
# machine's, and are written into the files' headers.
set -euo pipefail

cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cess/target}"
STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
PALLETS=("$@")
[ ${#PALLETS[@]} -gt 0 ] || PALLETS=(sminer r2s incentive file-bank audit)

if [ -z "${SKIP_BUILD:-}" ]; then
	cargo build --locked --release -p cess-node --features runtime-benchmarks
fi
NODE="$CARGO_TARGET_DIR/release/cess-node"
# The runtime is benchmarked from its WASM blob and its own `development` genesis preset (the
# CLI's `--chain` path is deprecated); the blob is the one the build above embedded.
WASM="$CARGO_TARGET_DIR/release/wbuild/cess-runtime/cess_runtime.compact.compressed.wasm"
[ -f "$WASM" ] || { echo "error: no runtime blob at $WASM" >&2; exit 1; }
"$NODE" benchmark pallet --help >/dev/null 2>&1 || {
	echo "error: $NODE was not built with --features runtime-benchmarks" >&2
	exit 1
}

for name in "${PALLETS[@]}"; do
	dir="pallets/$name"
	[ -d "$dir" ] || { echo "error: no pallet at $dir" >&2; exit 1; }
	pallet="pallet_${name//-/_}"
	echo "==> $pallet (steps $STEPS, repeat $REPEAT)"
	started=$(date +%s)
	"$NODE" benchmark pallet \
		--runtime "$WASM" \
		--genesis-builder runtime \
		--genesis-builder-preset development \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps "$STEPS" \
		--repeat "$REPEAT" \
		--wasm-execution compiled \
		--heap-pages 4096 \
		--template scripts/benchmark/weight-template.hbs \
		--output "$dir/src/weights.rs"
	echo "    $pallet: $(($(date +%s) - started)) s"
done
