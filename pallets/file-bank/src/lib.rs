//! # File bank pallet
//!
//! The file bank keeps the chain's record of every stored file: who owns it, how it is cut, where
//! each fragment lives, and whether the miners confirmed them. It places fragments on storage
//! miners, charges and routes storage fees, cancels deals nobody honoured, releases the space of
//! deleted and expired files, and moves fragments away from miners that leave or lose data.
//!
//! ## A file's life
//!
//! ```text
//!  upload_declaration ──► Pending ──(every fragment confirmed)──► Active
//!        │                  │  ▲                                    │
//!        │ (file exists:    │  │ confirm_stored / missed deadline:  │ delete_file / expiry of
//!        │  new owner)      │  │ reassign (≤ max_reassignments)     │ the last owner
//!        ▼                  ▼  │                                    ▼
//!    + owner         deal cancelled, fees refunded ──────────► Removing ──► removed
//! ```
//!
//! 1. **Declaration.** A client encodes its file off-chain (`cess_primitives::codec`) and calls
//!    [`Pallet::upload_declaration`] with the file hash, every segment's fragment roots, the
//!    plaintext size, a name and the number of storage periods it pays for. The pallet checks the
//!    declaration against the chain's [`FileLayout`] (segment and fragment counts) and recomputes
//!    the file hash from the roots (`cess_primitives::hashing`), so a file hash always names
//!    exactly one set of fragments. The fee (see *Fees*) is put on hold.
//! 2. **Placement.** Every fragment is assigned to a miner drawn with on-chain randomness
//!    ([`Config::Randomness`]), weighted by free space ([`MinerPool::sample`]); the fragments of
//!    one segment go to distinct miners when the chain has enough of them (a short sample is
//!    completed by a second one that excludes the miners already chosen), otherwise miners are
//!    reused (a single-miner development chain still works). [`Error::NoMinerAvailable`] when no
//!    miner has room for a fragment. Each miner's space for its fragment is locked.
//!    [`Event::SegmentPlaced`] lists the miners of each segment.
//! 3. **Transfer and confirmation.** The client pushes each fragment to its miner; the miner
//!    checks it against its root and calls [`Pallet::confirm_stored`], which commits the space
//!    and appends the fragment to the miner's fragment list (what audits sample). When the last
//!    fragment is confirmed the file becomes `Active` and the held fees go to
//!    [`Config::OnStorageFee`] (the miners' reward pot).
//! 4. **Deadlines.** A fragment not confirmed within `confirm_window` blocks is moved to another
//!    miner (the old lock released, a new one taken), up to `max_reassignments` times. After
//!    that — or when no other miner has room — the deal is cancelled: the file is `Removing`,
//!    and the removal's first steps refund every owner's fee, the next ones release every lock
//!    and every confirmed fragment. No deal stays pending forever.
//! 5. **Deduplication.** Declaring a file that exists adds the caller as an owner (it pays its
//!    own fee, for its own periods) without new fragments.
//! 6. **Deletion and expiry.** [`Pallet::delete_file`] drops the caller's ownership (refunding a
//!    fee still on hold); an ownership also ends when its paid periods run out
//!    ([`Pallet::renew_file`] extends it). When no owner is left the file is `Removing`: its
//!    fragments are released in bounded steps and the record disappears.
//! 7. **Repair.** [`RepairScheduler::schedule_repair`] (called by the runtime when a miner exits,
//!    or when the audit pallet punishes it) queues the miner; its fragments are moved one by one
//!    to other miners, who rebuild them from `data_shards` other fragments of the segment and
//!    confirm them like uploads (then they are audited on them). A repaired fragment that no
//!    miner confirms within `max_reassignments` reassignments is marked lost
//!    ([`Event::FragmentLost`]); the file stays readable while each segment keeps `data_shards`
//!    fragments.
//!
//! ## Fees
//!
//! `fee = price_per_gib × stored bytes × periods / GiB`, rounded up, where *stored bytes* counts
//! every fragment (data and parity) and the price and period are genesis parameters
//! ([`StorageParams`]). The fee is held ([`HoldReason::StorageFee`]) while the file is pending,
//! paid to [`Config::OnStorageFee`] when it becomes active, refunded if the deal is cancelled or
//! the owner deletes the file first. Owners joining or renewing an active file pay at once.
//! Ownerships end at a multiple of [`Config::ExpiryGranularity`] blocks.
//!
//! ## Indexes
//!
//! - [`Files`] and [`Fragments`]: a file and its placement, by fragment index
//!   (`segment × shards + shard`);
//! - [`MinerFragments`] / [`MinerFragmentCount`]: each miner's dense list of stored fragments
//!   (what [`StoredFragments`] exposes to the audit pallet);
//! - [`MinerAssignments`]: each miner's fragments waiting for its confirmation;
//! - [`Ownerships`]: each account's files;
//! - the runtime API (crate `pallet-file-bank-runtime-api`) pages through them, at most
//!   [`MAX_PAGE`] entries per call.
//!
//! ## Bounded work
//!
//! No call and no block iterates over all files, fragments or miners:
//! - `upload_declaration` is linear in the declared fragments (at most
//!   [`Config::MaxSegments`] × shards), `confirm_stored` in the confirmed ones (at most
//!   [`Config::MaxConfirmations`]) and every other call is constant (owner lists are bounded by
//!   [`Config::MaxOwners`]);
//! - the per-block hook works through four queues, each with its own cap and carrying the rest
//!   over to the next block: confirmation deadlines ([`Config::DeadlineChecksPerBlock`]
//!   fragments; deadlines are first in, first due, since the window is constant), repairs
//!   ([`Config::RepairsPerBlock`] fragments), removals ([`Config::RemovalsPerBlock`] owners
//!   refunded or fragments released) and expiries ([`Config::ExpiriesPerBlock`] ownerships or
//!   empty expiry slots). A step is at most one sample of miners, a few space calls and a
//!   segment's worth of reads (`MaxShards`); each step has its own benchmarked weight, the
//!   queue bookkeeping around the steps is charged in database weights, and
//!   [`Pallet::max_queue_weight`] bounds what one block's hook charges.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod impls;
#[cfg(test)]
mod mock;
mod queues;
#[cfg(test)]
mod tests;
pub mod traits;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use traits::{MinerPool, OnFragmentStored, Page, RepairScheduler, StoredFragments};
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use cess_primitives::{
	hashing::{file_hash as compute_file_hash, segment_hash},
	FileHash, FileLayout, FragmentHash,
};
use codec::Encode;
use frame_support::{
	traits::{
		fungible::{self, Balanced, BalancedHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation},
		Get, Imbalance, OnUnbalanced, Randomness,
	},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, Zero};

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::file-bank";

/// Balance of the currency fees are paid in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A fee on its way to [`Config::OnStorageFee`].
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;

/// The chain's price, period and deadlines.
pub type StorageParamsOf<T> = StorageParams<BalanceOf<T>, BlockNumberFor<T>>;

/// A file record in this runtime.
pub type FileInfoOf<T> =
	FileInfo<<T as frame_system::Config>::AccountId, BlockNumberFor<T>, <T as Config>::MaxOwners>;

/// A fragment record in this runtime.
pub type FragmentInfoOf<T> =
	FragmentInfo<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

/// An ownership record in this runtime.
pub type OwnershipOf<T> = Ownership<BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxNameLen>;

/// An owner's name for a file.
pub type FileNameOf<T> = BoundedVec<u8, <T as Config>::MaxNameLen>;

/// The fragment roots of one segment, in shard order (data, then parity).
pub type SegmentRootsOf<T> = BoundedVec<FragmentHash, <T as Config>::MaxShards>;

/// The fragment roots of every segment of a file, in segment order.
pub type SegmentsOf<T> = BoundedVec<SegmentRootsOf<T>, <T as Config>::MaxSegments>;

/// Fragments confirmed by one `confirm_stored`: `(fragment index, root)`.
pub type ConfirmationsOf<T> =
	BoundedVec<(FragmentIndex, FragmentHash), <T as Config>::MaxConfirmations>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	/// The file bank: declarations, placement, deals, deletion, expiry and repair.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency storage fees are paid in (the chain's native token).
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason: From<HoldReason>>
			+ BalancedHold<Self::AccountId>;

		/// Receives the storage fees of files that became active (the miners' reward pot).
		type OnStorageFee: OnUnbalanced<CreditOf<Self>>;

		/// The storage miners fragments are placed on.
		type Miners: MinerPool<Self::AccountId>;

		/// Told about every confirmed fragment (bandwidth contribution).
		type OnFragmentStored: OnFragmentStored<Self::AccountId>;

		/// On-chain randomness for placement (BABE's in the runtime).
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Layout when the genesis config sets none.
		type DefaultLayout: Get<FileLayout>;

		/// Price, period and deadlines when the genesis config sets none.
		type DefaultParams: Get<StorageParamsOf<Self>>;

		/// Most segments of a file.
		#[pallet::constant]
		type MaxSegments: Get<u32>;

		/// Most fragments (data + parity) per segment; at least the layout's.
		#[pallet::constant]
		type MaxShards: Get<u32>;

		/// Longest file name, in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// Most owners of one file.
		#[pallet::constant]
		type MaxOwners: Get<u32>;

		/// Most storage periods paid at once.
		#[pallet::constant]
		type MaxPeriods: Get<u32>;

		/// Most fragments one `confirm_stored` confirms.
		#[pallet::constant]
		type MaxConfirmations: Get<u32>;

		/// Ownerships end at multiples of this many blocks (expiries are processed in slots).
		#[pallet::constant]
		type ExpiryGranularity: Get<BlockNumberFor<Self>>;

		/// Fragments whose confirmation deadline is checked per block, at most.
		#[pallet::constant]
		type DeadlineChecksPerBlock: Get<u32>;

		/// Fragments moved away from repaired miners per block, at most.
		#[pallet::constant]
		type RepairsPerBlock: Get<u32>;

		/// Removal steps per block, at most: owners of cancelled deals refunded, or fragments of
		/// removed files released.
		#[pallet::constant]
		type RemovalsPerBlock: Get<u32>;

		/// Ownership expiries (or empty expiry slots) processed per block, at most.
		#[pallet::constant]
		type ExpiriesPerBlock: Get<u32>;

		/// Weights of the calls and of the per-block steps.
		type WeightInfo: WeightInfo;

		/// Sets up miners for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: traits::BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Storage fee of a file that is not active yet.
		#[codec(index = 0)]
		StorageFee,
	}

	/// How files are cut (genesis parameter; fixed for the life of the chain).
	#[pallet::storage]
	pub type Layout<T: Config> = StorageValue<_, FileLayout, ValueQuery, LayoutDefault<T>>;

	/// Default of [`Layout`].
	#[pallet::type_value]
	pub fn LayoutDefault<T: Config>() -> FileLayout {
		T::DefaultLayout::get()
	}

	/// Price, period and deadlines (genesis parameters).
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, StorageParamsOf<T>, ValueQuery, ParamsDefault<T>>;

	/// Default of [`Params`].
	#[pallet::type_value]
	pub fn ParamsDefault<T: Config>() -> StorageParamsOf<T> {
		T::DefaultParams::get()
	}

	/// Every declared file. The key is a verified blake2-256 digest, hence `Identity`.
	#[pallet::storage]
	pub type Files<T: Config> = StorageMap<_, Identity, FileHash, FileInfoOf<T>, OptionQuery>;

	/// Placement: every fragment of every file, by index in the file.
	#[pallet::storage]
	pub type Fragments<T: Config> = StorageDoubleMap<
		_,
		Identity,
		FileHash,
		Twox64Concat,
		FragmentIndex,
		FragmentInfoOf<T>,
		OptionQuery,
	>;

	/// Each account's files.
	#[pallet::storage]
	pub type Ownerships<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Identity,
		FileHash,
		OwnershipOf<T>,
		OptionQuery,
	>;

	/// Each miner's list of stored (confirmed) fragments, dense in `0..MinerFragmentCount`.
	#[pallet::storage]
	pub type MinerFragments<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		u32,
		FragmentRef,
		OptionQuery,
	>;

	/// Length of each miner's [`MinerFragments`] list; no entry when empty.
	#[pallet::storage]
	pub type MinerFragmentCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Each miner's fragments waiting for its confirmation.
	#[pallet::storage]
	pub type MinerAssignments<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Identity,
		(FileHash, FragmentIndex),
		(),
		OptionQuery,
	>;

	/// Confirmation deadlines, first due first: ranges of fragments of a file.
	#[pallet::storage]
	pub type DeadlineQueue<T: Config> =
		StorageMap<_, Twox64Concat, u64, DeadlineEntry<BlockNumberFor<T>>, OptionQuery>;

	/// Head and tail of [`DeadlineQueue`].
	#[pallet::storage]
	pub type DeadlineBounds<T: Config> = StorageValue<_, QueueBounds, ValueQuery>;

	/// Miners whose fragments are being moved away, in order.
	#[pallet::storage]
	pub type RepairQueue<T: Config> = StorageMap<_, Twox64Concat, u64, T::AccountId, OptionQuery>;

	/// Head and tail of [`RepairQueue`].
	#[pallet::storage]
	pub type RepairBounds<T: Config> = StorageValue<_, QueueBounds, ValueQuery>;

	/// The miners in [`RepairQueue`], and why.
	#[pallet::storage]
	pub type RepairScheduled<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, RepairCause, OptionQuery>;

	/// Files whose fragments are being released, in order.
	#[pallet::storage]
	pub type RemovalQueue<T: Config> = StorageMap<_, Twox64Concat, u64, FileHash, OptionQuery>;

	/// Head and tail of [`RemovalQueue`].
	#[pallet::storage]
	pub type RemovalBounds<T: Config> = StorageValue<_, QueueBounds, ValueQuery>;

	/// Ownerships by the block they end at (a multiple of [`Config::ExpiryGranularity`]).
	#[pallet::storage]
	pub type Expiries<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Blake2_128Concat,
		(T::AccountId, FileHash),
		(),
		OptionQuery,
	>;

	/// The next expiry slot to process.
	#[pallet::storage]
	pub type ExpiryCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Genesis configuration: the chain's layout, price, period and deadlines.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// How files are cut; `None` keeps [`Config::DefaultLayout`].
		pub layout: Option<FileLayout>,
		/// Price, period and deadlines; `None` keeps [`Config::DefaultParams`].
		pub params: Option<StorageParamsOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// A chain spec is operator input: a bad parameter stops genesis with a message.
			if let Some(layout) = self.layout {
				Pallet::<T>::check_layout(&layout)
					.unwrap_or_else(|e| panic!("file-bank genesis layout {layout:?}: {e}"));
				Layout::<T>::put(layout);
			}
			if let Some(params) = self.params {
				assert!(
					params.is_valid(),
					"file-bank genesis: period and confirm window must be > 0"
				);
				Params::<T>::put(params);
			}
		}
	}

	/// Events of the pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A new file was declared and placed; its fee is on hold until it is active.
		FileDeclared {
			/// The file.
			file: FileHash,
			/// Its first owner.
			owner: T::AccountId,
			/// Plaintext size in bytes.
			size: u64,
			/// Fragments placed.
			fragments: u32,
			/// Fee held.
			fee: BalanceOf<T>,
			/// End of the ownership.
			expires_at: BlockNumberFor<T>,
			/// Last block for the miners' confirmations.
			confirm_by: BlockNumberFor<T>,
		},
		/// The fragments of one segment were assigned.
		SegmentPlaced {
			/// The file.
			file: FileHash,
			/// The segment's index.
			segment: u32,
			/// `miners[shard]` holds shard `shard` of the segment.
			miners: Vec<T::AccountId>,
		},
		/// An existing file got another owner.
		OwnerAdded {
			/// The file.
			file: FileHash,
			/// The new owner.
			owner: T::AccountId,
			/// Fee paid (held if the file is pending).
			fee: BalanceOf<T>,
			/// End of the ownership.
			expires_at: BlockNumberFor<T>,
		},
		/// A miner confirmed it stores fragments of a file.
		FragmentsConfirmed {
			/// The file.
			file: FileHash,
			/// The miner.
			miner: T::AccountId,
			/// Fragments confirmed.
			count: u32,
		},
		/// Every fragment of the file is confirmed: the file is active.
		FileActivated {
			/// The file.
			file: FileHash,
			/// Held fees paid to the miners' pot.
			fees: BalanceOf<T>,
		},
		/// An unconfirmed fragment was moved to another miner.
		FragmentReassigned {
			/// The file.
			file: FileHash,
			/// The fragment's index in the file.
			index: FragmentIndex,
			/// The miner that did not confirm.
			from: T::AccountId,
			/// The miner that takes it.
			to: T::AccountId,
			/// Last block for the new miner's confirmation.
			deadline: BlockNumberFor<T>,
		},
		/// A stored fragment of a repaired miner was assigned to another miner, who rebuilds it.
		RepairAssigned {
			/// The file.
			file: FileHash,
			/// The fragment's index in the file.
			index: FragmentIndex,
			/// The repaired miner.
			from: T::AccountId,
			/// The miner that rebuilds it.
			to: T::AccountId,
			/// Last block for the new miner's confirmation.
			deadline: BlockNumberFor<T>,
		},
		/// No miner confirmed a repaired fragment in time: the file lives on its other fragments.
		FragmentLost {
			/// The file.
			file: FileHash,
			/// The fragment's index in the file.
			index: FragmentIndex,
			/// The last miner it was assigned to.
			miner: T::AccountId,
		},
		/// The fragments of a pending file were not all confirmed in time: fees were refunded and
		/// the fragments are being released.
		DealCancelled {
			/// The file.
			file: FileHash,
		},
		/// An owner lost its hold on a file.
		OwnershipDropped {
			/// The file.
			file: FileHash,
			/// The former owner.
			owner: T::AccountId,
			/// Held fee returned to it.
			refund: BalanceOf<T>,
			/// Deleted, expired or cancelled.
			reason: DropReason,
		},
		/// An owner paid for more periods.
		FileRenewed {
			/// The file.
			file: FileHash,
			/// The owner.
			owner: T::AccountId,
			/// Fee paid (held if the file is pending).
			fee: BalanceOf<T>,
			/// New end of the ownership.
			expires_at: BlockNumberFor<T>,
		},
		/// No owner is left: the file's fragments are being released.
		RemovalStarted {
			/// The file.
			file: FileHash,
		},
		/// Every fragment of the file was released and its record removed.
		FileRemoved {
			/// The file.
			file: FileHash,
		},
		/// A miner's fragments will be moved to other miners.
		RepairScheduled {
			/// The miner.
			miner: T::AccountId,
			/// Exit or punishment.
			cause: RepairCause,
			/// Fragments it stores now.
			fragments: u32,
		},
		/// Every fragment of a repaired miner was moved.
		MinerRepaired {
			/// The miner.
			miner: T::AccountId,
		},
	}

	/// Errors of the pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// Periods must be between 1 and `MaxPeriods`.
		InvalidPeriods,
		/// The file needs more segments than `MaxSegments`.
		FileTooLarge,
		/// The number of segments does not match the size and the chain's layout.
		SegmentCountMismatch,
		/// A segment does not list one root per fragment of the chain's layout.
		FragmentCountMismatch,
		/// The file hash does not match the layout, size and fragment roots.
		FileHashMismatch,
		/// The fee does not fit in the balance type.
		FeeOverflow,
		/// The caller cannot pay the storage fee.
		InsufficientBalance,
		/// No active miner has room for a fragment: the file cannot be placed now.
		NoMinerAvailable,
		/// A sampled miner refused to lock space for its fragment.
		SpaceLockFailed,
		/// The caller already owns the file.
		AlreadyOwner,
		/// The file has `MaxOwners` owners.
		TooManyOwners,
		/// No such file.
		FileNotFound,
		/// The file is being removed.
		FileBeingRemoved,
		/// The caller does not own the file.
		NotOwner,
		/// Nothing to confirm.
		NoFragments,
		/// The caller is not a miner that may confirm fragments (unknown or exiting).
		MinerCannotConfirm,
		/// The file has no fragment with this index.
		FragmentNotFound,
		/// The fragment is assigned to another miner.
		NotAssignedMiner,
		/// The fragment is not waiting for a confirmation.
		FragmentNotPending,
		/// The root given is not the fragment's root.
		FragmentHashMismatch,
		/// The miner's locked space could not be committed.
		SpaceCommitFailed,
		/// The miner's fragment list is full.
		TooManyFragments,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::process_queues(now)
		}

		fn integrity_test() {
			assert!(T::MaxSegments::get() > 0, "MaxSegments must be at least 1");
			assert!(
				T::MaxShards::get() <= cess_primitives::layout::MAX_SHARDS,
				"MaxShards must not exceed cess_primitives::layout::MAX_SHARDS"
			);
			assert!(T::MaxOwners::get() > 0, "MaxOwners must be at least 1");
			assert!(T::MaxPeriods::get() > 0, "MaxPeriods must be at least 1");
			assert!(T::MaxConfirmations::get() > 0, "MaxConfirmations must be at least 1");
			assert!(!T::ExpiryGranularity::get().is_zero(), "ExpiryGranularity must be > 0");
			assert!(T::DeadlineChecksPerBlock::get() > 0, "DeadlineChecksPerBlock must be > 0");
			assert!(T::RepairsPerBlock::get() > 0, "RepairsPerBlock must be > 0");
			assert!(T::RemovalsPerBlock::get() > 0, "RemovalsPerBlock must be > 0");
			assert!(T::ExpiriesPerBlock::get() > 0, "ExpiriesPerBlock must be > 0");
			if let Err(e) = Self::check_layout(&T::DefaultLayout::get()) {
				panic!("DefaultLayout: {e}");
			}
			assert!(T::DefaultParams::get().is_valid(), "DefaultParams: period and window > 0");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Declares a file and pays for `periods` storage periods.
		///
		/// - `file_hash`: `cess_primitives::hashing::file_hash` of the chain's layout, `size`
		///   and the segments' hashes; recomputed here from `segments`.
		/// - `segments`: every segment's fragment roots, data shards first, then parity.
		/// - `size`: plaintext size in bytes.
		/// - `name`: the caller's name for the file.
		/// - `periods`: storage periods paid for, `1..=MaxPeriods`.
		///
		/// A new file is placed on miners and its fee held until every fragment is confirmed.
		/// If the file exists, the caller becomes one more owner (`segments` is then not read
		/// and may be empty) and pays its own fee.
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::upload_declaration(segments.len() as u32)
				.max(T::WeightInfo::upload_dedup())
		)]
		pub fn upload_declaration(
			origin: OriginFor<T>,
			file_hash: FileHash,
			segments: SegmentsOf<T>,
			#[pallet::compact] size: u64,
			name: FileNameOf<T>,
			periods: u32,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(periods >= 1 && periods <= T::MaxPeriods::get(), Error::<T>::InvalidPeriods);
			if Files::<T>::contains_key(file_hash) {
				Self::add_owner(&who, file_hash, name, periods)?;
				return Ok(Some(T::WeightInfo::upload_dedup()).into());
			}
			Self::declare(&who, file_hash, &segments, size, name, periods)?;
			Ok(().into())
		}

		/// Confirms that the caller, the assigned miner, stores the listed fragments of a file:
		/// `(fragment index, root)` pairs. The roots are checked against the declaration (the
		/// index is needed because a file may hold identical fragments, e.g. zero padding).
		///
		/// Commits the miner's space and adds the fragments to its audited list. The file becomes
		/// active with its last confirmation, and the held fees go to the miners' pot.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::confirm_stored(fragments.len() as u32))]
		pub fn confirm_stored(
			origin: OriginFor<T>,
			file_hash: FileHash,
			fragments: ConfirmationsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_confirm(&who, file_hash, &fragments)
		}

		/// Drops the caller's ownership of a file. A fee still on hold (pending file) is
		/// refunded. When no owner is left the file's fragments are released.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::delete_file())]
		pub fn delete_file(origin: OriginFor<T>, file_hash: FileHash) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let file = Files::<T>::get(file_hash).ok_or(Error::<T>::FileNotFound)?;
			ensure!(Ownerships::<T>::contains_key(&who, file_hash), Error::<T>::NotOwner);
			Self::drop_ownership(file_hash, file, &who, DropReason::Deleted);
			Ok(())
		}

		/// Pays for `periods` more storage periods of a file the caller owns.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::renew_file())]
		pub fn renew_file(
			origin: OriginFor<T>,
			file_hash: FileHash,
			periods: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(periods >= 1 && periods <= T::MaxPeriods::get(), Error::<T>::InvalidPeriods);
			Self::do_renew(&who, file_hash, periods)
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Checks a layout: valid, and no more shards than [`Config::MaxShards`].
	pub fn check_layout(layout: &FileLayout) -> Result<(), &'static str> {
		layout.validate().map_err(|_| "invalid layout")?;
		if layout.total_shards() > T::MaxShards::get() {
			return Err("more shards than MaxShards");
		}
		Ok(())
	}

	/// The fee for keeping a file of `size` plaintext bytes for `periods` periods.
	pub fn storage_fee(size: u64, periods: u32) -> Option<BalanceOf<T>> {
		Params::<T>::get().fee(Layout::<T>::get().stored_size(size), periods)
	}

	/// The block an ownership paid from `from` for `periods` periods ends at: rounded up to a
	/// multiple of [`Config::ExpiryGranularity`].
	pub(crate) fn expiry_slot(from: BlockNumberFor<T>, periods: u32) -> BlockNumberFor<T> {
		let period = Params::<T>::get().period;
		let end = from.saturating_add(period.saturating_mul(periods.into()));
		let granularity = T::ExpiryGranularity::get();
		if granularity.is_zero() {
			return end;
		}
		let rest = end % granularity;
		if rest.is_zero() {
			end
		} else {
			end.saturating_add(granularity.saturating_sub(rest))
		}
	}

	/// A new file: checks, fee on hold, placement, records.
	fn declare(
		who: &T::AccountId,
		file_hash: FileHash,
		segments: &SegmentsOf<T>,
		size: u64,
		name: FileNameOf<T>,
		periods: u32,
	) -> sp_runtime::DispatchResult {
		let layout = Layout::<T>::get();
		let expected = layout.segment_count(size);
		frame_support::ensure!(
			expected <= u64::from(T::MaxSegments::get()),
			Error::<T>::FileTooLarge
		);
		frame_support::ensure!(segments.len() as u64 == expected, Error::<T>::SegmentCountMismatch);
		let shards = layout.total_shards();
		let mut segment_hashes = Vec::with_capacity(segments.len());
		for roots in segments.iter() {
			frame_support::ensure!(
				roots.len() as u64 == u64::from(shards),
				Error::<T>::FragmentCountMismatch
			);
			segment_hashes.push(segment_hash(roots));
		}
		frame_support::ensure!(
			compute_file_hash(&layout, size, &segment_hashes) == file_hash,
			Error::<T>::FileHashMismatch
		);

		let fee = Self::storage_fee(size, periods).ok_or(Error::<T>::FeeOverflow)?;
		Self::hold_fee(who, fee)?;

		let now = frame_system::Pallet::<T>::block_number();
		let params = Params::<T>::get();
		let confirm_by = now.saturating_add(params.confirm_window);
		let fragment_size = u64::from(layout.fragment_size());
		// The parent hash is mixed in so that the placement cannot be known before the
		// previous block, whatever the randomness source's lookahead.
		let (random, _) = T::Randomness::random(b"cess/file-bank/placement");
		let parent = frame_system::Pallet::<T>::parent_hash();
		let mut index: FragmentIndex = 0;
		for (segment, roots) in (0u32..).zip(segments.iter()) {
			let seed = sp_io::hashing::blake2_256(&(&random, parent, file_hash, segment).encode());
			let miners = Self::place_segment(&seed, roots.len() as u32, fragment_size)?;
			for (root, miner) in roots.iter().zip(miners.iter()) {
				Fragments::<T>::insert(
					file_hash,
					index,
					FragmentInfo {
						hash: *root,
						miner: miner.clone(),
						status: FragmentStatus::Pending {
							deadline: confirm_by,
							reassignments: 0,
							kind: AssignmentKind::Upload,
						},
					},
				);
				MinerAssignments::<T>::insert(miner, (file_hash, index), ());
				index = index.saturating_add(1);
			}
			Self::deposit_event(Event::SegmentPlaced { file: file_hash, segment, miners });
		}
		Self::push_deadline(DeadlineEntry {
			file: file_hash,
			start: 0,
			end: index,
			due: confirm_by,
		});

		let mut owners = BoundedVec::new();
		owners.try_push(who.clone()).map_err(|_| Error::<T>::TooManyOwners)?;
		Files::<T>::insert(
			file_hash,
			FileInfo {
				size,
				segments: segments.len() as u32,
				fragments: index,
				unconfirmed: index,
				lost: 0,
				state: FileState::Pending,
				declared_at: now,
				owners,
			},
		);
		let expires_at = Self::expiry_slot(now, periods);
		Self::insert_ownership(who, file_hash, Ownership { name, expires_at, fee_held: fee });
		Self::deposit_event(Event::FileDeclared {
			file: file_hash,
			owner: who.clone(),
			size,
			fragments: index,
			fee,
			expires_at,
			confirm_by,
		});
		Ok(())
	}

	/// Picks a miner for each of the `count` fragments of a segment and locks its space,
	/// weighted by free space: distinct miners first, then miners reused.
	///
	/// The sampler may come back short although enough eligible miners exist (it gives up
	/// after a bounded number of draws, and a miner with much more free space than the others
	/// is drawn again and again), so the missing slots are sampled once more with the miners
	/// already chosen excluded. Only what that second sample still misses reuses miners of
	/// the segment: one draw per slot from every eligible miner, after the earlier locks. At
	/// most `2 + count` samples of at most `count` miners each.
	fn place_segment(
		seed: &[u8; 32],
		count: u32,
		fragment_size: u64,
	) -> Result<Vec<T::AccountId>, Error<T>> {
		let wanted = count as usize;
		let mut placed = Vec::with_capacity(wanted);
		Self::add_distinct(&mut placed, T::Miners::sample(seed, count, fragment_size, &[]), wanted);
		if placed.len() < wanted {
			let retry_seed = sp_io::hashing::blake2_256(&(seed, b"distinct").encode());
			let missing = count.saturating_sub(placed.len() as u32);
			let more = T::Miners::sample(&retry_seed, missing, fragment_size, &placed);
			Self::add_distinct(&mut placed, more, wanted);
		}
		for miner in placed.iter() {
			T::Miners::lock_space(miner, fragment_size).map_err(|_| Error::<T>::SpaceLockFailed)?;
		}
		for shard in (placed.len() as u32)..count {
			let reuse_seed = sp_io::hashing::blake2_256(&(seed, shard).encode());
			let miner = T::Miners::sample(&reuse_seed, 1, fragment_size, &[])
				.into_iter()
				.next()
				.ok_or(Error::<T>::NoMinerAvailable)?;
			T::Miners::lock_space(&miner, fragment_size)
				.map_err(|_| Error::<T>::SpaceLockFailed)?;
			placed.push(miner);
		}
		Ok(placed)
	}

	/// Appends the sampled miners not in `placed` yet, up to `wanted` in all (the pool promises
	/// distinct miners outside the exclusion list; this does not rely on it).
	fn add_distinct(placed: &mut Vec<T::AccountId>, sampled: Vec<T::AccountId>, wanted: usize) {
		for miner in sampled {
			if placed.len() >= wanted {
				break;
			}
			if !placed.contains(&miner) {
				placed.push(miner);
			}
		}
	}

	/// One more owner of an existing file.
	fn add_owner(
		who: &T::AccountId,
		file_hash: FileHash,
		name: FileNameOf<T>,
		periods: u32,
	) -> sp_runtime::DispatchResult {
		let mut file = Files::<T>::get(file_hash).ok_or(Error::<T>::FileNotFound)?;
		frame_support::ensure!(
			!matches!(file.state, FileState::Removing { .. }),
			Error::<T>::FileBeingRemoved
		);
		frame_support::ensure!(
			!Ownerships::<T>::contains_key(who, file_hash),
			Error::<T>::AlreadyOwner
		);
		file.owners.try_push(who.clone()).map_err(|_| Error::<T>::TooManyOwners)?;
		let fee = Self::storage_fee(file.size, periods).ok_or(Error::<T>::FeeOverflow)?;
		let fee_held = Self::charge(who, fee, file.state)?;
		let now = frame_system::Pallet::<T>::block_number();
		let expires_at = Self::expiry_slot(now, periods);
		Self::insert_ownership(who, file_hash, Ownership { name, expires_at, fee_held });
		Files::<T>::insert(file_hash, file);
		Self::deposit_event(Event::OwnerAdded {
			file: file_hash,
			owner: who.clone(),
			fee,
			expires_at,
		});
		Ok(())
	}

	/// `confirm_stored`.
	fn do_confirm(
		who: &T::AccountId,
		file_hash: FileHash,
		fragments: &ConfirmationsOf<T>,
	) -> sp_runtime::DispatchResult {
		frame_support::ensure!(!fragments.is_empty(), Error::<T>::NoFragments);
		frame_support::ensure!(T::Miners::can_confirm(who), Error::<T>::MinerCannotConfirm);
		let mut file = Files::<T>::get(file_hash).ok_or(Error::<T>::FileNotFound)?;
		frame_support::ensure!(
			!matches!(file.state, FileState::Removing { .. }),
			Error::<T>::FileBeingRemoved
		);
		let bytes = u64::from(Layout::<T>::get().fragment_size());
		for (index, root) in fragments.iter() {
			let mut info =
				Fragments::<T>::get(file_hash, index).ok_or(Error::<T>::FragmentNotFound)?;
			frame_support::ensure!(info.miner == *who, Error::<T>::NotAssignedMiner);
			frame_support::ensure!(
				matches!(info.status, FragmentStatus::Pending { .. }),
				Error::<T>::FragmentNotPending
			);
			frame_support::ensure!(info.hash == *root, Error::<T>::FragmentHashMismatch);
			T::Miners::commit_space(who, bytes).map_err(|_| Error::<T>::SpaceCommitFailed)?;
			let position = Self::push_stored(
				who,
				FragmentRef { file: file_hash, index: *index, hash: *root },
			)?;
			info.status = FragmentStatus::Stored { position };
			Fragments::<T>::insert(file_hash, index, info);
			MinerAssignments::<T>::remove(who, (file_hash, *index));
			file.unconfirmed = file.unconfirmed.saturating_sub(1);
			T::OnFragmentStored::on_fragment_stored(who, bytes);
		}
		Self::deposit_event(Event::FragmentsConfirmed {
			file: file_hash,
			miner: who.clone(),
			count: fragments.len() as u32,
		});
		if file.state == FileState::Pending && file.unconfirmed == 0 {
			file.state = FileState::Active;
			let fees = Self::pay_held_fees(file_hash, &file.owners);
			Self::deposit_event(Event::FileActivated { file: file_hash, fees });
		}
		Files::<T>::insert(file_hash, file);
		Ok(())
	}

	/// `renew_file`.
	fn do_renew(
		who: &T::AccountId,
		file_hash: FileHash,
		periods: u32,
	) -> sp_runtime::DispatchResult {
		let file = Files::<T>::get(file_hash).ok_or(Error::<T>::FileNotFound)?;
		frame_support::ensure!(
			!matches!(file.state, FileState::Removing { .. }),
			Error::<T>::FileBeingRemoved
		);
		let mut ownership = Ownerships::<T>::get(who, file_hash).ok_or(Error::<T>::NotOwner)?;
		let fee = Self::storage_fee(file.size, periods).ok_or(Error::<T>::FeeOverflow)?;
		let held = Self::charge(who, fee, file.state)?;
		Expiries::<T>::remove(ownership.expires_at, (who, file_hash));
		ownership.expires_at = Self::expiry_slot(ownership.expires_at, periods);
		ownership.fee_held = ownership.fee_held.saturating_add(held);
		let expires_at = ownership.expires_at;
		Self::insert_ownership(who, file_hash, ownership);
		Self::deposit_event(Event::FileRenewed {
			file: file_hash,
			owner: who.clone(),
			fee,
			expires_at,
		});
		Ok(())
	}

	/// Puts `fee` on hold from `who`.
	fn hold_fee(who: &T::AccountId, fee: BalanceOf<T>) -> sp_runtime::DispatchResult {
		if !fee.is_zero() {
			T::Currency::hold(&HoldReason::StorageFee.into(), who, fee)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
		}
		Ok(())
	}

	/// Charges `fee` for a file in `state`: held while it is pending, paid to the miners' pot
	/// at once when it is active. Returns the amount now on hold.
	fn charge(
		who: &T::AccountId,
		fee: BalanceOf<T>,
		state: FileState,
	) -> Result<BalanceOf<T>, sp_runtime::DispatchError> {
		if fee.is_zero() {
			return Ok(fee);
		}
		if state == FileState::Pending {
			Self::hold_fee(who, fee)?;
			return Ok(fee);
		}
		let credit = T::Currency::withdraw(
			who,
			fee,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Polite,
		)
		.map_err(|_| Error::<T>::InsufficientBalance)?;
		T::OnStorageFee::on_unbalanced(credit);
		Ok(Zero::zero())
	}

	/// Pays every owner's held fee to the miners' pot; returns the total.
	fn pay_held_fees(file_hash: FileHash, owners: &[T::AccountId]) -> BalanceOf<T> {
		let mut total = CreditOf::<T>::zero();
		for owner in owners {
			Ownerships::<T>::mutate(owner, file_hash, |ownership| {
				if let Some(ownership) = ownership {
					let held = core::mem::take(&mut ownership.fee_held);
					if !held.is_zero() {
						let (credit, missing) =
							T::Currency::slash(&HoldReason::StorageFee.into(), owner, held);
						if !missing.is_zero() {
							log::warn!(target: LOG_TARGET, "fee hold of {owner:?} short by {missing:?}");
						}
						total = core::mem::replace(&mut total, CreditOf::<T>::zero()).merge(credit);
					}
				}
			});
		}
		let paid = total.peek();
		T::OnStorageFee::on_unbalanced(total);
		paid
	}

	/// Returns a held fee to its owner; returns what was released.
	fn refund(who: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		T::Currency::release(&HoldReason::StorageFee.into(), who, amount, Precision::BestEffort)
			.unwrap_or_else(|e| {
				log::warn!(target: LOG_TARGET, "refund of {amount:?} to {who:?} failed: {e:?}");
				Zero::zero()
			})
	}

	/// Writes an ownership and its expiry index entry.
	fn insert_ownership(who: &T::AccountId, file_hash: FileHash, ownership: OwnershipOf<T>) {
		Expiries::<T>::insert(ownership.expires_at, (who, file_hash), ());
		Ownerships::<T>::insert(who, file_hash, ownership);
	}

	/// Drops `owner`'s hold on `file` (refunding a held fee) and starts the removal when no
	/// owner is left. Writes the file record.
	pub(crate) fn drop_ownership(
		file_hash: FileHash,
		mut file: FileInfoOf<T>,
		owner: &T::AccountId,
		reason: DropReason,
	) {
		if let Some(ownership) = Ownerships::<T>::take(owner, file_hash) {
			Expiries::<T>::remove(ownership.expires_at, (owner, file_hash));
			let refund = Self::refund(owner, ownership.fee_held);
			file.owners.retain(|o| o != owner);
			Self::deposit_event(Event::OwnershipDropped {
				file: file_hash,
				owner: owner.clone(),
				refund,
				reason,
			});
		}
		if file.owners.is_empty() && !matches!(file.state, FileState::Removing { .. }) {
			Self::start_removal(file_hash, &mut file);
		}
		Files::<T>::insert(file_hash, file);
	}

	/// Cancels a pending deal: starts the removal, whose first steps refund and drop the owners
	/// one by one (see [`Pallet::drop_next_owner`]). Writes the file record.
	pub(crate) fn cancel_deal(file_hash: FileHash, mut file: FileInfoOf<T>) {
		Self::deposit_event(Event::DealCancelled { file: file_hash });
		Self::start_removal(file_hash, &mut file);
		Files::<T>::insert(file_hash, file);
	}

	/// One owner of a cancelled deal is refunded and dropped; the caller writes the record.
	/// Returns whether there was one.
	pub(crate) fn drop_next_owner(file_hash: FileHash, file: &mut FileInfoOf<T>) -> bool {
		let Some(owner) = file.owners.pop() else { return false };
		if let Some(ownership) = Ownerships::<T>::take(&owner, file_hash) {
			Expiries::<T>::remove(ownership.expires_at, (&owner, file_hash));
			let refund = Self::refund(&owner, ownership.fee_held);
			Self::deposit_event(Event::OwnershipDropped {
				file: file_hash,
				owner,
				refund,
				reason: DropReason::DealCancelled,
			});
		}
		true
	}

	/// Marks a file `Removing` and queues it; the caller writes the record.
	fn start_removal(file_hash: FileHash, file: &mut FileInfoOf<T>) {
		file.state = FileState::Removing { next: 0 };
		let mut bounds = RemovalBounds::<T>::get();
		RemovalQueue::<T>::insert(bounds.tail, file_hash);
		bounds.tail = bounds.tail.saturating_add(1);
		RemovalBounds::<T>::put(bounds);
		Self::deposit_event(Event::RemovalStarted { file: file_hash });
	}

	/// Queues a confirmation deadline.
	pub(crate) fn push_deadline(entry: DeadlineEntry<BlockNumberFor<T>>) {
		let mut bounds = DeadlineBounds::<T>::get();
		DeadlineQueue::<T>::insert(bounds.tail, entry);
		bounds.tail = bounds.tail.saturating_add(1);
		DeadlineBounds::<T>::put(bounds);
	}

	/// Appends a fragment to a miner's stored list; returns its position.
	fn push_stored(
		miner: &T::AccountId,
		fragment: FragmentRef,
	) -> Result<u32, sp_runtime::DispatchError> {
		let position = MinerFragmentCount::<T>::get(miner);
		let count = position.checked_add(1).ok_or(Error::<T>::TooManyFragments)?;
		MinerFragments::<T>::insert(miner, position, fragment);
		MinerFragmentCount::<T>::insert(miner, count);
		Ok(position)
	}

	/// Removes the entry at `position` of a miner's stored list: the last entry takes its place
	/// (and its fragment record learns its new position).
	pub(crate) fn remove_stored(miner: &T::AccountId, position: u32) {
		let count = MinerFragmentCount::<T>::get(miner);
		let Some(last) = count.checked_sub(1) else {
			frame_support::defensive!("removing from an empty fragment list");
			return;
		};
		let moved = MinerFragments::<T>::take(miner, last);
		if position < last {
			match moved {
				Some(moved) => {
					MinerFragments::<T>::insert(miner, position, moved);
					Fragments::<T>::mutate(moved.file, moved.index, |info| {
						if let Some(info) = info {
							info.status = FragmentStatus::Stored { position };
						}
					});
				}
				None => {
					frame_support::defensive!("fragment list shorter than its count");
				}
			}
		}
		if last == 0 {
			MinerFragmentCount::<T>::remove(miner);
		} else {
			MinerFragmentCount::<T>::insert(miner, last);
		}
	}

	/// Queues the repair of `miner`'s stored fragments (see [`RepairScheduler`]).
	pub fn schedule_repair(miner: &T::AccountId, cause: RepairCause) -> bool {
		if RepairScheduled::<T>::contains_key(miner) {
			return false;
		}
		RepairScheduled::<T>::insert(miner, cause);
		let mut bounds = RepairBounds::<T>::get();
		RepairQueue::<T>::insert(bounds.tail, miner);
		bounds.tail = bounds.tail.saturating_add(1);
		RepairBounds::<T>::put(bounds);
		Self::deposit_event(Event::RepairScheduled {
			miner: miner.clone(),
			cause,
			fragments: MinerFragmentCount::<T>::get(miner),
		});
		true
	}

	/// Checks the indexes against each other (iterates everything: tests and try-runtime only).
	#[cfg(any(feature = "try-runtime", feature = "std"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use frame_support::ensure;
		for (miner, count) in MinerFragmentCount::<T>::iter() {
			ensure!(count > 0, "empty fragment lists have no count");
			for position in 0..count {
				let entry = MinerFragments::<T>::get(&miner, position)
					.ok_or("hole in a miner's fragment list")?;
				let info = Fragments::<T>::get(entry.file, entry.index)
					.ok_or("listed fragment without a record")?;
				ensure!(info.miner == miner, "listed fragment assigned to another miner");
				ensure!(
					info.status == FragmentStatus::Stored { position },
					"listed fragment not stored at its position"
				);
			}
			ensure!(
				MinerFragments::<T>::get(&miner, count).is_none(),
				"fragment list longer than its count"
			);
		}
		for (file_hash, file) in Files::<T>::iter() {
			ensure!(file.owners.len() <= T::MaxOwners::get() as usize, "too many owners");
			if !matches!(file.state, FileState::Removing { .. }) {
				ensure!(!file.owners.is_empty(), "a live file has an owner");
				let mut pending = 0u32;
				let mut lost = 0u32;
				for index in 0..file.fragments {
					let info = Fragments::<T>::get(file_hash, index).ok_or("missing fragment")?;
					match info.status {
						FragmentStatus::Pending { .. } => {
							pending += 1;
							ensure!(
								MinerAssignments::<T>::contains_key(
									&info.miner,
									(file_hash, index)
								),
								"pending fragment not in its miner's assignments"
							);
						}
						FragmentStatus::Lost => lost += 1,
						FragmentStatus::Stored { .. } => {}
					}
				}
				ensure!(pending == file.unconfirmed, "unconfirmed count");
				ensure!(lost == file.lost, "lost count");
			}
			for owner in file.owners.iter() {
				ensure!(Ownerships::<T>::contains_key(owner, file_hash), "owner record");
			}
		}
		for (owner, file_hash, ownership) in Ownerships::<T>::iter() {
			let file = Files::<T>::get(file_hash).ok_or("ownership of a missing file")?;
			ensure!(file.owners.contains(&owner), "ownership not in the owner list");
			ensure!(
				Expiries::<T>::contains_key(ownership.expires_at, (owner, file_hash)),
				"ownership without an expiry entry"
			);
		}
		Ok(())
	}
}
