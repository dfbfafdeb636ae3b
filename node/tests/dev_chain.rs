//! `cess-node --dev` produces a block every slot (6 s) and finalizes them.

mod common;

use common::{hex_number, Node};
use serde_json::json;
use std::time::Duration;

/// Storage key of `Timestamp::Now`: twox128("Timestamp") ++ twox128("Now").
const TIMESTAMP_NOW_KEY: &str =
	"0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb";

fn block_timestamp(node: &Node, number: u64) -> u64 {
	let hash = node.rpc("chain_getBlockHash", json!([number]));
	let raw = node.rpc("state_getStorage", json!([TIMESTAMP_NOW_KEY, hash]));
	let bytes = hex_bytes(raw.as_str().expect("Timestamp::Now is set in every block"));
	u64::from_le_bytes(bytes.try_into().expect("a u64"))
}

fn hex_bytes(s: &str) -> Vec<u8> {
	let s = s.trim_start_matches("0x");
	(0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn dev_chain_produces_and_finalizes_blocks() {
	let node = Node::start("dev", &["--dev"]);

	node.wait_best(4, Duration::from_secs(120));
	node.wait_finalized(1, Duration::from_secs(60));

	// Blocks follow BABE's 6 s slots: with one authority every slot has a block, so the gap
	// between consecutive block timestamps is one slot (two if a slot was missed under load).
	for n in 2..4 {
		let gap = block_timestamp(&node, n + 1) - block_timestamp(&node, n);
		assert!((5_000..13_000).contains(&gap), "block #{} came {gap} ms after #{n}", n + 1);
	}

	// polkadot.js reads the token from the chain spec's properties.
	let props = node.rpc("system_properties", json!([]));
	assert_eq!(props["tokenSymbol"], "CESS");
	assert_eq!(props["tokenDecimals"], 18);
	assert_eq!(props["ss58Format"], 11330);

	// The extra RPCs the node registers are served.
	let methods = node.rpc("rpc_methods", json!([]));
	let methods: Vec<&str> =
		methods["methods"].as_array().unwrap().iter().filter_map(|m| m.as_str()).collect();
	for m in [
		"babe_epochAuthorship",
		"grandpa_roundState",
		"system_accountNextIndex",
		"payment_queryInfo",
		"author_rotateKeys",
		"chain_subscribeFinalizedHeads",
	] {
		assert!(methods.contains(&m), "RPC method {m} missing");
	}

	// The dev chain's session (BABE epoch) is one minute, from the chain spec.
	let epoch = node.rpc("babe_epochAuthorship", json!([]));
	assert!(epoch.as_object().is_some_and(|o| !o.is_empty()), "Alice has slots: {epoch}");
	let number = hex_number(&node.rpc("chain_getHeader", json!([]))["number"]).unwrap();
	assert!(number >= 4);
}
