//! `cess-node`: the one binary of the CESS storage chain.
//!
//! It runs a BABE + GRANDPA full node (validator or not) on RocksDB with the CESS WASM runtime,
//! serves the standard JSON-RPC set used by polkadot.js, and carries the operator tooling
//! (chain specs, block import/export, keys, database maintenance).

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_client;
mod chain_spec;
mod cli;
mod command;
mod fragment_verifier;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
