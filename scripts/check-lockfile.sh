#!/usr/bin/env bash
# Fails when Cargo.lock holds two versions of a polkadot-sdk crate (sp-*, sc-*, frame-*,
# pallet-*, substrate-*) or of libp2p: mixing release lines compiles but breaks at runtime.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dups="$(awk '/^\[\[package\]\]/{n=""} /^name = /{gsub(/"/,"",$3); n=$3} /^version = /{if (n!="") print n}' Cargo.lock \
	| grep -E '^(sp-|sc-|frame-|pallet-|substrate-|libp2p$|cess-)' | sort | uniq -d)"
if [ -n "$dups" ]; then
	echo "Cargo.lock has more than one version of:" >&2
	echo "$dups" >&2
	exit 1
fi
echo "Cargo.lock: one version of every polkadot-sdk crate and of libp2p"
