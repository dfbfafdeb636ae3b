//! The read-only views behind the runtime API (crate `pallet-file-bank-runtime-api`), every page
//! bounded by [`MAX_PAGE`].

use crate::{
	AssignmentView, BalanceOf, Config, FileView, Files, FragmentIndex, FragmentRef, FragmentStatus,
	Fragments, Layout, MinerAssignments, MinerFragmentCount, MinerFragments, MinerPool,
	OwnedFileView, Ownerships, Pallet, Params, PlacementEntry, StorageParamsOf, MAX_PAGE,
};
use alloc::{collections::BTreeMap, vec::Vec};
use cess_primitives::{FileHash, FileLayout};
use frame_system::pallet_prelude::BlockNumberFor;

/// The runtime API's views.
impl<T: Config> Pallet<T> {
	/// The chain's file layout.
	pub fn layout() -> FileLayout {
		Layout::<T>::get()
	}

	/// The chain's price, period and deadlines.
	pub fn params() -> StorageParamsOf<T> {
		Params::<T>::get()
	}

	/// A file's state, size and owners.
	pub fn file_view(file_hash: FileHash) -> Option<FileView<T::AccountId, BlockNumberFor<T>>> {
		let file = Files::<T>::get(file_hash)?;
		Some(FileView {
			layout: Layout::<T>::get(),
			size: file.size,
			segments: file.segments,
			fragments: file.fragments,
			unconfirmed: file.unconfirmed,
			lost: file.lost,
			state: file.state,
			declared_at: file.declared_at,
			owners: file.owners.into_inner(),
		})
	}

	/// Up to `limit` (at most [`MAX_PAGE`]) fragments of a file's placement, from index `start`,
	/// with each miner's PeerId.
	pub fn placement(
		file_hash: FileHash,
		start: FragmentIndex,
		limit: u32,
	) -> Vec<PlacementEntry<T::AccountId, BlockNumberFor<T>>> {
		let Some(file) = Files::<T>::get(file_hash) else { return Vec::new() };
		let shards = Layout::<T>::get().total_shards().max(1);
		let end = start.saturating_add(limit.min(MAX_PAGE)).min(file.fragments);
		let mut peers: BTreeMap<T::AccountId, Option<Vec<u8>>> = BTreeMap::new();
		(start..end)
			.filter_map(|index| {
				let info = Fragments::<T>::get(file_hash, index)?;
				let peer_id = peers
					.entry(info.miner.clone())
					.or_insert_with(|| T::Miners::peer_id(&info.miner))
					.clone();
				Some(PlacementEntry {
					index,
					segment: index / shards,
					shard: index % shards,
					hash: info.hash,
					miner: info.miner,
					peer_id,
					status: info.status,
				})
			})
			.collect()
	}

	/// Up to `limit` (at most [`MAX_PAGE`]) entries of a miner's stored-fragment list, from
	/// position `start`, with their positions (the order audits index).
	pub fn miner_fragments(
		miner: &T::AccountId,
		start: u32,
		limit: u32,
	) -> Vec<(u32, FragmentRef)> {
		let count = MinerFragmentCount::<T>::get(miner);
		let end = start.saturating_add(limit.min(MAX_PAGE)).min(count);
		(start..end)
			.filter_map(|position| {
				MinerFragments::<T>::get(miner, position).map(|entry| (position, entry))
			})
			.collect()
	}

	/// Up to `limit` (at most [`MAX_PAGE`]) fragments assigned to a miner and not confirmed yet,
	/// after `start_after` (in the index's stable order).
	pub fn miner_assignments(
		miner: &T::AccountId,
		start_after: Option<(FileHash, FragmentIndex)>,
		limit: u32,
	) -> Vec<AssignmentView<BlockNumberFor<T>>> {
		let keys = match start_after {
			Some(after) => MinerAssignments::<T>::iter_key_prefix_from(
				miner,
				MinerAssignments::<T>::hashed_key_for(miner, after),
			),
			None => MinerAssignments::<T>::iter_key_prefix(miner),
		};
		// Filter before cutting the page: a page shorter than `limit` must mean the end of the
		// list to a caller that pages on (the index holds only pending fragments, so the
		// filter skips nothing unless that invariant broke).
		keys.filter_map(|(file, index)| {
			let info = Fragments::<T>::get(file, index)?;
			match info.status {
				FragmentStatus::Pending { deadline, kind, .. } => {
					Some(AssignmentView { file, index, hash: info.hash, deadline, kind })
				}
				_ => None,
			}
		})
		.take(limit.min(MAX_PAGE) as usize)
		.collect()
	}

	/// Up to `limit` (at most [`MAX_PAGE`]) files an account owns, after `start_after` (in the
	/// index's stable order).
	pub fn owned_files(
		owner: &T::AccountId,
		start_after: Option<FileHash>,
		limit: u32,
	) -> Vec<OwnedFileView<BalanceOf<T>, BlockNumberFor<T>>> {
		let entries = match start_after {
			Some(after) => Ownerships::<T>::iter_prefix_from(
				owner,
				Ownerships::<T>::hashed_key_for(owner, after),
			),
			None => Ownerships::<T>::iter_prefix(owner),
		};
		entries
			.take(limit.min(MAX_PAGE) as usize)
			.filter_map(|(file, ownership)| {
				let state = Files::<T>::get(file)?.state;
				Some(OwnedFileView {
					file,
					name: ownership.name.into_inner(),
					expires_at: ownership.expires_at,
					fee_held: ownership.fee_held,
					state,
				})
			})
			.collect()
	}
}
