//! The pallet's invariants, checked by `try-runtime` and after every test.

use crate::{
	AssignmentKind, Config, Expiries, FileState, Files, FragmentStatus, Fragments,
	MinerAssignments, MinerFragmentCount, MinerFragments, OutgoingCopies, Ownerships, Pallet,
	RepairCause, RepairCursors, RepairScheduled,
};
use frame_support::{ensure, traits::Get};

impl<T: Config> Pallet<T> {
	/// Checks the indexes against each other (iterates everything: tests and try-runtime only).
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		for (miner, count) in MinerFragmentCount::<T>::iter() {
			ensure!(count > 0, "empty fragment lists have no count");
			for position in 0..count {
				let entry = MinerFragments::<T>::get(&miner, position)
					.ok_or("hole in a miner's fragment list")?;
				let info = Fragments::<T>::get(entry.file, entry.index)
					.ok_or("listed fragment without a record")?;
				ensure!(info.hash == entry.hash, "listed root differs from the record's");
				if info.miner == miner {
					ensure!(
						info.status == FragmentStatus::Stored { position },
						"listed fragment not stored at its position"
					);
				} else {
					// A copy the miner keeps until the new holder confirms.
					ensure!(
						OutgoingCopies::<T>::get(entry.file, entry.index)
							== Some((miner.clone(), position)),
						"listed fragment assigned to another miner"
					);
				}
			}
			ensure!(
				MinerFragments::<T>::get(&miner, count).is_none(),
				"fragment list longer than its count"
			);
		}
		for (file_hash, file) in Files::<T>::iter() {
			ensure!(file.owners.len() <= T::MaxOwners::get() as usize, "too many owners");
			if !matches!(file.state, FileState::Removing { .. }) {
				ensure!(!file.owners.is_empty(), "a live file has an owner");
				let mut pending = 0u32;
				let mut lost = 0u32;
				for index in 0..file.fragments {
					let info = Fragments::<T>::get(file_hash, index).ok_or("missing fragment")?;
					match info.status {
						FragmentStatus::Pending { .. } => {
							pending += 1;
							ensure!(
								MinerAssignments::<T>::contains_key(
									&info.miner,
									(file_hash, index)
								),
								"pending fragment not in its miner's assignments"
							);
						}
						FragmentStatus::Lost => lost += 1,
						FragmentStatus::Stored { .. } => {}
					}
				}
				ensure!(pending == file.unconfirmed, "unconfirmed count");
				ensure!(lost == file.lost, "lost count");
			}
			for owner in file.owners.iter() {
				ensure!(Ownerships::<T>::contains_key(owner, file_hash), "owner record");
			}
		}
		for (file_hash, index, (from, position)) in OutgoingCopies::<T>::iter() {
			let info =
				Fragments::<T>::get(file_hash, index).ok_or("outgoing copy of no fragment")?;
			ensure!(
				matches!(info.status, FragmentStatus::Pending { kind: AssignmentKind::Repair, .. }),
				"an outgoing copy of a fragment that is not being repaired"
			);
			ensure!(info.miner != from, "an outgoing copy held by the new holder");
			let entry = MinerFragments::<T>::get(&from, position)
				.ok_or("an outgoing copy missing from its miner's list")?;
			ensure!(
				(entry.file, entry.index) == (file_hash, index),
				"an outgoing copy at another fragment's position"
			);
		}
		for miner in RepairCursors::<T>::iter_keys() {
			ensure!(
				RepairScheduled::<T>::get(&miner) == Some(RepairCause::MinerExit),
				"a repair cursor of a miner not exiting"
			);
		}
		for (owner, file_hash, ownership) in Ownerships::<T>::iter() {
			let file = Files::<T>::get(file_hash).ok_or("ownership of a missing file")?;
			ensure!(file.owners.contains(&owner), "ownership not in the owner list");
			ensure!(
				Expiries::<T>::contains_key(ownership.expires_at, (owner, file_hash)),
				"ownership without an expiry entry"
			);
		}
		Ok(())
	}
}
