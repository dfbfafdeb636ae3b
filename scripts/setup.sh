#!/usr/bin/env bash
# Installs everything the build needs on a Debian or Ubuntu machine:
#   - system packages: C/C++ toolchain, clang/libclang (bindgen for RocksDB), protobuf-compiler,
#     pkg-config, git, curl, Node.js + npm (polkadot.js tests);
#   - Rust through rustup (stable) when cargo is missing;
#   - the `wasm32v1-none` target the runtime is compiled to: `rustup target add` + rust-src
#     where rustup can download, otherwise Debian's rustc-web 1.96 with its library sources,
#     from which core/alloc are built for wasm32v1-none (see ../shared/DESIGN.md §3).
#
# Idempotent: when everything is there it only checks, in a second or two. Every network step
# has a timeout, so it never hangs for minutes; what cannot be installed is said plainly.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || die "not root and no sudo: run this script as root"
	SUDO="sudo"
fi

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

APT_UPDATED=0
apt_install() {
	local missing=()
	for p in "$@"; do have_pkg "$p" || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand (Debian/Ubuntu expected)"
	log "installing system packages: ${missing[*]}"
	if [ "$APT_UPDATED" -eq 0 ]; then
		timeout 300 $SUDO apt-get update -qq || log "apt-get update failed; trying the cached package lists"
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive timeout 900 $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
		|| die "could not install: ${missing[*]} (see apt-get output above)"
}

# 1. System packages.
apt_install build-essential clang libclang-dev protobuf-compiler pkg-config git curl ca-certificates
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	apt_install nodejs npm
fi
node_major="$(node -e 'console.log(process.versions.node.split(".")[0])' 2>/dev/null || echo 0)"
[ "$node_major" -ge 18 ] || log "warning: Node.js >= 18 is needed for the polkadot.js tests (found $(node --version 2>/dev/null || echo none))"

# 2. Rust (native toolchain).
if ! command -v cargo >/dev/null; then
	log "installing Rust (rustup, stable)"
	timeout 300 curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs -o /tmp/rustup-init.sh \
		|| die "cannot download rustup from https://sh.rustup.rs; install Rust >= 1.85 by hand"
	timeout 600 sh /tmp/rustup-init.sh -y --profile minimal --default-toolchain stable >/dev/null \
		|| die "rustup-init failed"
	export PATH="$HOME/.cargo/bin:$PATH"
fi

# rustfmt: `scripts/test.sh` refuses unformatted code (`cargo fmt --check`). The minimal
# rustup profile leaves it out.
if ! cargo fmt --version >/dev/null 2>&1; then
	if command -v rustup >/dev/null && timeout 180 rustup component add rustfmt >/dev/null 2>&1; then
		log "installed rustfmt with rustup"
	else
		log "warning: rustfmt is missing and rustup could not add it; scripts/test.sh needs it"
	fi
fi

# 3. WASM target for the runtime.
wasm_std_ok() { # $1: sysroot
	ls "$1"/lib/rustlib/wasm32v1-none/lib/libcore-*.rlib >/dev/null 2>&1
}
native_sysroot="$(rustc --print sysroot)"
if wasm_std_ok "$native_sysroot"; then
	rm -f "$CESS_STATE_DIR/wasm-toolchain"
elif command -v rustup >/dev/null && timeout 180 rustup target add wasm32v1-none >/dev/null 2>&1; then
	timeout 180 rustup component add rust-src >/dev/null 2>&1 || log "rust-src not installed (not needed for wasm32v1-none)"
	rm -f "$CESS_STATE_DIR/wasm-toolchain"
	log "installed the wasm32v1-none target with rustup"
elif wasm_std_ok /usr && rustup toolchain list 2>/dev/null | grep -q '^debian-web'; then
	mkdir -p "$CESS_STATE_DIR" && echo debian-web >"$CESS_STATE_DIR/wasm-toolchain"
else
	log "rustup cannot download wasm32v1-none: using Debian's rustc-web and building core/alloc for it"
	apt_install rustc-web cargo-web rust-web-src lld-22
	[ -x /usr/bin/rust-lld ] || $SUDO ln -sf "$(command -v ld.lld-22 || echo /usr/lib/llvm-22/bin/ld.lld)" /usr/bin/rust-lld
	work="$(mktemp -d)"
	mkdir -p "$work/src"
	printf '[package]\nname = "wasm-std"\nversion = "0.0.0"\nedition = "2021"\n[profile.release]\npanic = "abort"\n' >"$work/Cargo.toml"
	echo '#![no_std]' >"$work/src/lib.rs"
	(cd "$work" && RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C embed-bitcode=yes" \
		CARGO_TARGET_DIR="$work/target" timeout 900 /usr/bin/cargo build --offline -q --release \
		--target wasm32v1-none -Zbuild-std=core,alloc) || die "building core/alloc for wasm32v1-none failed"
	$SUDO mkdir -p /usr/lib/rustlib/wasm32v1-none/lib
	$SUDO cp "$work"/target/wasm32v1-none/release/deps/lib{core,alloc,compiler_builtins}-*.rlib /usr/lib/rustlib/wasm32v1-none/lib/
	rm -rf "$work"
	rustup toolchain link debian-web /usr
	mkdir -p "$CESS_STATE_DIR" && echo debian-web >"$CESS_STATE_DIR/wasm-toolchain"
	log "wasm32v1-none std installed under /usr/lib/rustlib; the runtime builds with WASM_BUILD_TOOLCHAIN=debian-web"
fi

log "setup complete: $(rustc --version), node $(node --version 2>/dev/null || echo missing), protoc $(protoc --version | cut -d' ' -f2)"
