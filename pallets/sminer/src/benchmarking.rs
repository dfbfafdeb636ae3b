//! Benchmarks of the calls, each on its most expensive path.
//!
//! Peer keys live in the benchmark keystore (`cess-node benchmark pallet` and the mock register
//! one), so the signatures are real and `register`/`update_peer` pay for a real verification.

use super::*;
use crate::Pallet as Sminer;
use alloc::{format, vec};
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::{Inspect, Mutate};
use frame_system::RawOrigin;
use sp_core::{crypto::KeyTypeId, ed25519};
use sp_runtime::{traits::StaticLookup, Perbill};

const SEED: u32 = 0;
/// Keystore slot of the benchmark's peer keys.
const KEY_TYPE: KeyTypeId = KeyTypeId(*b"smnr");
/// Space every benchmark miner declares: 4 TiB, free space in sampling bucket 42.
const SPACE: u64 = 4 * TIB;

fn assert_last_event<T: Config>(event: Event<T>) {
	let event: <T as frame_system::Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_last_event(event);
}

/// A libp2p key in the benchmark keystore, distinct for each `index`.
fn peer_key(index: u32) -> ed25519::Public {
	sp_io::crypto::ed25519_generate(KEY_TYPE, Some(format!("//sminer-bench-{index}").into_bytes()))
}

/// The binding signature of `key` for `who`.
fn binding<T: Config>(who: &T::AccountId, key: &ed25519::Public) -> ed25519::Signature {
	sp_io::crypto::ed25519_sign(KEY_TYPE, key, &peer_binding_message(who))
		.expect("the key was generated in this keystore")
}

/// The most and the longest multiaddresses the runtime accepts.
fn max_multiaddrs<T: Config>() -> MultiaddrsOf<T> {
	let addr: MultiaddrOf<T> =
		vec![0x2f; T::MaxMultiaddrLen::get() as usize].try_into().expect("exactly the bound");
	vec![addr; T::MaxMultiaddrs::get() as usize].try_into().expect("exactly the bound")
}

/// Fixes a non-zero collateral requirement, so that holds and freezing really happen whatever
/// the benchmark runtime's genesis set.
fn set_parameters<T: Config>() {
	let unit = T::Currency::minimum_balance().max(1u32.into());
	CollateralPerTiB::<T>::put(unit.saturating_mul(1_000u32.into()));
}

/// An account with enough balance for the collateral of several times [`SPACE`].
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who = account(name, index, SEED);
	let amount = Sminer::<T>::required_collateral(SPACE)
		.saturating_mul(10u32.into())
		.saturating_add(T::Currency::minimum_balance().saturating_mul(10u32.into()));
	T::Currency::set_balance(&who, amount);
	who
}

/// A registered miner with the longest addresses, declaring `space`.
fn registered<T: Config>(name: &'static str, index: u32, space: u64) -> T::AccountId {
	let who = funded::<T>(name, index);
	let key = peer_key(index);
	let signature = binding::<T>(&who, &key);
	Sminer::<T>::register(
		RawOrigin::Signed(who.clone()).into(),
		T::Lookup::unlookup(who.clone()),
		key,
		signature,
		max_multiaddrs::<T>(),
		space,
	)
	.expect("a funded account with a fresh key registers");
	who
}

/// A registered miner followed by another one in the same sampling bucket, so that moving it
/// out of the bucket takes the swap-remove path (the most writes).
fn miner_with_neighbour<T: Config>() -> T::AccountId {
	set_parameters::<T>();
	let who = registered::<T>("miner", 0, SPACE);
	registered::<T>("neighbour", 1, SPACE);
	who
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		set_parameters::<T>();
		let caller = funded::<T>("caller", 0);
		let key = peer_key(0);
		let signature = binding::<T>(&caller, &key);
		let beneficiary: T::AccountId = account("beneficiary", 0, SEED);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			T::Lookup::unlookup(beneficiary.clone()),
			key,
			signature,
			max_multiaddrs::<T>(),
			SPACE,
		);

		// Another account than the caller: the path that records a proposal.
		assert_eq!(Miners::<T>::get(&caller).map(|info| info.beneficiary), Some(caller.clone()));
		assert_last_event::<T>(Event::BeneficiaryProposed { miner: caller, beneficiary });
	}

	// Worst case: the top-up unfreezes a frozen miner, which joins the sampling index.
	#[benchmark]
	fn increase_collateral() {
		let miner = miner_with_neighbour::<T>();
		Sminer::<T>::do_slash(&miner, Perbill::from_percent(50), SlashReason::InvalidProof)
			.expect("registered");
		assert_eq!(Miners::<T>::get(&miner).map(|info| info.state), Some(MinerState::Frozen));
		let amount = Sminer::<T>::required_collateral(SPACE);

		#[extrinsic_call]
		_(RawOrigin::Signed(miner.clone()), amount);

		assert_eq!(Miners::<T>::get(&miner).map(|info| info.state), Some(MinerState::Active));
		assert_last_event::<T>(Event::Unfrozen { miner });
	}

	// Worst case: a new key (the reverse index changes) and the longest addresses.
	#[benchmark]
	fn update_peer() {
		let miner = miner_with_neighbour::<T>();
		let key = peer_key(2);
		let signature = binding::<T>(&miner, &key);

		#[extrinsic_call]
		_(RawOrigin::Signed(miner.clone()), key, signature, max_multiaddrs::<T>());

		assert_last_event::<T>(Event::PeerUpdated { miner, peer_id: PeerId::from_ed25519(&key) });
	}

	// Worst case: a new hold, and a move to another sampling bucket by swap-remove.
	#[benchmark]
	fn increase_space() {
		let miner = miner_with_neighbour::<T>();
		let before = SamplingSlots::<T>::get(&miner);

		#[extrinsic_call]
		_(RawOrigin::Signed(miner.clone()), SPACE);

		assert!(SamplingSlots::<T>::get(&miner) != before, "moved to another bucket");
		assert_last_event::<T>(Event::SpaceIncreased {
			miner,
			declared_space: 2 * SPACE,
			collateral: Sminer::<T>::required_collateral(2 * SPACE),
		});
	}

	// Worst case: a move to another sampling bucket by swap-remove.
	#[benchmark]
	fn decrease_space() {
		let miner = miner_with_neighbour::<T>();
		let before = SamplingSlots::<T>::get(&miner);

		#[extrinsic_call]
		_(RawOrigin::Signed(miner.clone()), SPACE / 2);

		assert!(SamplingSlots::<T>::get(&miner) != before, "moved to another bucket");
		assert_last_event::<T>(Event::SpaceDecreased { miner, declared_space: SPACE / 2 });
	}

	// Worst case: a proposal recorded over an earlier one.
	#[benchmark]
	fn update_beneficiary() {
		let miner = miner_with_neighbour::<T>();
		let earlier: T::AccountId = account("earlier", 0, SEED);
		Sminer::<T>::update_beneficiary(
			RawOrigin::Signed(miner.clone()).into(),
			T::Lookup::unlookup(earlier),
		)
		.expect("a registered miner proposes");
		let beneficiary: T::AccountId = account("beneficiary", 0, SEED);

		#[extrinsic_call]
		_(RawOrigin::Signed(miner.clone()), T::Lookup::unlookup(beneficiary.clone()));

		assert_last_event::<T>(Event::BeneficiaryProposed { miner, beneficiary });
	}

	#[benchmark]
	fn accept_beneficiary() {
		let miner = miner_with_neighbour::<T>();
		let beneficiary: T::AccountId = account("beneficiary", 0, SEED);
		Sminer::<T>::update_beneficiary(
			RawOrigin::Signed(miner.clone()).into(),
			T::Lookup::unlookup(beneficiary.clone()),
		)
		.expect("a registered miner proposes");

		#[extrinsic_call]
		_(RawOrigin::Signed(beneficiary.clone()), T::Lookup::unlookup(miner.clone()));

		assert_eq!(
			Miners::<T>::get(&miner).map(|info| info.beneficiary),
			Some(beneficiary.clone())
		);
		assert_last_event::<T>(Event::BeneficiaryUpdated { miner, beneficiary });
	}

	// Worst case: leaving the sampling index by swap-remove. `OnMinerExit` is charged on top.
	#[benchmark]
	fn prepare_exit() {
		let miner = miner_with_neighbour::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(miner.clone()));

		assert!(SamplingSlots::<T>::get(&miner).is_none());
		let unlock_at =
			frame_system::Pallet::<T>::block_number().saturating_add(ExitCooldown::<T>::get());
		assert_last_event::<T>(Event::ExitPrepared { miner, unlock_at });
	}

	#[benchmark]
	fn withdraw() {
		let miner = miner_with_neighbour::<T>();
		Sminer::<T>::prepare_exit(RawOrigin::Signed(miner.clone()).into()).expect("active miner");
		let unlock_at =
			frame_system::Pallet::<T>::block_number().saturating_add(ExitCooldown::<T>::get());
		frame_system::Pallet::<T>::set_block_number(unlock_at);

		#[extrinsic_call]
		_(RawOrigin::Signed(miner.clone()));

		assert!(Miners::<T>::get(&miner).is_none());
		assert_last_event::<T>(Event::Exited {
			miner,
			collateral: Sminer::<T>::required_collateral(SPACE),
		});
	}

	// Not a call: the audit pallet's penalty. Worst case: the slash freezes an active miner,
	// which leaves the sampling index by swap-remove; the amount goes to the slash handler.
	#[benchmark]
	fn slash() {
		let miner = miner_with_neighbour::<T>();
		let collateral = Sminer::<T>::required_collateral(SPACE);
		let amount = Perbill::from_percent(50).mul_floor(collateral);

		#[block]
		{
			Sminer::<T>::do_slash(&miner, Perbill::from_percent(50), SlashReason::MissedProof)
				.expect("a registered miner can be slashed");
		}

		assert!(matches!(Miners::<T>::get(&miner).map(|m| m.state), Some(MinerState::Frozen)));
		assert!(SamplingSlots::<T>::get(&miner).is_none());
		assert_last_event::<T>(Event::Frozen {
			miner,
			collateral: collateral.saturating_sub(amount),
			required: collateral,
		});
	}

	impl_benchmark_test_suite!(Sminer, crate::mock::new_test_ext(), crate::mock::Test);
}
