//! [`MemoryStore`]: fragments in a map, for tests, benchmarks and peers that only relay.

use super::{capacity::Capacity, FragmentStore, StoreError, StoredFragment};
use crate::{FragmentRoot, FragmentVerifier};
use bytes::Bytes;
use std::{
	collections::HashMap,
	io::{self, Cursor},
	sync::{Arc, Mutex, MutexGuard},
};

/// Fragments in memory. For tests, benchmarks and peers that only relay.
pub struct MemoryStore {
	verifier: Arc<dyn FragmentVerifier>,
	fragments: Mutex<HashMap<FragmentRoot, Bytes>>,
	partials: Mutex<HashMap<FragmentRoot, Vec<u8>>>,
	capacity: Capacity,
}

impl MemoryStore {
	/// An empty, unbounded store checking fragments with `verifier`.
	pub fn new(verifier: Arc<dyn FragmentVerifier>) -> Self {
		Self {
			verifier,
			fragments: Default::default(),
			partials: Default::default(),
			capacity: Capacity::unbounded(),
		}
	}

	/// This store, holding at most `bytes` (fragments and partial uploads together).
	pub fn with_capacity(self, bytes: u64) -> Self {
		self.capacity.set_limit(Some(bytes));
		self
	}

	fn fragments(&self) -> MutexGuard<'_, HashMap<FragmentRoot, Bytes>> {
		// A panic elsewhere cannot leave the map half-updated: every update is one insert/remove.
		self.fragments.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Publishes the partial upload of `root`, checking it against the root unless `checked`.
	fn commit(&self, root: &FragmentRoot, size: u64, checked: bool) -> Result<(), StoreError> {
		let bytes = self.partials().remove(root).unwrap_or_default();
		let actual = bytes.len() as u64;
		if actual != size {
			self.capacity.give_back(actual);
			return Err(StoreError::SizeMismatch { expected: size, actual });
		}
		if !checked && !self.verifier.verify(root, &bytes) {
			self.capacity.give_back(actual);
			return Err(StoreError::Integrity);
		}
		if self.fragments().insert(*root, Bytes::from(bytes)).is_some() {
			// Held already (content-addressed: the same bytes), so counted once.
			self.capacity.give_back(actual);
		}
		Ok(())
	}

	fn partials(&self) -> MutexGuard<'_, HashMap<FragmentRoot, Vec<u8>>> {
		self.partials.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}
}

impl FragmentStore for MemoryStore {
	fn size(&self, root: &FragmentRoot) -> io::Result<Option<u64>> {
		Ok(self.fragments().get(root).map(|bytes| bytes.len() as u64))
	}

	fn open(&self, root: &FragmentRoot) -> io::Result<Option<StoredFragment>> {
		Ok(self.fragments().get(root).map(|bytes| StoredFragment {
			size: bytes.len() as u64,
			reader: Box::new(Cursor::new(bytes.clone())),
		}))
	}

	fn put(&self, root: &FragmentRoot, bytes: &[u8]) -> Result<(), StoreError> {
		if !self.verifier.verify(root, bytes) {
			return Err(StoreError::Integrity);
		}
		let mut fragments = self.fragments();
		if fragments.contains_key(root) {
			return Ok(());
		}
		self.capacity.take(bytes.len() as u64)?;
		fragments.insert(*root, Bytes::copy_from_slice(bytes));
		Ok(())
	}

	fn partial_size(&self, root: &FragmentRoot) -> io::Result<u64> {
		Ok(self.partials().get(root).map_or(0, |bytes| bytes.len() as u64))
	}

	fn append_partial(
		&self,
		root: &FragmentRoot,
		offset: u64,
		bytes: &[u8],
	) -> Result<(), StoreError> {
		let mut partials = self.partials();
		let partial = partials.entry(*root).or_default();
		let actual = partial.len() as u64;
		if actual != offset {
			return Err(StoreError::OffsetMismatch { offset, actual });
		}
		self.capacity.take(bytes.len() as u64)?;
		partial.extend_from_slice(bytes);
		Ok(())
	}

	fn commit_partial(&self, root: &FragmentRoot, size: u64) -> Result<(), StoreError> {
		self.commit(root, size, false)
	}

	fn commit_checked_partial(&self, root: &FragmentRoot, size: u64) -> Result<(), StoreError> {
		self.commit(root, size, true)
	}

	fn discard_partial(&self, root: &FragmentRoot) -> io::Result<()> {
		if let Some(partial) = self.partials().remove(root) {
			self.capacity.give_back(partial.len() as u64);
		}
		Ok(())
	}

	fn remove(&self, root: &FragmentRoot) -> io::Result<bool> {
		let removed = self.fragments().remove(root);
		if let Some(bytes) = &removed {
			self.capacity.give_back(bytes.len() as u64);
		}
		Ok(removed.is_some())
	}

	fn roots(&self) -> io::Result<Vec<FragmentRoot>> {
		let mut roots: Vec<_> = self.fragments().keys().copied().collect();
		roots.sort_unstable();
		Ok(roots)
	}

	fn free_space(&self) -> Option<u64> {
		self.capacity.free()
	}
}
