//! Claims: what an earner is owed over the claim window, and the vesting of part of each payout
//! (a bounded list of tranches behind one balance freeze).

use crate::{
	BalanceOf, Config, Contributions, CurrentEra, EraIndex, EraRewards, Error, Event, FreezeReason,
	Pallet, TranchesOf, Vesting, VestingTranche,
};
use frame_support::traits::{fungible::MutateFreeze, Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError,
};

impl<T: Config> Pallet<T> {
	/// The claimable eras: `first..current`.
	pub(crate) fn claim_window() -> (EraIndex, EraIndex) {
		let current = CurrentEra::<T>::get();
		(current.saturating_sub(T::MaxUnclaimedEras::get().max(1)), current)
	}

	/// Takes `earner`'s contribution records of the claim window and books what they are owed
	/// as paid. Returns the total owed and the number of eras that owed something.
	pub(crate) fn take_rewards(earner: &T::AccountId) -> (BalanceOf<T>, u32) {
		let (first, current) = Self::claim_window();
		let mut total = BalanceOf::<T>::zero();
		let mut eras = 0u32;
		for era in first..current {
			let Some(contribution) = Contributions::<T>::take(era, earner) else { continue };
			let Some(mut reward) = EraRewards::<T>::get(era) else { continue };
			let owed = reward.reward(&contribution);
			if owed.is_zero() {
				continue;
			}
			reward.paid = reward.paid.saturating_add(owed);
			EraRewards::<T>::insert(era, reward);
			total = total.saturating_add(owed);
			eras = eras.saturating_add(1);
		}
		(total, eras)
	}

	/// Adds a tranche of `amount` vesting from now over `period` blocks to `who` and updates
	/// the freeze. A full tranche list merges the new tranche into the newest one.
	pub(crate) fn add_vesting(
		who: &T::AccountId,
		amount: BalanceOf<T>,
		period: BlockNumberFor<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let now = frame_system::Pallet::<T>::block_number();
		let end = now.saturating_add(period);
		let mut tranches = Vesting::<T>::get(who).unwrap_or_default();
		tranches.retain(|tranche| !tranche.locked_at(now).is_zero());
		let tranche = VestingTranche { locked: amount, start: now, end };
		if let Err(tranche) = tranches.try_push(tranche) {
			if let Some(newest) = tranches.last_mut() {
				let locked = newest.locked_at(now).saturating_add(tranche.locked);
				*newest = VestingTranche { locked, start: now, end: newest.end.max(end) };
			}
		}
		Self::apply_vesting(who, tranches)
	}

	/// Drops the released tranches of `who`, stores the rest and sets the freeze to what they
	/// still lock. Returns that amount.
	pub(crate) fn apply_vesting(
		who: &T::AccountId,
		mut tranches: TranchesOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let now = frame_system::Pallet::<T>::block_number();
		tranches.retain(|tranche| !tranche.locked_at(now).is_zero());
		let locked = tranches.iter().fold(BalanceOf::<T>::zero(), |sum, tranche| {
			sum.saturating_add(tranche.locked_at(now))
		});
		let reason = T::RuntimeFreezeReason::from(FreezeReason::Vesting);
		if tranches.is_empty() {
			Vesting::<T>::remove(who);
			T::Currency::thaw(&reason, who).map_err(|_| Error::<T>::VestingFreezeFailed)?;
		} else {
			Vesting::<T>::insert(who, tranches);
			T::Currency::set_freeze(&reason, who, locked)
				.map_err(|_| Error::<T>::VestingFreezeFailed)?;
		}
		Self::deposit_event(Event::VestingUpdated { who: who.clone(), locked });
		Ok(locked)
	}
}
