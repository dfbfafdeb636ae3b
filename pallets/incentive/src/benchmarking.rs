//! Benchmarks of the calls, the era-closing hook, the clean-up and the reports, each on its most
//! expensive path.

use super::*;
use crate::Pallet as Incentive;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{EnsureOrigin, Get, Hooks};
use frame_system::RawOrigin;

const SEED: u32 = 0;

/// A unit of the currency that is never dust.
fn unit<T: Config>() -> BalanceOf<T> {
	T::Currency::minimum_balance().max(One::one())
}

/// Parameters with short eras, a large issuance, and the pot account alive.
fn set_up<T: Config>() {
	Params::<T>::put(ParamsOf::<T> { era_length: 10u32.into(), ..Default::default() });
	EraIssuance::<T>::put(unit::<T>().saturating_mul(1_000_000u32.into()));
	Incentive::<T>::ensure_pot_exists(&Incentive::<T>::pot_account());
}

/// Records a miner's and a validator's contribution for `who` in the era in progress.
fn contribute<T: Config>(who: &T::AccountId) {
	Incentive::<T>::note_audit(who, true);
	Incentive::<T>::note_bandwidth(who, 1_000_000);
	Incentive::<T>::note_block_authored(who, MAX_CREDIT);
}

/// Closes the era in progress at the block it is due.
fn close<T: Config>() {
	let now = NextEraAt::<T>::get();
	frame_system::Pallet::<T>::set_block_number(now);
	Incentive::<T>::close_era(now);
}

/// A full list of tranches on `who`, none released yet, and a balance that covers them.
fn full_vesting<T: Config>(who: &T::AccountId) {
	let now = frame_system::Pallet::<T>::block_number();
	let tranche = VestingTranche {
		locked: unit::<T>(),
		start: now,
		end: now.saturating_add(1_000_000u32.into()),
	};
	let tranches: Vec<_> = (0..T::MaxVestingTranches::get()).map(|_| tranche).collect();
	let tranches: TranchesOf<T> = tranches.try_into().expect("exactly the bound");
	T::Currency::set_balance(who, unit::<T>().saturating_mul(1_000u32.into()));
	Incentive::<T>::apply_vesting(who, tranches).expect("the freeze can be set");
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `e` closed eras in the window, each owing the caller a miner and a validator reward;
	/// the payee's tranche list is full, so the new tranche merges.
	#[benchmark]
	fn claim_rewards(e: Linear<1, { T::MaxUnclaimedEras::get() }>) {
		set_up::<T>();
		let caller: T::AccountId = whitelisted_caller();
		let payee = T::Payee::payee(&caller);
		full_vesting::<T>(&payee);
		for _ in 0..e {
			contribute::<T>(&caller);
			close::<T>();
		}
		let owed = Incentive::<T>::claimable(caller.clone());
		assert!(!owed.is_zero());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert_eq!(
			Vesting::<T>::get(&payee).map(|tranches| tranches.len() as u32),
			Some(T::MaxVestingTranches::get())
		);
		assert!(Incentive::<T>::claimable(caller).is_zero());
	}

	/// A full list of tranches, half of them released.
	#[benchmark]
	fn release_vested() {
		set_up::<T>();
		let who: T::AccountId = whitelisted_caller();
		full_vesting::<T>(&who);
		let max = T::MaxVestingTranches::get();
		let now = frame_system::Pallet::<T>::block_number();
		let released = VestingTranche { locked: unit::<T>(), start: now, end: now };
		Vesting::<T>::mutate(&who, |tranches| {
			if let Some(tranches) = tranches {
				for tranche in tranches.iter_mut().take((max / 2) as usize) {
					*tranche = released;
				}
			}
		});

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert_eq!(
			Vesting::<T>::get(&who).map(|tranches| tranches.len() as u32),
			Some(max - max / 2)
		);
	}

	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		// A valid change (the parameters in force pass the self-dealing check against the
		// storage price; a longer decay schedule keeps them passing).
		let current = Params::<T>::get();
		let params =
			ParamsOf::<T> { eras_per_year: current.eras_per_year.saturating_add(1), ..current };

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);

		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	#[benchmark]
	fn set_era_issuance() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let amount = unit::<T>().saturating_mul(7u32.into());

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, amount);

		assert_eq!(EraIssuance::<T>::get(), amount);
		Ok(())
	}

	/// The block that closes an era: every pot non-zero, storage fees pending, the issuance
	/// decays, and two eras expire with unpaid remainders.
	#[benchmark]
	fn close_era() {
		set_up::<T>();
		let window = T::MaxUnclaimedEras::get().max(1);
		let era = window.saturating_add(2);
		CurrentEra::<T>::put(era);
		Params::<T>::mutate(|params| params.eras_per_year = era.saturating_add(1));
		for index in 0..3 {
			contribute::<T>(&account("earner", index, SEED));
		}
		CurrentTotals::<T>::mutate(|totals| {
			totals.service = totals.service.saturating_add(1);
			totals.idle = totals.idle.saturating_add(1);
		});
		<Incentive<T> as OnUnbalanced<_>>::on_unbalanced(T::Currency::issue(unit::<T>()));
		let oldest = era.saturating_add(1).saturating_sub(window).saturating_sub(2);
		OldestUnexpiredEra::<T>::put(oldest);
		for expiring in oldest..oldest.saturating_add(2) {
			let amount = unit::<T>().saturating_mul(10u32.into());
			let _ = T::Currency::mint_into(&Incentive::<T>::pot_account(), amount);
			EraRewards::<T>::insert(
				expiring,
				EraReward {
					service_pot: amount,
					idle_pot: Zero::zero(),
					bandwidth_pot: Zero::zero(),
					validator_pot: Zero::zero(),
					totals: EraTotals { service: 1, ..Default::default() },
					paid: Zero::zero(),
				},
			);
		}
		let now = NextEraAt::<T>::get();
		frame_system::Pallet::<T>::set_block_number(now);

		#[block]
		{
			Incentive::<T>::on_initialize(now);
		}

		assert_eq!(CurrentEra::<T>::get(), era.saturating_add(1));
		assert_eq!(OldestUnexpiredEra::<T>::get(), oldest.saturating_add(2));
		assert!(EraRewards::<T>::get(era).is_some());
	}

	/// Removing `n` records of an expired era.
	#[benchmark]
	fn clean_expired(n: Linear<0, { MAX_CLEANUP_PER_BLOCK }>) {
		CurrentEra::<T>::put(1);
		OldestUnexpiredEra::<T>::put(1);
		CleanupCursor::<T>::put(0);
		for index in 0..n {
			let who: T::AccountId = account("earner", index, SEED);
			Contributions::<T>::insert(0, who, Contribution::default());
		}

		#[block]
		{
			Incentive::<T>::clean_expired(n);
		}

		if n > 0 {
			assert_eq!(Contributions::<T>::iter_prefix(0).count(), 0);
			assert_eq!(CleanupCursor::<T>::get(), 1);
		}
	}

	/// A passed audit on an existing record (reads the miner's space).
	#[benchmark]
	fn note_audit() {
		let miner: T::AccountId = account("miner", 0, SEED);
		contribute::<T>(&miner);

		#[block]
		{
			Incentive::<T>::note_audit(&miner, true);
		}

		let record = Contributions::<T>::get(CurrentEra::<T>::get(), &miner);
		assert_eq!(record.map(|record| record.audits_passed), Some(2));
	}

	#[benchmark]
	fn note_bandwidth() {
		let miner: T::AccountId = account("miner", 0, SEED);
		contribute::<T>(&miner);

		#[block]
		{
			Incentive::<T>::note_bandwidth(&miner, 1_000);
		}

		let record = Contributions::<T>::get(CurrentEra::<T>::get(), &miner);
		assert_eq!(record.map(|record| record.bandwidth), Some(1_001_000));
	}

	#[benchmark]
	fn note_block_authored() {
		let validator: T::AccountId = account("validator", 0, SEED);
		contribute::<T>(&validator);

		#[block]
		{
			Incentive::<T>::note_block_authored(&validator, MAX_CREDIT);
		}

		let record = Contributions::<T>::get(CurrentEra::<T>::get(), &validator);
		assert_eq!(record.map(|record| record.blocks), Some(2));
	}

	/// A storage fee handed to the pallet as a credit.
	#[benchmark]
	fn deposit_storage_fee() {
		set_up::<T>();
		let credit = T::Currency::issue(unit::<T>());

		#[block]
		{
			<Incentive<T> as OnUnbalanced<_>>::on_unbalanced(credit);
		}

		assert_eq!(PendingStorageFees::<T>::get(), unit::<T>());
	}

	impl_benchmark_test_suite!(Incentive, crate::mock::new_test_ext(), crate::mock::Test);
}
