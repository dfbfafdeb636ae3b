//! Session accounting: each ending session's authored blocks credited to its validators, the
//! close of an era (histories and credits), and the pruning of old offence records.

use crate::{
	Candidates, Config, CurrentEra, Event, Pallet, Performances, Punished, SessionAuthored,
	SessionBlocks, SessionInterface, SessionsIntoEra, SessionsPerEra,
};
use alloc::vec::Vec;
use frame_support::traits::Get;
use sp_staking::SessionIndex;

impl<T: Config> Pallet<T> {
	/// Account for the ending session `index`: credit each of its validators with the blocks
	/// it authored and its expected share, then close the era if it is complete.
	pub(crate) fn end_session_accounting(_index: SessionIndex) {
		let validators: Vec<T::AccountId> = T::SessionInterface::validators()
			.into_iter()
			.take(T::MaxActive::get() as usize)
			.collect();
		let blocks = u64::from(SessionBlocks::<T>::take());
		let set_size = validators.len() as u64;
		if let Some(share_milli) = blocks.saturating_mul(1000).checked_div(set_size) {
			let counted = blocks >= set_size;
			for validator in &validators {
				let authored = SessionAuthored::<T>::take(validator);
				if !Candidates::<T>::contains_key(validator) {
					continue;
				}
				Performances::<T>::mutate(validator, |performance| {
					let era = &mut performance.current;
					era.authored = era.authored.saturating_add(authored);
					era.expected_milli = era.expected_milli.saturating_add(share_milli);
					era.active_sessions = era.active_sessions.saturating_add(1);
					if counted {
						era.counted_sessions = era.counted_sessions.saturating_add(1);
						if authored > 0 {
							era.live_sessions = era.live_sessions.saturating_add(1);
						}
					}
				});
			}
		}
		// Authors outside the set (none with pallet-authorship's own attribution) are dropped.
		let _ = SessionAuthored::<T>::clear(T::MaxActive::get(), None);

		let into_era = SessionsIntoEra::<T>::get().saturating_add(1);
		if into_era >= SessionsPerEra::<T>::get().max(1) {
			SessionsIntoEra::<T>::put(0);
			Self::close_era();
		} else {
			SessionsIntoEra::<T>::put(into_era);
		}
	}

	/// Close the era in progress: move every candidate's record into its history and recompute
	/// its credit.
	pub(crate) fn close_era() {
		let era = CurrentEra::<T>::get();
		let candidates: Vec<T::AccountId> =
			Candidates::<T>::iter_keys().take(T::MaxCandidates::get() as usize).collect();
		for who in &candidates {
			let mut performance = Performances::<T>::get(who);
			performance.close_era();
			Candidates::<T>::mutate(who, |maybe| {
				if let Some(candidate) = maybe {
					candidate.credit = Self::compute_credit(&performance, candidate.bond);
				}
			});
			Performances::<T>::insert(who, performance);
		}
		CurrentEra::<T>::put(era.saturating_add(1));
		Self::deposit_event(Event::EraClosed { era, candidates: candidates.len() as u32 });
	}

	/// Prune offence records that can no longer matter when `index` starts.
	pub(crate) fn start_session_pruning(index: SessionIndex) {
		let window = T::SlashableSessions::get().saturating_add(1);
		if index >= window {
			let _ = Punished::<T>::clear_prefix(index - window, T::MaxActive::get(), None);
		}
	}
}
