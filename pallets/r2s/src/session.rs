//! The pallet's place in the consensus machinery: session manager (plain and historical),
//! authorship event handler and offence handler; and [`PalletSession`], its
//! [`SessionInterface`] over pallet-session.

use crate::{
	Config, FullIdentification, Pallet, SessionAuthored, SessionBlocks, SessionInterface,
	WeightInfo, LOG_TARGET,
};
use alloc::vec::Vec;
use core::marker::PhantomData;
use frame_support::{dispatch::DispatchClass, traits::Get, weights::Weight};
use sp_runtime::{traits::Convert, Perbill};
use sp_staking::{
	offence::{OffenceDetails, OffenceSeverity, OnOffenceHandler},
	SessionIndex,
};

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		// Returning the set every session (rather than `None` for "unchanged") makes
		// `NoteHistoricalRoot` record the session's key-ownership root.
		Self::plan_session(new_index)
	}

	fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		let set = Self::genesis_set();
		(!set.is_empty()).then_some(set)
	}

	fn end_session(end_index: SessionIndex) {
		Self::end_session_accounting(end_index);
	}

	fn start_session(start_index: SessionIndex) {
		Self::start_session_pruning(start_index);
	}
}

impl<T: Config> pallet_session::historical::SessionManager<T::AccountId, FullIdentification>
	for Pallet<T>
{
	fn new_session(new_index: SessionIndex) -> Option<Vec<(T::AccountId, FullIdentification)>> {
		<Self as pallet_session::SessionManager<_>>::new_session(new_index)
			.map(|set| set.into_iter().map(|v| (v, ())).collect())
	}

	fn new_session_genesis(
		new_index: SessionIndex,
	) -> Option<Vec<(T::AccountId, FullIdentification)>> {
		<Self as pallet_session::SessionManager<_>>::new_session_genesis(new_index)
			.map(|set| set.into_iter().map(|v| (v, ())).collect())
	}

	fn start_session(start_index: SessionIndex) {
		<Self as pallet_session::SessionManager<_>>::start_session(start_index)
	}

	fn end_session(end_index: SessionIndex) {
		<Self as pallet_session::SessionManager<_>>::end_session(end_index)
	}
}

/// `pallet_session::historical::Config::FullIdentificationOf` for this pallet's
/// [`FullIdentification`] (`()`): every validator is identified by its account alone.
pub struct UnitIdentificationOf;

impl<A> Convert<A, Option<FullIdentification>> for UnitIdentificationOf {
	fn convert(_validator: A) -> Option<FullIdentification> {
		Some(())
	}
}

impl<T: Config>
	pallet_authorship::EventHandler<T::AccountId, frame_system::pallet_prelude::BlockNumberFor<T>>
	for Pallet<T>
{
	fn note_author(author: T::AccountId) {
		SessionBlocks::<T>::mutate(|blocks| *blocks = blocks.saturating_add(1));
		SessionAuthored::<T>::mutate(&author, |blocks| *blocks = blocks.saturating_add(1));
		frame_system::Pallet::<T>::register_extra_weight_unchecked(
			<T as Config>::WeightInfo::note_author(),
			DispatchClass::Mandatory,
		);
	}
}

impl<T: Config> OnOffenceHandler<T::AccountId, (T::AccountId, FullIdentification), Weight>
	for Pallet<T>
{
	fn on_offence(
		offenders: &[OffenceDetails<T::AccountId, (T::AccountId, FullIdentification)>],
		slash_fraction: &[Perbill],
		session: SessionIndex,
	) -> Weight {
		let current = T::SessionInterface::current_index();
		if session.saturating_add(T::SlashableSessions::get()) < current {
			log::warn!(
				target: LOG_TARGET,
				"ignoring an offence of session {} reported in session {}: too old",
				session,
				current,
			);
			return T::DbWeight::get().reads(1);
		}
		for (details, fraction) in offenders.iter().zip(slash_fraction.iter()) {
			Self::punish(&details.offender.0, session, current, *fraction);
		}
		<T as Config>::WeightInfo::on_offence(offenders.len() as u32)
	}
}

/// [`SessionInterface`] over pallet-session: its key registry, current set and index, and its
/// disabling strategy. Runtime `R` is the one whose pallet-session is read.
pub struct PalletSession<R>(PhantomData<R>);

impl<R> SessionInterface<R::AccountId> for PalletSession<R>
where
	R: pallet_session::Config<ValidatorId = <R as frame_system::Config>::AccountId>,
{
	fn has_keys(who: &R::AccountId) -> bool {
		pallet_session::NextKeys::<R>::contains_key(who)
	}

	fn keyed_accounts(max: u32) -> Vec<R::AccountId> {
		pallet_session::NextKeys::<R>::iter_keys().take(max as usize).collect()
	}

	fn validators() -> Vec<R::AccountId> {
		pallet_session::Validators::<R>::get()
	}

	fn current_index() -> SessionIndex {
		pallet_session::CurrentIndex::<R>::get()
	}

	fn report_offence(validator: R::AccountId, severity: OffenceSeverity) {
		pallet_session::Pallet::<R>::report_offence(validator, severity)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_keys(who: &R::AccountId) -> Result<(), &'static str> {
		use codec::Decode;
		let keys = R::Keys::decode(&mut sp_runtime::traits::TrailingZeroInput::zeroes())
			.map_err(|_| "session keys cannot be decoded from zeroes")?;
		pallet_session::NextKeys::<R>::insert(who, keys);
		Ok(())
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_validators(validators: Vec<R::AccountId>) {
		pallet_session::Validators::<R>::put(validators);
	}
}
