//! Dispatch of `cess-node`'s command line to the node service or a subcommand.

use crate::{
	chain::{service, spec as chain_spec},
	cli::{Cli, Subcommand},
};
use cess_runtime::opaque::Block;
use sc_cli::{CliConfiguration, SubstrateCli};
use sc_service::{Configuration, PartialComponents};
use std::{future::Future, sync::Arc};

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"CESS Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://github.com/cess-node/cess-node/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		chain_spec::load_spec(id)
	}
}

/// Parses the command line and runs what it asks for.
pub fn run() -> sc_cli::Result<()> {
	let cli = Cli::from_args();

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::File(cmd)) => cmd.run().map_err(|e| sc_cli::Error::Input(e.to_string())),
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		}
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let chain_spec = cli.load_spec(&cmd.chain)?;
			cmd.run(chain_spec)
		}
		Some(Subcommand::CheckBlock(cmd)) => {
			run_on_database(&cli, cmd, |db, _| cmd.run(db.client, db.import_queue))
		}
		Some(Subcommand::ExportBlocks(cmd)) => {
			run_on_database(&cli, cmd, |db, config| cmd.run(db.client, config.database))
		}
		Some(Subcommand::ExportState(cmd)) => {
			run_on_database(&cli, cmd, |db, config| cmd.run(db.client, config.chain_spec))
		}
		Some(Subcommand::ImportBlocks(cmd)) => {
			run_on_database(&cli, cmd, |db, _| cmd.run(db.client, db.import_queue))
		}
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		}
		Some(Subcommand::Revert(cmd)) => run_on_database(&cli, cmd, |db, _| {
			// BABE's epoch tree and GRANDPA's authority set live outside the state and must be
			// reverted with the blocks.
			let aux_revert = Box::new(|client: Arc<service::FullClient>, backend, blocks| {
				sc_consensus_babe::revert(client.clone(), backend, blocks)?;
				sc_consensus_grandpa::revert(client, blocks)?;
				Ok(())
			});
			cmd.run(db.client, db.backend, Some(aux_revert))
		}),
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		}
		#[cfg(feature = "runtime-benchmarks")]
		Some(Subcommand::Benchmark(cmd)) => crate::chain::benchmarking::run(&cli, cmd),
		None => {
			let runner = cli.create_runner(&cli.run)?;
			let miner_params = cli.miner.clone();
			runner.run_node_until_exit(|config| async move {
				let miner = crate::miner::MinerConfig::from_node(&miner_params, &config)
					.map_err(sc_cli::Error::Input)?;
				service::new_full(config, miner).map_err(sc_cli::Error::Service)
			})
		}
	}
}

/// What the database subcommands (check, export, import, revert) work on.
struct Database {
	client: Arc<service::FullClient>,
	backend: Arc<service::FullBackend>,
	import_queue: sc_consensus::DefaultImportQueue<Block>,
}

/// Runs a database subcommand: `run` gets the node's database and configuration and returns
/// the command's future, driven until it ends or the process is interrupted.
fn run_on_database<Cmd, Run, Fut>(cli: &Cli, cmd: &Cmd, run: Run) -> sc_cli::Result<()>
where
	Cmd: CliConfiguration,
	Run: FnOnce(Database, Configuration) -> Fut,
	Fut: Future<Output = sc_cli::Result<()>>,
{
	let runner = cli.create_runner(cmd)?;
	runner.async_run(|config| {
		let PartialComponents { client, backend, import_queue, task_manager, .. } =
			service::new_partial(&config)?;
		Ok((run(Database { client, backend, import_queue }, config), task_manager))
	})
}
