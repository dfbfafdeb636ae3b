//! Judgement of a round: a response checked against the open challenge, and the passed or failed
//! round recorded (strikes, clearance, punishment at the strike limit).

use crate::{
	AuditFault, AuditPenalty, Challenges, Config, Event, OnAuditResult, OpenChallengeOf, Pallet,
	Params, Records, RoundIndex,
};
use cess_primitives::{proof::verify_fragment_proof, ChallengeResponse, FileLayout, ProofError};
use sp_runtime::Perbill;

impl<T: Config> Pallet<T> {
	/// Checks a response against an open challenge: one valid proof per challenged fragment.
	pub fn verify(
		layout: &FileLayout,
		open: &OpenChallengeOf<T>,
		response: &ChallengeResponse,
	) -> Result<(), ProofError> {
		if response.len() != open.fragments.len() {
			return Err(ProofError::WrongFragmentCount);
		}
		for (challenged, proof) in open.fragments.iter().zip(response.iter()) {
			verify_fragment_proof(layout, &open.challenge, &challenged.fragment.hash, proof)?;
		}
		Ok(())
	}

	/// Records a passed round.
	pub(crate) fn pass(miner: &T::AccountId, round: RoundIndex) {
		let params = Params::<T>::get();
		let cleared = Records::<T>::mutate(miner, |record| {
			record.passed = record.passed.saturating_add(1);
			record.clean_rounds = record.clean_rounds.saturating_add(1);
			record.last_round = Some(round);
			if record.strikes > 0 && record.clean_rounds >= params.passes_to_clear {
				record.strikes = 0;
				true
			} else {
				false
			}
		});
		if cleared {
			Self::deposit_event(Event::StrikesCleared { miner: miner.clone() });
		}
		T::OnAuditResult::on_audit_result(miner, round, true);
	}

	/// Records a failed round, punishes at the strike limit; returns the strikes left.
	pub(crate) fn fail(miner: &T::AccountId, round: RoundIndex, fault: AuditFault) -> u32 {
		let params = Params::<T>::get();
		let (strikes, punish) = Records::<T>::mutate(miner, |record| {
			record.failed = record.failed.saturating_add(1);
			record.clean_rounds = 0;
			record.last_round = Some(round);
			record.strikes = record.strikes.saturating_add(1);
			if record.strikes >= params.strike_limit {
				record.strikes = 0;
				record.punished = record.punished.saturating_add(1);
				(record.strikes, true)
			} else {
				(record.strikes, false)
			}
		});
		T::OnAuditResult::on_audit_result(miner, round, false);
		if punish {
			T::Penalty::punish(miner, params.slash, fault);
			Self::deposit_event(Event::MinerPunished { miner: miner.clone(), fault });
		}
		strikes
	}

	/// Failed rounds of `miner` neither cleared nor punished yet. pallet-sminer refuses to let a
	/// miner with strikes start an exit.
	pub fn strikes(miner: &T::AccountId) -> u32 {
		Records::<T>::get(miner).strikes
	}

	/// Whether `miner` has a challenge that is not judged yet (neither answered nor expired).
	/// pallet-sminer refuses to start or end an exit meanwhile.
	pub fn has_open_challenge(miner: &T::AccountId) -> bool {
		Challenges::<T>::contains_key(miner)
	}

	/// Settles the strikes of `miner`, which leaves the chain: clears them and returns the
	/// share of its collateral they cost, the punishment's slash pro rata of the strikes to the
	/// strike limit (`slash × strikes / strike_limit`; zero without strikes). pallet-sminer
	/// slashes it at `withdraw`, so that strikes earned while leaving are not forgiven.
	pub fn settle_strikes(miner: &T::AccountId) -> Perbill {
		let mut record = Records::<T>::get(miner);
		if record.strikes == 0 {
			return Perbill::zero();
		}
		let params = Params::<T>::get();
		let limit = params.strike_limit.max(1);
		let share = Perbill::from_rational(record.strikes.min(limit), limit);
		record.strikes = 0;
		Records::<T>::insert(miner, record);
		// `slash × share`, rounded down (both below one, so the product is too).
		Perbill::from_parts(share.mul_floor(params.slash.deconstruct()))
	}
}
