#!/usr/bin/env bash
# A local network on 127.0.0.1 (`--chain local`): four validators (Alice, Bob, Charlie, Dave)
# and four storage miners (accounts Eve, Ferdie, Alice//stash, Bob//stash), each in its own
# directory.
#
#   scripts/local-testnet.sh start   # builds if needed, starts the eight nodes in the background
#   scripts/local-testnet.sh status  # best / finalized block of each node
#   scripts/local-testnet.sh stop    # stops them and waits until all eight have exited (their
#                                    # data stays until `clean`)
#   scripts/local-testnet.sh clean   # stops them and removes their data
#
# Validator i (0..3) listens on p2p port 30333+i, RPC port 9944+i, Prometheus port 9615+i;
# miner i on p2p port 30343+i, RPC port 9954+i, Prometheus port 9625+i and storage-network port
# 15001+i. Alice is the bootnode (fixed node key). Files go in and come back (to an owner) with
#   cess-node file put ./photo.jpg --suri //Alice --rpc-url ws://127.0.0.1:9944
#   cess-node file get 0x… -o ./copy.jpg --suri //Alice --rpc-url ws://127.0.0.1:9944
#
# Environment:
#   CESS_TESTNET_DIR          data, logs and pid files (default /tmp/cess-testnet); one network
#                             per directory
#   CESS_TESTNET_PORT_OFFSET  added to every port above (default 0), so that networks in
#                             different directories run side by side; `start` records it in
#                             the directory, where `status` and `stop` find it
#   CESS_TESTNET_NODE         the cess-node binary (default: the release build)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="${CESS_TESTNET_DIR:-/tmp/cess-testnet}"
NODE="${CESS_TESTNET_NODE:-$CESS_NODE_BIN}"
if [ -n "${CESS_TESTNET_PORT_OFFSET:-}" ]; then
	OFFSET="$CESS_TESTNET_PORT_OFFSET"
elif [ -f "$DIR/port-offset" ]; then
	OFFSET="$(cat "$DIR/port-offset")"
else
	OFFSET=0
fi
case "$OFFSET" in '' | *[!0-9]*) die "CESS_TESTNET_PORT_OFFSET must be a number, not '$OFFSET'" ;; esac
[ $((30346 + OFFSET)) -le 65535 ] || die "port offset $OFFSET puts ports past 65535"
NAMES=(alice bob charlie dave)
MINERS=(miner-eve miner-ferdie miner-alice-stash miner-bob-stash)
MINER_KEYS=(//Eve //Ferdie //Alice//stash //Bob//stash)
ALICE_KEY=0000000000000000000000000000000000000000000000000000000000000001

rpc() { # port method
	curl -s -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":[]}" "http://127.0.0.1:$1"
}

port() { # base port
	echo $(($1 + OFFSET))
}

alive() { # pid: running (an exited process not reaped yet, a zombie, is not)
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		[ "$(sed -e 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]
	fi
}

ours() { # pid name: the node of this network (a pid from a stale file may belong to another)
	alive "$1" || return 1
	[ -r "/proc/$1/cmdline" ] || return 0
	tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "--base-path $DIR/$2 "
}

start() {
	[ -x "$NODE" ] || (cd "$CESS_ROOT" && cargo build --release --locked --workspace)
	mkdir -p "$DIR"
	echo "$OFFSET" >"$DIR/port-offset"
	local alice_peer
	alice_peer="$(echo -n "$ALICE_KEY" >"$DIR/alice.key" && "$NODE" key inspect-node-key --file "$DIR/alice.key")"
	for i in "${!NAMES[@]}"; do
		local name="${NAMES[$i]}" extra=()
		if [ -f "$DIR/$name.pid" ] && ours "$(cat "$DIR/$name.pid")" "$name"; then
			log "$name already running (pid $(cat "$DIR/$name.pid"))"; continue
		fi
		if [ "$name" = alice ]; then
			extra=(--node-key-file "$DIR/alice.key")
		else
			# Validators of a non-dev chain need a network key; generate it once.
			[ -f "$DIR/$name/chains/cess_local/network/secret_ed25519" ] ||
				"$NODE" key generate-node-key --chain local --base-path "$DIR/$name" 2>/dev/null
			extra=(--bootnodes "/ip4/127.0.0.1/tcp/$(port 30333)/p2p/$alice_peer")
		fi
		"$NODE" --chain local "--$name" --base-path "$DIR/$name" \
			--port "$(port $((30333 + i)))" --rpc-port "$(port $((9944 + i)))" \
			--prometheus-port "$(port $((9615 + i)))" --no-mdns "${extra[@]}" \
			</dev/null >"$DIR/$name.log" 2>&1 &
		echo $! >"$DIR/$name.pid"
		log "$name: pid $!, rpc ws://127.0.0.1:$(port $((9944 + i))), log $DIR/$name.log"
	done
	for i in "${!MINERS[@]}"; do
		local name="${MINERS[$i]}"
		if [ -f "$DIR/$name.pid" ] && ours "$(cat "$DIR/$name.pid")" "$name"; then
			log "$name already running (pid $(cat "$DIR/$name.pid"))"; continue
		fi
		[ -f "$DIR/$name/chains/cess_local/network/secret_ed25519" ] ||
			"$NODE" key generate-node-key --chain local --base-path "$DIR/$name" 2>/dev/null
		"$NODE" --chain local --base-path "$DIR/$name" \
			--port "$(port $((30343 + i)))" --rpc-port "$(port $((9954 + i)))" \
			--prometheus-port "$(port $((9625 + i)))" --no-mdns \
			--bootnodes "/ip4/127.0.0.1/tcp/$(port 30333)/p2p/$alice_peer" \
			--storage-miner --miner-key "${MINER_KEYS[$i]}" \
			--miner-listen-addr "/ip4/127.0.0.1/tcp/$(port $((15001 + i)))" \
			</dev/null >"$DIR/$name.log" 2>&1 &
		echo $! >"$DIR/$name.pid"
		log "$name: pid $!, rpc ws://127.0.0.1:$(port $((9954 + i))), storage network port $(port $((15001 + i))), log $DIR/$name.log"
	done
}

status() {
	local all=("${NAMES[@]}" "${MINERS[@]}") ports=(9944 9945 9946 9947 9954 9955 9956 9957)
	for i in "${!all[@]}"; do
		local best fin
		best="$(rpc "$(port "${ports[$i]}")" chain_getHeader | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p')"
		fin="$(rpc "$(port "${ports[$i]}")" chain_getFinalizedHead | sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p')"
		if [ -n "$best" ]; then
			printf '%-18s best #%d  finalized %s\n' "${all[$i]}" "$best" "${fin:0:18}…"
		else
			printf '%-18s not answering\n' "${all[$i]}"
		fi
	done
}

# Stops every node (SIGTERM, then SIGKILL for one still running after 30 s) and returns once all
# have exited.
stop() {
	local pids=() names=()
	for name in "${NAMES[@]}" "${MINERS[@]}"; do
		[ -f "$DIR/$name.pid" ] || continue
		local pid
		pid="$(cat "$DIR/$name.pid")"
		if ours "$pid" "$name"; then
			kill "$pid" 2>/dev/null || true
			pids+=("$pid") names+=("$name")
		fi
		rm -f "$DIR/$name.pid"
	done
	[ "${#pids[@]}" -gt 0 ] || return 0
	local left
	for _ in $(seq 1 60); do
		left=0
		for pid in "${pids[@]}"; do alive "$pid" && left=$((left + 1)); done
		[ "$left" = 0 ] && break
		sleep 0.5
	done
	for i in "${!pids[@]}"; do
		if alive "${pids[$i]}"; then
			kill -9 "${pids[$i]}" 2>/dev/null || true
			log "killed ${names[$i]} (it did not stop within 30 s)"
		else
			log "stopped ${names[$i]}"
		fi
	done
	for _ in $(seq 1 20); do
		left=0
		for pid in "${pids[@]}"; do alive "$pid" && left=$((left + 1)); done
		[ "$left" = 0 ] && return 0
		sleep 0.5
	done
	die "$left node(s) still running after SIGKILL"
}

case "${1:-}" in
start) start ;;
status) status ;;
stop) stop ;;
clean) stop; rm -rf "$DIR"; log "removed $DIR" ;;
*) echo "usage: $0 start|status|stop|clean" >&2; exit 2 ;;
esac
