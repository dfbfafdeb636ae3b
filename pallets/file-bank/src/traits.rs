//! The interfaces between the file bank and the rest of the chain.
//!
//! Consumed (the runtime implements them):
//! - [`MinerPool`]: the storage miners fragments are placed on (pallet-sminer, through a small
//!   runtime adapter);
//! - [`OnFragmentStored`]: reports each confirmed transfer to the incentive layer;
//! - [`CheckStorageParams`]: checks the genesis price against the incentive layer's bounds.
//!
//! Provided (this pallet implements them; both are defined in `cess_primitives::stored_fragments`
//! so that their users need not depend on this crate, and re-exported here):
//! - [`StoredFragments`]: each miner's list of stored fragments, which the audit pallet samples;
//! - [`RepairScheduler`]: moves a miner's fragments to other miners; the runtime calls it when a
//!   miner exits (pallet-sminer's `OnMinerExit`) and when the audit pallet punishes a miner.

use crate::types::StorageParams;
use alloc::vec::Vec;
use frame_support::weights::Weight;
use sp_runtime::DispatchResult;

pub use cess_primitives::stored_fragments::{Page, RepairScheduler, StoredFragments};

/// The storage miners as the file bank sees them. Space is counted in bytes; a fragment's life
/// on a miner is `lock_space` (assigned) → `commit_space` (confirmed) → `release_space` (deleted
/// or moved away), or `lock_space` → `unlock_space` (not confirmed in time, deal cancelled).
///
/// Every function must do bounded work; the file bank calls them from extrinsics and from its
/// per-block hook.
pub trait MinerPool<AccountId> {
	/// Whether `who` may confirm fragments assigned to it: a registered miner that is not
	/// leaving (a frozen miner may still confirm).
	fn can_confirm(who: &AccountId) -> bool;

	/// The bytes of the libp2p PeerId of `who`, where uploaders push its fragments.
	fn peer_id(who: &AccountId) -> Option<Vec<u8>>;

	/// Draws up to `count` distinct miners that take new fragments and have at least `min_free`
	/// bytes of free space, none of them in `exclude`, each draw weighted by free space, from
	/// `seed`. Fewer (possibly none) come back when few are eligible; the work is bounded by a
	/// multiple of `count`.
	fn sample(seed: &[u8; 32], count: u32, min_free: u64, exclude: &[AccountId]) -> Vec<AccountId>;

	/// Reserves `bytes` of the free space of `who` for an assigned fragment.
	fn lock_space(who: &AccountId, bytes: u64) -> DispatchResult;

	/// Returns `bytes` of locked space of `who` to its free space.
	fn unlock_space(who: &AccountId, bytes: u64) -> DispatchResult;

	/// Turns `bytes` of locked space of `who` into used space (the fragment was confirmed).
	fn commit_space(who: &AccountId, bytes: u64) -> DispatchResult;

	/// Returns `bytes` of used space of `who` to its free space.
	fn release_space(who: &AccountId, bytes: u64) -> DispatchResult;
}

/// Told about every confirmed fragment: the miner received (or rebuilt) `bytes` bytes. The
/// runtime forwards it to the incentive pallet's bandwidth contribution.
pub trait OnFragmentStored<AccountId> {
	/// `miner` confirmed a fragment of `bytes` bytes.
	fn on_fragment_stored(miner: &AccountId, bytes: u64);

	/// Upper bound of the weight of one [`OnFragmentStored::on_fragment_stored`] call.
	fn weight() -> Weight;
}

/// Nobody is told: for tests and runtimes without an incentive layer.
impl<AccountId> OnFragmentStored<AccountId> for () {
	fn on_fragment_stored(_miner: &AccountId, _bytes: u64) {}

	fn weight() -> Weight {
		Weight::zero()
	}
}

/// Checks the chain's storage price against the rest of its economics when genesis sets it. The
/// runtime checks it against pallet-incentive's self-dealing bound (what a stored byte may
/// earn must stay below what its uploader pays).
pub trait CheckStorageParams<Balance, BlockNumber> {
	/// `Err` with the reason when `params` must not be used.
	fn check(params: &StorageParams<Balance, BlockNumber>) -> Result<(), &'static str>;
}

/// Every price is accepted: for tests and runtimes without an incentive layer.
impl<Balance, BlockNumber> CheckStorageParams<Balance, BlockNumber> for () {
	fn check(_params: &StorageParams<Balance, BlockNumber>) -> Result<(), &'static str> {
		Ok(())
	}
}

/// Sets up what the benchmarks need in the runtime: miners with space.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registers (or makes) miner number `index`, active with at least `space` bytes of free
	/// space and a PeerId, and returns its account.
	fn register_miner(index: u32, space: u64) -> AccountId;
}
