//! Repairs: a fragment the chain assigns to this miner for repair (its holder lost it, exited
//! or was punished) is rebuilt from `data_shards` other fragments of its segment (local ones
//! first, then the fastest miners, which serve them on the proof that the chain assigned this
//! repair: [`AccessProof::Repair`]), checked against its root and stored, ready for its
//! [confirmation](super::confirmations).

use super::{
	confirmations::{FragmentKey, RESEND_AFTER},
	setup::Miner,
	LOG,
};
use crate::{
	chain_api::Assignment,
	storage_net::{fetch_segment, MinerDirectory},
};
use cess_dht::{Authorization, FragmentStore};
use cess_primitives::{access::AccessProof, codec::rebuild_fragments, FileLayout, SegmentManifest};
use std::collections::{HashMap, HashSet};

/// Blocks before a failed repair is tried again: as long as a confirmation waits before it is
/// sent again.
const RETRY_AFTER: u32 = RESEND_AFTER;

/// The repairs the miner tried, and where to fetch the fragments they need.
#[derive(Default)]
pub struct Repairs {
	/// Miners' network records, looked up once.
	directory: MinerDirectory,
	/// Repairs that failed, with the block of the failure (retried after [`RETRY_AFTER`]).
	failed: HashMap<FragmentKey, u32>,
}

impl Repairs {
	/// Forgets the failures of repairs the chain no longer assigns here.
	pub fn forget_gone(&mut self, live: &HashSet<FragmentKey>) {
		self.failed.retain(|key, _| live.contains(key));
	}

	/// Rebuilds `assignment`'s fragment unless its last attempt failed less than
	/// [`RETRY_AFTER`] blocks before `best`; whether the store now holds it.
	pub async fn rebuild_if_due(
		&mut self,
		miner: &Miner,
		best: u32,
		assignment: &Assignment,
	) -> bool {
		let key = (assignment.file, assignment.index);
		if self.failed.get(&key).is_some_and(|&at| best < at.saturating_add(RETRY_AFTER)) {
			return false;
		}
		match self.rebuild(miner, assignment).await {
			Ok(()) => true,
			Err(e) => {
				log::warn!(target: LOG, "repair of fragment {} of file {}: {e}", assignment.index, assignment.file);
				self.failed.insert(key, best);
				false
			}
		}
	}

	/// Rebuilds an assigned fragment from `data_shards` others of its segment (local ones
	/// first, then the fastest miners), checks it against its root and stores it.
	async fn rebuild(&self, miner: &Miner, assignment: &Assignment) -> Result<(), String> {
		let layout = miner.layout;
		let (segment, shard, first, end) = segment_range(&layout, assignment.index)?;
		let entries =
			miner.chain.placement(assignment.file, first, end).await.map_err(|e| e.to_string())?;
		let shards = layout.total_shards();
		let consistent = entries.len() == shards as usize
			&& (first..end).zip(&entries).all(|(index, entry)| {
				entry.index == index && entry.segment == segment && entry.shard == index - first
			});
		if !consistent {
			return Err(format!(
				"the chain's placement of segment {segment} is not its {shards} fragments in order"
			));
		}
		if entries.iter().find(|e| e.index == assignment.index).map(|e| e.hash)
			!= Some(assignment.hash)
		{
			return Err("the chain's placement does not list the assigned fragment".into());
		}
		let manifest = SegmentManifest::new(entries.iter().map(|e| e.hash).collect());
		let mut available = Vec::new();
		let mut remote = Vec::new();
		for entry in entries.iter().filter(|e| e.index != assignment.index) {
			match miner.store.read(&entry.hash.0) {
				Ok(Some(bytes)) => available.push((entry.shard, bytes)),
				_ if entry.miner != miner.me => remote.push(entry.clone()),
				_ => {}
			}
		}
		let needed = (layout.data_shards as usize).saturating_sub(available.len());
		if needed > 0 {
			// The holders let this miner read because the chain assigned it this repair.
			let auth = Authorization::new(AccessProof::Repair { file: assignment.file }.to_bytes())
				.map_err(|e| e.to_string())?;
			let fetched = fetch_segment(
				&miner.dht,
				&miner.chain,
				&self.directory,
				&remote,
				needed,
				auth,
				None,
			)
			.await
			.map_err(|e| e.to_string())?;
			available.extend(fetched);
		}
		// Decoding a segment is blocking work.
		let rebuilt = tokio::task::spawn_blocking(move || {
			rebuild_fragments(&layout, u64::from(segment), &manifest, &available, &[shard])
				.map_err(|e| e.to_string())
		})
		.await
		.map_err(|e| format!("the rebuilding task failed: {e}"))??;
		let bytes = rebuilt.into_iter().next().ok_or("nothing rebuilt")?;
		miner.store.put(&assignment.hash.0, &bytes).map_err(|e| e.to_string())?;
		log::info!(target: LOG, "🔧 rebuilt fragment {} of file {}", assignment.index, assignment.file);
		Ok(())
	}
}

/// Segment of fragment `index`, its shard in the segment, and the segment's fragment indices
/// `first..end`; an error (not a panic) for a layout without shards or an index whose segment
/// ends past `u32::MAX`.
fn segment_range(layout: &FileLayout, index: u32) -> Result<(u32, u32, u32, u32), String> {
	let shards = layout.total_shards();
	let (Some(segment), Some(shard)) = (index.checked_div(shards), index.checked_rem(shards))
	else {
		return Err("the chain's layout has no shards".into());
	};
	// `segment * shards <= index`, so only the end can overflow.
	let first = segment * shards;
	let end = first
		.checked_add(shards)
		.ok_or_else(|| format!("fragment index {index} is out of range"))?;
	Ok((segment, shard, first, end))
}

#[cfg(test)]
mod tests {
	use super::segment_range;
	use cess_primitives::FileLayout;

	#[test]
	fn segment_ranges_never_divide_by_zero_or_overflow() {
		let layout =
			FileLayout { segment_size: 1 << 24, data_shards: 2, parity_shards: 2, leaf_size: 256 };
		assert_eq!(segment_range(&layout, 0), Ok((0, 0, 0, 4)));
		assert_eq!(segment_range(&layout, 6), Ok((1, 2, 4, 8)));
		assert_eq!(
			segment_range(&layout, u32::MAX - 4),
			Ok((1_073_741_822, 3, u32::MAX - 7, u32::MAX - 3))
		);
		// The last segment of the index space ends past u32::MAX: 4 × 1 073 741 823 + 4.
		assert!(segment_range(&layout, u32::MAX).is_err());
		let empty = FileLayout { data_shards: 0, parity_shards: 0, ..layout };
		assert!(segment_range(&empty, 5).is_err());
	}
}
