#!/usr/bin/env bash
# Put and get throughput of a file on the local network (scripts/local-testnet.sh: 4 validators,
# 4 storage miners on 127.0.0.1), and the time from its declaration to Active.
#
#   scripts/bench-storage.sh [SIZE_MIB]     # default 1024 (1 GiB)
#
# Starts the local network if it is not running (and stops it afterwards in that case; the same
# CESS_TESTNET_DIR and CESS_TESTNET_PORT_OFFSET as local-testnet.sh apply), waits
# for the four miners to be registered, puts a random file with Alice's account, gets it back,
# compares the bytes and prints the figures.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZE_MIB="${1:-1024}"
DIR="${CESS_TESTNET_DIR:-/tmp/cess-testnet}"
# The network's ports, as scripts/local-testnet.sh picks them (CESS_TESTNET_PORT_OFFSET).
OFFSET="${CESS_TESTNET_PORT_OFFSET:-$(cat "$DIR/port-offset" 2>/dev/null || echo 0)}"
RPC="ws://127.0.0.1:$((9944 + OFFSET))"
WORK="$(mktemp -d /tmp/cess-bench.XXXXXX)"
MINER_KEYS=(//Eve //Ferdie //Alice//stash //Bob//stash)
started_net=0

cleanup() {
	rm -rf "$WORK"
	if [ "$started_net" = 1 ]; then bash "$CESS_ROOT/scripts/local-testnet.sh" stop >/dev/null; fi
}
trap cleanup EXIT

[ -x "$CESS_NODE_BIN" ] || (cd "$CESS_ROOT" && cargo build --release --locked -p cess-node)
if ! "$CESS_NODE_BIN" file ls --owner 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY \
	--rpc-url "$RPC" >/dev/null 2>&1; then
	bash "$CESS_ROOT/scripts/local-testnet.sh" start
	started_net=1
fi

log "waiting for the four storage miners to register"
for suri in "${MINER_KEYS[@]}"; do
	address="$("$CESS_NODE_BIN" key inspect "$suri" | sed -n 's/.*SS58 Address: *//p')"
	for _ in $(seq 1 120); do
		"$CESS_NODE_BIN" file miner "$address" --rpc-url "$RPC" >/dev/null 2>&1 && break
		sleep 2
	done
	"$CESS_NODE_BIN" file miner "$address" --rpc-url "$RPC" >/dev/null
done

log "writing a ${SIZE_MIB} MiB random file"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >"$WORK/data.bin"

log "put"
put_start=$(date +%s.%N)
"$CESS_NODE_BIN" file put "$WORK/data.bin" --suri //Alice --rpc-url "$RPC" \
	--key-dir "$WORK/keys" --timeout 1200 | tee "$WORK/put.out"
put_end=$(date +%s.%N)
file="$(sed -n 's/^file: //p' "$WORK/put.out")"

log "get"
get_start=$(date +%s.%N)
"$CESS_NODE_BIN" file get "$file" -o "$WORK/back.bin" --suri //Alice --rpc-url "$RPC" \
	--key-dir "$WORK/keys"
get_end=$(date +%s.%N)
cmp "$WORK/data.bin" "$WORK/back.bin"

"$CESS_NODE_BIN" file delete "$file" --suri //Alice --rpc-url "$RPC" --key-dir "$WORK/keys" >/dev/null
awk -v size="$SIZE_MIB" -v ps="$put_start" -v pe="$put_end" -v gs="$get_start" -v ge="$get_end" 'BEGIN {
	printf "put %d MiB: %.1f s end to end (%.1f MiB/s, encoding, declaration and confirmations included)\n", size, pe - ps, size / (pe - ps)
	printf "get %d MiB: %.1f s (%.1f MiB/s), byte-identical\n", size, ge - gs, size / (ge - gs)
}'
