//! A bounded cache of per-file chain reads, each valid for the block it was read at.
//!
//! The policy answers every storage-network request from these caches, so what a request can
//! make the miner read from the chain is bounded:
//! - an entry is read at most once per block (the first request naming the file at a block
//!   reads it, every later one at that block uses it, failures included), and requests naming
//!   the same file at once wait for that one read instead of each making their own;
//! - the cache holds at most `capacity` files: the oldest entry makes room for a new one, so a
//!   flood naming random files costs one bounded read per file per block and a bounded amount
//!   of memory, never a growing map.

use cess_primitives::{chain::BlockNumber, FileHash};
use std::{
	collections::{HashMap, VecDeque},
	sync::{Arc, Mutex},
};

/// One file's read: the block it was made at and its outcome.
struct Entry<V> {
	block: BlockNumber,
	value: Result<Arc<V>, String>,
}

/// A file's entry, locked while it is being read.
type Slot<V> = Arc<Mutex<Option<Entry<V>>>>;

/// The files held, in the order they came in.
struct Slots<V> {
	by_file: HashMap<FileHash, Slot<V>>,
	order: VecDeque<FileHash>,
}

/// At most `capacity` files' reads, each valid for the block it was read at.
pub struct BlockCache<V> {
	capacity: usize,
	slots: Mutex<Slots<V>>,
}

impl<V> BlockCache<V> {
	/// An empty cache of at most `capacity` files (at least one).
	pub fn new(capacity: usize) -> Self {
		Self {
			capacity: capacity.max(1),
			slots: Mutex::new(Slots { by_file: HashMap::new(), order: VecDeque::new() }),
		}
	}

	/// The value of `file` read at block `now`: the cached one if it was read at `now`,
	/// otherwise `load`'s (kept for the rest of the block, an error too).
	///
	/// Blocks while another thread reads the same file, so call it from a blocking thread.
	pub fn get_or_load(
		&self,
		file: &FileHash,
		now: BlockNumber,
		load: impl FnOnce() -> Result<V, String>,
	) -> Result<Arc<V>, String> {
		let slot = self.slot(file);
		let mut entry = slot.lock().unwrap_or_else(|e| e.into_inner());
		if let Some(entry) = entry.as_ref().filter(|entry| entry.block == now) {
			return entry.value.clone();
		}
		let value = load().map(Arc::new);
		*entry = Some(Entry { block: now, value: value.clone() });
		value
	}

	/// The slot of `file`, made (evicting the oldest files past the capacity) if missing.
	fn slot(&self, file: &FileHash) -> Slot<V> {
		let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
		if let Some(slot) = slots.by_file.get(file) {
			return slot.clone();
		}
		while slots.by_file.len() >= self.capacity {
			let Some(oldest) = slots.order.pop_front() else { break };
			// A thread still reading the evicted file keeps its slot alive until it is done.
			slots.by_file.remove(&oldest);
		}
		let slot = Slot::default();
		slots.by_file.insert(*file, slot.clone());
		slots.order.push_back(*file);
		slot
	}

	/// Files held.
	#[cfg(test)]
	pub fn len(&self) -> usize {
		self.slots.lock().unwrap().by_file.len()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::sync::atomic::{AtomicUsize, Ordering};

	fn file(n: u8) -> FileHash {
		FileHash([n; 32])
	}

	#[test]
	fn a_file_is_read_once_per_block_and_the_cache_stays_bounded() {
		let cache = BlockCache::new(3);
		let reads = AtomicUsize::new(0);
		let load = |value: u32| {
			reads.fetch_add(1, Ordering::SeqCst);
			Ok(value)
		};
		assert_eq!(*cache.get_or_load(&file(1), 10, || load(1)).unwrap(), 1);
		assert_eq!(*cache.get_or_load(&file(1), 10, || load(2)).unwrap(), 1);
		assert_eq!(reads.load(Ordering::SeqCst), 1);
		// The next block reads it again.
		assert_eq!(*cache.get_or_load(&file(1), 11, || load(3)).unwrap(), 3);
		assert_eq!(reads.load(Ordering::SeqCst), 2);

		// A failed read is kept for the block as well: naming the file again costs nothing.
		let failed = cache.get_or_load(&file(2), 11, || Err::<u32, _>("timed out".into()));
		assert_eq!(failed, Err("timed out".to_string()));
		assert_eq!(cache.get_or_load(&file(2), 11, || load(9)), Err("timed out".to_string()));
		assert_eq!(reads.load(Ordering::SeqCst), 2);

		// A flood of files: never more than the capacity, the oldest going first.
		for n in 3..50 {
			cache.get_or_load(&file(n), 11, || load(u32::from(n))).unwrap();
			assert!(cache.len() <= 3);
		}
		assert_eq!(reads.load(Ordering::SeqCst), 2 + 47);
		assert_eq!(*cache.get_or_load(&file(49), 11, || load(0)).unwrap(), 49);
		assert_eq!(*cache.get_or_load(&file(1), 11, || load(100)).unwrap(), 100, "evicted");
	}
}
