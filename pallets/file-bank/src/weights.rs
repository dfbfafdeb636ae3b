//! Weights for `pallet_file_bank`.
//!
//! PLACEHOLDER WEIGHTS — NOT YET GENERATED. The numbers below are conservative hand estimates:
//! storage reads and writes counted from the code (with each `pallet-sminer` space call counted
//! as about 3 reads and 3 writes, and a sample as about 20 reads), generous execution times and
//! proof sizes, so that the pallet can be integrated before it is benchmarked on the reference
//! machine. The benchmarks in `benchmarking.rs` pass in the mock. Regenerate with:
//!
//! ```text
//! cess-node benchmark pallet --runtime <cess_runtime.wasm> --genesis-builder=runtime \
//!     --pallet pallet_file_bank --extrinsic '*' --steps 50 --repeat 20 \
//!     --output pallets/file-bank/src/weights.rs --template <weight template>
//! ```
//! (`cess-node` built with `--features runtime-benchmarks`). The benchmarks use the production
//! layout (`FileLayout::PRODUCTION`: 12 fragments per segment).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(dead_code)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_file_bank`.
pub trait WeightInfo {
	fn upload_declaration(s: u32, ) -> Weight;
	fn upload_dedup() -> Weight;
	fn confirm_stored(n: u32, ) -> Weight;
	fn delete_file() -> Weight;
	fn renew_file() -> Weight;
	fn on_initialize_idle() -> Weight;
	fn deadline_confirmed() -> Weight;
	fn deadline_reassign() -> Weight;
	fn deadline_cancel() -> Weight;
	fn repair_step() -> Weight;
	fn removal_step() -> Weight;
	fn removal_refund_step() -> Weight;
	fn expiry_step() -> Weight;
	fn schedule_repair() -> Weight;
}

/// Weights for `pallet_file_bank` using the Substrate node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `FileBank::Files` (r:1 w:1), `FileBank::Layout` (r:1), `FileBank::Params` (r:1),
	/// `Balances::Holds` (r:1 w:1), `System::Account` (r:1 w:1), BABE randomness (r:1),
	/// per segment: sampling (r:~24), per fragment: `Sminer::Miners` (r:1 w:1) + sampling index
	/// (r:2 w:2), `FileBank::Fragments` (w:1), `FileBank::MinerAssignments` (w:1),
	/// `FileBank::DeadlineQueue` (w:1), `FileBank::DeadlineBounds` (r:1 w:1),
	/// `FileBank::Ownerships` (w:1), `FileBank::Expiries` (w:1)
	/// The range of component `s` is `[1, 64]`.
	fn upload_declaration(s: u32, ) -> Weight {
		Weight::from_parts(120_000_000, 8_000)
			.saturating_add(Weight::from_parts(60_000_000, 60_000).saturating_mul(s.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().reads((60_u64).saturating_mul(s.into())))
			.saturating_add(T::DbWeight::get().writes(7_u64))
			.saturating_add(T::DbWeight::get().writes((72_u64).saturating_mul(s.into())))
	}
	/// Storage: `FileBank::Files` (r:1 w:1), `FileBank::Ownerships` (r:1 w:1),
	/// `FileBank::Layout` (r:1), `FileBank::Params` (r:1), `System::Account` (r:1 w:1),
	/// `FileBank::Expiries` (w:1)
	fn upload_dedup() -> Weight {
		Weight::from_parts(80_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `FileBank::Files` (r:1 w:1), `FileBank::Layout` (r:1), per fragment:
	/// `FileBank::Fragments` (r:1 w:1), `Sminer::Miners` (r:1 w:1) + sampling index (r:2 w:2),
	/// `FileBank::MinerFragmentCount` (r:1 w:1), `FileBank::MinerFragments` (w:1),
	/// `FileBank::MinerAssignments` (w:1); activation: per owner `FileBank::Ownerships` (r:1 w:1),
	/// `Balances::Holds` (r:1 w:1)
	/// The range of component `n` is `[1, 256]`.
	fn confirm_stored(n: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 20_000)
			.saturating_add(Weight::from_parts(40_000_000, 4_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(70_u64))
			.saturating_add(T::DbWeight::get().reads((6_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(66_u64))
			.saturating_add(T::DbWeight::get().writes((7_u64).saturating_mul(n.into())))
	}
	/// Storage: `FileBank::Files` (r:1 w:1), `FileBank::Ownerships` (r:1 w:1),
	/// `FileBank::Expiries` (w:1), `Balances::Holds` (r:1 w:1), `System::Account` (r:1 w:1),
	/// `FileBank::RemovalBounds` (r:1 w:1), `FileBank::RemovalQueue` (w:1)
	fn delete_file() -> Weight {
		Weight::from_parts(70_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `FileBank::Files` (r:1), `FileBank::Ownerships` (r:1 w:1), `FileBank::Layout`
	/// (r:1), `FileBank::Params` (r:1), `System::Account` (r:1 w:1), `FileBank::Expiries` (w:2)
	fn renew_file() -> Weight {
		Weight::from_parts(70_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: the four queues' bounds and the expiry cursor (r:5), `FileBank::Layout` (r:1)
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(10_000_000, 2_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
	}
	/// Storage: `FileBank::DeadlineQueue` (r:1 w:1), `FileBank::Files` (r:1),
	/// `FileBank::Fragments` (r:1)
	fn deadline_confirmed() -> Weight {
		Weight::from_parts(15_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `FileBank::DeadlineQueue` (r:1 w:2), `FileBank::Files` (r:1),
	/// `FileBank::Fragments` (r:12 w:1), `FileBank::Params` (r:1), `FileBank::Layout` (r:2),
	/// BABE randomness (r:1), sampling (r:~20), `Sminer::Miners` (r:2 w:2) + sampling index
	/// (r:4 w:4), `FileBank::MinerAssignments` (w:2)
	fn deadline_reassign() -> Weight {
		Weight::from_parts(90_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(44_u64))
			.saturating_add(T::DbWeight::get().writes(12_u64))
	}
	/// Storage: as `deadline_reassign` when no miner is found, then `FileBank::RemovalQueue`
	/// (w:1), `FileBank::RemovalBounds` (r:1 w:1), `FileBank::Files` (w:1)
	fn deadline_cancel() -> Weight {
		Weight::from_parts(90_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(44_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `FileBank::RepairQueue` (r:1), `FileBank::MinerFragmentCount` (r:1 w:1),
	/// `FileBank::MinerFragments` (r:1 w:1), `FileBank::Files` (r:1 w:1), `FileBank::Fragments`
	/// (r:12 w:1), sampling (r:~20), `Sminer::Miners` (r:2 w:2) + sampling index (r:4 w:4),
	/// `FileBank::MinerAssignments` (w:1), `FileBank::DeadlineQueue` (w:1),
	/// `FileBank::DeadlineBounds` (r:1 w:1)
	fn repair_step() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(46_u64))
			.saturating_add(T::DbWeight::get().writes(14_u64))
	}
	/// Storage: `FileBank::RemovalQueue` (r:1), `FileBank::Files` (r:1 w:1),
	/// `FileBank::Fragments` (r:1 w:2), `FileBank::MinerFragmentCount` (r:1 w:1),
	/// `FileBank::MinerFragments` (r:1 w:2), `Sminer::Miners` (r:1 w:1) + sampling index (r:2 w:2)
	fn removal_step() -> Weight {
		Weight::from_parts(40_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(9_u64))
	}
	/// Storage: `FileBank::RemovalQueue` (r:1), `FileBank::Files` (r:1 w:1),
	/// `FileBank::Ownerships` (r:1 w:1), `FileBank::Expiries` (w:1), `Balances::Holds` (r:1 w:1),
	/// `System::Account` (r:1 w:1)
	fn removal_refund_step() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `FileBank::Expiries` (r:1 w:1), `FileBank::Ownerships` (r:1 w:1),
	/// `FileBank::Files` (r:1 w:1), `Balances::Holds` (r:1 w:1), `System::Account` (r:1 w:1),
	/// `FileBank::RemovalQueue` (w:1), `FileBank::RemovalBounds` (r:1 w:1)
	fn expiry_step() -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `FileBank::RepairScheduled` (r:1 w:1), `FileBank::RepairBounds` (r:1 w:1),
	/// `FileBank::RepairQueue` (w:1), `FileBank::MinerFragmentCount` (r:1)
	fn schedule_repair() -> Weight {
		Weight::from_parts(20_000_000, 3_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn upload_declaration(s: u32, ) -> Weight {
		Weight::from_parts(120_000_000, 8_000)
			.saturating_add(Weight::from_parts(60_000_000, 60_000).saturating_mul(s.into()))
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().reads((60_u64).saturating_mul(s.into())))
			.saturating_add(RocksDbWeight::get().writes(7_u64))
			.saturating_add(RocksDbWeight::get().writes((72_u64).saturating_mul(s.into())))
	}
	fn upload_dedup() -> Weight {
		Weight::from_parts(80_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn confirm_stored(n: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 20_000)
			.saturating_add(Weight::from_parts(40_000_000, 4_000).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(70_u64))
			.saturating_add(RocksDbWeight::get().reads((6_u64).saturating_mul(n.into())))
			.saturating_add(RocksDbWeight::get().writes(66_u64))
			.saturating_add(RocksDbWeight::get().writes((7_u64).saturating_mul(n.into())))
	}
	fn delete_file() -> Weight {
		Weight::from_parts(70_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(7_u64))
	}
	fn renew_file() -> Weight {
		Weight::from_parts(70_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(10_000_000, 2_000)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
	}
	fn deadline_confirmed() -> Weight {
		Weight::from_parts(15_000_000, 4_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn deadline_reassign() -> Weight {
		Weight::from_parts(90_000_000, 20_000)
			.saturating_add(RocksDbWeight::get().reads(44_u64))
			.saturating_add(RocksDbWeight::get().writes(12_u64))
	}
	fn deadline_cancel() -> Weight {
		Weight::from_parts(90_000_000, 20_000)
			.saturating_add(RocksDbWeight::get().reads(44_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn repair_step() -> Weight {
		Weight::from_parts(100_000_000, 20_000)
			.saturating_add(RocksDbWeight::get().reads(46_u64))
			.saturating_add(RocksDbWeight::get().writes(14_u64))
	}
	fn removal_step() -> Weight {
		Weight::from_parts(40_000_000, 8_000)
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(9_u64))
	}
	fn removal_refund_step() -> Weight {
		Weight::from_parts(50_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn expiry_step() -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(7_u64))
	}
	fn schedule_repair() -> Weight {
		Weight::from_parts(20_000_000, 3_000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
}
