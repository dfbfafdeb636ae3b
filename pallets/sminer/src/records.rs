//! A miner's accounting record, and what moves in step with it: the totals and the sampling
//! index.

use crate::{Config, Error, Event, MinerInfoOf, Miners, Pallet, Totals};
use frame_support::ensure;
use sp_runtime::{DispatchError, DispatchResult};

impl<T: Config> Pallet<T> {
	/// The record of a registered miner.
	pub(crate) fn miner(who: &T::AccountId) -> Result<MinerInfoOf<T>, DispatchError> {
		Miners::<T>::get(who).ok_or_else(|| Error::<T>::NotRegistered.into())
	}

	/// Writes (or with `None` removes) a miner's record and keeps the totals and the
	/// sampling index in step with it. Every change of a record goes through here.
	pub(crate) fn write_miner(
		who: &T::AccountId,
		old: Option<&MinerInfoOf<T>>,
		new: Option<MinerInfoOf<T>>,
	) {
		let old_bucket = old.and_then(Self::sampling_bucket);
		let new_bucket = new.as_ref().and_then(Self::sampling_bucket);
		if old_bucket != new_bucket {
			Self::move_in_sampling_index(who, old_bucket.is_some(), new_bucket);
		}
		Totals::<T>::mutate(|totals| {
			if let Some(old) = old {
				totals.miners = totals.miners.saturating_sub(1);
				totals.active_miners =
					totals.active_miners.saturating_sub(u32::from(old.is_active()));
				totals.declared = totals.declared.saturating_sub(old.declared_space.into());
				totals.used = totals.used.saturating_sub(old.used_space.into());
				totals.locked = totals.locked.saturating_sub(old.locked_space.into());
			}
			if let Some(new) = &new {
				totals.miners = totals.miners.saturating_add(1);
				totals.active_miners =
					totals.active_miners.saturating_add(u32::from(new.is_active()));
				totals.declared = totals.declared.saturating_add(new.declared_space.into());
				totals.used = totals.used.saturating_add(new.used_space.into());
				totals.locked = totals.locked.saturating_add(new.locked_space.into());
			}
		});
		match new {
			Some(info) => Miners::<T>::insert(who, info),
			None => Miners::<T>::remove(who),
		}
	}

	/// Changes `bytes` of a miner's space: `change` edits a copy of its record (and may refuse),
	/// which is then written, and `event` deposited. Zero bytes are refused.
	pub(crate) fn change_space(
		who: &T::AccountId,
		bytes: u64,
		change: impl FnOnce(&mut MinerInfoOf<T>) -> DispatchResult,
		event: Event<T>,
	) -> DispatchResult {
		ensure!(bytes > 0, Error::<T>::ZeroAmount);
		let old = Self::miner(who)?;
		let mut new = old.clone();
		change(&mut new)?;
		Self::write_miner(who, Some(&old), Some(new));
		Self::deposit_event(event);
		Ok(())
	}
}
