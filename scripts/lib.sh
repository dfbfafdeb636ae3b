# Shared environment of the project's scripts; source it, don't run it.
#
# - CARGO_TARGET_DIR defaults to ~/.cache/cess/target, outside the work tree, so that builds,
#   later checkouts and CI share compiled crates.
# - WASM_BUILD_TOOLCHAIN is set when the runtime must be built with the Debian toolchain
#   (see scripts/setup.sh); otherwise rustup's stable toolchain builds it.

CESS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CESS_ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cess/target}"
export PATH="$HOME/.cargo/bin:$PATH"
CESS_STATE_DIR="$HOME/.cache/cess"

# Set by setup.sh when it had to use the Debian recipe for the WASM std.
if [ -f "$CESS_STATE_DIR/wasm-toolchain" ] && [ -z "${WASM_BUILD_TOOLCHAIN:-}" ]; then
	WASM_BUILD_TOOLCHAIN="$(cat "$CESS_STATE_DIR/wasm-toolchain")"
	[ -n "$WASM_BUILD_TOOLCHAIN" ] && export WASM_BUILD_TOOLCHAIN
fi

CESS_NODE_BIN="$CARGO_TARGET_DIR/release/cess-node"
export CESS_NODE_BIN

log() { printf '\033[1;34m[cess]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[cess] error:\033[0m %s\n' "$*" >&2; exit 1; }
