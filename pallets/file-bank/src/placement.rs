//! Placement of a new file: the declaration checked against the chain's layout and the file
//! hash, its fee held, and every fragment assigned to a miner drawn by free space.

use crate::{
	AssignmentKind, Config, DeadlineEntry, Error, Event, FileInfo, FileNameOf, FileState, Files,
	FragmentIndex, FragmentInfo, FragmentStatus, Fragments, Layout, MinerAssignments, MinerPool,
	Ownership, Pallet, Params, SegmentsOf,
};
use alloc::{collections::BTreeSet, vec::Vec};
use cess_primitives::{
	hashing::{file_hash as compute_file_hash, segment_hash},
	FileHash, FileLayout,
};
use codec::Encode;
use frame_support::{
	ensure,
	traits::{Get, Randomness},
	BoundedVec,
};
use sp_runtime::{traits::Saturating, DispatchResult};

impl<T: Config> Pallet<T> {
	/// Checks a layout: valid, and no more shards than [`Config::MaxShards`].
	pub fn check_layout(layout: &FileLayout) -> Result<(), &'static str> {
		layout.validate().map_err(|_| "invalid layout")?;
		if layout.total_shards() > T::MaxShards::get() {
			return Err("more shards than MaxShards");
		}
		Ok(())
	}

	/// A new file: checks, fee on hold, placement, records.
	pub(crate) fn declare(
		who: &T::AccountId,
		file_hash: FileHash,
		segments: &SegmentsOf<T>,
		size: u64,
		name: FileNameOf<T>,
		periods: u32,
	) -> DispatchResult {
		let layout = Layout::<T>::get();
		let expected = layout.segment_count(size);
		ensure!(expected <= u64::from(T::MaxSegments::get()), Error::<T>::FileTooLarge);
		ensure!(segments.len() as u64 == expected, Error::<T>::SegmentCountMismatch);
		let shards = layout.total_shards();
		let mut segment_hashes = Vec::with_capacity(segments.len());
		// Every root of the file once: a miner stores a root once, so a repeated root (in one
		// segment or across segments, which one miner may both hold) would be paid as space
		// nobody uses.
		let mut roots_seen = BTreeSet::new();
		for roots in segments.iter() {
			ensure!(roots.len() as u64 == u64::from(shards), Error::<T>::FragmentCountMismatch);
			for root in roots.iter() {
				ensure!(roots_seen.insert(*root), Error::<T>::DuplicateFragmentRoot);
			}
			segment_hashes.push(segment_hash(roots));
		}
		ensure!(
			compute_file_hash(&layout, size, &segment_hashes) == file_hash,
			Error::<T>::FileHashMismatch
		);

		let fee = Self::storage_fee(size, periods).ok_or(Error::<T>::FeeOverflow)?;
		Self::hold_fee(who, fee)?;

		let now = frame_system::Pallet::<T>::block_number();
		let params = Params::<T>::get();
		let confirm_by = now.saturating_add(params.confirm_window);
		let fragment_size = u64::from(layout.fragment_size());
		// The parent hash is mixed in so that the placement cannot be known before the
		// previous block, whatever the randomness source's lookahead.
		let (random, _) = T::Randomness::random(b"cess/file-bank/placement");
		let parent = frame_system::Pallet::<T>::parent_hash();
		let mut index: FragmentIndex = 0;
		for (segment, roots) in (0u32..).zip(segments.iter()) {
			let seed = sp_io::hashing::blake2_256(&(&random, parent, file_hash, segment).encode());
			let miners = Self::place_segment(&seed, roots.len() as u32, fragment_size)?;
			for (root, miner) in roots.iter().zip(miners.iter()) {
				Fragments::<T>::insert(
					file_hash,
					index,
					FragmentInfo {
						hash: *root,
						miner: miner.clone(),
						status: FragmentStatus::Pending {
							deadline: confirm_by,
							reassignments: 0,
							kind: AssignmentKind::Upload,
						},
					},
				);
				MinerAssignments::<T>::insert(miner, (file_hash, index), ());
				index = index.saturating_add(1);
			}
			Self::deposit_event(Event::SegmentPlaced { file: file_hash, segment, miners });
		}
		Self::push_deadline(DeadlineEntry {
			file: file_hash,
			start: 0,
			end: index,
			due: confirm_by,
		});

		let mut owners = BoundedVec::new();
		owners.try_push(who.clone()).map_err(|_| Error::<T>::TooManyOwners)?;
		Files::<T>::insert(
			file_hash,
			FileInfo {
				size,
				segments: segments.len() as u32,
				fragments: index,
				unconfirmed: index,
				lost: 0,
				state: FileState::Pending,
				declared_at: now,
				owners,
			},
		);
		let expires_at = Self::expiry_slot(now, periods);
		Self::insert_ownership(who, file_hash, Ownership { name, expires_at, fee_held: fee });
		Self::deposit_event(Event::FileDeclared {
			file: file_hash,
			owner: who.clone(),
			size,
			fragments: index,
			fee,
			expires_at,
			confirm_by,
		});
		Ok(())
	}

	/// Picks a miner for each of the `count` fragments of a segment and locks its space,
	/// weighted by free space: distinct miners first, then miners reused.
	///
	/// The sampler may come back short although enough eligible miners exist (it gives up
	/// after a bounded number of draws, and a miner with much more free space than the others
	/// is drawn again and again), so the missing slots are sampled once more with the miners
	/// already chosen excluded. Only what that second sample still misses reuses miners of
	/// the segment: one draw per slot from every eligible miner, after the earlier locks. At
	/// most `2 + count` samples of at most `count` miners each.
	pub(crate) fn place_segment(
		seed: &[u8; 32],
		count: u32,
		fragment_size: u64,
	) -> Result<Vec<T::AccountId>, Error<T>> {
		let wanted = count as usize;
		let mut placed = Vec::with_capacity(wanted);
		Self::add_distinct(&mut placed, T::Miners::sample(seed, count, fragment_size, &[]), wanted);
		if placed.len() < wanted {
			let retry_seed = sp_io::hashing::blake2_256(&(seed, b"distinct").encode());
			let missing = count.saturating_sub(placed.len() as u32);
			let more = T::Miners::sample(&retry_seed, missing, fragment_size, &placed);
			Self::add_distinct(&mut placed, more, wanted);
		}
		for miner in placed.iter() {
			T::Miners::lock_space(miner, fragment_size).map_err(|_| Error::<T>::SpaceLockFailed)?;
		}
		for shard in (placed.len() as u32)..count {
			let reuse_seed = sp_io::hashing::blake2_256(&(seed, shard).encode());
			let miner = T::Miners::sample(&reuse_seed, 1, fragment_size, &[])
				.into_iter()
				.next()
				.ok_or(Error::<T>::NoMinerAvailable)?;
			T::Miners::lock_space(&miner, fragment_size)
				.map_err(|_| Error::<T>::SpaceLockFailed)?;
			placed.push(miner);
		}
		Ok(placed)
	}

	/// Appends the sampled miners not in `placed` yet, up to `wanted` in all (the pool promises
	/// distinct miners outside the exclusion list; this does not rely on it).
	pub(crate) fn add_distinct(
		placed: &mut Vec<T::AccountId>,
		sampled: Vec<T::AccountId>,
		wanted: usize,
	) {
		for miner in sampled {
			if placed.len() >= wanted {
				break;
			}
			if !placed.contains(&miner) {
				placed.push(miner);
			}
		}
	}
}
