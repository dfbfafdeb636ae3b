//! `cess-node benchmark …` (built with `--features runtime-benchmarks`): measures the weights of
//! the runtime's calls (`pallet`), of whole blocks (`block`), of storage access (`storage`) and of
//! the machine itself (`machine`).

use super::service;
use crate::cli::Cli;
use cess_runtime::opaque::Block;
use frame_benchmarking_cli::{BenchmarkCmd, SUBSTRATE_REFERENCE_HARDWARE};
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;
use sp_runtime::traits::HashingFor;

/// Runs a benchmark subcommand.
pub fn run(cli: &Cli, cmd: &BenchmarkCmd) -> sc_cli::Result<()> {
	let runner = cli.create_runner(cmd)?;
	match cmd {
		BenchmarkCmd::Pallet(cmd) => runner
			.sync_run(|config| cmd.run_with_spec::<HashingFor<Block>, ()>(Some(config.chain_spec))),
		BenchmarkCmd::Block(cmd) => runner.sync_run(|config| {
			let PartialComponents { client, .. } = service::new_partial(&config)?;
			cmd.run(client)
		}),
		BenchmarkCmd::Storage(cmd) => runner.sync_run(|config| {
			let PartialComponents { client, backend, .. } = service::new_partial(&config)?;
			let db = backend.expose_db();
			let storage = backend.expose_storage();
			let shared_trie_cache = backend.expose_shared_trie_cache();
			cmd.run(config, client, db, storage, shared_trie_cache)
		}),
		BenchmarkCmd::Machine(cmd) => {
			runner.sync_run(|config| cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()))
		}
		BenchmarkCmd::Overhead(_) | BenchmarkCmd::Extrinsic(_) => Err(sc_cli::Error::Input(
			"`benchmark overhead` and `benchmark extrinsic` are not supported by cess-node; use \
			 `benchmark pallet` for call weights and `benchmark block` for whole blocks"
				.into(),
		)),
	}
}
