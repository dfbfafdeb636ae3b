//! [`DiskStore`]: fragments as files, published atomically and recovered after a crash.

use super::{FragmentStore, StoreError, StoredFragment};
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
pub struct DiskStore {
	base: PathBuf,
	verifier: Arc<dyn FragmentVerifier>,
	tmp_counter: AtomicU64,
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
		let store = Self { base, verifier, tmp_counter: AtomicU64::new(0) };
		store.recover()?;
		Ok(store)
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
			let modified = entry.metadata()?.modified()?;
			if now.duration_since(modified).unwrap_or_default() > max_age {
				remove_if_exists(&entry.path())?;
				pruned += 1;
			}
		}
		if pruned > 0 {
			sync_dir(&self.base.join(PARTIAL_DIR))?;
		}
		Ok(pruned)
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
			remove_if_exists(source)?;
			return Err(StoreError::SizeMismatch { expected: size, actual });
		}
		if !checked {
			let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
			file.read_to_end(&mut bytes)?;
			if !self.verifier.verify(root, &bytes) {
				drop(file);
				remove_if_exists(source)?;
				return Err(StoreError::Integrity);
			}
		}
		file.sync_all()?;
		drop(file);
		self.move_into_place(root, source)
	}

	fn move_into_place(&self, root: &FragmentRoot, source: &Path) -> Result<(), StoreError> {
		let target = self.fragment_path(root);
		let shard =
			target.parent().ok_or_else(|| io::Error::other("fragment path has no parent"))?;
		if !shard.exists() {
			fs::create_dir_all(shard)?;
			sync_dir(&self.base.join(FRAGMENTS_DIR))?;
		}
		fs::rename(source, &target)?;
		sync_dir(shard)?;
		if let Some(source_dir) = source.parent() {
			sync_dir(source_dir)?;
		}
		Ok(())
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
		let n = self.tmp_counter.fetch_add(1, Ordering::Relaxed);
		let tmp = self.base.join(TMP_DIR).join(format!("{}.{n}.tmp", root_to_hex(root)));
		let written = (|| -> io::Result<()> {
			let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
			file.write_all(bytes)?;
			file.sync_all()
		})();
		if let Err(e) = written {
			let _ = fs::remove_file(&tmp);
			return Err(e.into());
		}
		self.move_into_place(root, &tmp).inspect_err(|_| {
			let _ = fs::remove_file(&tmp);
		})
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
		// No fsync per chunk: a torn tail after a power loss fails the root check at commit.
		file.write_all(bytes)?;
		Ok(())
	}

	fn commit_partial(&self, root: &FragmentRoot, size: u64) -> Result<(), StoreError> {
		self.publish(root, &self.partial_path(root), size, false)
	}

	fn commit_checked_partial(&self, root: &FragmentRoot, size: u64) -> Result<(), StoreError> {
		self.publish(root, &self.partial_path(root), size, true)
	}

	fn discard_partial(&self, root: &FragmentRoot) -> io::Result<()> {
		remove_if_exists(&self.partial_path(root))
	}

	fn remove(&self, root: &FragmentRoot) -> io::Result<bool> {
		let path = self.fragment_path(root);
		match fs::remove_file(&path) {
			Ok(()) => {
				if let Some(dir) = path.parent() {
					sync_dir(dir)?;
				}
				Ok(true)
			}
			Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
			Err(e) => Err(e),
		}
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
}

fn sync_dir(dir: &Path) -> io::Result<()> {
	File::open(dir)?.sync_all()
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
	match fs::remove_file(path) {
		Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
		_ => Ok(()),
	}
}

fn remove_any(path: &Path) -> io::Result<()> {
	if path.is_dir() {
		fs::remove_dir_all(path)
	} else {
		remove_if_exists(path)
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
}
