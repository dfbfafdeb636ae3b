//! Judgement of a round: a response checked against the open challenge, and the passed or failed
//! round recorded (strikes, clearance, punishment at the strike limit).

use crate::{
	AuditFault, AuditPenalty, Config, Event, OnAuditResult, OpenChallengeOf, Pallet, Params,
	Records, RoundIndex,
};
use cess_primitives::{proof::verify_fragment_proof, ChallengeResponse, FileLayout, ProofError};

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
}
