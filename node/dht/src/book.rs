//! The address book: how to dial peers that Kademlia may not know (or may have dropped).
//!
//! Bounded, and healing: every entry remembers when it was last seen or used, and when the book
//! is full a new peer displaces the least recently seen or used one, so it never stays stuck
//! full of strangers. Two kinds of entry:
//!
//! - **pinned**: addresses the node read from the chain's miner registry
//!   ([`crate::Client::pin_peer`], [`crate::Client::set_pinned_peers`]). Only the node pins and
//!   unpins them; nothing a peer sends can evict them. At most
//!   [`crate::Limits::max_pinned_peers`]: pinning one more unpins the least recently seen or
//!   used pinned peer.
//! - **other**: addresses given with [`crate::Client::add_address`], the bootstrap peers, and
//!   discovery results, at most [`crate::Limits::max_book_peers`] peers.
//!
//! What identify reports (self-declared, from anyone who connects) only updates peers already in
//! the book: a flood of fresh identities, each connecting once, adds nothing to it.

use libp2p::{Multiaddr, PeerId};
use std::collections::{HashMap, VecDeque};

/// Addresses remembered per peer, pinned and other each; the oldest other one is forgotten
/// first, pinned ones beyond this are ignored.
pub(crate) const MAX_ADDRESSES_PER_PEER: usize = 8;

#[derive(Debug, Default)]
struct Entry {
	/// Non-empty exactly when the peer is pinned.
	pinned: Vec<Multiaddr>,
	/// Given, discovered or (for a known peer) reported by identify; oldest first.
	other: VecDeque<Multiaddr>,
	/// When the entry was last seen or used, on the book's own clock.
	last_seen: u64,
}

impl Entry {
	fn is_pinned(&self) -> bool {
		!self.pinned.is_empty()
	}
}

/// Peers' addresses, bounded; see the module docs.
#[derive(Debug)]
pub(crate) struct AddressBook {
	entries: HashMap<PeerId, Entry>,
	max_other: usize,
	max_pinned: usize,
	pinned: usize,
	clock: u64,
}

impl AddressBook {
	pub(crate) fn new(max_other: usize, max_pinned: usize) -> Self {
		Self {
			entries: HashMap::new(),
			max_other: max_other.max(1),
			max_pinned: max_pinned.max(1),
			pinned: 0,
			clock: 0,
		}
	}

	fn tick(&mut self) -> u64 {
		self.clock += 1;
		self.clock
	}

	/// Peers with other (unpinned) entries.
	pub(crate) fn other_len(&self) -> usize {
		self.entries.len() - self.pinned
	}

	/// Pinned peers.
	pub(crate) fn pinned_len(&self) -> usize {
		self.pinned
	}

	/// Whether `peer` is pinned.
	pub(crate) fn is_pinned(&self, peer: &PeerId) -> bool {
		self.entries.get(peer).is_some_and(Entry::is_pinned)
	}

	/// The addresses of `peer`, pinned ones first.
	pub(crate) fn addresses(&self, peer: &PeerId) -> Vec<Multiaddr> {
		let Some(entry) = self.entries.get(peer) else { return Vec::new() };
		let mut addresses = entry.pinned.clone();
		addresses.extend(entry.other.iter().filter(|a| !entry.pinned.contains(a)).cloned());
		addresses
	}

	/// Marks `peer` as seen or used now (connected, dialed), if it is in the book.
	pub(crate) fn touch(&mut self, peer: &PeerId) {
		let now = self.tick();
		if let Some(entry) = self.entries.get_mut(peer) {
			entry.last_seen = now;
		}
	}

	/// Remembers `address` for `peer`, making room by forgetting the least recently seen or
	/// used unpinned peer if the book is full.
	pub(crate) fn add(&mut self, peer: PeerId, address: Multiaddr) {
		if !self.entries.contains_key(&peer) {
			self.make_room_for_other(1);
		}
		let now = self.tick();
		let entry = self.entries.entry(peer).or_default();
		entry.last_seen = now;
		push_other(entry, address);
	}

	/// Adds what identify reported for `peer`, only if the peer is in the book already.
	pub(crate) fn update_known(&mut self, peer: &PeerId, addresses: &[Multiaddr]) {
		let now = self.tick();
		let Some(entry) = self.entries.get_mut(peer) else { return };
		entry.last_seen = now;
		for address in addresses.iter().take(MAX_ADDRESSES_PER_PEER) {
			push_other(entry, address.clone());
		}
	}

	/// Pins `peer` at `addresses` (replacing its pinned ones; at most
	/// [`MAX_ADDRESSES_PER_PEER`]); an empty list unpins it.
	pub(crate) fn pin(&mut self, peer: PeerId, addresses: Vec<Multiaddr>) {
		let mut pinned: Vec<Multiaddr> = Vec::new();
		for address in addresses {
			if pinned.len() < MAX_ADDRESSES_PER_PEER && !pinned.contains(&address) {
				pinned.push(address);
			}
		}
		if pinned.is_empty() {
			self.unpin(&peer);
			return;
		}
		if !self.is_pinned(&peer) {
			if self.pinned >= self.max_pinned {
				if let Some(oldest) = self.least_recent(true) {
					self.unpin(&oldest);
				}
			}
			self.pinned += 1;
		}
		let now = self.tick();
		let entry = self.entries.entry(peer).or_default();
		entry.pinned = pinned;
		entry.last_seen = now;
	}

	/// Unpins `peer`: it stays as an ordinary entry if it has other addresses.
	pub(crate) fn unpin(&mut self, peer: &PeerId) {
		let Some(entry) = self.entries.get_mut(peer) else { return };
		if !entry.is_pinned() {
			return;
		}
		entry.pinned.clear();
		self.pinned -= 1;
		if entry.other.is_empty() {
			self.entries.remove(peer);
		} else {
			// It counts among the others now; one of them may have to go.
			self.make_room_for_other(0);
		}
	}

	/// Makes the pinned set exactly `peers` (the first [`crate::Limits::max_pinned_peers`] of
	/// them), each at its addresses.
	pub(crate) fn set_pinned(&mut self, peers: Vec<(PeerId, Vec<Multiaddr>)>) {
		let keep: std::collections::HashSet<PeerId> =
			peers.iter().take(self.max_pinned).map(|(peer, _)| *peer).collect();
		let stale: Vec<PeerId> = self
			.entries
			.iter()
			.filter(|(peer, entry)| entry.is_pinned() && !keep.contains(peer))
			.map(|(peer, _)| *peer)
			.collect();
		for peer in stale {
			self.unpin(&peer);
		}
		for (peer, addresses) in peers.into_iter().take(self.max_pinned) {
			self.pin(peer, addresses);
		}
	}

	/// Forgets least recently seen or used unpinned peers until `extra` more fit.
	fn make_room_for_other(&mut self, extra: usize) {
		while self.other_len() + extra > self.max_other {
			let Some(oldest) = self.least_recent(false) else { return };
			self.entries.remove(&oldest);
		}
	}

	/// The least recently seen or used peer, pinned or not. A linear scan: it runs only when
	/// the node adds a peer to a full book, never for what a remote sends.
	fn least_recent(&self, pinned: bool) -> Option<PeerId> {
		self.entries
			.iter()
			.filter(|(_, entry)| entry.is_pinned() == pinned)
			.min_by_key(|(_, entry)| entry.last_seen)
			.map(|(peer, _)| *peer)
	}
}

fn push_other(entry: &mut Entry, address: Multiaddr) {
	if entry.other.contains(&address) {
		return;
	}
	if entry.other.len() >= MAX_ADDRESSES_PER_PEER {
		entry.other.pop_front();
	}
	entry.other.push_back(address);
}

#[cfg(test)]
mod tests {
	use super::*;

	fn address(port: u16) -> Multiaddr {
		format!("/ip4/127.0.0.1/tcp/{port}").parse().unwrap()
	}

	#[test]
	fn a_full_book_forgets_the_least_recently_seen_unpinned_peer() {
		let mut book = AddressBook::new(3, 2);
		let peers: Vec<PeerId> = (0..4).map(|_| PeerId::random()).collect();
		let pinned = PeerId::random();
		book.pin(pinned, vec![address(1)]);
		for (i, peer) in peers[..3].iter().enumerate() {
			book.add(*peer, address(10 + i as u16));
		}
		// peers[0] is used again, so peers[1] is now the least recent.
		book.touch(&peers[0]);
		book.add(peers[3], address(13));
		assert_eq!(book.other_len(), 3);
		assert!(book.addresses(&peers[1]).is_empty(), "the least recent one went");
		assert_eq!(book.addresses(&peers[0]), vec![address(10)]);
		// However many come, the pinned peer stays, and the book stays bounded.
		for i in 0..100 {
			book.add(PeerId::random(), address(1000 + i));
		}
		assert_eq!((book.other_len(), book.pinned_len()), (3, 1));
		assert_eq!(book.addresses(&pinned), vec![address(1)]);
	}

	#[test]
	fn identify_only_updates_peers_already_known() {
		let mut book = AddressBook::new(4, 4);
		let stranger = PeerId::random();
		book.update_known(&stranger, &[address(1)]);
		assert_eq!(book.other_len(), 0);

		let known = PeerId::random();
		book.add(known, address(2));
		let reported: Vec<Multiaddr> = (100..120).map(address).collect();
		book.update_known(&known, &reported);
		let addresses = book.addresses(&known);
		assert_eq!(addresses.len(), MAX_ADDRESSES_PER_PEER);
		assert!(addresses.iter().all(|a| a != &address(2)), "the oldest address went first");
	}

	#[test]
	fn pinned_addresses_come_first_and_survive_what_the_peer_reports() {
		let mut book = AddressBook::new(4, 4);
		let peer = PeerId::random();
		book.pin(peer, vec![address(1), address(1), address(2)]);
		book.update_known(&peer, &(100..120).map(address).collect::<Vec<_>>());
		let addresses = book.addresses(&peer);
		assert_eq!(&addresses[..2], &[address(1), address(2)]);
		assert_eq!(addresses.len(), 2 + MAX_ADDRESSES_PER_PEER);

		// Re-pinning replaces the pinned addresses; unpinning keeps the others as ordinary.
		book.pin(peer, vec![address(3)]);
		assert_eq!(book.addresses(&peer)[0], address(3));
		assert!(!book.addresses(&peer).contains(&address(1)));
		book.unpin(&peer);
		assert_eq!((book.pinned_len(), book.other_len()), (0, 1));
		assert!(!book.is_pinned(&peer));
		// An entry with nothing but pinned addresses goes when unpinned.
		let only_pinned = PeerId::random();
		book.pin(only_pinned, vec![address(4)]);
		book.pin(only_pinned, Vec::new());
		assert!(book.addresses(&only_pinned).is_empty());
		assert_eq!(book.pinned_len(), 0);
	}

	#[test]
	fn the_pinned_set_is_bounded_and_replaceable() {
		let mut book = AddressBook::new(2, 3);
		let miners: Vec<PeerId> = (0..5).map(|_| PeerId::random()).collect();
		for (i, miner) in miners.iter().enumerate() {
			book.pin(*miner, vec![address(i as u16)]);
		}
		// Pinning beyond the bound unpinned the least recent pins.
		assert_eq!(book.pinned_len(), 3);
		assert!(!book.is_pinned(&miners[0]) && !book.is_pinned(&miners[1]));
		assert!(book.is_pinned(&miners[4]));

		let fresh: Vec<(PeerId, Vec<Multiaddr>)> =
			(0..4).map(|i| (PeerId::random(), vec![address(50 + i)])).collect();
		book.set_pinned(fresh.clone());
		assert_eq!(book.pinned_len(), 3, "the first three of the four");
		assert!(fresh[..3].iter().all(|(peer, _)| book.is_pinned(peer)));
		assert!(miners.iter().all(|miner| !book.is_pinned(miner)));
		assert_eq!(book.other_len(), 0, "unpinned entries with no other addresses are gone");
	}
}
