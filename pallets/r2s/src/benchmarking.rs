//! Benchmarks of the pallet's calls and of its session, authorship and offence hooks.

#![cfg(feature = "runtime-benchmarks")]

use super::*;
use crate::Pallet as R2s;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::EnsureOrigin;
use frame_system::RawOrigin;
use sp_staking::offence::{OffenceDetails, OnOffenceHandler};

const SEED: u32 = 0;

fn min_bond<T: Config>() -> BalanceOf<T> {
	T::MinBond::get().max(1u32.into())
}

/// An account with plenty of free balance.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	let amount = min_bond::<T>()
		.saturating_mul(1000u32.into())
		.saturating_add(CurrencyOf::<T>::minimum_balance());
	let _ = CurrencyOf::<T>::set_balance(&who, amount);
	who
}

/// Give `who` (dummy) session keys.
fn give_keys<T: Config>(who: &T::AccountId) -> Result<(), BenchmarkError> {
	T::SessionInterface::set_keys(who).map_err(BenchmarkError::Stop)
}

/// A bonded candidate with keys, candidacy on and the highest credit.
fn candidate<T: Config>(index: u32) -> Result<T::AccountId, BenchmarkError> {
	let who = funded::<T>("candidate", index);
	R2s::<T>::bond(
		RawOrigin::Signed(who.clone()).into(),
		min_bond::<T>().saturating_mul(10u32.into()),
	)?;
	give_keys::<T>(&who)?;
	R2s::<T>::set_candidacy(RawOrigin::Signed(who.clone()).into(), true)?;
	Candidates::<T>::mutate(&who, |c| {
		if let Some(c) = c {
			c.credit = credit::MAX_CREDIT
		}
	});
	Ok(who)
}

/// Up to `n` new candidates, as many as `MaxCandidates` leaves room for.
fn candidates<T: Config>(n: u32) -> Result<Vec<T::AccountId>, BenchmarkError> {
	let room = T::MaxCandidates::get().saturating_sub(Candidates::<T>::count());
	(0..n.min(room)).map(candidate::<T>).collect()
}

/// Bonds `chunks × MinBond` more for `who`, then unbonds it again in `chunks` chunks of `MinBond`,
/// one per block from block 1 on (so that they do not merge).
fn bond_and_unbond_in_chunks<T: Config>(
	who: &T::AccountId,
	chunks: u32,
) -> Result<(), BenchmarkError> {
	R2s::<T>::bond(
		RawOrigin::Signed(who.clone()).into(),
		min_bond::<T>().saturating_mul(chunks.into()),
	)?;
	for i in 0..chunks {
		frame_system::Pallet::<T>::set_block_number((i + 1).into());
		R2s::<T>::unbond(RawOrigin::Signed(who.clone()).into(), min_bond::<T>())?;
	}
	Ok(())
}

/// A full performance record: every era of the window and the current one non-empty.
fn full_record() -> Performance {
	let era = EraStats {
		authored: 50,
		expected_milli: 54_000,
		active_sessions: 6,
		counted_sessions: 6,
		live_sessions: 5,
		offences: 1,
	};
	let mut record = Performance { current: era, ..Default::default() };
	for _ in 0..credit::CREDIT_WINDOW {
		record.close_era();
		record.current = era;
	}
	record
}

#[benchmarks]
mod benchmarks {
	use super::*;

	// Worst case: a first bond (counter read, new entry).
	#[benchmark]
	fn bond() {
		let who = funded::<T>("bonder", 0);
		let amount = min_bond::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);

		assert_eq!(Candidates::<T>::get(&who).map(|c| c.bond), Some(amount));
	}

	// Worst case: a new chunk after `MaxUnbondingChunks - 1` others, unbonding everything (which
	// ends the candidacy).
	#[benchmark]
	fn unbond() -> Result<(), BenchmarkError> {
		let who = candidate::<T>(0)?;
		let chunks = T::MaxUnbondingChunks::get().saturating_sub(1);
		bond_and_unbond_in_chunks::<T>(&who, chunks)?;
		frame_system::Pallet::<T>::set_block_number((chunks + 1).into());
		let all = Candidates::<T>::get(&who).map(|c| c.bond).unwrap_or_default();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), all);

		let c = Candidates::<T>::get(&who).ok_or(BenchmarkError::Stop("candidate gone"))?;
		assert!(c.bond.is_zero());
		assert!(!c.candidacy);
		assert_eq!(c.unbonding.len() as u32, chunks + 1);
		Ok(())
	}

	// Worst case: `MaxUnbondingChunks` due chunks, after which the account is forgotten.
	#[benchmark]
	fn withdraw_unbonded() -> Result<(), BenchmarkError> {
		let who = funded::<T>("withdrawer", 0);
		let chunks = T::MaxUnbondingChunks::get().max(1);
		bond_and_unbond_in_chunks::<T>(&who, chunks)?;
		frame_system::Pallet::<T>::set_block_number(
			T::UnbondingDelay::get().saturating_add((chunks + 1).into()),
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!Candidates::<T>::contains_key(&who));
		Ok(())
	}

	// Worst case: switching on (bond and keys are checked).
	#[benchmark]
	fn set_candidacy() -> Result<(), BenchmarkError> {
		let who = funded::<T>("applicant", 0);
		R2s::<T>::bond(RawOrigin::Signed(who.clone()).into(), min_bond::<T>())?;
		give_keys::<T>(&who)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), true);

		assert!(Candidates::<T>::get(&who).is_some_and(|c| c.candidacy));
		Ok(())
	}

	#[benchmark]
	fn set_seats() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let seats = T::MaxActive::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, seats, 1);

		assert_eq!(Seats::<T>::get(), seats);
		Ok(())
	}

	#[benchmark]
	fn note_author() {
		let who: T::AccountId = account("author", 0, SEED);

		#[block]
		{
			<R2s<T> as pallet_authorship::EventHandler<_, _>>::note_author(who.clone());
		}

		assert_eq!(SessionAuthored::<T>::get(&who), 1);
	}

	// Planning a session with `c` qualified candidates and `MaxActive` seats.
	#[benchmark]
	fn new_session(c: Linear<1, { T::MaxCandidates::get() }>) -> Result<(), BenchmarkError> {
		candidates::<T>(c)?;
		Seats::<T>::put(T::MaxActive::get());
		MinActive::<T>::put(1);
		let qualified = R2s::<T>::qualified().len() as u32;
		let set;

		#[block]
		{
			set = <R2s<T> as pallet_session::SessionManager<_>>::new_session(1_000);
		}

		let set = set.ok_or(BenchmarkError::Stop("no set"))?;
		assert_eq!(set.len() as u32, qualified.min(T::MaxActive::get()));
		Ok(())
	}

	// Accounting of an ending session with `v` validators (without closing the era).
	#[benchmark]
	fn end_session(v: Linear<1, { T::MaxActive::get() }>) -> Result<(), BenchmarkError> {
		let set = candidates::<T>(v)?;
		T::SessionInterface::set_validators(set.clone());
		SessionBlocks::<T>::put(600);
		for who in &set {
			SessionAuthored::<T>::insert(who, 50);
		}
		SessionsPerEra::<T>::put(u32::MAX);

		#[block]
		{
			<R2s<T> as pallet_session::SessionManager<_>>::end_session(1_000);
		}

		for who in &set {
			assert_eq!(Performances::<T>::get(who).current.active_sessions, 1);
		}
		Ok(())
	}

	// Closing an era with `c` candidates that all have a full record.
	#[benchmark]
	fn close_era(c: Linear<1, { T::MaxCandidates::get() }>) -> Result<(), BenchmarkError> {
		for who in candidates::<T>(c)? {
			Performances::<T>::insert(&who, full_record());
		}
		let era = CurrentEra::<T>::get();

		#[block]
		{
			R2s::<T>::close_era();
		}

		assert_eq!(CurrentEra::<T>::get(), era + 1);
		Ok(())
	}

	// `n` offenders of the current session, all active validators with unbonding chunks.
	#[benchmark]
	fn on_offence(n: Linear<1, { T::MaxActive::get() }>) -> Result<(), BenchmarkError> {
		let set = candidates::<T>(n)?;
		for who in &set {
			R2s::<T>::unbond(RawOrigin::Signed(who.clone()).into(), min_bond::<T>())?;
		}
		T::SessionInterface::set_validators(set.clone());
		let session = T::SessionInterface::current_index();
		let offenders: Vec<_> = set
			.iter()
			.map(|who| OffenceDetails { offender: (who.clone(), ()), reporters: vec![] })
			.collect();
		let fractions = vec![Perbill::from_percent(10); offenders.len()];

		#[block]
		{
			let _ =
				<R2s<T> as OnOffenceHandler<_, _, _>>::on_offence(&offenders, &fractions, session);
		}

		for who in &set {
			assert!(Punished::<T>::get(session, who).is_some());
		}
		Ok(())
	}

	impl_benchmark_test_suite!(R2s, crate::mock::ExtBuilder::default().build(), crate::mock::Test);
}
