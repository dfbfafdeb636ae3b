//! The requesting side's share of each remote: at most [`crate::Limits::max_transfers_per_peer`]
//! of this node's transfers to one peer run at once, the same share a serving node grants a
//! peer. Further transfers to that peer wait here for a turn instead of being answered `Busy`
//! by the remote and retried with back-off (a `file put` of many fragments to one miner, a
//! repair fetching several fragments from one holder).

use libp2p::PeerId;
use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// One semaphore per remote with transfers running or waiting; an entry is dropped with its
/// last user, so the map holds at most as many peers as there are outbound transfers.
#[derive(Debug, Default)]
pub(crate) struct OutboundGate {
	peers: Mutex<HashMap<PeerId, Arc<Semaphore>>>,
}

/// A turn to transfer with one peer; returns it (and, if it was the last, the peer's entry)
/// when dropped.
pub(crate) struct Turn<'a> {
	gate: &'a OutboundGate,
	peer: PeerId,
	permit: Option<OwnedSemaphorePermit>,
}

impl OutboundGate {
	fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PeerId, Arc<Semaphore>>> {
		self.peers.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Waits until fewer than `share` transfers to `peer` run, then takes a turn.
	pub(crate) async fn turn(&self, peer: PeerId, share: usize) -> Turn<'_> {
		let semaphore = self
			.lock()
			.entry(peer)
			.or_insert_with(|| Arc::new(Semaphore::new(share.max(1))))
			.clone();
		// The semaphore is never closed, so acquiring cannot fail; `None` would only mean the
		// transfer runs without a turn.
		let permit = semaphore.acquire_owned().await.ok();
		Turn { gate: self, peer, permit }
	}

	/// Peers with transfers running or waiting.
	#[cfg(test)]
	fn peers(&self) -> usize {
		self.lock().len()
	}
}

impl Drop for Turn<'_> {
	fn drop(&mut self) {
		drop(self.permit.take());
		let mut peers = self.gate.lock();
		// Only the map holds the semaphore: nobody runs or waits for this peer any more.
		if peers.get(&self.peer).is_some_and(|semaphore| Arc::strong_count(semaphore) == 1) {
			peers.remove(&self.peer);
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::time::Duration;

	#[tokio::test]
	async fn a_peer_gets_its_share_and_the_rest_wait() {
		let gate = OutboundGate::default();
		let (a, b) = (PeerId::random(), PeerId::random());
		let first = gate.turn(a, 2).await;
		let _second = gate.turn(a, 2).await;
		// A third turn with `a` waits; another peer's does not.
		assert!(tokio::time::timeout(Duration::from_millis(50), gate.turn(a, 2)).await.is_err());
		let other = gate.turn(b, 2).await;
		drop(first);
		let _third = tokio::time::timeout(Duration::from_millis(50), gate.turn(a, 2))
			.await
			.expect("a turn frees up");
		drop(other);
		assert_eq!(gate.peers(), 1, "b's entry went with its last turn");
	}

	#[tokio::test]
	async fn entries_go_with_their_last_turn() {
		let gate = OutboundGate::default();
		for _ in 0..100 {
			drop(gate.turn(PeerId::random(), 4).await);
		}
		assert_eq!(gate.peers(), 0);
	}
}
