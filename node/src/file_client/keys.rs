//! File keys: `put` saves each file's key in the key directory before declaring the file, and
//! `get` reads it back from there unless `--key` gives it.

use super::FileError;
use cess_primitives::{codec::FileKey, FileHash};
use std::{
	io::Write,
	path::{Path, PathBuf},
};

/// Path of a file's key in the key directory.
fn key_path(dir: &Path, file: &FileHash) -> PathBuf {
	dir.join(format!("{file}.key"))
}

/// Writes a file's key (owner-only permissions, synced) before the file is declared.
pub fn save_key(dir: &Path, file: &FileHash, key: &FileKey) -> Result<PathBuf, FileError> {
	std::fs::create_dir_all(dir)?;
	let path = key_path(dir, file);
	let mut out = crate::private_file::create(&path)?;
	out.write_all(key.to_hex().as_bytes())?;
	out.sync_all()?;
	Ok(path)
}

/// The key of `file`: `given` (64 hex digits, from `--key`) or else the one in `dir`.
pub fn file_key(given: Option<&str>, dir: &Path, file: &FileHash) -> Result<FileKey, FileError> {
	match given {
		Some(hex) => hex.parse::<FileKey>().map_err(|e| {
			FileError::Other(format!("--key is not a file key (64 hex digits): {e:?}"))
		}),
		None => load_key(dir, file),
	}
}

/// The key of `file` saved in `dir`.
fn load_key(dir: &Path, file: &FileHash) -> Result<FileKey, FileError> {
	let path = key_path(dir, file);
	let text = std::fs::read_to_string(&path).map_err(|_| {
		FileError::Other(format!("no key for {file} in {}: give it with --key", dir.display()))
	})?;
	text.trim()
		.parse()
		.map_err(|_| FileError::Other(format!("{} does not hold a file key", path.display())))
}
