#!/usr/bin/env bash
# A local network on 127.0.0.1 (`--chain local`): four validators (Alice, Bob, Charlie, Dave)
# and four storage miners (accounts Eve, Ferdie, Alice//stash, Bob//stash), each in its own
# directory.
#
#   scripts/local-testnet.sh start   # builds if needed, starts the eight nodes in the background
#   scripts/local-testnet.sh status  # best / finalized block of each node
#   scripts/local-testnet.sh stop    # stops them (their data stays until `clean`)
#   scripts/local-testnet.sh clean   # stops them and removes their data
#
# Validator i (0..3) listens on p2p port 30333+i, RPC port 9944+i; miner i on p2p port 30343+i,
# RPC port 9954+i and storage-network port 15001+i. Data and logs live under $CESS_TESTNET_DIR
# (default /tmp/cess-testnet). Alice is the bootnode (fixed node key). Files go in with e.g.
#   cess-node file put ./photo.jpg --suri //Alice --rpc-url ws://127.0.0.1:9944
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="${CESS_TESTNET_DIR:-/tmp/cess-testnet}"
NAMES=(alice bob charlie dave)
MINERS=(miner-eve miner-ferdie miner-alice-stash miner-bob-stash)
MINER_KEYS=(//Eve //Ferdie //Alice//stash //Bob//stash)
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
	for i in "${!MINERS[@]}"; do
		local name="${MINERS[$i]}"
		if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
			log "$name already running (pid $(cat "$DIR/$name.pid"))"; continue
		fi
		[ -f "$DIR/$name/chains/cess_local/network/secret_ed25519" ] ||
			"$CESS_NODE_BIN" key generate-node-key --chain local --base-path "$DIR/$name" 2>/dev/null
		"$CESS_NODE_BIN" --chain local --base-path "$DIR/$name" \
			--port $((30343 + i)) --rpc-port $((9954 + i)) --rpc-cors all \
			--prometheus-port $((9625 + i)) --no-mdns \
			--bootnodes "/ip4/127.0.0.1/tcp/30333/p2p/$alice_peer" \
			--storage-miner --miner-key "${MINER_KEYS[$i]}" \
			--miner-listen-addr "/ip4/127.0.0.1/tcp/$((15001 + i))" \
			>"$DIR/$name.log" 2>&1 &
		echo $! >"$DIR/$name.pid"
		log "$name: pid $!, rpc ws://127.0.0.1:$((9954 + i)), storage network port $((15001 + i)), log $DIR/$name.log"
	done
}

status() {
	local all=("${NAMES[@]}" "${MINERS[@]}") ports=(9944 9945 9946 9947 9954 9955 9956 9957)
	for i in "${!all[@]}"; do
		local best fin
		best="$(rpc "${ports[$i]}" chain_getHeader | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p')"
		fin="$(rpc "${ports[$i]}" chain_getFinalizedHead | sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p')"
		if [ -n "$best" ]; then
			printf '%-18s best #%d  finalized %s\n' "${all[$i]}" "$best" "${fin:0:18}…"
		else
			printf '%-18s not answering\n' "${all[$i]}"
		fi
	done
}

stop() {
	for name in "${NAMES[@]}" "${MINERS[@]}"; do
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
