//! The pallet's invariants, checked by `try-runtime` and after every test.

use crate::{credit, Candidates, Config, CurrencyOf, HoldReason, MinActive, Pallet, Seats};
use frame_support::{
	ensure,
	traits::{fungible, Get},
};

impl<T: Config> Pallet<T> {
	/// Check the pallet's invariants: every bonded account's hold equals its ledger, credits
	/// are in range, the candidate count is within bounds and the seats are consistent.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		ensure!(
			Candidates::<T>::count() <= T::MaxCandidates::get(),
			"more candidates than MaxCandidates"
		);
		ensure!(
			Candidates::<T>::iter().count() as u32 == Candidates::<T>::count(),
			"candidate counter out of sync"
		);
		for (who, candidate) in Candidates::<T>::iter() {
			ensure!(candidate.credit <= credit::MAX_CREDIT, "credit above the maximum");
			let on_hold = <CurrencyOf<T> as fungible::InspectHold<T::AccountId>>::balance_on_hold(
				&HoldReason::CandidateBond.into(),
				&who,
			);
			ensure!(on_hold == Self::held(&candidate), "hold and ledger disagree");
		}
		let seats = Seats::<T>::get();
		ensure!(seats >= 1 && seats <= T::MaxActive::get(), "seats out of bounds");
		ensure!(MinActive::<T>::get() <= seats, "min_active above seats");
		Ok(())
	}
}
