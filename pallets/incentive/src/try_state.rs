//! The pallet's invariants, checked by `try-runtime` and after every test.

use crate::{
	CleanupCursor, Config, CurrentEra, EraRewards, OldestUnexpiredEra, Pallet, PendingStorageFees,
};
use frame_support::{ensure, traits::fungible::Inspect};
use sp_runtime::Saturating;

impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants: the pot holds what it owes on top of the existential
	/// deposit, no era paid more than it distributes, and the era cursors are in order.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut owed = PendingStorageFees::<T>::get();
		for (_, reward) in EraRewards::<T>::iter() {
			ensure!(reward.paid <= reward.distributable(), "an era paid more than it distributes");
			owed = owed.saturating_add(reward.unpaid());
		}
		let balance = T::Currency::balance(&Self::pot_account());
		ensure!(
			balance >= owed.saturating_add(T::Currency::minimum_balance()),
			"the pot holds less than it owes"
		);
		ensure!(
			CleanupCursor::<T>::get() <= OldestUnexpiredEra::<T>::get()
				&& OldestUnexpiredEra::<T>::get() <= CurrentEra::<T>::get(),
			"era cursors out of order"
		);
		Ok(())
	}
}
