//! The reward pot: the account that holds minted issuance and storage fees until they are
//! claimed, and what leaves it for the treasury.

use crate::{BalanceOf, Config, CreditOf, Event, Pallet, PendingStorageFees, LOG_TARGET};
use frame_support::traits::{
	fungible::{Balanced, Inspect, Mutate},
	tokens::{Fortitude, Precision, Preservation},
	Get, Imbalance, OnUnbalanced,
};
use sp_runtime::traits::{AccountIdConversion, Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// The account that holds minted rewards and storage fees until they are claimed.
	pub fn pot_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Keeps the pot account alive: if it holds less than the existential deposit, mints the
	/// difference (once in a chain's life, at genesis). The pot never pays that deposit out
	/// (payouts preserve it), so what it owes is always on top of it.
	pub(crate) fn ensure_pot_exists(pot: &T::AccountId) {
		let minimum = T::Currency::minimum_balance();
		let balance = T::Currency::balance(pot);
		if balance < minimum {
			if let Err(error) = T::Currency::mint_into(pot, minimum.saturating_sub(balance)) {
				log::error!(target: LOG_TARGET, "cannot create the pot account: {error:?}");
			}
		}
	}

	/// Mints `amount` into the pot; returns what was minted.
	pub(crate) fn mint_into_pot(pot: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		match T::Currency::resolve(pot, T::Currency::issue(amount)) {
			Ok(()) => amount,
			Err(credit) => {
				// Only if the pot's balance would overflow; dropping the credit undoes the mint.
				log::error!(target: LOG_TARGET, "cannot mint {:?} into the pot", credit.peek());
				Zero::zero()
			}
		}
	}

	/// Moves `amount` from the pot to the treasury; returns what was moved.
	pub(crate) fn send_to_treasury(pot: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		match T::Currency::withdraw(
			pot,
			amount,
			Precision::BestEffort,
			Preservation::Preserve,
			Fortitude::Polite,
		) {
			Ok(credit) => {
				let sent = credit.peek();
				T::Treasury::on_unbalanced(credit);
				sent
			}
			Err(error) => {
				log::error!(target: LOG_TARGET, "cannot send {amount:?} to the treasury: {error:?}");
				Zero::zero()
			}
		}
	}
}

/// Storage fees: the file bank hands the fee it charged as a credit; it joins the miners' pot
/// of the era in progress.
impl<T: Config> OnUnbalanced<CreditOf<T>> for Pallet<T> {
	fn on_nonzero_unbalanced(credit: CreditOf<T>) {
		let pot = Self::pot_account();
		Self::ensure_pot_exists(&pot);
		let amount = credit.peek();
		match T::Currency::resolve(&pot, credit) {
			Ok(()) => {
				PendingStorageFees::<T>::mutate(|fees| *fees = fees.saturating_add(amount));
				Self::deposit_event(Event::StorageFeeDeposited { amount });
			}
			// Only if the pot's balance would overflow: the treasury takes it.
			Err(credit) => T::Treasury::on_unbalanced(credit),
		}
	}
}
