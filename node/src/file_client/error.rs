//! The file client's errors, worded for the person at the terminal.

use crate::chain_client::ChainError;
use cess_primitives::FileHash;

/// Errors of the file client, worded for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
	/// A chain or RPC error.
	#[error(transparent)]
	Chain(#[from] ChainError),
	/// The chain has no such file.
	#[error("no such file: {0}")]
	NoSuchFile(FileHash),
	/// Anything else, explained.
	#[error("{0}")]
	Other(String),
}

impl From<std::io::Error> for FileError {
	fn from(e: std::io::Error) -> Self {
		FileError::Other(e.to_string())
	}
}
