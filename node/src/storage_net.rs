//! What the file client and the storage miner share on the storage network: reaching a miner
//! from its on-chain record, and fetching the fastest `k` fragments of a segment.

use crate::chain_api::Placement;
use crate::chain_client::ChainClient;
use cess_dht::{Multiaddr, PeerId, ProgressFn};
use cess_runtime::AccountId;
use futures::{stream::FuturesUnordered, StreamExt};
use pallet_file_bank::FragmentStatus;
use std::{
	collections::HashMap,
	sync::Mutex,
	time::{Duration, Instant},
};

/// How long a miner that failed a transfer is tried only after the others.
const SUSPECT_FOR: Duration = Duration::from_secs(60);

/// Miners' PeerIds, looked up on chain once and their addresses handed to the network.
#[derive(Default)]
pub struct MinerDirectory {
	known: Mutex<HashMap<AccountId, Option<PeerId>>>,
	failed: Mutex<HashMap<AccountId, Instant>>,
}

impl MinerDirectory {
	/// The PeerId of `miner`, after telling the network its registered addresses; `None` if the
	/// miner has no usable network record.
	pub async fn reach(
		&self,
		dht: &cess_dht::Client,
		chain: &ChainClient,
		miner: &AccountId,
	) -> Option<PeerId> {
		if let Some(known) = self.known.lock().unwrap_or_else(|e| e.into_inner()).get(miner) {
			return *known;
		}
		let peer = match chain.peer_info(miner).await {
			Ok(Some(info)) => match PeerId::from_bytes(&info.peer_id.0) {
				Ok(peer) => {
					for bytes in info.multiaddrs.iter() {
						if let Ok(address) = Multiaddr::try_from(bytes.to_vec()) {
							let _ = dht.add_address(peer, address).await;
						}
					}
					Some(peer)
				}
				Err(_) => None,
			},
			Ok(None) => None,
			// Not remembered: the next call asks the chain again.
			Err(e) => {
				log::debug!(target: "storage-net", "no network record of {miner}: {e}");
				return None;
			}
		};
		self.known.lock().unwrap_or_else(|e| e.into_inner()).insert(miner.clone(), peer);
		peer
	}

	/// Forgets what is known of `miner` after it failed a transfer (its addresses are read
	/// again next time) and tries it after the others for a while.
	pub fn forget(&self, miner: &AccountId) {
		self.known.lock().unwrap_or_else(|e| e.into_inner()).remove(miner);
		self.failed.lock().unwrap_or_else(|e| e.into_inner()).insert(miner.clone(), Instant::now());
	}

	/// Whether `miner` failed a transfer recently.
	pub fn is_suspect(&self, miner: &AccountId) -> bool {
		self.failed
			.lock()
			.unwrap_or_else(|e| e.into_inner())
			.get(miner)
			.is_some_and(|at| at.elapsed() < SUSPECT_FOR)
	}
}

/// Why a segment could not be fetched.
#[derive(Debug)]
pub struct NotEnoughFragments {
	/// Fragments fetched and checked.
	pub fetched: usize,
	/// Fragments needed.
	pub needed: usize,
	/// One line per failed source.
	pub failures: Vec<String>,
}

impl std::fmt::Display for NotEnoughFragments {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(
			f,
			"not enough miners reachable: got {} of the {} fragments needed",
			self.fetched, self.needed
		)?;
		for failure in &self.failures {
			write!(f, "\n  - {failure}")?;
		}
		Ok(())
	}
}

impl std::error::Error for NotEnoughFragments {}

/// Fetches `needed` fragments of one segment from the miners in `sources` (its placement
/// entries), `needed` at a time in parallel plus one spare, starting another whenever one
/// fails, and returns `(shard, bytes)` of the first `needed` that arrive checked against their
/// roots. Entries that are not stored (pending, lost) are skipped.
pub async fn fetch_segment(
	dht: &cess_dht::Client,
	chain: &ChainClient,
	directory: &MinerDirectory,
	sources: &[Placement],
	needed: usize,
	progress: Option<ProgressFn>,
) -> Result<Vec<(u32, Vec<u8>)>, NotEnoughFragments> {
	let mut queue: Vec<&Placement> = sources
		.iter()
		.filter(|entry| matches!(entry.status, FragmentStatus::Stored { .. }))
		.collect();
	// Miners that failed recently last, then data shards first: decoding is cheapest when no
	// data fragment has to be rebuilt.
	queue.sort_by_key(|entry| (directory.is_suspect(&entry.miner), entry.shard));
	queue.reverse();
	let mut fetched = Vec::with_capacity(needed);
	let mut failures = Vec::new();
	let mut running = FuturesUnordered::new();
	let fetch_one = |entry: &Placement| {
		let (entry, progress) = (entry.clone(), progress.clone());
		async move {
			let result = match directory.reach(dht, chain, &entry.miner).await {
				None => Err(format!("miner {} has no reachable network record", entry.miner)),
				Some(peer) => dht
					.get_fragment(peer, entry.hash.0, progress)
					.await
					.map(|fragment| fragment.data)
					.map_err(|e| {
						directory.forget(&entry.miner);
						format!("fragment {} from miner {}: {e}", entry.index, entry.miner)
					}),
			};
			(entry.shard, result)
		}
	};
	while fetched.len() < needed {
		while running.len() < needed + 1 - fetched.len() {
			let Some(entry) = queue.pop() else { break };
			running.push(fetch_one(entry));
		}
		match running.next().await {
			Some((shard, Ok(bytes))) => fetched.push((shard, bytes)),
			Some((_, Err(failure))) => failures.push(failure),
			None => return Err(NotEnoughFragments { fetched: fetched.len(), needed, failures }),
		}
	}
	Ok(fetched)
}
