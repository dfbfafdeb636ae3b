//! What the file client and the storage miner share on the storage network: reaching a miner
//! from its on-chain record, and fetching the fastest `k` fragments of a segment.

use crate::chain_api::Placement;
use crate::chain_client::ChainClient;
use cess_dht::{Authorization, ErrorCode, Multiaddr, PeerId, ProgressFn, TransferError};
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

/// Miners' PeerIds, looked up on chain once and their registered addresses pinned in the
/// network's address book.
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
					// Pinned: addresses read from the chain are never evicted by what peers
					// announce (a flood of fresh identities cannot hide a registered miner).
					let addresses =
						info.multiaddrs.iter().filter_map(|bytes| parse_multiaddr(bytes)).collect();
					if let Err(e) = dht.pin_peer(peer, addresses).await {
						log::debug!(target: "storage-net", "cannot pin {miner}'s addresses: {e}");
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

/// A miner's address as the chain stores it: the binary form (`Multiaddr::to_vec`, what the
/// node registers) or UTF-8 text (`/ip4/1.2.3.4/tcp/15001`, what a person types into
/// polkadot.js); `None` if it is neither. Binary is tried first: no binary multiaddress starts
/// with `/` (0x2f is no protocol code), so text never reads as binary. An empty address is
/// none.
pub fn parse_multiaddr(bytes: &[u8]) -> Option<Multiaddr> {
	Multiaddr::try_from(bytes.to_vec())
		.ok()
		.or_else(|| std::str::from_utf8(bytes).ok()?.trim().parse().ok())
		.filter(|address| !address.is_empty())
}

/// A failed transfer of fragment `index` with `miner`, in words: a refusal names the miner
/// and its reason (`miner … refused fragment 3: the ticket is for another peer`).
pub fn describe_failure(miner: &AccountId, index: u32, error: &TransferError) -> String {
	match error {
		TransferError::Rejected { code: ErrorCode::Unauthorized, message } => {
			format!("miner {miner} refused fragment {index}: {message}")
		}
		TransferError::Rejected { code, message } => {
			format!("miner {miner} refused fragment {index} ({code}): {message}")
		}
		error => format!("fragment {index} with miner {miner}: {error}"),
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
			"not enough fragments: got {} of the {} needed from the miners",
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
/// roots. Entries that are not stored (pending, lost) are skipped. Every request carries
/// `auth`, the bytes of the [`cess_primitives::access::AccessProof`] the miners authorize it by.
pub async fn fetch_segment(
	dht: &cess_dht::Client,
	chain: &ChainClient,
	directory: &MinerDirectory,
	sources: &[Placement],
	needed: usize,
	auth: Authorization,
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
		let (entry, progress, auth) = (entry.clone(), progress.clone(), auth.clone());
		async move {
			let result = match directory.reach(dht, chain, &entry.miner).await {
				None => Err(format!("miner {} has no reachable network record", entry.miner)),
				Some(peer) => dht
					.get_fragment(peer, entry.hash.0, auth, progress)
					.await
					.map(|fragment| fragment.data)
					.map_err(|e| {
						// A refusal is an answer: the miner is reachable, its record is good.
						if !matches!(
							e,
							TransferError::Rejected { code: ErrorCode::Unauthorized, .. }
						) {
							directory.forget(&entry.miner);
						}
						describe_failure(&entry.miner, entry.index, &e)
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

#[cfg(test)]
mod tests {
	use super::parse_multiaddr;
	use cess_dht::Multiaddr;

	#[test]
	fn addresses_read_in_binary_and_text_form() {
		let address: Multiaddr = "/ip4/127.0.0.1/tcp/15001".parse().unwrap();
		assert_eq!(parse_multiaddr(&address.to_vec()), Some(address.clone()));
		assert_eq!(parse_multiaddr(b"/ip4/127.0.0.1/tcp/15001"), Some(address));
		let with_peer: Multiaddr =
			"/dns4/miner.example/tcp/15001/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"
				.parse()
				.unwrap();
		assert_eq!(parse_multiaddr(&with_peer.to_vec()), Some(with_peer.clone()));
		assert_eq!(parse_multiaddr(with_peer.to_string().as_bytes()), Some(with_peer));
		let v6: Multiaddr = "/ip6/::1/tcp/4001".parse().unwrap();
		assert_eq!(parse_multiaddr(b"/ip6/::1/tcp/4001"), Some(v6));

		// Neither form: nothing, not a panic.
		for junk in [
			&b""[..],
			b"  ",
			b"/",
			b"127.0.0.1:15001",
			b"/ip4/999.0.0.1/tcp/1",
			b"/ip4/127.0.0.1/tcp",
			&[0xff, 0xfe, 0x00],
			&[0x04, 127, 0],
		] {
			assert_eq!(parse_multiaddr(junk), None, "{junk:?}");
		}
	}
}
