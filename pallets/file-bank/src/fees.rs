//! Storage fees: computed from the chain's price, held while a file is pending, paid to the
//! miners' pot ([`Config::OnStorageFee`]) when it becomes active, refunded when a deal is
//! cancelled or an owner leaves a pending file.

use crate::{
	BalanceOf, Config, CreditOf, Error, FileState, HoldReason, Layout, Ownerships, Pallet, Params,
	LOG_TARGET,
};
use cess_primitives::FileHash;
use frame_support::traits::{
	fungible::{Balanced, BalancedHold, MutateHold},
	tokens::{Fortitude, Precision, Preservation},
	Imbalance, OnUnbalanced,
};
use sp_runtime::{traits::Zero, DispatchError, DispatchResult};

impl<T: Config> Pallet<T> {
	/// The fee for keeping a file of `size` plaintext bytes for `periods` periods.
	pub fn storage_fee(size: u64, periods: u32) -> Option<BalanceOf<T>> {
		Params::<T>::get().fee(Layout::<T>::get().stored_size(size), periods)
	}

	/// Puts `fee` on hold from `who`.
	pub(crate) fn hold_fee(who: &T::AccountId, fee: BalanceOf<T>) -> DispatchResult {
		if !fee.is_zero() {
			T::Currency::hold(&HoldReason::StorageFee.into(), who, fee)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
		}
		Ok(())
	}

	/// Charges `fee` for a file in `state`: held while it is pending, paid to the miners' pot
	/// at once when it is active. Returns the amount now on hold.
	pub(crate) fn charge(
		who: &T::AccountId,
		fee: BalanceOf<T>,
		state: FileState,
	) -> Result<BalanceOf<T>, DispatchError> {
		if fee.is_zero() {
			return Ok(fee);
		}
		if state == FileState::Pending {
			Self::hold_fee(who, fee)?;
			return Ok(fee);
		}
		let credit = T::Currency::withdraw(
			who,
			fee,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Polite,
		)
		.map_err(|_| Error::<T>::InsufficientBalance)?;
		T::OnStorageFee::on_unbalanced(credit);
		Ok(Zero::zero())
	}

	/// Pays every owner's held fee to the miners' pot; returns the total.
	pub(crate) fn pay_held_fees(file_hash: FileHash, owners: &[T::AccountId]) -> BalanceOf<T> {
		let mut total = CreditOf::<T>::zero();
		for owner in owners {
			Ownerships::<T>::mutate(owner, file_hash, |ownership| {
				if let Some(ownership) = ownership {
					let held = core::mem::take(&mut ownership.fee_held);
					if !held.is_zero() {
						let (credit, missing) =
							T::Currency::slash(&HoldReason::StorageFee.into(), owner, held);
						if !missing.is_zero() {
							log::warn!(target: LOG_TARGET, "fee hold of {owner:?} short by {missing:?}");
						}
						total = core::mem::replace(&mut total, CreditOf::<T>::zero()).merge(credit);
					}
				}
			});
		}
		let paid = total.peek();
		T::OnStorageFee::on_unbalanced(total);
		paid
	}

	/// Returns a held fee to its owner; returns what was released.
	pub(crate) fn refund(who: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		T::Currency::release(&HoldReason::StorageFee.into(), who, amount, Precision::BestEffort)
			.unwrap_or_else(|e| {
				log::warn!(target: LOG_TARGET, "refund of {amount:?} to {who:?} failed: {e:?}");
				Zero::zero()
			})
	}
}
