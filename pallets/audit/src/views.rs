//! The read-only views behind the runtime API (crate `pallet-audit-runtime-api`).

use crate::{
	AuditParamsOf, AuditRecord, ChallengeView, ChallengedFragmentView, Challenges, Config,
	CurrentRound, IssuanceCursor, NextRoundAt, Pallet, Params, Records, RoundView, StoredFragments,
};
use alloc::vec::Vec;
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> Pallet<T> {
	/// The open challenge of `miner`, with the leaves to prove (runtime API).
	pub fn challenge_view(miner: &T::AccountId) -> Option<ChallengeView<BlockNumberFor<T>>> {
		let open = Challenges::<T>::get(miner)?;
		let layout = T::Fragments::layout();
		let leaves = layout.leaves_per_fragment();
		let fragments = open
			.fragments
			.iter()
			.map(|c| ChallengedFragmentView {
				position: c.position,
				file: c.fragment.file,
				index: c.fragment.index,
				hash: c.fragment.hash,
				leaves: open.challenge.leaf_indices(&c.fragment.hash, leaves).collect(),
			})
			.collect::<Vec<_>>();
		Some(ChallengeView {
			round: open.round,
			challenge: open.challenge,
			layout,
			fragments,
			issued_at: open.issued_at,
			deadline: open.deadline,
		})
	}

	/// The current round (runtime API).
	pub fn round_view() -> Option<RoundView<BlockNumberFor<T>>> {
		CurrentRound::<T>::get().map(|round| RoundView {
			index: round.index,
			started_at: round.started_at,
			issuing: round.cursor != IssuanceCursor::Done,
			challenged: round.challenged,
			next_round_at: NextRoundAt::<T>::get(),
		})
	}

	/// A miner's audit history (runtime API).
	pub fn record(miner: &T::AccountId) -> AuditRecord {
		Records::<T>::get(miner)
	}

	/// The audit parameters (runtime API).
	pub fn params() -> AuditParamsOf<T> {
		Params::<T>::get()
	}
}
