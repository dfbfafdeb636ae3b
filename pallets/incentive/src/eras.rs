//! The close of an era (issuance minted and split into claimable pots, the yearly decay) and the
//! expiry of eras that left the claim window.

use crate::{
	traits::StoragePrice, types, CleanupCursor, Config, Contributions, CurrentEra, CurrentEraStart,
	CurrentTotals, EraIndex, EraIssuance, EraReward, EraRewards, Event, NextEraAt,
	OldestUnexpiredEra, Pallet, Params, PendingStorageFees, MAX_EXPIRIES_PER_ERA,
};
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{One, Saturating, Zero},
	PerThing,
};

impl<T: Config> Pallet<T> {
	/// Closes the era in progress at block `now`: mints and splits the issuance, records the
	/// claimable pots, decays the issuance once a year, starts the next era and expires the era
	/// that left the claim window.
	pub(crate) fn close_era(now: BlockNumberFor<T>) {
		let era = CurrentEra::<T>::get();
		let params = Params::<T>::get();
		let totals = CurrentTotals::<T>::take();
		let issuance = EraIssuance::<T>::get();
		let storage_fees = PendingStorageFees::<T>::take();
		let pot = Self::pot_account();
		Self::ensure_pot_exists(&pot);

		let minted = Self::mint_into_pot(&pot, issuance);
		let miners_share = params.split.miners.mul_floor(minted);
		let validators_share = params.split.validators.mul_floor(minted);
		let miners_pot = miners_share.saturating_add(storage_fees);
		let [service_pot, idle_pot, bandwidth_pot] =
			types::split_miners_pot(miners_pot, &params.miner_weights, &totals);
		// No byte earns more than its caps allow, whatever fills the pots (issuance or fees):
		// self-dealing never pays. The excess goes to the treasury below.
		let terms = T::StoragePrice::terms();
		let service_pot = service_pot.min(types::service_cap(
			params.service_cap,
			&terms,
			params.era_length,
			totals.service,
			totals.max_audits_passed,
		));
		let bandwidth_pot =
			bandwidth_pot.min(types::bandwidth_cap(params.bandwidth_cap, &terms, totals.bandwidth));
		let validator_pot =
			if totals.validator_points > 0 { validators_share } else { Zero::zero() };
		let reward = EraReward {
			service_pot,
			idle_pot,
			bandwidth_pot,
			validator_pot,
			totals,
			paid: Zero::zero(),
		};
		let distributable = reward.distributable();
		// The treasury share (with the rounding of the split), every pot nobody can claim and
		// what the caps kept back.
		let unassigned = minted.saturating_add(storage_fees).saturating_sub(distributable);
		let to_treasury = Self::send_to_treasury(&pot, unassigned);
		if !distributable.is_zero() {
			EraRewards::<T>::insert(era, reward);
		}

		let next_era = era.saturating_add(1);
		let year_ended = next_era.checked_rem(params.eras_per_year) == Some(0);
		if year_ended && !params.yearly_decay.is_zero() {
			let era_issuance = params.yearly_decay.left_from_one().mul_floor(issuance);
			EraIssuance::<T>::put(era_issuance);
			Self::deposit_event(Event::IssuanceDecayed { era_issuance });
		}
		CurrentEra::<T>::put(next_era);
		CurrentEraStart::<T>::put(now);
		NextEraAt::<T>::put(now.saturating_add(params.era_length.max(One::one())));
		Self::deposit_event(Event::EraClosed {
			era,
			minted,
			storage_fees,
			miners_pot: service_pot.saturating_add(idle_pot).saturating_add(bandwidth_pot),
			validators_pot: validator_pot,
			to_treasury,
		});
		Self::expire_eras(next_era, &pot);
	}

	/// Expires (at most [`MAX_EXPIRIES_PER_ERA`]) eras that left the claim window: their unpaid
	/// remainder goes to the treasury.
	pub(crate) fn expire_eras(current: EraIndex, pot: &T::AccountId) {
		let first_claimable = current.saturating_sub(T::MaxUnclaimedEras::get().max(1));
		let mut oldest = OldestUnexpiredEra::<T>::get();
		let mut budget = MAX_EXPIRIES_PER_ERA;
		while oldest < first_claimable && budget > 0 {
			if let Some(reward) = EraRewards::<T>::take(oldest) {
				let unclaimed = Self::send_to_treasury(pot, reward.unpaid());
				Self::deposit_event(Event::EraExpired { era: oldest, unclaimed });
			}
			oldest = oldest.saturating_add(1);
			budget = budget.saturating_sub(1);
		}
		OldestUnexpiredEra::<T>::put(oldest);
	}

	/// Removes up to `limit` contribution records of expired eras, oldest era first, moving
	/// [`CleanupCursor`] past every era left empty. Visiting an era counts as at least one
	/// record. Returns the records visited (at most `limit`).
	pub(crate) fn clean_expired(limit: u32) -> u32 {
		let oldest = OldestUnexpiredEra::<T>::get();
		let mut cursor = CleanupCursor::<T>::get();
		let mut used = 0u32;
		while cursor < oldest && used < limit {
			let result = Contributions::<T>::clear_prefix(cursor, limit.saturating_sub(used), None);
			used = used.saturating_add(result.loops.max(1));
			if result.maybe_cursor.is_some() {
				break;
			}
			cursor = cursor.saturating_add(1);
		}
		CleanupCursor::<T>::put(cursor);
		used.min(limit)
	}
}
