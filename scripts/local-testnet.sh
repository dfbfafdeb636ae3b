#!/usr/bin/env bash
# A four-validator local network (Alice, Bob, Charlie, Dave; `--chain local`) on 127.0.0.1.
#
#   scripts/local-testnet.sh start   # builds if needed, starts the four nodes in the background
#   scripts/local-testnet.sh status  # best / finalized block of each node
#   scripts/local-testnet.sh stop    # stops them (their data stays until `clean`)
#   scripts/local-testnet.sh clean   # stops them and removes their data
#
# Node i (0..3) listens on p2p port 30333+i and RPC port 9944+i; data and logs live under
# $CESS_TESTNET_DIR (default /tmp/cess-testnet). Alice is the bootnode (fixed node key).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="${CESS_TESTNET_DIR:-/tmp/cess-testnet}"
NAMES=(alice bob charlie dave)
ALICE_KEY=0000000000000000000000000000000000000000000000000000000000000001

rpc() { # port method
	curl -s -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":[]}" "http://127.0.0.1:$1"
}

start() {
	[ -x "$CESS_NODE_BIN" ] || (cd "$CESS_ROOT" && cargo build --release --locked --workspace)
	mkdir -p "$DIR"
	local alice_peer
	alice_peer="$(echo -n "$ALICE_KEY" >"$DIR/alice.key" && "$CESS_NODE_BIN" key inspect-node-key --file "$DIR/alice.key")"
	for i in "${!NAMES[@]}"; do
		local name="${NAMES[$i]}" extra=()
		if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
			log "$name already running (pid $(cat "$DIR/$name.pid"))"; continue
		fi
		if [ "$name" = alice ]; then
			extra=(--node-key-file "$DIR/alice.key")
		else
			# Validators of a non-dev chain need a network key; generate it once.
			[ -f "$DIR/$name/chains/cess_local/network/secret_ed25519" ] ||
				"$CESS_NODE_BIN" key generate-node-key --chain local --base-path "$DIR/$name" 2>/dev/null
			extra=(--bootnodes "/ip4/127.0.0.1/tcp/30333/p2p/$alice_peer")
		fi
		"$CESS_NODE_BIN" --chain local "--$name" --base-path "$DIR/$name" \
			--port $((30333 + i)) --rpc-port $((9944 + i)) --rpc-cors all \
			--prometheus-port $((9615 + i)) --no-mdns "${extra[@]}" \
			>"$DIR/$name.log" 2>&1 &
		echo $! >"$DIR/$name.pid"
		log "$name: pid $!, rpc ws://127.0.0.1:$((9944 + i)), log $DIR/$name.log"
	done
}

status() {
	for i in "${!NAMES[@]}"; do
		local best fin
		best="$(rpc $((9944 + i)) chain_getHeader | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p')"
		fin="$(rpc $((9944 + i)) chain_getFinalizedHead | sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p')"
		if [ -n "$best" ]; then
			printf '%-8s best #%d  finalized %s\n' "${NAMES[$i]}" "$best" "${fin:0:18}…"
		else
			printf '%-8s not answering\n' "${NAMES[$i]}"
		fi
	done
}

stop() {
	for name in "${NAMES[@]}"; do
		if [ -f "$DIR/$name.pid" ]; then
			kill "$(cat "$DIR/$name.pid")" 2>/dev/null && log "stopped $name" || true
			rm -f "$DIR/$name.pid"
		fi
	done
}

case "${1:-}" in
start) start ;;
status) status ;;
stop) stop ;;
clean) stop; rm -rf "$DIR"; log "removed $DIR" ;;
*) echo "usage: $0 start|status|stop|clean" >&2; exit 2 ;;
esac
