//! [`Hooked`]: a store that forwards to another, with hooks on reads and appends for fault
//! injection and measurement.

use super::{FragmentSource, FragmentStore, StoreError, StoredFragment};
use crate::FragmentRoot;
use std::io;

/// The calls of a [`Hooked`] store its owner may intercept. Each method defaults to plain
/// forwarding, so an implementation overrides only what it changes.
pub trait StoreHooks: Send + Sync + 'static {
	/// Called with the reader of each complete fragment opened (only when the inner store holds
	/// it); callers read from what it returns.
	fn reader(&self, reader: Box<dyn FragmentSource>) -> Box<dyn FragmentSource> {
		reader
	}

	/// Called for each append to a partial upload, in place of the inner store's
	/// [`FragmentStore::append_partial`], which it reaches through [`Append::forward`] (before
	/// or after its own work, or not at all).
	fn append_partial(&self, append: Append<'_>) -> Result<(), StoreError> {
		append.forward()
	}
}

/// An append to a partial upload, as [`StoreHooks::append_partial`] sees it.
pub struct Append<'a> {
	/// The fragment the partial upload is of.
	pub root: &'a FragmentRoot,
	/// Where the bytes go: the size the partial upload must have.
	pub offset: u64,
	/// The bytes appended.
	pub bytes: &'a [u8],
	inner: &'a dyn FragmentStore,
}

impl Append<'_> {
	/// Makes the append in the inner store.
	pub fn forward(&self) -> Result<(), StoreError> {
		self.inner.append_partial(self.root, self.offset, self.bytes)
	}
}

/// A [`FragmentStore`] that forwards every call to an inner store, except that its
/// [`StoreHooks`] see the readers of opened fragments and the appends to partial uploads.
///
/// For tests, benchmarks and tools: a failure or a stall in the middle of a transfer, a process
/// exiting after so many bytes, a store reading as slowly as a disk. [`FragmentStore::contains`]
/// and [`FragmentStore::read`] keep their defaults, so a `read` goes through the hooks too.
pub struct Hooked<S, H> {
	inner: S,
	hooks: H,
}

impl<S, H> Hooked<S, H> {
	/// `inner`, with its reads and appends passed through `hooks`.
	pub fn new(inner: S, hooks: H) -> Self {
		Self { inner, hooks }
	}

	/// The inner store, to reach it past the hooks (e.g. to fill it before a test).
	pub fn inner(&self) -> &S {
		&self.inner
	}

	/// The hooks.
	pub fn hooks(&self) -> &H {
		&self.hooks
	}
}

impl<S: FragmentStore, H: StoreHooks> FragmentStore for Hooked<S, H> {
	fn size(&self, root: &FragmentRoot) -> io::Result<Option<u64>> {
		self.inner.size(root)
	}

	fn open(&self, root: &FragmentRoot) -> io::Result<Option<StoredFragment>> {
		Ok(self.inner.open(root)?.map(|fragment| StoredFragment {
			size: fragment.size,
			reader: self.hooks.reader(fragment.reader),
		}))
	}

	fn put(&self, root: &FragmentRoot, bytes: &[u8]) -> Result<(), StoreError> {
		self.inner.put(root, bytes)
	}

	fn partial_size(&self, root: &FragmentRoot) -> io::Result<u64> {
		self.inner.partial_size(root)
	}

	fn append_partial(
		&self,
		root: &FragmentRoot,
		offset: u64,
		bytes: &[u8],
	) -> Result<(), StoreError> {
		self.hooks.append_partial(Append { root, offset, bytes, inner: &self.inner })
	}

	fn commit_partial(&self, root: &FragmentRoot, size: u64) -> Result<(), StoreError> {
		self.inner.commit_partial(root, size)
	}

	fn commit_checked_partial(&self, root: &FragmentRoot, size: u64) -> Result<(), StoreError> {
		self.inner.commit_checked_partial(root, size)
	}

	fn discard_partial(&self, root: &FragmentRoot) -> io::Result<()> {
		self.inner.discard_partial(root)
	}

	fn remove(&self, root: &FragmentRoot) -> io::Result<bool> {
		self.inner.remove(root)
	}

	fn roots(&self) -> io::Result<Vec<FragmentRoot>> {
		self.inner.roots()
	}

	fn free_space(&self) -> Option<u64> {
		self.inner.free_space()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::store::{
		tests::{fragment, verifier},
		MemoryStore,
	};
	use std::{
		io::{Read, Seek, SeekFrom},
		sync::atomic::{AtomicU64, Ordering},
	};

	/// Hooks that count the bytes appended and serve every fragment from its second byte.
	#[derive(Default)]
	struct CountAndSkip {
		appended: AtomicU64,
	}

	impl StoreHooks for CountAndSkip {
		fn reader(&self, mut reader: Box<dyn FragmentSource>) -> Box<dyn FragmentSource> {
			reader.seek(SeekFrom::Start(1)).unwrap();
			reader
		}

		fn append_partial(&self, append: Append<'_>) -> Result<(), StoreError> {
			self.appended.fetch_add(append.bytes.len() as u64, Ordering::SeqCst);
			append.forward()
		}
	}

	#[test]
	fn hooks_see_reads_and_appends_and_everything_else_reaches_the_inner_store() {
		let store = Hooked::new(MemoryStore::new(verifier()), CountAndSkip::default());
		let (root, bytes) = fragment(3000, 9);
		store.append_partial(&root, 0, &bytes[..1000]).unwrap();
		store.append_partial(&root, 1000, &bytes[1000..]).unwrap();
		assert_eq!(store.hooks().appended.load(Ordering::SeqCst), 3000);
		assert_eq!(store.inner().partial_size(&root).unwrap(), 3000);
		store.commit_checked_partial(&root, 3000).unwrap();
		assert_eq!(store.roots().unwrap(), vec![root]);

		// `open` and `read` pass through the reader hook; the inner store is untouched.
		let mut opened = store.open(&root).unwrap().unwrap();
		assert_eq!(opened.size, 3000);
		let mut read = Vec::new();
		opened.reader.read_to_end(&mut read).unwrap();
		assert_eq!(read, bytes[1..]);
		assert_eq!(store.read(&root).unwrap().unwrap(), bytes[1..]);
		assert_eq!(store.inner().read(&root).unwrap().unwrap(), bytes);

		assert!(store.remove(&root).unwrap());
		assert!(!store.inner().contains(&root).unwrap());
	}
}
