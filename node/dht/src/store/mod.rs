//! Where fragments live: the [`FragmentStore`] trait, the on-disk [`DiskStore`], the in-memory
//! [`MemoryStore`], and [`Hooked`], a pass-through store for fault injection and measurement.
//!
//! A store holds two kinds of things:
//! - **fragments**: complete, checked against their root by the store's
//!   [`FragmentVerifier`](crate::FragmentVerifier) before they become visible;
//!   [`FragmentStore::open`] and [`FragmentStore::contains`] see only these;
//! - **partial uploads**: the prefix of a fragment received so far, kept so an interrupted upload
//!   can resume; invisible to readers until [`FragmentStore::commit_partial`] checks and publishes
//!   them.
//!
//! A store may be bounded ([`DiskStore::set_capacity`], [`MemoryStore::with_capacity`]): its
//! fragments and partial uploads together never exceed the bound, a write that would is refused
//! with [`StoreError::Full`] before anything is written, and nothing held is ever deleted to make
//! room. The network refuses an upload it cannot hold before its first byte
//! ([`FragmentStore::free_space`]).
//!
//! All methods are blocking; the network calls them from Tokio's blocking pool.

mod capacity;
mod disk;
mod hooked;
mod memory;

pub use disk::DiskStore;
pub use hooked::{Append, Hooked, StoreHooks};
pub use memory::MemoryStore;

use crate::FragmentRoot;
use std::io::{self, Read, Seek};

/// Why a store refused or failed an operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// The bytes do not match the root; nothing was stored and any partial upload was discarded.
	#[error("the fragment does not match its root")]
	Integrity,
	/// A partial upload was appended to at an offset other than its current end.
	#[error("partial upload holds {actual} bytes, a write at offset {offset} was attempted")]
	OffsetMismatch {
		/// The offset of the attempted write.
		offset: u64,
		/// The size of the partial upload.
		actual: u64,
	},
	/// A partial upload was committed with a size other than the bytes it holds.
	#[error("partial upload holds {actual} bytes, {expected} were expected")]
	SizeMismatch {
		/// The size the fragment should have.
		expected: u64,
		/// The bytes the partial upload holds.
		actual: u64,
	},
	/// The store is at its bound (or its disk is full): nothing was written and nothing held
	/// was touched.
	#[error("the store is full: {needed} more bytes were needed, {free} are free")]
	Full {
		/// The bytes the refused write needed.
		needed: u64,
		/// The bytes the store could still take.
		free: u64,
	},
	/// The underlying storage failed.
	#[error("storage: {0}")]
	Io(#[from] io::Error),
}

/// Something a stored fragment can be read from.
pub trait FragmentSource: Read + Seek + Send {}
impl<T: Read + Seek + Send> FragmentSource for T {}

/// An open, complete fragment.
pub struct StoredFragment {
	/// The fragment's size in bytes.
	pub size: u64,
	/// Its bytes, positioned at the start.
	pub reader: Box<dyn FragmentSource>,
}

/// Content-addressed fragment storage with resumable, verified uploads.
pub trait FragmentStore: Send + Sync + 'static {
	/// Whether the complete fragment `root` is held.
	fn contains(&self, root: &FragmentRoot) -> io::Result<bool> {
		Ok(self.size(root)?.is_some())
	}

	/// The size of the complete fragment `root`, if held.
	fn size(&self, root: &FragmentRoot) -> io::Result<Option<u64>>;

	/// Opens the complete fragment `root` for reading, if held.
	fn open(&self, root: &FragmentRoot) -> io::Result<Option<StoredFragment>>;

	/// Reads the complete fragment `root` into memory, if held.
	fn read(&self, root: &FragmentRoot) -> io::Result<Option<Vec<u8>>> {
		let Some(mut fragment) = self.open(root)? else { return Ok(None) };
		let mut out = Vec::with_capacity(usize::try_from(fragment.size).unwrap_or(0));
		fragment.reader.read_to_end(&mut out)?;
		Ok(Some(out))
	}

	/// Checks `bytes` against `root` and stores them as a complete fragment, atomically.
	fn put(&self, root: &FragmentRoot, bytes: &[u8]) -> Result<(), StoreError>;

	/// The number of bytes held in the partial upload of `root` (0 if none).
	fn partial_size(&self, root: &FragmentRoot) -> io::Result<u64>;

	/// Appends `bytes` to the partial upload of `root`, which must currently hold `offset` bytes.
	fn append_partial(
		&self,
		root: &FragmentRoot,
		offset: u64,
		bytes: &[u8],
	) -> Result<(), StoreError>;

	/// Checks the partial upload of `root` (which must hold exactly `size` bytes) against the
	/// root and publishes it as a complete fragment, atomically. On [`StoreError::Integrity`]
	/// or [`StoreError::SizeMismatch`] the partial upload is discarded.
	fn commit_partial(&self, root: &FragmentRoot, size: u64) -> Result<(), StoreError>;

	/// [`Self::commit_partial`] for a partial upload whose every byte, from offset 0, the caller
	/// checked against `root` as it was appended: a store may then skip reading the bytes back
	/// to check them again. The default checks again.
	fn commit_checked_partial(&self, root: &FragmentRoot, size: u64) -> Result<(), StoreError> {
		self.commit_partial(root, size)
	}

	/// Drops the partial upload of `root`, if any.
	fn discard_partial(&self, root: &FragmentRoot) -> io::Result<()>;

	/// Deletes the complete fragment `root`; `true` if it was held.
	fn remove(&self, root: &FragmentRoot) -> io::Result<bool>;

	/// The roots of all complete fragments held.
	fn roots(&self) -> io::Result<Vec<FragmentRoot>>;

	/// The bytes this store may still take, fragments and partial uploads together; `None` if
	/// it is not bounded. Cheap (no I/O): the network asks it on its event loop.
	fn free_space(&self) -> Option<u64> {
		None
	}
}

/// What every store must do, run against both implementations; the disk store's own behaviour
/// (crash recovery, pruning) is tested in `disk.rs`.
#[cfg(test)]
mod tests {
	use super::*;
	use crate::{Blake2Verifier, FragmentVerifier};
	use std::sync::Arc;

	pub(super) fn verifier() -> Arc<dyn FragmentVerifier> {
		Arc::new(Blake2Verifier)
	}

	/// `len` deterministic bytes and their root.
	pub(super) fn fragment(len: usize, seed: u8) -> (FragmentRoot, Vec<u8>) {
		let bytes: Vec<u8> =
			(0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
		(Blake2Verifier::root_of(&bytes), bytes)
	}

	/// Runs `test` on a fresh disk store and on a fresh memory store.
	fn for_each_store(test: impl Fn(&dyn FragmentStore)) {
		let dir = tempfile::tempdir().unwrap();
		let stores: [Box<dyn FragmentStore>; 2] = [
			Box::new(DiskStore::open(dir.path(), verifier()).unwrap()),
			Box::new(MemoryStore::new(verifier())),
		];
		for store in stores {
			test(&*store);
		}
	}

	#[test]
	fn a_bounded_store_refuses_what_does_not_fit_and_frees_what_it_deletes() {
		let dir = tempfile::tempdir().unwrap();
		let disk = DiskStore::open(dir.path(), verifier()).unwrap();
		disk.set_capacity(Some(5000));
		let stores: [Box<dyn FragmentStore>; 2] =
			[Box::new(disk), Box::new(MemoryStore::new(verifier()).with_capacity(5000))];
		for store in stores {
			let (a, a_bytes) = fragment(3000, 30);
			let (b, b_bytes) = fragment(3000, 31);
			store.put(&a, &a_bytes).unwrap();
			assert_eq!(store.free_space(), Some(2000));
			assert!(matches!(store.put(&b, &b_bytes), Err(StoreError::Full { .. })));
			store.append_partial(&b, 0, &b_bytes[..2000]).unwrap();
			assert!(matches!(
				store.append_partial(&b, 2000, &b_bytes[2000..]),
				Err(StoreError::Full { needed: 1000, free: 0 })
			));
			assert!(store.remove(&a).unwrap());
			store.append_partial(&b, 2000, &b_bytes[2000..]).unwrap();
			store.commit_partial(&b, 3000).unwrap();
			assert_eq!(store.free_space(), Some(2000));
			assert_eq!(store.read(&b).unwrap().unwrap(), b_bytes);
		}
	}

	/// Appends `partial`, the first bytes of fragment `root`, then checks that `commit` of the
	/// whole `size` is refused as a size mismatch and publishes nothing.
	fn assert_short_partial_refused(
		store: &dyn FragmentStore,
		root: &FragmentRoot,
		partial: &[u8],
		size: u64,
		commit: fn(&dyn FragmentStore, &FragmentRoot, u64) -> Result<(), StoreError>,
	) {
		store.append_partial(root, 0, partial).unwrap();
		let held = partial.len() as u64;
		assert!(matches!(
			commit(store, root, size),
			Err(StoreError::SizeMismatch { expected, actual }) if expected == size && actual == held
		));
		assert!(!store.contains(root).unwrap());
	}

	#[test]
	fn put_then_read_back() {
		for_each_store(|store| {
			let (root, bytes) = fragment(70_000, 1);
			assert!(!store.contains(&root).unwrap());
			store.put(&root, &bytes).unwrap();
			assert_eq!(store.size(&root).unwrap(), Some(bytes.len() as u64));
			assert_eq!(store.read(&root).unwrap().unwrap(), bytes);
			assert_eq!(store.roots().unwrap(), vec![root]);
			assert!(store.remove(&root).unwrap());
			assert!(!store.remove(&root).unwrap());
			assert_eq!(store.read(&root).unwrap(), None);
		});
	}

	#[test]
	fn bytes_not_matching_the_root_are_refused() {
		for_each_store(|store| {
			let (root, mut bytes) = fragment(1000, 2);
			bytes[500] ^= 0xff;
			assert!(matches!(store.put(&root, &bytes), Err(StoreError::Integrity)));
			assert!(!store.contains(&root).unwrap());
			assert!(store.roots().unwrap().is_empty());
		});
	}

	#[test]
	fn partial_upload_is_invisible_until_committed() {
		for_each_store(|store| {
			let (root, bytes) = fragment(10_000, 3);
			store.append_partial(&root, 0, &bytes[..4000]).unwrap();
			assert_eq!(store.partial_size(&root).unwrap(), 4000);
			assert!(!store.contains(&root).unwrap());
			assert!(store.open(&root).unwrap().is_none());
			assert!(matches!(
				store.append_partial(&root, 3000, &bytes[3000..]),
				Err(StoreError::OffsetMismatch { offset: 3000, actual: 4000 })
			));
			store.append_partial(&root, 4000, &bytes[4000..]).unwrap();
			store.commit_partial(&root, bytes.len() as u64).unwrap();
			assert_eq!(store.partial_size(&root).unwrap(), 0);
			assert_eq!(store.read(&root).unwrap().unwrap(), bytes);
		});
	}

	#[test]
	fn corrupted_partial_is_discarded_at_commit() {
		for_each_store(|store| {
			let (root, mut bytes) = fragment(5000, 4);
			bytes[0] ^= 1;
			store.append_partial(&root, 0, &bytes).unwrap();
			assert!(matches!(store.commit_partial(&root, 5000), Err(StoreError::Integrity)));
			assert_eq!(store.partial_size(&root).unwrap(), 0);
			assert!(!store.contains(&root).unwrap());
		});
	}

	#[test]
	fn checked_commit_publishes_without_reading_back_but_still_checks_the_size() {
		for_each_store(|store| {
			let (root, bytes) = fragment(5000, 6);
			assert_short_partial_refused(
				store,
				&root,
				&bytes[..1000],
				5000,
				|store, root, size| store.commit_checked_partial(root, size),
			);
			store.append_partial(&root, 0, &bytes).unwrap();
			store.commit_checked_partial(&root, 5000).unwrap();
			assert_eq!(store.read(&root).unwrap().as_deref(), Some(&bytes[..]));
			assert_eq!(store.partial_size(&root).unwrap(), 0, "the partial upload is gone");
		});
	}

	#[test]
	fn commit_with_wrong_size_is_refused() {
		for_each_store(|store| {
			let (root, bytes) = fragment(5000, 5);
			assert_short_partial_refused(store, &root, &bytes[..100], 5000, |store, root, size| {
				store.commit_partial(root, size)
			});
		});
	}
}
