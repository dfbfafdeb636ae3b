//! The seam between the file bank and the pallets that act on what miners store.
//!
//! The file bank keeps, for every miner, a dense list of the fragments it confirmed it stores.
//! The audit pallet samples that list ([`StoredFragments`]); a miner's exit and an audit
//! punishment move its fragments to other miners ([`RepairScheduler`]). Both traits live here,
//! with the types they speak in, so that the pallets on either side depend on this crate and not
//! on each other; the runtime wires the file bank in.

use crate::{
	layout::FileLayout,
	types::{FileHash, FragmentHash},
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Weight;

/// Index of a fragment in its file: `segment × (data + parity shards) + shard`.
pub type FragmentIndex = u32;

/// A fragment a miner stores: an entry of its fragment list, which audits sample.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct FragmentRef {
	/// The file.
	pub file: FileHash,
	/// The fragment's index in the file.
	pub index: FragmentIndex,
	/// The fragment's Merkle root.
	pub hash: FragmentHash,
}

/// Why a miner's fragments are moved to other miners.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub enum RepairCause {
	/// The miner is leaving (pallet-sminer's `prepare_exit`).
	#[codec(index = 0)]
	MinerExit,
	/// The miner was punished for failing audits (it lost data).
	#[codec(index = 1)]
	Punished,
}

/// A page of a keyed index, with the cursor of the next page.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Page<Item, Cursor> {
	/// The entries of this page.
	pub items: Vec<Item>,
	/// Pass it as `start_after` for the next page; `None` when the index ended.
	pub next: Option<Cursor>,
}

/// What the audit pallet needs from the file bank: the fragments each miner stores, in a dense
/// list whose order the challenge derivation indexes (see [`crate::challenge`]).
///
/// A miner's list only holds confirmed fragments. It grows at the end when the miner confirms a
/// fragment, and shrinks by moving the last entry into the removed one's position.
pub trait StoredFragments<AccountId> {
	/// The chain's file layout (fragment and leaf sizes).
	fn layout() -> FileLayout;

	/// Length of the fragment list of `miner`.
	fn fragment_count(miner: &AccountId) -> u32;

	/// The entry at `position` of the fragment list of `miner`.
	fn fragment_at(miner: &AccountId, position: u32) -> Option<FragmentRef>;

	/// Up to `max` miners that store at least one fragment, after `start_after` (`None`: from the
	/// beginning), in a stable order; at most `max` storage reads. A cursor stays valid when
	/// miners come and go between pages.
	fn miners_page(start_after: Option<&AccountId>, max: u32) -> Page<AccountId, AccountId>;
}

/// Moves every fragment a miner stores to other miners, in bounded steps (the file bank's
/// per-block repair queue). Implemented by the file bank; the runtime calls it from
/// pallet-sminer's exit hook and from the audit pallet's punishment.
pub trait RepairScheduler<AccountId> {
	/// Queues the repair of the fragments of `miner`; does nothing if it is already queued.
	/// Returns whether it was queued now.
	fn schedule_repair(miner: &AccountId, cause: RepairCause) -> bool;

	/// Upper bound of the weight of [`RepairScheduler::schedule_repair`].
	fn weight() -> Weight;
}

/// Nothing is repaired: for tests.
impl<AccountId> RepairScheduler<AccountId> for () {
	fn schedule_repair(_miner: &AccountId, _cause: RepairCause) -> bool {
		false
	}

	fn weight() -> Weight {
		Weight::zero()
	}
}
