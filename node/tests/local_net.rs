//! A four-validator `--chain local` network on 127.0.0.1: every validator authors, GRANDPA
//! finalizes, finality survives the loss of one validator, and the lost validator catches up
//! from its own database after a restart. One validator boots from a raw chain spec written by
//! `build-spec --chain local --raw`.

mod common;

use common::{hex_number, run_cmd, start_bootnode, start_validator, wait_for};
use std::time::Duration;

#[test]
fn four_validators_author_finalize_and_survive_a_crash() {
	let dir = tempfile::tempdir().unwrap();

	// A raw spec from build-spec must describe the same chain as the built-in `local`.
	let raw_spec = dir.path().join("local-raw.json");
	std::fs::write(&raw_spec, run_cmd(&["build-spec", "--chain", "local", "--raw"])).unwrap();
	let spec: serde_json::Value =
		serde_json::from_str(&std::fs::read_to_string(&raw_spec).unwrap()).unwrap();
	assert!(spec["genesis"]["raw"]["top"].as_object().is_some_and(|t| !t.is_empty()));

	// Alice is the bootnode: a fixed node key gives a known PeerId.
	let (alice, bootnode) = start_bootnode(dir.path(), "alice", &["--chain", "local", "--alice"]);

	// A validator of a live or local chain refuses to start without a network key: the
	// operator generates one, as `start_validator` does.
	let validator = |name: &str, chain: &str| start_validator(dir.path(), name, chain, &bootnode);
	let bob = validator("bob", "local");
	let charlie = validator("charlie", "local");
	let mut dave = validator("dave", raw_spec.to_str().unwrap());

	let genesis = alice.genesis_hash();
	for n in [&bob, &charlie, &dave] {
		assert_eq!(n.genesis_hash(), genesis, "{} has another genesis", n.name);
	}

	// Every validator authors blocks and everyone finalizes.
	let nodes = [&alice, &bob, &charlie, &dave];
	wait_for(Duration::from_secs(240), "all four validators to author a block", || {
		nodes.iter().all(|n| n.blocks_authored() > 0).then_some(())
	});
	let finalized = alice.wait_finalized(3, Duration::from_secs(120));
	for n in nodes {
		n.wait_finalized(finalized, Duration::from_secs(60));
	}

	// Kill Dave like a crash: three of four validators are more than 2/3, finality goes on.
	let dave_best_before = dave.best_number().expect("dave answers");
	dave.kill();
	let finalized_after_kill = alice.finalized_number().unwrap();
	alice.wait_finalized(finalized_after_kill + 3, Duration::from_secs(180));

	// Restarted, Dave opens its RocksDB where it stopped (not from genesis) and catches up.
	dave.restart();
	let dave_best_on_restart =
		hex_number(&dave.rpc("chain_getHeader", serde_json::json!([]))["number"]).unwrap();
	assert!(
		dave_best_on_restart >= dave_best_before,
		"dave restarted at #{dave_best_on_restart}, below #{dave_best_before} it had imported"
	);
	let network_best = alice.best_number().unwrap();
	dave.wait_best(network_best, Duration::from_secs(120));
	let network_finalized = alice.finalized_number().unwrap();
	dave.wait_finalized(network_finalized, Duration::from_secs(120));

	// And Dave authors again.
	let authored = dave.blocks_authored();
	wait_for(Duration::from_secs(180), "dave to author after its restart", || {
		(dave.blocks_authored() > authored).then_some(())
	});
}
