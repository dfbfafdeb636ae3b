//! `cess-node`: the one binary of the CESS storage chain.
//!
//! It runs a BABE + GRANDPA full node (validator or not) on RocksDB with the CESS WASM runtime,
//! serves the standard JSON-RPC set used by polkadot.js, and carries the operator tooling
//! (chain specs, block import/export, keys, database maintenance). With `--storage-miner` (and by
//! default on a development chain) it also runs a storage miner on the CESS storage network,
//! and `cess-node file …` is the client that stores files on the chain's miners.

// `sc_cli::Error` and `sc_service::Error` are large, and the runner APIs of sc-cli return them
// by value: boxing them here would only convert back and forth.
#![allow(clippy::result_large_err)]

mod chain;
mod chain_api;
mod chain_client;
mod cli;
mod command;
mod file_client;
mod fragment_verifier;
mod miner;
mod private_file;
mod storage_net;

fn main() -> sc_cli::Result<()> {
	command::run()
}
