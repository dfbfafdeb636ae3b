#!/usr/bin/env bash
# Builds the workspace as `scripts/dev.sh` does, then compiles every test, and fails when the
# test build recompiled a dependency that the node build had already compiled.
#
# Why: cargo resolves features once per build, and dev-dependencies join the resolution only when
# tests are built. A test-only dependency that turns on one more feature of a shared crate (tokio's
# `process`, zerocopy's `derive`, …) gives that crate — and every crate above it — a second copy
# in the target directory, and a newcomer pays for the big build twice (measured before the fix:
# 251 dependencies, about 13 minutes, rebuilt after `scripts/dev.sh`). The cure is to turn the
# same feature on in a normal dependency (see the feature-unification lines in node/Cargo.toml);
# this check keeps it that way.
#
# What the test build may compile: the workspace's own crates (test harnesses) and crates that
# only tests use (criterion, proptest, …). It prints how many of each.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CESS_ROOT"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# `package_id` and `fresh` of every compiled artifact, one `id fresh` pair a line.
artifacts() {
	grep '"reason":"compiler-artifact"' \
		| sed -E 's/.*"package_id":"([^"]+)".*"fresh":(true|false).*/\1 \2/'
}

log "cargo build --workspace --release (as scripts/dev.sh)"
cargo build --locked --workspace --release --message-format=json-render-diagnostics >"$tmp/build.json"
artifacts <"$tmp/build.json" | cut -d' ' -f1 | sort -u >"$tmp/node-build.txt"

log "cargo test --workspace --release --no-run (every test harness)"
start=$(date +%s)
cargo test --locked --workspace --release --no-run --message-format=json-render-diagnostics >"$tmp/test.json"
secs=$(($(date +%s) - start))
artifacts <"$tmp/test.json" | awk '$2 == "false" { print $1 }' | sort -u >"$tmp/compiled.txt"

grep '^path+' "$tmp/compiled.txt" >"$tmp/workspace.txt" || true
grep -v '^path+' "$tmp/compiled.txt" >"$tmp/deps.txt" || true
comm -12 "$tmp/deps.txt" "$tmp/node-build.txt" >"$tmp/rebuilt.txt"
comm -23 "$tmp/deps.txt" "$tmp/node-build.txt" >"$tmp/test-only.txt"

log "test build: ${secs} s; compiled $(wc -l <"$tmp/workspace.txt") workspace crates, $(wc -l <"$tmp/test-only.txt") test-only dependencies, $(wc -l <"$tmp/rebuilt.txt") dependencies of the node build again"
if [ -s "$tmp/rebuilt.txt" ]; then
	sed -E 's/.*#//' "$tmp/rebuilt.txt" >&2
	die "the test build recompiled the dependencies above with other features than the node build: find the test-only dependency that turns a feature on (cargo tree -e features -i <crate>) and turn the same feature on in a normal dependency (node/Cargo.toml)"
fi
