//! `file delete`: drops the `--suri` account's ownership of a file (its fragments are released
//! when no owner is left).

use super::{submit_final, FileError};
use crate::chain_client::ChainClient;
use cess_primitives::FileHash;
use cess_runtime::RuntimeCall;

/// Runs `file delete`: `FileBank::delete_file`, waited for until final.
pub async fn run(chain: &ChainClient, suri: Option<&str>, file: FileHash) -> Result<(), FileError> {
	if chain.file(file).await?.is_none() {
		return Err(FileError::NoSuchFile(file));
	}
	let call = RuntimeCall::FileBank(pallet_file_bank::Call::delete_file { file_hash: file });
	let outcome = submit_final(chain, suri, call).await?;
	println!("deleted {file} (finalized in block {:?})", outcome.block);
	Ok(())
}
