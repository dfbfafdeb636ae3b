//! The database subcommands on a real chain: chain-info, export-blocks, import-blocks,
//! check-block, revert and purge-chain.

mod common;

use common::{run_cmd, Node};
use serde_json::Value;
use std::time::Duration;

fn chain_info(base_path: &str) -> (u64, u64, String) {
	let out = run_cmd(&["chain-info", "--dev", "--base-path", base_path]);
	let v: Value = serde_json::from_str(&out).expect("chain-info prints JSON");
	(
		v["best_number"].as_u64().unwrap(),
		v["finalized_number"].as_u64().unwrap(),
		v["genesis_hash"].as_str().unwrap().to_string(),
	)
}

#[test]
fn export_import_check_revert_and_purge() {
	let mut node = Node::start("ops", &["--dev"]);
	node.wait_best(5, Duration::from_secs(120));
	node.wait_finalized(3, Duration::from_secs(60));
	// Stopped like a crash: everything below must still be in the database.
	node.kill();

	let src = node.base_path.to_str().unwrap().to_string();
	let (best, finalized, genesis) = chain_info(&src);
	assert!(best >= 5 && finalized >= 3, "best #{best}, finalized #{finalized}");

	run_cmd(&["check-block", "--dev", "--base-path", &src, "3"]);

	let dir = tempfile::tempdir().unwrap();
	let export = dir.path().join("blocks.bin");
	run_cmd(&[
		"export-blocks",
		"--dev",
		"--base-path",
		&src,
		"--from",
		"1",
		"--to",
		"5",
		"--binary",
		export.to_str().unwrap(),
	]);
	assert!(std::fs::metadata(&export).unwrap().len() > 0);

	let dst = dir.path().join("imported");
	let dst = dst.to_str().unwrap();
	run_cmd(&["import-blocks", "--dev", "--base-path", dst, "--binary", export.to_str().unwrap()]);
	let (imported_best, imported_finalized, imported_genesis) = chain_info(dst);
	assert_eq!(imported_genesis, genesis);
	assert_eq!(imported_best, 5);

	// Revert drops unfinalized blocks only.
	run_cmd(&["revert", "--dev", "--base-path", dst, "2"]);
	let (reverted_best, _, _) = chain_info(dst);
	let expected = imported_best - 2.min(imported_best - imported_finalized);
	assert_eq!(reverted_best, expected);

	run_cmd(&["purge-chain", "--dev", "--base-path", dst, "-y"]);
	assert!(!std::path::Path::new(dst).join("chains/cess_dev/db").exists());
}
