//! Each miner's list of stored fragments: a confirmation appends to it, a release, a repair or a
//! hand-over swap-removes from it, and the audit pallet samples it through [`StoredFragments`].
//!
//! A list entry is either a fragment the miner holds (its record names the miner, `Stored` at
//! the entry's position) or an outgoing copy ([`OutgoingCopies`]: the record names the new,
//! pending holder; the copy names the miner and the position).

use crate::{
	weights::WeightInfo, Config, ConfirmationsOf, Error, Event, FileState, Files, FragmentIndex,
	FragmentRef, FragmentStatus, Fragments, Layout, MinerAssignments, MinerFragmentCount,
	MinerFragments, MinerPool, OnFragmentStored, OutgoingCopies, Page, Pallet, StoredFragments,
};
use alloc::vec::Vec;
use cess_primitives::{FileHash, FileLayout};
use frame_support::{ensure, traits::Get, weights::Weight};
use sp_runtime::DispatchError;

impl<T: Config> Pallet<T> {
	/// What `confirm_stored` of `fragments` fragments costs when `handed_over` of them were
	/// moved away from an exiting miner: the benchmarked confirmation, the look-up of an
	/// outgoing copy per fragment, and a hand-over per copy.
	pub fn confirm_weight(fragments: u32, handed_over: u32) -> Weight {
		T::WeightInfo::confirm_stored(fragments)
			.saturating_add(T::DbWeight::get().reads(fragments.into()))
			.saturating_add(T::WeightInfo::hand_over().saturating_mul(handed_over.into()))
	}

	/// `confirm_stored`; returns the number of fragments handed over from an exiting miner.
	pub(crate) fn do_confirm(
		who: &T::AccountId,
		file_hash: FileHash,
		fragments: &ConfirmationsOf<T>,
	) -> Result<u32, DispatchError> {
		ensure!(!fragments.is_empty(), Error::<T>::NoFragments);
		ensure!(T::Miners::can_confirm(who), Error::<T>::MinerCannotConfirm);
		let mut file = Files::<T>::get(file_hash).ok_or(Error::<T>::FileNotFound)?;
		ensure!(!matches!(file.state, FileState::Removing { .. }), Error::<T>::FileBeingRemoved);
		let bytes = u64::from(Layout::<T>::get().fragment_size());
		let mut handed_over = 0u32;
		for (index, root) in fragments.iter() {
			let mut info =
				Fragments::<T>::get(file_hash, index).ok_or(Error::<T>::FragmentNotFound)?;
			ensure!(info.miner == *who, Error::<T>::NotAssignedMiner);
			ensure!(
				matches!(info.status, FragmentStatus::Pending { .. }),
				Error::<T>::FragmentNotPending
			);
			ensure!(info.hash == *root, Error::<T>::FragmentHashMismatch);
			T::Miners::commit_space(who, bytes).map_err(|_| Error::<T>::SpaceCommitFailed)?;
			let position = Self::push_stored(
				who,
				FragmentRef { file: file_hash, index: *index, hash: *root },
			)?;
			info.status = FragmentStatus::Stored { position };
			Fragments::<T>::insert(file_hash, index, info);
			MinerAssignments::<T>::remove(who, (file_hash, *index));
			file.unconfirmed = file.unconfirmed.saturating_sub(1);
			T::OnFragmentStored::on_fragment_stored(who, bytes);
			if Self::hand_over(file_hash, *index, who, bytes) {
				handed_over = handed_over.saturating_add(1);
			}
		}
		Self::deposit_event(Event::FragmentsConfirmed {
			file: file_hash,
			miner: who.clone(),
			count: fragments.len() as u32,
		});
		if file.state == FileState::Pending && file.unconfirmed == 0 {
			file.state = FileState::Active;
			let fees = Self::pay_held_fees(file_hash, &file.owners);
			Self::deposit_event(Event::FileActivated { file: file_hash, fees });
		}
		Files::<T>::insert(file_hash, file);
		Ok(handed_over)
	}

	/// The new holder `to` confirmed fragment `index` of `file_hash`: the copy it was moved away
	/// from, if any, leaves its miner's list and used space. Returns whether there was one.
	pub(crate) fn hand_over(
		file_hash: FileHash,
		index: FragmentIndex,
		to: &T::AccountId,
		bytes: u64,
	) -> bool {
		let Some((from, position)) = OutgoingCopies::<T>::take(file_hash, index) else {
			return false;
		};
		Self::remove_stored(&from, position);
		Self::release(&from, bytes);
		Self::deposit_event(Event::FragmentHandedOver {
			file: file_hash,
			index,
			from,
			to: to.clone(),
		});
		true
	}

	/// Drops the outgoing copy of fragment `index` of `file_hash`, if any, without a new holder
	/// (the file is removed): its miner's list entry and used space are released. Returns
	/// whether there was one.
	pub(crate) fn drop_outgoing(file_hash: FileHash, index: FragmentIndex, bytes: u64) -> bool {
		let Some((from, position)) = OutgoingCopies::<T>::take(file_hash, index) else {
			return false;
		};
		Self::remove_stored(&from, position);
		Self::release(&from, bytes);
		true
	}

	/// Appends a fragment to a miner's stored list; returns its position.
	pub(crate) fn push_stored(
		miner: &T::AccountId,
		fragment: FragmentRef,
	) -> Result<u32, DispatchError> {
		let position = MinerFragmentCount::<T>::get(miner);
		let count = position.checked_add(1).ok_or(Error::<T>::TooManyFragments)?;
		MinerFragments::<T>::insert(miner, position, fragment);
		MinerFragmentCount::<T>::insert(miner, count);
		Ok(position)
	}

	/// Removes the entry at `position` of a miner's stored list: the last entry takes its place
	/// (and its fragment record learns its new position).
	pub(crate) fn remove_stored(miner: &T::AccountId, position: u32) {
		let count = MinerFragmentCount::<T>::get(miner);
		let Some(last) = count.checked_sub(1) else {
			frame_support::defensive!("removing from an empty fragment list");
			return;
		};
		let moved = MinerFragments::<T>::take(miner, last);
		if position < last {
			match moved {
				Some(moved) => {
					MinerFragments::<T>::insert(miner, position, moved);
					Self::relink(miner, moved, position);
				}
				None => {
					frame_support::defensive!("fragment list shorter than its count");
				}
			}
		}
		if last == 0 {
			MinerFragmentCount::<T>::remove(miner);
		} else {
			MinerFragmentCount::<T>::insert(miner, last);
		}
	}

	/// Tells the record of a list entry that moved to `position` of `miner`'s list: the
	/// fragment's record if the miner holds it, its outgoing copy if the miner is leaving it.
	fn relink(miner: &T::AccountId, moved: FragmentRef, position: u32) {
		let held = Fragments::<T>::mutate(moved.file, moved.index, |info| match info {
			Some(info) if info.miner == *miner => {
				info.status = FragmentStatus::Stored { position };
				true
			}
			_ => false,
		});
		if held {
			return;
		}
		let outgoing = OutgoingCopies::<T>::mutate(moved.file, moved.index, |copy| match copy {
			Some((from, at)) if from == miner => {
				*at = position;
				true
			}
			_ => false,
		});
		if !outgoing {
			frame_support::defensive!("a listed fragment neither held nor outgoing");
		}
	}
}

impl<T: Config> StoredFragments<T::AccountId> for Pallet<T> {
	fn layout() -> FileLayout {
		Layout::<T>::get()
	}

	fn fragment_count(miner: &T::AccountId) -> u32 {
		MinerFragmentCount::<T>::get(miner)
	}

	fn fragment_at(miner: &T::AccountId, position: u32) -> Option<FragmentRef> {
		MinerFragments::<T>::get(miner, position)
	}

	fn miners_page(
		start_after: Option<&T::AccountId>,
		max: u32,
	) -> Page<T::AccountId, T::AccountId> {
		let keys = match start_after {
			Some(after) => MinerFragmentCount::<T>::iter_keys_from_key(after),
			None => MinerFragmentCount::<T>::iter_keys(),
		};
		let items: Vec<T::AccountId> = keys.take(max as usize).collect();
		let next = if items.len() as u32 >= max { items.last().cloned() } else { None };
		Page { items, next }
	}
}

/// Set-up for the benchmarks of other pallets (the audit pallet's).
#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Makes `layout` the chain's layout and gives `miner` exactly the stored fragments `roots`,
	/// each the only fragment of a made-up file, with consistent records.
	pub fn benchmark_store_fragments(
		miner: &T::AccountId,
		layout: FileLayout,
		roots: &[cess_primitives::FragmentHash],
	) {
		use codec::Encode;
		Layout::<T>::put(layout);
		let old = MinerFragmentCount::<T>::take(miner);
		for position in 0..old {
			MinerFragments::<T>::remove(miner, position);
		}
		for (position, root) in (0u32..).zip(roots.iter()) {
			let file = FileHash(sp_io::hashing::blake2_256(&(b"bench", miner, position).encode()));
			MinerFragments::<T>::insert(
				miner,
				position,
				FragmentRef { file, index: 0, hash: *root },
			);
			Fragments::<T>::insert(
				file,
				0,
				crate::FragmentInfo {
					hash: *root,
					miner: miner.clone(),
					status: FragmentStatus::Stored { position },
				},
			);
		}
		if !roots.is_empty() {
			MinerFragmentCount::<T>::insert(miner, roots.len() as u32);
		}
	}
}
