//! Command-line interface of `cess-node`.

/// `cess-node [SUBCOMMAND] [OPTIONS]`: without a subcommand, runs a node.
#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true
)]
pub struct Cli {
	/// Operator tools; none runs the node.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Options of the running node (chain, base path, ports, validator, …).
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// Options of the storage-miner role.
	#[clap(flatten)]
	pub miner: crate::miner::MinerParams,
}

/// Operator tools.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Store files on the chain's storage miners and get them back (put, get, delete, status,
	/// ls).
	File(crate::file_client::FileCmd),

	/// Key management: generate, inspect, insert keys into the keystore, node keys.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Write a chain spec (JSON) of a built-in chain or of a chain spec file; `--raw` writes the
	/// genesis storage itself, the form to give to other nodes.
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export a built-in chain spec without a database (same as build-spec).
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks to a file.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a block as a raw chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks from a file.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain database.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Print information about the database (best, finalized and genesis blocks).
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Runtime and node benchmarks (built with `--features runtime-benchmarks`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),
}
