//! A candidate's standing: its credit (the formulas are in [`crate::credit`]), what it holds,
//! and whether it qualifies for the draw.

use crate::{
	credit, BalanceOf, CandidateOf, Candidates, Config, Pallet, Performance, SessionInterface,
};
use alloc::vec::Vec;
use frame_support::traits::Get;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

impl<T: Config> Pallet<T> {
	/// The bond score `B`: `1000 · min(1, bond / (BondSaturation · MinBond))`.
	pub fn bond_score(bond: BalanceOf<T>) -> u32 {
		let saturation = T::MinBond::get().saturating_mul(T::BondSaturation::get().max(1).into());
		if saturation.is_zero() {
			return credit::MAX_CREDIT;
		}
		Perbill::from_rational(bond.min(saturation), saturation).mul_floor(credit::MAX_CREDIT)
	}

	/// The credit of a candidate with this record and this active bond.
	pub fn compute_credit(performance: &Performance, bond: BalanceOf<T>) -> u32 {
		credit::credit(
			performance,
			Self::bond_score(bond),
			T::BaseCredit::get(),
			T::OffenceCreditCut::get(),
		)
	}

	/// The credit score of `who`, `0..=1000` (0 when it is not bonded). One storage read; for
	/// other pallets, e.g. to weigh a block author's reward by its credit.
	pub fn credit_of(who: &T::AccountId) -> u32 {
		Candidates::<T>::get(who).map_or(0, |candidate| candidate.credit)
	}

	/// Everything the candidate has held: active bond and unbonding chunks.
	pub fn held(candidate: &CandidateOf<T>) -> BalanceOf<T> {
		candidate
			.unbonding
			.iter()
			.fold(candidate.bond, |sum, chunk| sum.saturating_add(chunk.amount))
	}

	/// Whether `who` has registered session keys with pallet-session.
	pub fn has_session_keys(who: &T::AccountId) -> bool {
		T::SessionInterface::has_keys(who)
	}

	/// Whether a candidate may be drawn: candidacy on, bond at least `MinBond`, credit at least
	/// `CreditThreshold`, session keys set.
	pub fn is_qualified(who: &T::AccountId, candidate: &CandidateOf<T>) -> bool {
		candidate.candidacy
			&& candidate.bond >= T::MinBond::get()
			&& candidate.credit >= T::CreditThreshold::get()
			&& Self::has_session_keys(who)
	}

	/// The qualified candidates with their credit, in account order. At most `MaxCandidates`.
	pub fn qualified() -> Vec<(T::AccountId, u32)> {
		let mut qualified: Vec<(T::AccountId, u32)> = Candidates::<T>::iter()
			.take(T::MaxCandidates::get() as usize)
			.filter(|(who, candidate)| Self::is_qualified(who, candidate))
			.map(|(who, candidate)| (who, candidate.credit))
			.collect();
		qualified.sort_by(|a, b| a.0.cmp(&b.0));
		qualified
	}
}
