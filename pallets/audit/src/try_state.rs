//! The pallet's invariants, checked by `try-runtime` and after every test.

use crate::{ChallengeExpiries, Challenges, Config, Pallet};
use frame_support::ensure;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	/// Checks open challenges against the expiry index (iterates everything: tests and
	/// try-runtime only).
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		for (miner, open) in Challenges::<T>::iter() {
			let expires_at = open.deadline.saturating_add(1u32.into());
			ensure!(
				ChallengeExpiries::<T>::get(expires_at).contains(&miner),
				"open challenge without an expiry entry"
			);
			ensure!(
				open.fragments.len() as u32 == open.challenge.challenged_fragments(),
				"challenged fragments do not match the challenge"
			);
		}
		Ok(())
	}
}
