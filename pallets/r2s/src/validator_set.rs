//! Each session's validator set: the draw among the qualified candidates (the method is in
//! [`crate::selection`]), or the current set kept when too few qualify.

use crate::{selection, Config, Event, MinActive, Pallet, Seats, SessionInterface, LOG_TARGET};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::traits::{Get, Randomness};
use sp_runtime::traits::Hash;
use sp_staking::SessionIndex;

impl<T: Config> Pallet<T> {
	/// The draw of the validators of `session` among `pool` (see the pallet docs), sorted.
	pub fn draw(session: SessionIndex, pool: Vec<(T::AccountId, u32)>) -> Vec<T::AccountId> {
		let seats = Seats::<T>::get().min(T::MaxActive::get()).max(1);
		let (seed, _) = T::Randomness::random(&(b"r2s/validators", session).encode());
		let mut set = selection::draw_weighted(pool, seats, |round| {
			selection::u128_from_bytes(T::Hashing::hash_of(&(seed, round)).as_ref())
		});
		set.sort();
		set
	}

	/// The validator set to plan for `session`, or `None` when nothing is available at all
	/// (the session pallet then keeps its set).
	pub(crate) fn plan_session(session: SessionIndex) -> Option<Vec<T::AccountId>> {
		let qualified = Self::qualified();
		let max = T::MaxActive::get() as usize;
		if qualified.len() >= MinActive::<T>::get().max(1) as usize {
			let set = Self::draw(session, qualified);
			Self::deposit_event(Event::ValidatorsSelected { session, validators: set.clone() });
			return Some(set);
		}
		log::warn!(
			target: LOG_TARGET,
			"only {} candidates qualify for session {}: keeping the current validators",
			qualified.len(),
			session,
		);
		let current = T::SessionInterface::validators();
		let keep: Vec<T::AccountId> =
			current.iter().filter(|v| Self::has_session_keys(v)).take(max).cloned().collect();
		if !keep.is_empty() {
			Self::deposit_event(Event::ValidatorsKept {
				session,
				qualified: qualified.len() as u32,
			});
			return Some(keep);
		}
		if !qualified.is_empty() {
			let set = Self::draw(session, qualified);
			Self::deposit_event(Event::ValidatorsSelected { session, validators: set.clone() });
			return Some(set);
		}
		log::error!(target: LOG_TARGET, "no validator available for session {}", session);
		None
	}

	/// The validators of the genesis sessions: the qualified candidates with the highest
	/// credit (ties by account), at most `Seats`; or, when the pallet's genesis has not run yet,
	/// every account with session keys (at most `MaxActive`), sorted.
	pub(crate) fn genesis_set() -> Vec<T::AccountId> {
		let mut qualified = Self::qualified();
		let mut set: Vec<T::AccountId> = if qualified.is_empty() {
			let mut keyed = T::SessionInterface::keyed_accounts(T::MaxCandidates::get());
			keyed.sort();
			keyed.truncate(T::MaxActive::get() as usize);
			keyed
		} else {
			qualified.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
			let seats = Seats::<T>::get().min(T::MaxActive::get()).max(1) as usize;
			qualified.into_iter().take(seats).map(|(who, _)| who).collect()
		};
		set.sort();
		set
	}
}
