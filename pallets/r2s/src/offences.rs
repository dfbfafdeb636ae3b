//! Punishment of an offence: a slash of everything the offender holds, a credit cut, and the
//! report to the session's disabling strategy.

use crate::{
	BalanceOf, CandidateOf, Candidates, Config, CurrencyOf, Event, HoldReason, Pallet,
	Performances, Punished, SessionInterface, LOG_TARGET,
};
use frame_support::traits::{fungible, Get, Imbalance as _, OnUnbalanced};
use sp_runtime::{
	traits::{Saturating, Zero},
	PerThing, Perbill, Rounding,
};
use sp_staking::SessionIndex;

impl<T: Config> Pallet<T> {
	/// Slash `fraction` of everything `who` holds (the active bond first, then the unbonding
	/// chunks, newest first) and hand it to [`Config::Slashed`]. Returns the amount taken.
	pub(crate) fn slash(
		who: &T::AccountId,
		candidate: &mut CandidateOf<T>,
		fraction: Perbill,
	) -> BalanceOf<T> {
		let amount = fraction.mul_floor(Self::held(candidate));
		if amount.is_zero() {
			return Zero::zero();
		}
		let mut left = amount;
		let from_bond = left.min(candidate.bond);
		candidate.bond = candidate.bond.saturating_sub(from_bond);
		left = left.saturating_sub(from_bond);
		for chunk in candidate.unbonding.iter_mut().rev() {
			if left.is_zero() {
				break;
			}
			let take = left.min(chunk.amount);
			chunk.amount = chunk.amount.saturating_sub(take);
			left = left.saturating_sub(take);
		}
		candidate.unbonding.retain(|chunk| !chunk.amount.is_zero());
		let debited = amount.saturating_sub(left);
		let (imbalance, missing) = <CurrencyOf<T> as fungible::BalancedHold<T::AccountId>>::slash(
			&HoldReason::CandidateBond.into(),
			who,
			debited,
		);
		if !missing.is_zero() {
			log::error!(
				target: LOG_TARGET,
				"slash of {:?} could not take {:?}: hold and ledger disagree",
				who,
				missing,
			);
		}
		let taken = imbalance.peek();
		T::Slashed::on_unbalanced(imbalance);
		taken
	}

	/// Punish `who` for an offence in `session` with slash fraction `fraction` (see the pallet
	/// docs). `current` is the current session index.
	pub(crate) fn punish(
		who: &T::AccountId,
		session: SessionIndex,
		current: SessionIndex,
		fraction: Perbill,
	) {
		let fraction = fraction.max(T::MinSlash::get());
		let previous = Punished::<T>::get(session, who);
		if previous.is_some_and(|applied| applied >= fraction) {
			return;
		}
		Punished::<T>::insert(session, who, fraction);
		// `previous` of the holdings is already gone: taking `(f − previous) / (1 − previous)` of
		// what is left brings the total to `f` of the holdings at the first slash.
		let previous_fraction = previous.unwrap_or_default();
		let additional = Perbill::from_rational_with_rounding(
			fraction.saturating_sub(previous_fraction).deconstruct(),
			Perbill::one().saturating_sub(previous_fraction).deconstruct(),
			Rounding::Up,
		)
		.unwrap_or(Perbill::one());
		let (slashed, credit) = match Candidates::<T>::get(who) {
			Some(mut candidate) => {
				let slashed = Self::slash(who, &mut candidate, additional);
				let mut performance = Performances::<T>::get(who);
				if previous.is_none() {
					performance.current.offences = performance.current.offences.saturating_add(1);
					Performances::<T>::insert(who, &performance);
				}
				candidate.credit = Self::compute_credit(&performance, candidate.bond);
				let credit = candidate.credit;
				Candidates::<T>::insert(who, candidate);
				(slashed, credit)
			}
			None => (Zero::zero(), 0),
		};
		if session == current {
			T::SessionInterface::report_offence(
				who.clone(),
				sp_staking::offence::OffenceSeverity(fraction),
			);
		}
		Self::deposit_event(Event::OffencePunished {
			offender: who.clone(),
			session,
			fraction,
			slashed,
			credit,
		});
	}
}
