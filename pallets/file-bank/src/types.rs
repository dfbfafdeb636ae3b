//! Records kept by the file bank, its parameters, and the views its runtime API returns.

use alloc::vec::Vec;
pub use cess_primitives::stored_fragments::{FragmentIndex, FragmentRef, RepairCause};
use cess_primitives::{FileHash, FileLayout, FragmentHash};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{AtLeast32BitUnsigned, UniqueSaturatedInto},
	Rounding,
};

/// Bytes in a GiB, the unit of the storage price.
pub const GIB: u128 = 1 << 30;

/// Most entries a runtime-API page returns, whatever the caller asks for.
pub const MAX_PAGE: u32 = 512;

/// Price, storage period and deal deadlines of the chain (genesis parameters).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StorageParams<Balance, BlockNumber> {
	/// Fee for keeping one GiB of stored fragments (data and parity) for one period.
	pub price_per_gib: Balance,
	/// Blocks in one storage period. An owner pays for whole periods.
	pub period: BlockNumber,
	/// Blocks a miner has to confirm a fragment assigned to it (upload or repair).
	pub confirm_window: BlockNumber,
	/// Times an unconfirmed fragment is moved to another miner before the deal is cancelled (or
	/// a repaired fragment is declared lost).
	pub max_reassignments: u32,
}

impl<Balance: AtLeast32BitUnsigned + Copy, BlockNumber: AtLeast32BitUnsigned + Copy>
	StorageParams<Balance, BlockNumber>
{
	/// The fee for keeping `stored_bytes` for `periods` periods: `price × bytes × periods / GiB`,
	/// rounded up; `None` when it does not fit in the balance type.
	pub fn fee(&self, stored_bytes: u64, periods: u32) -> Option<Balance> {
		let price: u128 = self.price_per_gib.unique_saturated_into();
		let amount = u128::from(stored_bytes).checked_mul(u128::from(periods))?;
		let fee = multiply_by_rational_with_rounding(price, amount, GIB, Rounding::Up)?;
		let balance = Balance::unique_saturated_from(fee);
		// `unique_saturated_from` saturates: check that nothing was lost.
		(UniqueSaturatedInto::<u128>::unique_saturated_into(balance) == fee).then_some(balance)
	}

	/// Whether the parameters can run a chain: non-zero period and confirmation window.
	pub fn is_valid(&self) -> bool {
		!self.period.is_zero() && !self.confirm_window.is_zero()
	}
}

/// Where a file is in its life.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum FileState {
	/// Declared; some fragments are not confirmed yet. The owners' fees are on hold.
	#[codec(index = 0)]
	Pending,
	/// Every fragment was confirmed once; the fees went to the miners' pot. Repairs may be in
	/// flight ([`FileInfo::unconfirmed`]).
	#[codec(index = 1)]
	Active,
	/// No owner is left (deleted, expired or cancelled): fragments are being released, `next`
	/// is the first fragment not released yet.
	#[codec(index = 2)]
	Removing {
		/// The next fragment to release.
		next: FragmentIndex,
	},
}

/// A stored or declared file.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxOwners))]
#[codec(mel_bound(AccountId: MaxEncodedLen, BlockNumber: MaxEncodedLen))]
pub struct FileInfo<AccountId, BlockNumber, MaxOwners>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxOwners: frame_support::traits::Get<u32>,
{
	/// Plaintext size in bytes.
	pub size: u64,
	/// Segments of the file.
	pub segments: u32,
	/// Fragments of the file: `segments × (data + parity shards)`.
	pub fragments: u32,
	/// Fragments assigned to a miner and not confirmed yet (upload, reassignment or repair).
	pub unconfirmed: u32,
	/// Fragments that could not be repaired (no miner confirmed them in time).
	pub lost: u32,
	/// Where the file is in its life.
	pub state: FileState,
	/// Block of the first declaration.
	pub declared_at: BlockNumber,
	/// The accounts that own the file (each paid its own fee).
	pub owners: BoundedVec<AccountId, MaxOwners>,
}

/// Why a fragment is assigned to a miner.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum AssignmentKind {
	/// The uploader pushes the fragment to the miner.
	#[codec(index = 0)]
	Upload,
	/// The miner rebuilds the fragment from `data_shards` other fragments of its segment.
	#[codec(index = 1)]
	Repair,
}

/// Where a fragment is.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum FragmentStatus<BlockNumber> {
	/// Assigned to the miner, whose space for it is locked; waiting for its confirmation.
	#[codec(index = 0)]
	Pending {
		/// Last block the confirmation is expected in.
		deadline: BlockNumber,
		/// Times the fragment was moved after a missed confirmation.
		reassignments: u32,
		/// Upload or repair.
		kind: AssignmentKind,
	},
	/// Confirmed: the miner stores it, is audited on it, and its space is used.
	#[codec(index = 1)]
	Stored {
		/// Position in the miner's fragment list ([`crate::MinerFragments`]).
		position: u32,
	},
	/// No miner confirmed the repaired fragment in time; the file lives on the others.
	#[codec(index = 2)]
	Lost,
}

/// One fragment of a file: its root and the miner responsible for it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct FragmentInfo<AccountId, BlockNumber> {
	/// The fragment's Merkle root.
	pub hash: FragmentHash,
	/// The miner it is assigned to (or that stores it; the last one for a lost fragment).
	pub miner: AccountId,
	/// Pending, stored or lost.
	pub status: FragmentStatus<BlockNumber>,
}

/// One owner's hold on a file.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxNameLen))]
#[codec(mel_bound(Balance: MaxEncodedLen, BlockNumber: MaxEncodedLen))]
pub struct Ownership<Balance, BlockNumber, MaxNameLen>
where
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxNameLen: frame_support::traits::Get<u32>,
{
	/// The owner's name for the file.
	pub name: BoundedVec<u8, MaxNameLen>,
	/// The ownership ends at this block (a multiple of the expiry granularity) unless renewed.
	pub expires_at: BlockNumber,
	/// Fee on hold until the file becomes active (refunded if the deal is cancelled).
	pub fee_held: Balance,
}

/// A range of fragments of a file whose confirmation deadline is `due`.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct DeadlineEntry<BlockNumber> {
	/// The file.
	pub file: FileHash,
	/// First fragment of the range not checked yet.
	pub start: FragmentIndex,
	/// End of the range (exclusive).
	pub end: FragmentIndex,
	/// The deadline the fragments of the range were given.
	pub due: BlockNumber,
}

/// Head and tail of a first-in first-out queue kept as a map from sequence numbers.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct QueueBounds {
	/// Sequence number of the oldest entry.
	pub head: u64,
	/// Sequence number the next entry gets.
	pub tail: u64,
}

impl QueueBounds {
	/// Whether the queue is empty.
	pub fn is_empty(&self) -> bool {
		self.head >= self.tail
	}

	/// Entries in the queue.
	pub fn len(&self) -> u64 {
		self.tail.saturating_sub(self.head)
	}

	/// Makes room for one entry at the tail; returns the sequence number to store it under.
	pub fn push_back(&mut self) -> u64 {
		let sequence = self.tail;
		self.tail = self.tail.saturating_add(1);
		sequence
	}
}

/// Why an owner lost its hold on a file.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum DropReason {
	/// The owner deleted the file.
	#[codec(index = 0)]
	Deleted,
	/// The paid periods ran out.
	#[codec(index = 1)]
	Expired,
	/// The deal was cancelled: fragments were not confirmed in time.
	#[codec(index = 2)]
	DealCancelled,
}

/// A file as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileView<AccountId, BlockNumber> {
	/// The layout the file was cut with (the chain's).
	pub layout: FileLayout,
	/// Plaintext size in bytes.
	pub size: u64,
	/// Segments.
	pub segments: u32,
	/// Fragments (`segments × shards`).
	pub fragments: u32,
	/// Fragments waiting for a confirmation.
	pub unconfirmed: u32,
	/// Fragments lost.
	pub lost: u32,
	/// Pending, active or being removed.
	pub state: FileState,
	/// Block of the first declaration.
	pub declared_at: BlockNumber,
	/// The owners.
	pub owners: Vec<AccountId>,
}

/// One fragment of a file's placement, as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementEntry<AccountId, BlockNumber> {
	/// Index in the file (`segment × shards + shard`).
	pub index: FragmentIndex,
	/// Segment of the fragment.
	pub segment: u32,
	/// Index within the segment: `< data_shards` data, otherwise parity.
	pub shard: u32,
	/// The fragment's Merkle root.
	pub hash: FragmentHash,
	/// The miner responsible for it.
	pub miner: AccountId,
	/// The miner's libp2p PeerId (its bytes), if it has one.
	pub peer_id: Option<Vec<u8>>,
	/// Pending, stored or lost.
	pub status: FragmentStatus<BlockNumber>,
}

/// A fragment assigned to a miner and not confirmed yet, as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentView<BlockNumber> {
	/// The file.
	pub file: FileHash,
	/// Index of the fragment in the file.
	pub index: FragmentIndex,
	/// The root the fragment must hash to.
	pub hash: FragmentHash,
	/// Last block for the confirmation.
	pub deadline: BlockNumber,
	/// Upload (the client pushes it) or repair (the miner rebuilds it).
	pub kind: AssignmentKind,
}

/// A file an account owns, as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnedFileView<Balance, BlockNumber> {
	/// The file.
	pub file: FileHash,
	/// The owner's name for it.
	pub name: Vec<u8>,
	/// When the ownership ends unless renewed.
	pub expires_at: BlockNumber,
	/// Fee still on hold (the file is pending).
	pub fee_held: Balance,
	/// The file's state.
	pub state: FileState,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn fee_is_proportional_and_rounds_up() {
		let params = StorageParams {
			price_per_gib: 1_000u128,
			period: 10u32,
			confirm_window: 5,
			max_reassignments: 1,
		};
		assert_eq!(params.fee(GIB as u64, 1), Some(1_000));
		assert_eq!(params.fee(GIB as u64, 3), Some(3_000));
		assert_eq!(params.fee(GIB as u64 / 2, 1), Some(500));
		// One byte still costs something.
		assert_eq!(params.fee(1, 1), Some(1));
		assert_eq!(params.fee(0, 1), Some(0));
		let free = StorageParams { price_per_gib: 0u128, ..params };
		assert_eq!(free.fee(u64::MAX, u32::MAX), Some(0));
	}

	#[test]
	fn fee_overflow_is_none() {
		let params = StorageParams {
			price_per_gib: u64::MAX,
			period: 10u32,
			confirm_window: 5,
			max_reassignments: 1,
		};
		assert_eq!(params.fee(u64::MAX, u32::MAX), None);
		let big = StorageParams {
			price_per_gib: u128::MAX,
			..StorageParams {
				price_per_gib: 0u128,
				period: 10u32,
				confirm_window: 5,
				max_reassignments: 1,
			}
		};
		assert_eq!(big.fee(u64::MAX, u32::MAX), None);
	}

	#[test]
	fn params_need_a_period_and_a_window() {
		let ok = StorageParams {
			price_per_gib: 1u128,
			period: 10u32,
			confirm_window: 5,
			max_reassignments: 0,
		};
		assert!(ok.is_valid());
		assert!(!StorageParams { period: 0, ..ok }.is_valid());
		assert!(!StorageParams { confirm_window: 0, ..ok }.is_valid());
	}
}
