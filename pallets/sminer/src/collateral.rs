//! Collateral: the requirement of the declared space, the hold, slashes, and the freezing of a
//! miner whose collateral falls below the requirement.

use crate::{
	BalanceOf, CollateralPerTiB, Config, Error, Event, HoldReason, MinerInfoOf, MinerState, Pallet,
	SlashReason, TIB,
};
use frame_support::{
	ensure,
	traits::{
		fungible::{BalancedHold, InspectHold, MutateHold},
		Imbalance, OnUnbalanced,
	},
};
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedFrom, Zero},
	DispatchError, DispatchResult, Perbill,
};

impl<T: Config> Pallet<T> {
	/// The collateral `declared_space` bytes require:
	/// `CollateralPerTiB × ⌈declared_space / TiB⌉` (saturating).
	pub fn required_collateral(declared_space: u64) -> BalanceOf<T> {
		let tib = declared_space.div_ceil(TIB);
		CollateralPerTiB::<T>::get().saturating_mul(BalanceOf::<T>::unique_saturated_from(tib))
	}

	/// Holds `amount` of `who`'s balance as collateral (nothing for zero).
	pub(crate) fn hold(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		let reason = HoldReason::MinerCollateral.into();
		ensure!(T::Currency::can_hold(&reason, who, amount), Error::<T>::InsufficientBalance);
		T::Currency::hold(&reason, who, amount)
	}

	/// Makes a `Frozen` miner `Active` if its collateral covers its declared space; returns
	/// whether it did.
	pub(crate) fn unfreeze_if_covered(info: &mut MinerInfoOf<T>) -> bool {
		let covered = info.collateral >= Self::required_collateral(info.declared_space);
		if info.state == MinerState::Frozen && covered {
			info.state = MinerState::Active;
			true
		} else {
			false
		}
	}

	/// Slashes `fraction` of `who`'s collateral; see [`crate::StorageMiners::slash`].
	pub(crate) fn do_slash(
		who: &T::AccountId,
		fraction: Perbill,
		reason: SlashReason,
	) -> Result<BalanceOf<T>, DispatchError> {
		let old = Self::miner(who)?;
		let amount = fraction.mul_floor(old.collateral);
		let (credit, _missing) =
			T::Currency::slash(&HoldReason::MinerCollateral.into(), who, amount);
		let slashed = credit.peek();
		T::Slashed::on_unbalanced(credit);
		let mut new = old.clone();
		new.collateral = new.collateral.saturating_sub(slashed);
		let required = Self::required_collateral(new.declared_space);
		let frozen = new.is_active() && new.collateral < required;
		if frozen {
			new.state = MinerState::Frozen;
		}
		let collateral = new.collateral;
		Self::write_miner(who, Some(&old), Some(new));
		Self::deposit_event(Event::Slashed { miner: who.clone(), amount: slashed, reason });
		if frozen {
			Self::deposit_event(Event::Frozen { miner: who.clone(), collateral, required });
		}
		Ok(slashed)
	}
}
