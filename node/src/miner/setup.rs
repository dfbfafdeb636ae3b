//! Bringing the storage miner up: the chain (the node's own RPC, waited for), the fragment
//! store, the storage network, and the auditor, into the [`Miner`] every job works with.

use super::{
	auditor::Auditor,
	policy::{Assigned, ChainHead, ChainPolicy},
	submitter::Submitter,
	MinerConfig, LOG,
};
use crate::{
	chain_client::{ChainClient, ChainError, TxSigner},
	fragment_verifier::MerkleRootVerifier,
};
use cess_dht::{DiskStore, Event, KademliaMode, Keypair, Multiaddr};
use cess_primitives::FileLayout;
use cess_runtime::AccountId;
use std::{sync::Arc, time::Duration};
use tokio::sync::mpsc::Receiver;

/// What the miner's jobs share: its identity, the chain, its store and the storage network.
pub struct Miner {
	/// The node's chain, over its own RPC.
	pub chain: Arc<ChainClient>,
	/// The miner account's transactions (shared with the auditor).
	pub submitter: Arc<Submitter>,
	/// The miner account.
	pub me: AccountId,
	/// The libp2p key whose PeerId the chain binds to the account.
	pub network_key: Keypair,
	/// Space offered to the chain, in bytes.
	pub space: u64,
	/// Addresses registered on chain for clients and miners to reach this one.
	pub addresses: Vec<Multiaddr>,
	/// The chain's file layout.
	pub layout: FileLayout,
	/// The storage network.
	pub dht: cess_dht::Client,
	/// The fragment store the network serves.
	pub store: Arc<DiskStore>,
	/// The roots assigned to this miner for upload, refreshed by the worker.
	pub assigned: Arc<Assigned>,
	/// The chain's genesis and best block, followed by the worker, read by the network's
	/// policy (tickets' chain and expiry).
	pub head: Arc<ChainHead>,
}

/// A miner brought up: its shared state, its auditor (to run as a task of its own) and the
/// storage network's events.
pub struct Started {
	/// What the jobs share.
	pub miner: Miner,
	/// The auditor of the miner's challenges.
	pub auditor: Auditor,
	/// Events of the storage network (fragments stored and served).
	pub events: Receiver<Event>,
}

/// Connects to the node, opens the fragment store and starts the storage network.
pub async fn set_up(
	config: MinerConfig,
	signer: Arc<dyn TxSigner>,
	network_key: Keypair,
	registry: Option<substrate_prometheus_endpoint::Registry>,
) -> Result<Started, String> {
	let chain = connect(&config.rpc_url).await?;
	let layout = chain.layout().await.map_err(|e| e.to_string())?;
	let verifier = Arc::new(MerkleRootVerifier::new(layout));
	let store = Arc::new(
		DiskStore::open(config.dir.join("fragments"), verifier.clone())
			.map_err(|e| format!("cannot open the fragment store: {e}"))?,
	);
	// Until the chain's record says otherwise (registration), the space about to be declared.
	store.set_capacity(Some(config.params.miner_space));
	let me = signer.account();
	let submitter = Arc::new(Submitter::new(chain.clone(), signer));
	let auditor = Auditor::new(chain.clone(), submitter.clone(), me.clone(), store.clone());
	let (_, best) = chain.best().await.map_err(|e| e.to_string())?;
	let head = Arc::new(ChainHead::new(chain.genesis().to_fixed_bytes(), best));
	let assigned = Arc::new(Assigned::default());
	let policy = Arc::new(ChainPolicy::new(
		assigned.clone(),
		head.clone(),
		chain.clone(),
		me.clone(),
		layout,
		tokio::runtime::Handle::current(),
	));
	let mut dht_config = cess_dht::Config {
		listen_addresses: config.listen.clone(),
		external_addresses: config.params.miner_public_addr.clone(),
		bootstrap_peers: config.params.miner_bootnodes.clone(),
		kademlia_mode: KademliaMode::Server,
		..Default::default()
	};
	// A fragment of the chain's layout, whatever the default limit.
	dht_config.limits.max_fragment_size =
		dht_config.limits.max_fragment_size.max(u64::from(layout.fragment_size()));
	let (dht, service, events) = cess_dht::new(cess_dht::Params {
		config: dht_config,
		keypair: network_key.clone(),
		store: store.clone(),
		policy,
		verifier,
		registry,
	})
	.map_err(|e| format!("cannot start the storage network: {e}"))?;
	tokio::spawn(service.run());
	let addresses = if config.params.miner_public_addr.is_empty() {
		dht.listen_addresses().await.map_err(|e| e.to_string())?
	} else {
		config.params.miner_public_addr.clone()
	};
	log::info!(
		target: LOG,
		"💾 storage miner {me} (PeerId {}) serving {} on {:?}; fragment roots hashed with {}",
		dht.local_peer_id(),
		config.dir.join("fragments").display(),
		addresses.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
		cess_primitives::merkle::hash_backend(),
	);
	let miner = Miner {
		chain,
		submitter,
		me,
		network_key,
		space: config.params.miner_space,
		addresses,
		layout,
		dht,
		store,
		assigned,
		head,
	};
	Ok(Started { miner, auditor, events })
}

/// The chain client of the node's RPC at `url`, waiting for the RPC server (it starts with the
/// node); an error only if the node runs another runtime than this binary embeds.
async fn connect(url: &str) -> Result<Arc<ChainClient>, String> {
	loop {
		match ChainClient::connect(url).await {
			Ok(chain) => return Ok(Arc::new(chain)),
			Err(ChainError::RuntimeMismatch { .. }) => {
				return Err("the node's runtime is not the one this binary embeds".into())
			}
			Err(e) => {
				log::debug!(target: LOG, "waiting for the node's RPC at {url}: {e}");
				tokio::time::sleep(Duration::from_secs(1)).await;
			}
		}
	}
}
