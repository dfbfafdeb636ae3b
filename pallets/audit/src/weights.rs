//! Weights for `pallet_audit`.
//!
//! PLACEHOLDER WEIGHTS — NOT YET GENERATED. Conservative hand estimates: storage reads and
//! writes counted from the code; execution times generous (a leaf proof of the production
//! layout is 17 blake2 hashes of at most 256 bytes, a few microseconds; 45 µs is charged). The
//! benchmarks in `benchmarking.rs` pass in the mock. Regenerate with:
//!
//! ```text
//! cess-node benchmark pallet --runtime <cess_runtime.wasm> --genesis-builder=runtime \
//!     --pallet pallet_audit --extrinsic '*' --steps 50 --repeat 20 \
//!     --output pallets/audit/src/weights.rs --template <weight template>
//! ```
//! (`cess-node` built with `--features runtime-benchmarks`). The benchmarks use the production
//! layout (`FileLayout::PRODUCTION`: 256-byte leaves, 15-hash Merkle paths).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_audit`.
pub trait WeightInfo {
	fn submit_proof(n: u32, ) -> Weight;
	fn on_initialize_idle() -> Weight;
	fn start_round() -> Weight;
	fn issue_challenges(m: u32, ) -> Weight;
	fn expire_challenges(m: u32, ) -> Weight;
}

/// Weights for `pallet_audit` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Audit::Challenges` (r:1 w:1), `FileBank::Layout` (r:1), `Audit::Params` (r:1),
	/// `Audit::Records` (r:1 w:1), `Incentive::*` (r:3 w:2)
	/// The range of component `n` (leaf proofs, each in its own fragment) is `[1, 64]`; the
	/// function extends linearly to 1024.
	fn submit_proof(n: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(Weight::from_parts(45_000_000, 800).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `Audit::ChallengeExpiries` (r:1 w:1), `Audit::Params` (r:1),
	/// `Audit::CurrentRound` (r:1), `Audit::NextRoundAt` (r:1)
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(8_000_000, 2_000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: BABE randomness (r:1), `Audit::CurrentRound` (w:1), `Audit::NextRoundAt` (w:1),
	/// `FileBank::MinerFragmentCount` (first page read, r:1)
	fn start_round() -> Weight {
		Weight::from_parts(20_000_000, 3_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `FileBank::MinerFragmentCount` (r:2), `FileBank::MinerFragments` (r:64),
	/// `Audit::Challenges` (r:1 w:1), `Audit::ChallengeExpiries` (w:1)
	fn issue_challenges(m: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 3_000)
			.saturating_add(Weight::from_parts(120_000_000, 12_000).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
			.saturating_add(T::DbWeight::get().reads((67_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(m.into())))
	}
	/// Storage: `Audit::Challenges` (r:1 w:1), `Audit::Params` (r:1), `Audit::Records` (r:1 w:1),
	/// `Incentive::*` (r:3 w:2), punishment: `Sminer::Miners` (r:1 w:1), `Balances::Holds`
	/// (r:1 w:1), `System::Account` (r:1 w:1), `FileBank::RepairScheduled` (r:1 w:1),
	/// `FileBank::RepairQueue` (w:1), `FileBank::RepairBounds` (r:1 w:1)
	fn expire_challenges(m: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 2_000)
			.saturating_add(Weight::from_parts(60_000_000, 8_000).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().reads((11_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes((10_u64).saturating_mul(m.into())))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn submit_proof(n: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(Weight::from_parts(45_000_000, 800).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(7_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(8_000_000, 2_000)
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn start_round() -> Weight {
		Weight::from_parts(20_000_000, 3_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn issue_challenges(m: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 3_000)
			.saturating_add(Weight::from_parts(120_000_000, 12_000).saturating_mul(m.into()))
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
			.saturating_add(RocksDbWeight::get().reads((67_u64).saturating_mul(m.into())))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(m.into())))
	}
	fn expire_challenges(m: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 2_000)
			.saturating_add(Weight::from_parts(60_000_000, 8_000).saturating_mul(m.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
			.saturating_add(RocksDbWeight::get().reads((11_u64).saturating_mul(m.into())))
			.saturating_add(RocksDbWeight::get().writes((10_u64).saturating_mul(m.into())))
	}
}
