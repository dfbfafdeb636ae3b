#!/usr/bin/env bash
# Measures the weights of CESS's own pallets and writes them to pallets/<name>/src/weights.rs.
#
#   scripts/benchmark/run.sh                 # every pallet of ours
#   scripts/benchmark/run.sh sminer audit    # some of them
#   scripts/benchmark/run.sh frame           # the upstream FRAME pallets the runtime uses
#   scripts/benchmark/run.sh pallet_treasury # one of those
#   STEPS=50 REPEAT=20 scripts/benchmark/run.sh   # the defaults (file-bank: 25 and 8)
#
# Ours go to pallets/<name>/src/weights.rs through weight-template.hbs; upstream pallets to
# runtime/src/weights/<pallet>.rs through the CLI's own template (a `WeightInfo<T>` struct that
# implements the pallet's trait), so that the runtime charges what they cost here rather than
# on polkadot-sdk's reference machine.
#
# Builds cess-node with the `runtime-benchmarks` feature first (a separate, slow build: the
# default build and CI leave the feature off). Run it on a quiet machine: the figures are the
# machine's, and are written into the files' headers.
set -euo pipefail

cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cess/target}"
# Unset STEPS/REPEAT mean 50/20, except for file-bank (25/8): its declaration benchmark registers
# two fresh miners per fragment (up to 3 072 at 128 segments), about 2 ms each, before every run.
USER_STEPS="${STEPS:-}"
USER_REPEAT="${REPEAT:-}"
OURS=(sminer r2s incentive file-bank audit)
# pallet_referenda is left out: its benchmarks expect a referendum to stay in its preparing
# phase, which the development preset's scaled-down tracks do not give.
FRAME=(frame_system pallet_balances pallet_timestamp pallet_sudo pallet_treasury pallet_preimage
	pallet_scheduler pallet_conviction_voting)
PALLETS=()
for arg in "${@:-${OURS[@]}}"; do
	case "$arg" in
		frame) PALLETS+=("${FRAME[@]}") ;;
		*) PALLETS+=("$arg") ;;
	esac
done

if [ -z "${SKIP_BUILD:-}" ]; then
	cargo build --locked --release -p cess-node --features runtime-benchmarks
fi
# NODE and WASM may name copies of a benchmark build (a later default build overwrites both).
NODE="${NODE:-$CARGO_TARGET_DIR/release/cess-node}"
# The runtime is benchmarked from its WASM blob and its own `development` genesis preset (the
# CLI's `--chain` path is deprecated); the blob is the one the build above embedded.
WASM="${WASM:-$CARGO_TARGET_DIR/release/wbuild/cess-runtime/cess_runtime.compact.compressed.wasm}"
[ -f "$WASM" ] || { echo "error: no runtime blob at $WASM" >&2; exit 1; }
"$NODE" benchmark pallet --help >/dev/null 2>&1 || {
	echo "error: $NODE was not built with --features runtime-benchmarks" >&2
	exit 1
}

mkdir -p runtime/src/weights
for name in "${PALLETS[@]}"; do
	if [[ " ${FRAME[*]} " == *" $name "* ]]; then
		pallet="$name"
		output="runtime/src/weights/$name.rs"
		template=()
	else
		dir="pallets/$name"
		[ -d "$dir" ] || { echo "error: no pallet at $dir and not one of: ${FRAME[*]}" >&2; exit 1; }
		pallet="pallet_${name//-/_}"
		output="$dir/src/weights.rs"
		template=(--template scripts/benchmark/weight-template.hbs)
	fi
	if [ "$name" = file-bank ]; then STEPS="${USER_STEPS:-25}" REPEAT="${USER_REPEAT:-8}"
	else STEPS="${USER_STEPS:-50}" REPEAT="${USER_REPEAT:-20}"; fi
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
		"${template[@]}" \
		--output "$output"
	echo "    $pallet: $(($(date +%s) - started)) s"
done
