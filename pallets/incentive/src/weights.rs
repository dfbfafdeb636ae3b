//! Weights for `pallet_incentive`.
//!
//! PLACEHOLDER WEIGHTS — NOT YET GENERATED. The numbers below are conservative hand estimates
//! (storage reads/writes counted from the code, generous execution time and proof sizes) so that
//! the pallet can be integrated before it is benchmarked. This file will be regenerated with:
//!
//! ```text
//! cess-node benchmark pallet --runtime <cess_runtime.wasm> --genesis-builder=runtime \
//!     --pallet pallet_incentive --extrinsic '*' --steps 50 --repeat 20 \
//!     --output pallets/incentive/src/weights.rs --template <weight template>
//! ```
//! (`cess-node` built with `--features runtime-benchmarks`).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_incentive`.
pub trait WeightInfo {
	fn claim_rewards(e: u32, ) -> Weight;
	fn release_vested() -> Weight;
	fn set_parameters() -> Weight;
	fn set_era_issuance() -> Weight;
	fn close_era() -> Weight;
	fn clean_expired(n: u32, ) -> Weight;
	fn note_audit() -> Weight;
	fn note_bandwidth() -> Weight;
	fn note_block_authored() -> Weight;
	fn deposit_storage_fee() -> Weight;
}

/// Weights for `pallet_incentive` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Incentive::CurrentEra` (r:1 w:0), `Incentive::Contributions` (r:e w:e),
	/// `Incentive::EraRewards` (r:e w:e), `Sminer::Miners` (r:1 w:0) (payee),
	/// `System::Account` (r:2 w:2), `Incentive::Params` (r:1 w:0), `Incentive::Vesting` (r:1 w:1),
	/// `Balances::Freezes` (r:1 w:1), `Balances::Locks` (r:1 w:0)
	/// The range of component `e` is `[1, 84]`.
	fn claim_rewards(e: u32, ) -> Weight {
		Weight::from_parts(120_000_000, 12_000)
			.saturating_add(Weight::from_parts(12_000_000, 3_200).saturating_mul(e.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(e.into())))
			.saturating_add(T::DbWeight::get().writes(4_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(e.into())))
	}
	/// Storage: `Incentive::Vesting` (r:1 w:1), `Balances::Freezes` (r:1 w:1),
	/// `Balances::Locks` (r:1 w:0), `System::Account` (r:1 w:1)
	fn release_vested() -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Incentive::CurrentEraStart` (r:1 w:0), `Incentive::Params` (r:0 w:1),
	/// `Incentive::NextEraAt` (r:0 w:1)
	fn set_parameters() -> Weight {
		Weight::from_parts(20_000_000, 2_000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Incentive::EraIssuance` (r:0 w:1)
	fn set_era_issuance() -> Weight {
		Weight::from_parts(15_000_000, 1_000)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Incentive::NextEraAt` (r:1 w:1), `Incentive::CurrentEra` (r:1 w:1),
	/// `Incentive::Params` (r:1 w:0), `Incentive::CurrentTotals` (r:1 w:1),
	/// `Incentive::EraIssuance` (r:1 w:1), `Incentive::PendingStorageFees` (r:1 w:1),
	/// `System::Account` (r:2 w:2) (pot, treasury), `Balances::TotalIssuance` (r:1 w:1),
	/// `Incentive::EraRewards` (r:2 w:3), `Incentive::OldestUnexpiredEra` (r:1 w:1),
	/// `Incentive::CurrentEraStart` (r:0 w:1)
	fn close_era() -> Weight {
		Weight::from_parts(150_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads(13_u64))
			.saturating_add(T::DbWeight::get().writes(14_u64))
	}
	/// Storage: `Incentive::CleanupCursor` (r:1 w:1), `Incentive::OldestUnexpiredEra` (r:1 w:0),
	/// `Incentive::Contributions` (r:0 w:n)
	/// The range of component `n` is `[0, 1000]`.
	fn clean_expired(n: u32, ) -> Weight {
		Weight::from_parts(10_000_000, 1_500)
			.saturating_add(Weight::from_parts(1_500_000, 100).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
	}
	/// Storage: `Incentive::CurrentEra` (r:1 w:0), `Incentive::Contributions` (r:1 w:1),
	/// `Sminer::Miners` (r:1 w:0) (space), `Incentive::CurrentTotals` (r:1 w:1)
	fn note_audit() -> Weight {
		Weight::from_parts(30_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Incentive::CurrentEra` (r:1 w:0), `Incentive::Contributions` (r:1 w:1),
	/// `Incentive::CurrentTotals` (r:1 w:1)
	fn note_bandwidth() -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Incentive::CurrentEra` (r:1 w:0), `Incentive::Contributions` (r:1 w:1),
	/// `Incentive::CurrentTotals` (r:1 w:1)
	fn note_block_authored() -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `System::Account` (r:1 w:1) (pot), `Incentive::PendingStorageFees` (r:1 w:1)
	fn deposit_storage_fee() -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn claim_rewards(e: u32, ) -> Weight {
		Weight::from_parts(120_000_000, 12_000)
			.saturating_add(Weight::from_parts(12_000_000, 3_200).saturating_mul(e.into()))
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(e.into())))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(e.into())))
	}
	fn release_vested() -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn set_parameters() -> Weight {
		Weight::from_parts(20_000_000, 2_000)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn set_era_issuance() -> Weight {
		Weight::from_parts(15_000_000, 1_000)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn close_era() -> Weight {
		Weight::from_parts(150_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads(13_u64))
			.saturating_add(RocksDbWeight::get().writes(14_u64))
	}
	fn clean_expired(n: u32, ) -> Weight {
		Weight::from_parts(10_000_000, 1_500)
			.saturating_add(Weight::from_parts(1_500_000, 100).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(n.into())))
	}
	fn note_audit() -> Weight {
		Weight::from_parts(30_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn note_bandwidth() -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn note_block_authored() -> Weight {
		Weight::from_parts(20_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn deposit_storage_fee() -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
}
