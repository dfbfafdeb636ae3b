//! Files only their owner may read: the miner's network key and the file client's file keys.

use std::{fs::File, io, path::Path};

/// Creates (or truncates) `path` for writing, readable and writable by its owner only (mode
/// 0600 where the platform has modes).
pub fn create(path: &Path) -> io::Result<File> {
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create(true).truncate(true);
	#[cfg(unix)]
	std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
	options.open(path)
}
