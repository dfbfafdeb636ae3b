//! Weights for `pallet_sminer`.
//!
//! PLACEHOLDER WEIGHTS — NOT YET GENERATED. The numbers below are conservative hand estimates
//! (storage reads/writes counted from the code, generous execution time and proof sizes) so that
//! the pallet can be integrated before it is benchmarked. Regenerate this file with:
//!
//! ```text
//! cess-node benchmark pallet --runtime <cess_runtime.wasm> --genesis-builder=runtime \
//!     --pallet pallet_sminer --extrinsic '*' --steps 50 --repeat 20 \
//!     --output pallets/sminer/src/weights.rs --template <weight template>
//! ```
//! (`cess-node` built with `--features runtime-benchmarks`).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_sminer`.
pub trait WeightInfo {
	fn register() -> Weight;
	fn increase_collateral() -> Weight;
	fn update_peer() -> Weight;
	fn increase_space() -> Weight;
	fn decrease_space() -> Weight;
	fn update_beneficiary() -> Weight;
	fn prepare_exit() -> Weight;
	fn withdraw() -> Weight;
}

/// Weights for `pallet_sminer` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Sminer::Miners` (r:1 w:1), `Sminer::PeerOwners` (r:1 w:1), `Sminer::Peers` (r:0 w:1),
	/// `Sminer::CollateralPerTiB` (r:1 w:0), `Balances::Holds` (r:1 w:1), `System::Account` (r:1 w:1),
	/// `Sminer::BucketLens` (r:1 w:1), `Sminer::BucketMembers` (r:0 w:1), `Sminer::SamplingSlots` (r:0 w:1),
	/// `Sminer::Totals` (r:1 w:1)
	fn register() -> Weight {
		// Includes an ed25519 signature verification.
		Weight::from_parts(200_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	/// Storage: `Sminer::Miners` (r:1 w:1), `Sminer::CollateralPerTiB` (r:1 w:0), `Balances::Holds` (r:1 w:1),
	/// `System::Account` (r:1 w:1), `Sminer::BucketLens` (r:1 w:1), `Sminer::BucketMembers` (r:0 w:1),
	/// `Sminer::SamplingSlots` (r:0 w:1), `Sminer::Totals` (r:1 w:1)
	fn increase_collateral() -> Weight {
		Weight::from_parts(120_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `Sminer::Peers` (r:1 w:1), `Sminer::PeerOwners` (r:1 w:2)
	fn update_peer() -> Weight {
		// Includes an ed25519 signature verification.
		Weight::from_parts(150_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Sminer::Miners` (r:1 w:1), `Sminer::CollateralPerTiB` (r:1 w:0), `Balances::Holds` (r:1 w:1),
	/// `System::Account` (r:1 w:1), `Sminer::BucketLens` (r:1 w:1), `Sminer::SamplingSlots` (r:1 w:2),
	/// `Sminer::BucketMembers` (r:1 w:2), `Sminer::Totals` (r:1 w:1)
	fn increase_space() -> Weight {
		Weight::from_parts(130_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(9_u64))
	}
	/// Storage: `Sminer::Miners` (r:1 w:1), `Sminer::CollateralPerTiB` (r:1 w:0), `Sminer::BucketLens` (r:1 w:1),
	/// `Sminer::SamplingSlots` (r:1 w:2), `Sminer::BucketMembers` (r:1 w:2), `Sminer::Totals` (r:1 w:1)
	fn decrease_space() -> Weight {
		Weight::from_parts(100_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `Sminer::Miners` (r:1 w:1)
	fn update_beneficiary() -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Sminer::Miners` (r:1 w:1), `Sminer::ExitCooldown` (r:1 w:0), `Sminer::BucketLens` (r:1 w:1),
	/// `Sminer::SamplingSlots` (r:1 w:2), `Sminer::BucketMembers` (r:1 w:2), `Sminer::Totals` (r:1 w:1)
	fn prepare_exit() -> Weight {
		Weight::from_parts(100_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `Sminer::Miners` (r:1 w:1), `Balances::Holds` (r:1 w:1), `System::Account` (r:1 w:1),
	/// `Sminer::Peers` (r:1 w:1), `Sminer::PeerOwners` (r:0 w:1), `Sminer::Totals` (r:1 w:1)
	fn withdraw() -> Weight {
		Weight::from_parts(120_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn register() -> Weight {
		Weight::from_parts(200_000_000, 12_000)
			.saturating_add(RocksDbWeight::get().reads(7_u64))
			.saturating_add(RocksDbWeight::get().writes(10_u64))
	}
	fn increase_collateral() -> Weight {
		Weight::from_parts(120_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(7_u64))
	}
	fn update_peer() -> Weight {
		Weight::from_parts(150_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn increase_space() -> Weight {
		Weight::from_parts(130_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(9_u64))
	}
	fn decrease_space() -> Weight {
		Weight::from_parts(100_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(7_u64))
	}
	fn update_beneficiary() -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn prepare_exit() -> Weight {
		Weight::from_parts(100_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(7_u64))
	}
	fn withdraw() -> Weight {
		Weight::from_parts(120_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
	}
}
