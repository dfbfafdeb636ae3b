//! The validator set until R²S selection lands: the genesis validators, kept every session.
//!
//! `pallet_session::historical` records, for each session, a trie root of (validator, keys) so
//! that an equivocation proof can later show which validator owned an offending key. It records
//! a root only when the inner session manager returns a set, so this manager returns the current
//! set at every rotation instead of `None` ("no change").

use alloc::vec::Vec;
use sp_staking::SessionIndex;

/// Session manager that keeps the validators of genesis forever.
pub struct GenesisValidatorSet<T>(core::marker::PhantomData<T>);

impl<T> pallet_session::historical::SessionManager<T::ValidatorId, ()> for GenesisValidatorSet<T>
where
	T: pallet_session::Config,
	T::ValidatorId: Ord,
{
	fn new_session(_new_index: SessionIndex) -> Option<Vec<(T::ValidatorId, ())>> {
		Some(pallet_session::Validators::<T>::get().into_iter().map(|v| (v, ())).collect())
	}

	fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<(T::ValidatorId, ())>> {
		// During genesis `Validators` is not written yet; the genesis keys are. Sort for a
		// deterministic authority order independent of the storage hash order.
		let mut validators: Vec<T::ValidatorId> =
			pallet_session::NextKeys::<T>::iter_keys().collect();
		validators.sort();
		Some(validators.into_iter().map(|v| (v, ())).collect())
	}

	fn start_session(_start_index: SessionIndex) {}

	fn end_session(_end_index: SessionIndex) {}
}

// `historical::SessionManager` extends the plain one; `NoteHistoricalRoot` only calls the
// historical methods above, so these just mirror them.
impl<T> pallet_session::SessionManager<T::ValidatorId> for GenesisValidatorSet<T>
where
	T: pallet_session::Config,
	T::ValidatorId: Ord,
{
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::ValidatorId>> {
		<Self as pallet_session::historical::SessionManager<_, ()>>::new_session(new_index)
			.map(|set| set.into_iter().map(|(v, ())| v).collect())
	}

	fn new_session_genesis(new_index: SessionIndex) -> Option<Vec<T::ValidatorId>> {
		<Self as pallet_session::historical::SessionManager<_, ()>>::new_session_genesis(new_index)
			.map(|set| set.into_iter().map(|(v, ())| v).collect())
	}

	fn start_session(_start_index: SessionIndex) {}

	fn end_session(_end_index: SessionIndex) {}
}

/// Full identification of a validator for offence reports: nothing beyond its account until
/// R²S attaches its bond.
pub struct UnitIdentification;

impl<V> sp_runtime::traits::Convert<V, Option<()>> for UnitIdentification {
	fn convert(_validator: V) -> Option<()> {
		Some(())
	}
}
