//! [`DiskStore`]: fragments as files, published atomically and recovered after a crash.

use super::{capacity::Capacity, FragmentStore, StoreError, StoredFragment};
use crate::{root_from_hex, root_to_hex, FragmentRoot, FragmentVerifier};
use std::{
	fs::{self, File, OpenOptions},
	io::{self, Read, Write},
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, SystemTime},
};

/// Fragments as files under a base directory.
///
/// ```text
/// <base>/fragments/<first two hex digits>/<64 hex digits>   complete, verified fragments
/// <base>/partial/<64 hex digits>.part                       resumable uploads (invisible)
/// <base>/tmp/<64 hex digits>.<n>.tmp                        writes in flight (invisible)
/// ```
///
/// A fragment becomes visible only by `rename` into `fragments/`, after its bytes were checked
/// and `fsync`ed, and the directory is `fsync`ed after the rename. So after a crash at any point
/// a fragment is either complete or absent. [`DiskStore::open`] deletes whatever `tmp/` holds and
/// anything in `partial/` that is not a well-named partial upload of a fragment not yet held;
/// well-named partial uploads are kept for resumption (their bytes are checked against the root
/// when completed, so a torn tail after a power loss is caught then).
///
/// The store may be bounded ([`DiskStore::set_capacity`]): the bytes of its fragments and
/// partial uploads, counted when it opens and kept up to date by every write and delete, never
/// exceed the bound. A disk that fills up before the bound is reached refuses the write the same
/// way ([`StoreError::Full`]), after cutting a partial upload back to what it held, so nothing is
/// torn or lost.
pub struct DiskStore {
	base: PathBuf,
	verifier: Arc<dyn FragmentVerifier>,
	tmp_counter: AtomicU64,
	capacity: Capacity,
}

const FRAGMENTS_DIR: &str = "fragments";
const PARTIAL_DIR: &str = "partial";
const TMP_DIR: &str = "tmp";
const PARTIAL_SUFFIX: &str = ".part";

impl DiskStore {
	/// Opens (creating if needed) the store under `base` and recovers from any earlier crash.
	pub fn open(base: impl Into<PathBuf>, verifier: Arc<dyn FragmentVerifier>) -> io::Result<Self> {
		let base = base.into();
		for dir in [FRAGMENTS_DIR, PARTIAL_DIR, TMP_DIR] {
			fs::create_dir_all(base.join(dir))?;
		}
		sync_dir(&base)?;
		let store = Self {
			base,
			verifier,
			tmp_counter: AtomicU64::new(0),
			capacity: Capacity::unbounded(),
		};
		store.recover()?;
		store.capacity.set_used(store.count_used()?);
		Ok(store)
	}

	/// Bounds the bytes held, fragments and partial uploads together, to `bytes` (`None`: no
	/// bound). A bound below what is held deletes nothing; new writes are refused until enough
	/// is deleted.
	pub fn set_capacity(&self, bytes: Option<u64>) {
		self.capacity.set_limit(bytes);
	}

	/// The bound set by [`Self::set_capacity`], if any.
	pub fn capacity(&self) -> Option<u64> {
		self.capacity.limit()
	}

	/// The bytes held: complete fragments and partial uploads.
	pub fn used(&self) -> u64 {
		self.capacity.used()
	}

	/// The base directory.
	pub fn base(&self) -> &Path {
		&self.base
	}

	/// Where the complete fragment `root` lives (whether or not it is held).
	pub fn fragment_path(&self, root: &FragmentRoot) -> PathBuf {
		let hex = root_to_hex(root);
		self.base.join(FRAGMENTS_DIR).join(&hex[..2]).join(hex)
	}

	/// Where the partial upload of `root` lives (whether or not there is one).
	pub fn partial_path(&self, root: &FragmentRoot) -> PathBuf {
		self.base.join(PARTIAL_DIR).join(format!("{}{PARTIAL_SUFFIX}", root_to_hex(root)))
	}

	/// Deletes partial uploads untouched for longer than `max_age`; returns how many.
	///
	/// The node calls this now and then, so abandoned uploads do not hold disk space forever.
	pub fn prune_partials(&self, max_age: Duration) -> io::Result<usize> {
		let now = SystemTime::now();
		let mut pruned = 0;
		for entry in fs::read_dir(self.base.join(PARTIAL_DIR))? {
			let entry = entry?;
			let meta = entry.metadata()?;
			if now.duration_since(meta.modified()?).unwrap_or_default() > max_age {
				if remove_if_exists(&entry.path())? {
					self.capacity.give_back(meta.len());
				}
				pruned += 1;
			}
		}
		if pruned > 0 {
			sync_dir(&self.base.join(PARTIAL_DIR))?;
		}
		Ok(pruned)
	}

	/// The bytes of the fragments and partial uploads on disk.
	fn count_used(&self) -> io::Result<u64> {
		let mut used = 0u64;
		let mut add_files = |dir: &Path| -> io::Result<()> {
			for entry in fs::read_dir(dir)? {
				let meta = entry?.metadata()?;
				if meta.is_file() {
					used = used.saturating_add(meta.len());
				}
			}
			Ok(())
		};
		add_files(&self.base.join(PARTIAL_DIR))?;
		for shard in fs::read_dir(self.base.join(FRAGMENTS_DIR))? {
			let shard = shard?;
			if shard.file_type()?.is_dir() {
				add_files(&shard.path())?;
			}
		}
		Ok(used)
	}

	/// The roots of the partial uploads held.
	pub fn partial_roots(&self) -> io::Result<Vec<FragmentRoot>> {
		let mut roots = Vec::new();
		for entry in fs::read_dir(self.base.join(PARTIAL_DIR))? {
			let name = entry?.file_name();
			if let Some(root) = name
				.to_str()
				.and_then(|name| name.strip_suffix(PARTIAL_SUFFIX))
				.and_then(root_from_hex)
			{
				roots.push(root);
			}
		}
		roots.sort_unstable();
		Ok(roots)
	}

	fn recover(&self) -> io::Result<()> {
		// Writes in flight at a crash are garbage: their fragment was not yet visible.
		for entry in fs::read_dir(self.base.join(TMP_DIR))? {
			remove_any(&entry?.path())?;
		}
		sync_dir(&self.base.join(TMP_DIR))?;
		for entry in fs::read_dir(self.base.join(PARTIAL_DIR))? {
			let path = entry?.path();
			let root = path
				.file_name()
				.and_then(|name| name.to_str())
				.and_then(|name| name.strip_suffix(PARTIAL_SUFFIX))
				.and_then(root_from_hex);
			let keep = match root {
				Some(root) => path.is_file() && !self.fragment_path(&root).exists(),
				None => false,
			};
			if !keep {
				remove_any(&path)?;
			}
		}
		sync_dir(&self.base.join(PARTIAL_DIR))
	}

	/// Checks the file at `source` (holding `size` bytes) against `root` unless `checked` (its
	/// bytes were checked as they were written), makes it durable and moves it to its final
	/// place.
	fn publish(
		&self,
		root: &FragmentRoot,
		source: &Path,
		size: u64,
		checked: bool,
	) -> Result<(), StoreError> {
		let mut file = File::open(source)?;
		let actual = file.metadata()?.len();
		if actual != size {
			drop(file);
			self.delete_counted(source, actual)?;
			return Err(StoreError::SizeMismatch { expected: size, actual });
		}
		if !checked {
			let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
			file.read_to_end(&mut bytes)?;
			if !self.verifier.verify(root, &bytes) {
				drop(file);
				self.delete_counted(source, actual)?;
				return Err(StoreError::Integrity);
			}
		}
		file.sync_all()?;
		drop(file);
		if !self.move_into_place(root, source)? {
			// Held already (content-addressed: the same bytes), so counted once.
			self.capacity.give_back(actual);
		}
		Ok(())
	}

	/// Deletes the file at `path`, which holds `bytes` counted against the capacity.
	fn delete_counted(&self, path: &Path, bytes: u64) -> io::Result<()> {
		if remove_if_exists(path)? {
			self.capacity.give_back(bytes);
		}
		Ok(())
	}

	/// Publishes the file at `source` as fragment `root`, unless the fragment is held already
	/// (content-addressed: the same bytes), in which case `source` is deleted: `true` if it was
	/// published. Never replaces (a link, then the source's name removed), so two writers of one
	/// root — an upload and a repair, say — cannot both count it. After a crash between the two
	/// steps, reopening deletes the leftover name (`tmp/`, or the partial of a held fragment).
	fn move_into_place(&self, root: &FragmentRoot, source: &Path) -> Result<bool, StoreError> {
		let target = self.fragment_path(root);
		let shard =
			target.parent().ok_or_else(|| io::Error::other("fragment path has no parent"))?;
		if !shard.exists() {
			fs::create_dir_all(shard)?;
			sync_dir(&self.base.join(FRAGMENTS_DIR))?;
		}
		let published = match fs::hard_link(source, &target) {
			Ok(()) => true,
			Err(e) if e.kind() == io::ErrorKind::AlreadyExists => false,
			Err(e) => return Err(e.into()),
		};
		remove_if_exists(source)?;
		if published {
			sync_dir(shard)?;
		}
		if let Some(source_dir) = source.parent() {
			sync_dir(source_dir)?;
		}
		Ok(published)
	}
}

impl FragmentStore for DiskStore {
	fn size(&self, root: &FragmentRoot) -> io::Result<Option<u64>> {
		match fs::metadata(self.fragment_path(root)) {
			Ok(meta) => Ok(Some(meta.len())),
			Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
			Err(e) => Err(e),
		}
	}

	fn open(&self, root: &FragmentRoot) -> io::Result<Option<StoredFragment>> {
		match File::open(self.fragment_path(root)) {
			Ok(file) => {
				let size = file.metadata()?.len();
				Ok(Some(StoredFragment { size, reader: Box::new(file) }))
			}
			Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
			Err(e) => Err(e),
		}
	}

	fn put(&self, root: &FragmentRoot, bytes: &[u8]) -> Result<(), StoreError> {
		if !self.verifier.verify(root, bytes) {
			return Err(StoreError::Integrity);
		}
		if self.fragment_path(root).exists() {
			return Ok(());
		}
		let len = bytes.len() as u64;
		self.capacity.take(len)?;
		let n = self.tmp_counter.fetch_add(1, Ordering::Relaxed);
		let tmp = self.base.join(TMP_DIR).join(format!("{}.{n}.tmp", root_to_hex(root)));
		let written = (|| -> io::Result<()> {
			let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
			file.write_all(bytes)?;
			file.sync_all()
		})();
		if let Err(e) = written {
			let _ = fs::remove_file(&tmp);
			self.capacity.give_back(len);
			return Err(full_disk(e, len));
		}
		match self.move_into_place(root, &tmp) {
			Ok(true) => Ok(()),
			Ok(false) => {
				self.capacity.give_back(len);
				Ok(())
			}
			Err(e) => {
				let _ = fs::remove_file(&tmp);
				// Counted only if it did not get into place (or a twin did).
				if !self.fragment_path(root).exists() {
					self.capacity.give_back(len);
				}
				Err(e)
			}
		}
	}

	fn partial_size(&self, root: &FragmentRoot) -> io::Result<u64> {
		match fs::metadata(self.partial_path(root)) {
			Ok(meta) => Ok(meta.len()),
			Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
			Err(e) => Err(e),
		}
	}

	fn append_partial(
		&self,
		root: &FragmentRoot,
		offset: u64,
		bytes: &[u8],
	) -> Result<(), StoreError> {
		let mut file =
			OpenOptions::new().create(true).append(true).open(self.partial_path(root))?;
		let actual = file.metadata()?.len();
		if actual != offset {
			return Err(StoreError::OffsetMismatch { offset, actual });
		}
		let len = bytes.len() as u64;
		self.capacity.take(len)?;
		// No fsync per chunk: a torn tail after a power loss fails the root check at commit.
		if let Err(e) = file.write_all(bytes) {
			// Back to what it held, so that the upload can resume after it.
			let _ = file.set_len(actual);
			self.capacity.give_back(len);
			return Err(full_disk(e, len));
		}
		Ok(())
	}

	fn commit_partial(&self, root: &FragmentRoot, size: u64) -> Result<(), StoreError> {
		self.publish(root, &self.partial_path(root), size, false)
	}

	fn commit_checked_partial(&self, root: &FragmentRoot, size: u64) -> Result<(), StoreError> {
		self.publish(root, &self.partial_path(root), size, true)
	}

	fn discard_partial(&self, root: &FragmentRoot) -> io::Result<()> {
		let held = self.partial_size(root)?;
		self.delete_counted(&self.partial_path(root), held)
	}

	fn remove(&self, root: &FragmentRoot) -> io::Result<bool> {
		let path = self.fragment_path(root);
		let Some(held) = self.size(root)? else { return Ok(false) };
		if !remove_if_exists(&path)? {
			return Ok(false);
		}
		self.capacity.give_back(held);
		if let Some(dir) = path.parent() {
			sync_dir(dir)?;
		}
		Ok(true)
	}

	fn roots(&self) -> io::Result<Vec<FragmentRoot>> {
		let mut roots = Vec::new();
		for shard in fs::read_dir(self.base.join(FRAGMENTS_DIR))? {
			let shard = shard?;
			if !shard.file_type()?.is_dir() {
				continue;
			}
			for entry in fs::read_dir(shard.path())? {
				let entry = entry?;
				if let Some(root) = entry.file_name().to_str().and_then(root_from_hex) {
					roots.push(root);
				}
			}
		}
		roots.sort_unstable();
		Ok(roots)
	}

	fn free_space(&self) -> Option<u64> {
		self.capacity.free()
	}
}

fn sync_dir(dir: &Path) -> io::Result<()> {
	File::open(dir)?.sync_all()
}

/// Deletes the file at `path`; `false` if there was none.
fn remove_if_exists(path: &Path) -> io::Result<bool> {
	match fs::remove_file(path) {
		Ok(()) => Ok(true),
		Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
		Err(e) => Err(e),
	}
}

/// A write's error, as [`StoreError::Full`] when the disk itself is full.
fn full_disk(error: io::Error, needed: u64) -> StoreError {
	match error.kind() {
		io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
			StoreError::Full { needed, free: 0 }
		}
		_ => StoreError::Io(error),
	}
}

fn remove_any(path: &Path) -> io::Result<()> {
	if path.is_dir() {
		fs::remove_dir_all(path)
	} else {
		remove_if_exists(path).map(|_| ())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::store::tests::{fragment, verifier};

	#[test]
	fn reopening_after_a_crash_cleans_up_and_keeps_resumable_uploads() {
		let dir = tempfile::tempdir().unwrap();
		let (done, done_bytes) = fragment(3000, 6);
		let (pending, pending_bytes) = fragment(3000, 7);
		{
			let store = DiskStore::open(dir.path(), verifier()).unwrap();
			store.put(&done, &done_bytes).unwrap();
			store.append_partial(&pending, 0, &pending_bytes[..1234]).unwrap();
			// What a crash can leave behind: a write in flight, a partial of a fragment that was
			// published after all, and names that are not ours.
			fs::write(dir.path().join(TMP_DIR).join("x.0.tmp"), b"torn").unwrap();
			fs::write(store.partial_path(&done), b"stale").unwrap();
			fs::write(dir.path().join(PARTIAL_DIR).join("junk"), b"?").unwrap();
		}
		let store = DiskStore::open(dir.path(), verifier()).unwrap();
		assert_eq!(fs::read_dir(dir.path().join(TMP_DIR)).unwrap().count(), 0);
		assert_eq!(store.partial_size(&done).unwrap(), 0);
		assert!(!dir.path().join(PARTIAL_DIR).join("junk").exists());
		assert_eq!(store.read(&done).unwrap().unwrap(), done_bytes);
		assert_eq!(store.partial_size(&pending).unwrap(), 1234);
		store.append_partial(&pending, 1234, &pending_bytes[1234..]).unwrap();
		store.commit_partial(&pending, 3000).unwrap();
		assert_eq!(store.roots().unwrap().len(), 2);
	}

	#[test]
	fn stale_partials_are_pruned() {
		let dir = tempfile::tempdir().unwrap();
		let store = DiskStore::open(dir.path(), verifier()).unwrap();
		let (root, bytes) = fragment(100, 8);
		store.append_partial(&root, 0, &bytes).unwrap();
		assert_eq!(store.prune_partials(Duration::from_secs(3600)).unwrap(), 0);
		std::thread::sleep(Duration::from_millis(20));
		assert_eq!(store.prune_partials(Duration::from_millis(1)).unwrap(), 1);
		assert_eq!(store.partial_size(&root).unwrap(), 0);
	}

	#[test]
	fn a_bounded_store_never_holds_more_and_counts_what_it_finds_when_reopened() {
		let dir = tempfile::tempdir().unwrap();
		let (a, a_bytes) = fragment(3000, 20);
		let (b, b_bytes) = fragment(3000, 21);
		let (c, c_bytes) = fragment(3000, 22);
		{
			let store = DiskStore::open(dir.path(), verifier()).unwrap();
			store.put(&a, &a_bytes).unwrap();
			store.append_partial(&b, 0, &b_bytes[..1000]).unwrap();
			assert_eq!(store.used(), 4000);
		}
		let store = DiskStore::open(dir.path(), verifier()).unwrap();
		assert_eq!(store.used(), 4000, "fragments and partial uploads found on disk are counted");
		store.set_capacity(Some(5500));
		assert_eq!(store.free_space(), Some(1500));

		// A put that does not fit is refused whole; an append that does not fit writes nothing.
		assert!(matches!(
			store.put(&c, &c_bytes),
			Err(StoreError::Full { needed: 3000, free: 1500 })
		));
		assert!(!store.contains(&c).unwrap());
		store.append_partial(&b, 1000, &b_bytes[1000..2000]).unwrap();
		assert!(matches!(
			store.append_partial(&b, 2000, &b_bytes[2000..]),
			Err(StoreError::Full { needed: 1000, free: 500 })
		));
		assert_eq!(store.partial_size(&b).unwrap(), 2000);

		// What was held is untouched; deleting makes room again, and a put of a fragment held
		// already counts once.
		assert_eq!(store.read(&a).unwrap().unwrap(), a_bytes);
		store.put(&a, &a_bytes).unwrap();
		assert_eq!(store.used(), 5000);
		store.discard_partial(&b).unwrap();
		assert_eq!(store.used(), 3000);
		assert!(store.remove(&a).unwrap());
		store.put(&c, &c_bytes).unwrap();
		assert_eq!(store.used(), 3000);

		// A failed commit gives its bytes back, and so does pruning.
		store.append_partial(&b, 0, &c_bytes[..2000]).unwrap();
		assert!(matches!(store.commit_partial(&b, 2000), Err(StoreError::Integrity)));
		assert_eq!(store.used(), 3000);
		store.append_partial(&b, 0, &b_bytes[..100]).unwrap();
		std::thread::sleep(Duration::from_millis(20));
		assert_eq!(store.prune_partials(Duration::from_millis(1)).unwrap(), 1);
		assert_eq!(store.used(), 3000);

		// A bound below what is held deletes nothing and refuses new bytes.
		store.set_capacity(Some(1000));
		assert_eq!(store.free_space(), Some(0));
		assert!(store.append_partial(&b, 0, &b_bytes[..1]).is_err());
		assert_eq!(store.read(&c).unwrap().unwrap(), c_bytes);
	}
}
