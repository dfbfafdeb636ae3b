//! `file ls`: the files an account owns, page by page.

use super::FileError;
use crate::{chain_api::MAX_LISTED, chain_client::ChainClient};
use cess_runtime::AccountId;

/// Runs `file ls`.
pub async fn run(chain: &ChainClient, owner: &AccountId) -> Result<(), FileError> {
	let mut after = None;
	let mut count = 0usize;
	loop {
		let page = chain.owned_files(owner, after, 256).await?;
		// Each page starts past the one before; a node that answers otherwise (the same page
		// again, pages without end) is stopped instead of listed forever.
		if page.len() > 256
			|| after.is_some_and(|after| page.iter().any(|f| f.file == after))
			|| count.saturating_add(page.len()) > MAX_LISTED
		{
			return Err(FileError::Other(format!(
				"the node's list of {owner}'s files does not move forward"
			)));
		}
		for file in &page {
			println!(
				"{} {:?} expires at block {} {}",
				file.file,
				file.state,
				file.expires_at,
				String::from_utf8_lossy(&file.name)
			);
		}
		count += page.len();
		match page.last() {
			Some(last) if page.len() == 256 => after = Some(last.file),
			_ => break,
		}
	}
	eprintln!("{count} file(s) owned by {owner}");
	Ok(())
}
