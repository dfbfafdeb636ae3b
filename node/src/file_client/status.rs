//! `file status`: a file's state, layout and owners, and how many of its fragments each miner
//! stores, waits to confirm or lost.

use super::{file_view::checked_view, FileError};
use crate::chain_client::ChainClient;
use cess_primitives::FileHash;
use cess_runtime::AccountId;
use pallet_file_bank::FragmentStatus;
use std::collections::BTreeMap;

/// Runs `file status`.
pub async fn run(chain: &ChainClient, file: FileHash) -> Result<(), FileError> {
	let view = chain.file(file).await?.ok_or(FileError::NoSuchFile(file))?;
	checked_view(file, &view)?;
	println!("file: {file}");
	println!("state: {:?}", view.state);
	println!("size: {} bytes", view.size);
	println!(
		"layout: {} byte segments, {} data + {} parity fragments of {} bytes",
		view.layout.segment_size,
		view.layout.data_shards,
		view.layout.parity_shards,
		view.layout.fragment_size()
	);
	println!(
		"segments: {}, fragments: {} ({} unconfirmed, {} lost)",
		view.segments, view.fragments, view.unconfirmed, view.lost
	);
	println!("declared at block: {}", view.declared_at);
	for owner in &view.owners {
		println!("owner: {owner}");
	}
	let placement = chain.placement(file, 0, view.fragments).await?;
	let mut per_miner: BTreeMap<AccountId, (u32, u32, u32)> = BTreeMap::new();
	for entry in &placement {
		let counts = per_miner.entry(entry.miner.clone()).or_default();
		match entry.status {
			FragmentStatus::Stored { .. } => counts.0 += 1,
			FragmentStatus::Pending { .. } => counts.1 += 1,
			FragmentStatus::Lost => counts.2 += 1,
		}
	}
	for (miner, (stored, pending, lost)) in per_miner {
		println!("miner {miner}: {stored} stored, {pending} pending, {lost} lost");
	}
	Ok(())
}
