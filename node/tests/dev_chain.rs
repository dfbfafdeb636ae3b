//! `cess-node --dev` produces a block every slot (6 s) and finalizes them; with its embedded
//! storage miner alone, a file goes in and comes back as the README's quick start shows.

mod common;

use common::{address_of, hex_number, put_file_hash, wait_for, FileClient, Node};
use serde_json::{json, Value};
use std::{path::Path, time::Duration};

/// Storage key of `Timestamp::Now`: twox128("Timestamp") ++ twox128("Now").
const TIMESTAMP_NOW_KEY: &str =
	"0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb";

fn block_timestamp(node: &Node, number: u64) -> u64 {
	let hash = node.rpc("chain_getBlockHash", json!([number]));
	let bytes =
		node.storage_at(TIMESTAMP_NOW_KEY, &hash).expect("Timestamp::Now is set in every block");
	u64::from_le_bytes(bytes.try_into().expect("a u64"))
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
		"fileBank_file",
		"fileBank_placement",
		"fileBank_minerFragments",
		"fileBank_minerAssignments",
		"fileBank_ownedFiles",
		"audit_challenge",
		"audit_record",
	] {
		assert!(methods.contains(&m), "RPC method {m} missing");
	}

	// The storage layer's reads answer in JSON: the development layout (16 MiB segments of
	// 2 + 2 fragments), no file under an unknown hash, a fee as a decimal string.
	let layout = node.rpc("fileBank_layout", json!([]));
	assert_eq!(layout["segmentSize"], 16 * 1024 * 1024, "{layout}");
	assert_eq!(layout["dataShards"], 2, "{layout}");
	assert_eq!(layout["parityShards"], 2, "{layout}");
	let unknown = format!("0x{}", "ab".repeat(32));
	assert_eq!(node.rpc("fileBank_file", json!([unknown])), Value::Null);
	assert_eq!(node.rpc("fileBank_placement", json!([unknown])), json!([]));
	let fee = node.rpc("fileBank_storageFee", json!([1u64 << 30, 2]));
	let fee: u128 = fee.as_str().expect("a decimal string").parse().unwrap();
	let half: u128 =
		node.rpc("fileBank_storageFee", json!([1u64 << 30, 1])).as_str().unwrap().parse().unwrap();
	assert!(half > 0 && fee == 2 * half, "two periods cost twice one: {fee} vs {half}");
	let record = node.rpc("audit_record", json!([address_of("//Ferdie")]));
	assert!(record.is_object(), "{record}");
	assert!(node.rpc("audit_params", json!([])).is_object());

	// The dev chain's session (BABE epoch) is one minute, from the chain spec.
	let epoch = node.rpc("babe_epochAuthorship", json!([]));
	assert!(epoch.as_object().is_some_and(|o| !o.is_empty()), "Alice has slots: {epoch}");
	let number = hex_number(&node.rpc("chain_getHeader", json!([]))["number"]).unwrap();
	assert!(number >= 4);

	// The README's newcomer flow on this lone node (its embedded miner, Ferdie, holds every
	// fragment): `file put README.md --suri //Alice && file get <hash> -o <copy> --suri
	// //Alice`, with the default key directory (under a temporary HOME).
	wait_for(Duration::from_secs(90), "the embedded miner to register", || {
		node.log().contains("registered as storage miner").then_some(())
	});
	let home = tempfile::tempdir().unwrap();
	let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
	let copy = home.path().join("README.copy");
	let files = FileClient::new(node.rpc_url()).with_home(home.path());
	let put = files.ok(&["put", readme.to_str().unwrap(), "--suri", "//Alice"]);
	let file = put_file_hash(&put);
	let key = home.path().join(format!(".local/share/cess/file-keys/{file}.key"));
	assert!(key.is_file(), "the key is kept in the default key directory: {put}");
	files.ok(&["get", &file, "-o", copy.to_str().unwrap(), "--suri", "//Alice"]);
	assert!(
		std::fs::read(&copy).unwrap() == std::fs::read(&readme).unwrap(),
		"the README came back different"
	);
}
