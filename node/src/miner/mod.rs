//! The storage-miner role of `cess-node` (`--storage-miner`; on by default with `--dev`).
//!
//! Beside the chain, the node runs a [`cess_dht`] swarm that stores fragments under
//! `<chain data>/miner/fragments` and serves them, and a worker that keeps the miner's side of
//! every deal with the chain:
//!
//! - **registration**: registers the miner account (`Sminer::register`, its libp2p ed25519 key
//!   signing the binding) or updates its PeerId and addresses when they changed
//!   ([`registration`]);
//! - **access**: every request carries an access proof ([`cess_primitives::access`]); a PUT is
//!   accepted only with a ticket of the file's owner naming the requesting peer, for a fragment
//!   the chain assigned to this miner and that is still waiting for its confirmation; a GET
//!   only with an owner's ticket for the fragment's file, or from the peer of a miner the chain
//!   assigned to repair a fragment of the same segment ([`policy::ChainPolicy`]);
//! - **uploads**: stored fragments are confirmed with `FileBank::confirm_stored`
//!   ([`confirmations`]);
//! - **repair**: a fragment assigned for repair is rebuilt from `data_shards` fragments of its
//!   segment fetched from the miners that hold them (with a repair proof), checked against its
//!   root, stored and confirmed ([`repairs`]);
//! - **audits**: every open challenge is answered with Merkle proofs of the challenged leaves
//!   (`Audit::submit_proof`) within its window, by a task of its own ([`auditor`]) so that an
//!   answer never waits behind repairs or confirmations; the two share the account's nonces
//!   ([`submitter`]);
//! - **clean-up**: fragments the chain no longer places here (deleted or expired files,
//!   cancelled deals) are removed after a grace period ([`cleanup`]).
//!
//! [`setup`] brings the miner up (chain connection, fragment store, storage network) and the
//! [`worker`] runs the jobs. Everything the worker does is derived from chain state at each new
//! block, and the fragment store is crash-safe ([`cess_dht::DiskStore`]), so a restart neither
//! loses nor duplicates anything: the worker re-reads its assignments and challenge and carries
//! on.
//!
//! The worker talks to the chain through the node's own JSON-RPC endpoint (the same typed
//! client the file client uses), so the role needs the node's RPC server (on by default).
//!
//! ## Keys
//! - The miner **account** signs transactions. Production: an sr25519 key of type `cmin` in the
//!   node's keystore (`cess-node key insert --key-type cmin --scheme sr25519 …`); development:
//!   `--miner-key <secret URI>` (with `--dev` the default is `//Ferdie`).
//! - The **network key** (ed25519, the PeerId) lives in `<miner dir>/network_key` and is created
//!   on first start.

mod auditor;
mod cleanup;
mod config;
mod confirmations;
mod keys;
pub mod policy;
mod registration;
mod repairs;
mod setup;
mod submitter;
mod worker;

pub use config::{MinerConfig, MinerParams};

/// Log target of the storage miner.
const LOG: &str = "miner";

/// Starts the storage miner: checks its keys now (so a bad key stops the node at start-up) and
/// returns the worker future to spawn as an essential task.
pub fn start(
	config: MinerConfig,
	keystore: sp_keystore::KeystorePtr,
	registry: Option<substrate_prometheus_endpoint::Registry>,
) -> Result<impl std::future::Future<Output = ()> + Send + 'static, String> {
	std::fs::create_dir_all(&config.dir)
		.map_err(|e| format!("cannot create the miner directory {}: {e}", config.dir.display()))?;
	let signer = keys::account_signer(config.account_suri.as_deref(), keystore)?;
	let network_key = keys::load_or_create_network_key(&config.dir.join("network_key"))?;
	Ok(worker::run(config, signer, network_key, registry))
}
