//! Rounds and challenges: a round's start and seed, its challenges issued a page of miners per
//! block, and the expiry of those left unanswered.

use crate::{
	AuditFault, AuditParamsOf, ChallengeExpiries, ChallengedFragment, ChallengedFragments,
	Challenges, Config, CurrentRound, Event, IssuanceCursor, NextRoundAt, OpenChallenge,
	OpenChallengeOf, Pallet, Params, RoundInfo, RoundInfoOf, StoredFragments, WeightInfo,
	LOG_TARGET,
};
use cess_primitives::Challenge;
use codec::Encode;
use frame_support::{
	traits::{Get, Randomness},
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// Fails the challenges that expire at the start of `now`.
	pub(crate) fn expire_challenges(now: BlockNumberFor<T>) -> Weight {
		let expiring = ChallengeExpiries::<T>::take(now);
		let weight = T::WeightInfo::expire_challenges(expiring.len() as u32);
		for miner in expiring {
			let Some(open) = Challenges::<T>::get(&miner) else { continue };
			if open.deadline >= now {
				continue;
			}
			Challenges::<T>::remove(&miner);
			let strikes = Self::fail(&miner, open.round, AuditFault::MissedProof);
			Self::deposit_event(Event::ProofMissed { miner, round: open.round, strikes });
		}
		weight
	}

	/// Starts a round when one is due, and challenges the next miners of the current round.
	pub(crate) fn run_issuance(now: BlockNumberFor<T>) -> Weight {
		let mut weight = Weight::zero();
		let params = Params::<T>::get();
		let mut round = match CurrentRound::<T>::get() {
			Some(round) if round.cursor != IssuanceCursor::Done => round,
			previous => {
				if now < NextRoundAt::<T>::get() {
					return weight;
				}
				weight.saturating_accrue(T::WeightInfo::start_round());
				let index = previous.map_or(0, |round| round.index.saturating_add(1));
				// The parent hash is mixed in so that no miner learns a round's challenges
				// before the block before it, whatever the randomness source's lookahead (BABE's
				// `RandomnessFromOneEpochAgo` is known an epoch ahead).
				let (random, _) = T::Randomness::random(b"cess/audit/round");
				let parent = frame_system::Pallet::<T>::parent_hash();
				let seed = sp_io::hashing::blake2_256(&(random, parent, index).encode());
				Self::deposit_event(Event::RoundStarted { round: index, seed });
				RoundInfo {
					index,
					seed,
					started_at: now,
					cursor: IssuanceCursor::Start,
					challenged: 0,
				}
			}
		};
		let after = match &round.cursor {
			IssuanceCursor::After(miner) => Some(miner.clone()),
			_ => None,
		};
		let page = T::Fragments::miners_page(after.as_ref(), T::MaxChallengesPerBlock::get());
		let deadline = now.saturating_add(params.response_window);
		let expires_at = deadline.saturating_add(1u32.into());
		let mut expiring = ChallengeExpiries::<T>::get(expires_at);
		weight.saturating_accrue(T::WeightInfo::issue_challenges(page.items.len() as u32));
		for miner in page.items {
			if Challenges::<T>::contains_key(&miner) {
				// Cannot happen: a round starts after the previous one's challenges expired.
				log::warn!(target: LOG_TARGET, "{miner:?} still has an open challenge");
				continue;
			}
			let Some(open) = Self::challenge_for(&miner, &round, now, deadline, &params) else {
				continue;
			};
			if expiring.try_push(miner.clone()).is_err() {
				frame_support::defensive!("more challenges in a block than MaxChallengesPerBlock");
				continue;
			}
			Self::deposit_event(Event::ChallengeIssued {
				miner: miner.clone(),
				round: round.index,
				fragments: open.fragments.len() as u32,
				deadline,
			});
			Challenges::<T>::insert(&miner, open);
			round.challenged = round.challenged.saturating_add(1);
		}
		if !expiring.is_empty() {
			ChallengeExpiries::<T>::insert(expires_at, expiring);
		}
		match page.next {
			Some(last) => round.cursor = IssuanceCursor::After(last),
			None => {
				round.cursor = IssuanceCursor::Done;
				let next = round.started_at.saturating_add(params.round_period).max(expires_at);
				NextRoundAt::<T>::put(next);
				Self::deposit_event(Event::RoundIssued {
					round: round.index,
					challenged: round.challenged,
				});
			}
		}
		CurrentRound::<T>::put(round);
		weight
	}

	/// The challenge of `miner` in `round`, with its challenged fragments read from the list;
	/// `None` if it holds no fragment (or its list is inconsistent).
	pub(crate) fn challenge_for(
		miner: &T::AccountId,
		round: &RoundInfoOf<T>,
		now: BlockNumberFor<T>,
		deadline: BlockNumberFor<T>,
		params: &AuditParamsOf<T>,
	) -> Option<OpenChallengeOf<T>> {
		let count = T::Fragments::fragment_count(miner);
		if count == 0 {
			return None;
		}
		let challenge =
			Challenge::new(&round.seed, &miner.encode(), count, params.challenge).ok()?;
		let mut fragments = ChallengedFragments::new();
		for position in challenge.fragment_positions() {
			let Some(fragment) = T::Fragments::fragment_at(miner, position) else {
				log::warn!(target: LOG_TARGET, "{miner:?} has no fragment at {position} of {count}");
				return None;
			};
			fragments.try_push(ChallengedFragment { position, fragment }).ok()?;
		}
		Some(OpenChallenge { round: round.index, challenge, fragments, issued_at: now, deadline })
	}
}
