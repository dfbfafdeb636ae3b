//! The chain node: chain specs, the service (client, RocksDB, networking, BABE block production,
//! GRANDPA finality), its JSON-RPC extensions and the benchmarking subcommands.

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod rpc;
pub mod service;
pub mod spec;
pub mod storage_rpc;
