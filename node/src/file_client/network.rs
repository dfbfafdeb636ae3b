//! The file client's side of the storage network: a client that never serves fragments.

use super::FileError;
use crate::fragment_verifier::MerkleRootVerifier;
use cess_dht::{KademliaMode, MemoryStore, PeerAllowList};
use cess_primitives::FileLayout;
use std::{sync::Arc, time::Duration};

/// A storage-network client with a throw-away identity that never serves fragments.
pub fn network_client(layout: FileLayout) -> Result<cess_dht::Client, FileError> {
	let verifier = Arc::new(MerkleRootVerifier::new(layout));
	let mut config = cess_dht::Config { kademlia_mode: KademliaMode::Client, ..Default::default() };
	config.limits.max_fragment_size =
		config.limits.max_fragment_size.max(u64::from(layout.fragment_size()));
	// A miner that does not answer is skipped for another holder of the segment rather than
	// waited for; `put` retries on its own.
	config.retry.attempts = 2;
	config.retry.initial_backoff = Duration::from_millis(200);
	config.timeouts.open_stream = Duration::from_secs(5);
	let (client, service, events) = cess_dht::new(cess_dht::Params {
		config,
		keypair: cess_dht::Keypair::generate_ed25519(),
		store: Arc::new(MemoryStore::new(verifier.clone())),
		policy: Arc::new(PeerAllowList::default()),
		verifier,
		registry: None,
	})
	.map_err(|e| FileError::Other(format!("cannot start the storage network client: {e}")))?;
	drop(events);
	tokio::spawn(service.run());
	Ok(client)
}
