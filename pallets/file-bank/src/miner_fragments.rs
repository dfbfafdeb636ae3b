//! Each miner's list of stored fragments: a confirmation appends to it, a release or a repair
//! swap-removes from it, and the audit pallet samples it through [`StoredFragments`].

use crate::{
	Config, ConfirmationsOf, Error, Event, FileState, Files, FragmentRef, FragmentStatus,
	Fragments, Layout, MinerAssignments, MinerFragmentCount, MinerFragments, MinerPool,
	OnFragmentStored, Page, Pallet, StoredFragments,
};
use alloc::vec::Vec;
use cess_primitives::{FileHash, FileLayout};
use frame_support::ensure;
use sp_runtime::{DispatchError, DispatchResult};

impl<T: Config> Pallet<T> {
	/// `confirm_stored`.
	pub(crate) fn do_confirm(
		who: &T::AccountId,
		file_hash: FileHash,
		fragments: &ConfirmationsOf<T>,
	) -> DispatchResult {
		ensure!(!fragments.is_empty(), Error::<T>::NoFragments);
		ensure!(T::Miners::can_confirm(who), Error::<T>::MinerCannotConfirm);
		let mut file = Files::<T>::get(file_hash).ok_or(Error::<T>::FileNotFound)?;
		ensure!(!matches!(file.state, FileState::Removing { .. }), Error::<T>::FileBeingRemoved);
		let bytes = u64::from(Layout::<T>::get().fragment_size());
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
		Ok(())
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
					Fragments::<T>::mutate(moved.file, moved.index, |info| {
						if let Some(info) = info {
							info.status = FragmentStatus::Stored { position };
						}
					});
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
