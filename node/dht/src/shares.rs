//! Per-peer and per-principal shares of the serving side's slots: how many inbound streams each
//! peer has in admission and in transfer, so that no peer holds more than its share of either
//! ([`crate::Limits::max_pending_per_peer`], [`crate::Limits::max_transfers_per_peer`]), and how
//! many transfers the peers allowed on behalf of one principal hold together
//! ([`crate::Limits::max_transfers_per_principal`]).

use crate::Principal;
use libp2p::PeerId;
use std::{
	collections::HashMap,
	fmt::Debug,
	hash::Hash,
	sync::{Arc, Mutex},
};

/// Streams per peer.
pub(crate) type PeerShares = Shares<PeerId>;

/// Transfers per principal.
pub(crate) type PrincipalShares = Shares<Principal>;

/// Which share a stream holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
	/// Its request is being read or authorized.
	Admission,
	/// It is an authorized PUT or GET.
	Transfer,
}

#[derive(Debug, Default)]
struct Counts {
	admission: usize,
	transfer: usize,
}

impl Counts {
	fn of(&mut self, stage: Stage) -> &mut usize {
		match stage {
			Stage::Admission => &mut self.admission,
			Stage::Transfer => &mut self.transfer,
		}
	}
}

/// Streams per key (a peer or a principal); an entry lives only while its key has one, so the
/// map holds at most as many keys as there are streams being served.
#[derive(Debug)]
pub(crate) struct Shares<K> {
	counts: Mutex<HashMap<K, Counts>>,
}

impl<K> Default for Shares<K> {
	fn default() -> Self {
		Self { counts: Mutex::new(HashMap::new()) }
	}
}

impl<K: Copy + Eq + Hash + Debug> Shares<K> {
	fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Counts>> {
		self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// One more stream of `peer` at `stage`, unless it already has `limit` there.
	pub(crate) fn try_take(
		self: &Arc<Self>,
		peer: K,
		stage: Stage,
		limit: usize,
	) -> Option<Share<K>> {
		let mut counts = self.lock();
		let count = counts.entry(peer).or_default().of(stage);
		if *count >= limit {
			// Leave no empty entry behind.
			if let Some(entry) = counts.get(&peer) {
				if entry.admission == 0 && entry.transfer == 0 {
					counts.remove(&peer);
				}
			}
			return None;
		}
		*count += 1;
		Some(Share { shares: self.clone(), peer, stage })
	}

	/// Keys with at least one stream.
	pub(crate) fn peers(&self) -> usize {
		self.lock().len()
	}

	/// The streams `peer` has at `stage`.
	#[cfg(test)]
	fn count(&self, peer: &K, stage: Stage) -> usize {
		self.lock().get_mut(peer).map_or(0, |counts| *counts.of(stage))
	}
}

/// One stream's place in its key's share; given back when dropped.
#[derive(Debug)]
pub(crate) struct Share<K: Copy + Eq + Hash + Debug> {
	shares: Arc<Shares<K>>,
	peer: K,
	stage: Stage,
}

impl<K: Copy + Eq + Hash + Debug> Drop for Share<K> {
	fn drop(&mut self) {
		let mut counts = self.shares.lock();
		if let Some(entry) = counts.get_mut(&self.peer) {
			let count = entry.of(self.stage);
			*count = count.saturating_sub(1);
			if entry.admission == 0 && entry.transfer == 0 {
				counts.remove(&self.peer);
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_peer_gets_its_share_and_no_more_and_entries_go_with_the_streams() {
		let shares = Arc::new(PeerShares::default());
		let (greedy, other) = (PeerId::random(), PeerId::random());
		let held: Vec<Share<PeerId>> =
			(0..4).filter_map(|_| shares.try_take(greedy, Stage::Transfer, 4)).collect();
		assert_eq!(held.len(), 4);
		assert!(shares.try_take(greedy, Stage::Transfer, 4).is_none());
		// Its admission share and other peers' shares are apart.
		let pending = shares.try_take(greedy, Stage::Admission, 1).expect("admission share");
		assert!(shares.try_take(greedy, Stage::Admission, 1).is_none());
		assert!(shares.try_take(other, Stage::Transfer, 4).is_some());
		assert!(shares.try_take(other, Stage::Transfer, 0).is_none());
		assert_eq!(shares.peers(), 1, "the other peer's streams ended; its entry went");

		drop(held);
		assert_eq!(shares.count(&greedy, Stage::Transfer), 0);
		assert_eq!(shares.count(&greedy, Stage::Admission), 1);
		drop(pending);
		assert_eq!(shares.peers(), 0);
	}
}
