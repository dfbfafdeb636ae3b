//! Public JSON-RPC is safe by default. On an external interface (`--rpc-external`) a node serves
//! the safe methods and refuses the unsafe ones (key management, transaction-pool surgery)
//! unless the operator says `--rpc-methods unsafe`; on loopback it serves them; a node started
//! with `--validator` refuses `--rpc-external` altogether; `--rpc-max-connections` caps the
//! connections one node takes.

mod common;

use common::{rpc::RpcClient, wait_for, Node, NODE_BIN};
use serde_json::json;
use std::{process::Command, time::Duration};

/// Calls `method` with `params` until the node answers (it may still be starting), returning
/// its answer or its refusal.
fn answer_with(
	client: &RpcClient,
	method: &str,
	params: serde_json::Value,
) -> Result<serde_json::Value, String> {
	wait_for(Duration::from_secs(60), &format!("an answer to {method}"), || {
		match client.call(method, &params) {
			Ok(Some(value)) => Some(Ok(value)),
			Ok(None) => None,
			Err(refusal) => Some(Err(refusal)),
		}
	})
}

/// Calls `method` without parameters (see [`answer_with`]).
fn answer(client: &RpcClient, method: &str) -> Result<serde_json::Value, String> {
	answer_with(client, method, json!([]))
}

#[test]
fn unsafe_rpc_methods_need_loopback_or_an_explicit_flag() {
	// Listening on every interface, with the default method set: safe methods only, although
	// the caller connects over loopback (the node decides by where it listens, not by who
	// asks). Two connections at most (no embedded storage miner, which would take one).
	let public = Node::start(
		"public",
		&["--dev", "--no-storage-miner", "--rpc-external", "--rpc-max-connections", "2"],
	);
	let client = RpcClient::new(public.rpc_url());
	assert!(answer(&client, "system_health").is_ok(), "safe methods are served");
	// Parameters are well-formed, so that the refusal is the method's safety check and not the
	// parameters' parsing.
	let unsafe_calls = [
		("author_rotateKeys", json!([])),
		("author_hasKey", json!(["0x00", "babe"])),
		("system_addReservedPeer", json!(["/ip4/127.0.0.1/tcp/30333"])),
	];
	for (unsafe_method, params) in unsafe_calls {
		let refusal = answer_with(&client, unsafe_method, params).expect_err(unsafe_method);
		assert!(refusal.contains("unsafe"), "{unsafe_method} refused as unsafe: {refusal}");
	}

	// The connection cap: two clients are served, a third is turned away.
	let second = RpcClient::new(public.rpc_url());
	assert!(answer(&second, "system_health").is_ok());
	let third = RpcClient::new(public.rpc_url());
	assert_eq!(third.call("system_health", &json!([])), Ok(None), "a third connection is refused");
	drop(public);

	// On loopback the same node serves them (the refusal above is the interface's doing).
	let local = Node::start("local", &["--dev", "--no-storage-miner"]);
	let client = RpcClient::new(local.rpc_url());
	let keys = answer(&client, "author_rotateKeys").expect("served on loopback");
	assert!(keys.as_str().is_some_and(|k| k.starts_with("0x")), "{keys}");
	drop(local);

	// A validator may not listen publicly unless the operator insists.
	let dir = tempfile::tempdir().unwrap();
	let out = Command::new(NODE_BIN)
		.args(["--chain", "local", "--validator", "--rpc-external", "--no-telemetry"])
		// A validator needs a network key before its RPC settings are read.
		.args(["--node-key", &"01".repeat(32)])
		.arg("--base-path")
		.arg(dir.path())
		.output()
		.expect("cess-node runs");
	assert!(!out.status.success(), "a validator with --rpc-external does not start");
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(stderr.contains("--rpc-external"), "the refusal names the flag: {stderr}");
}
