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
//!    exactly one set of fragments. A root may appear once in a file
//!    ([`Error::DuplicateFragmentRoot`]), in one segment or across segments: a miner stores a
//!    root once, so a repeated root would be used space — paid as service — that nobody keeps
//!    (the codec pads segments with key stream, so an honest file never repeats a root). The
//!    fee (see *Fees*) is put on hold.
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
//!    confirm them like uploads (then they are audited on them).
//!    - A **punished** miner is presumed to have lost its fragments: each leaves its list and
//!      its used space when it is assigned elsewhere. A repaired fragment that no miner confirms
//!      within `max_reassignments` reassignments is marked lost ([`Event::FragmentLost`]); the
//!      file stays readable while each segment keeps `data_shards` fragments.
//!    - An **exiting** miner stays a holder of each fragment until the new holder confirms it:
//!      the copy stays in its list (so it is still challenged, and can still fail and be
//!      punished), its space stays used (so it cannot withdraw), and the copy is recorded in
//!      [`OutgoingCopies`], the chain's record of it as a source of the fragment. The new
//!      holder's confirmation hands the fragment over ([`Event::FragmentHandedOver`]): the copy
//!      leaves the exiting miner's list and used space, so the fragment is counted once. If no
//!      miner confirms within `max_reassignments` reassignments, the fragment goes back to the
//!      exiting miner, stored as before ([`Event::RepairGivenBack`]), and its repair is queued
//!      again; it is never lost while its copy exists. The exiting miner's list is walked from
//!      its end with a cursor ([`RepairCursors`]), since its entries stay in it.
//!
//!    A removed file drops its fragments' outgoing copies with them.
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
//! The price also bounds what a stored byte may earn (the incentive layer caps its rewards by a
//! share of it, so that an uploader storing its own files never earns more than it pays); its
//! genesis value is checked against that bound ([`Config::CheckParams`]).
//!
//! ## Indexes
//!
//! - [`Files`] and [`Fragments`]: a file and its placement, by fragment index
//!   (`segment × shards + shard`);
//! - [`MinerFragments`] / [`MinerFragmentCount`]: each miner's dense list of stored fragments
//!   (what [`StoredFragments`] exposes to the audit pallet);
//! - [`MinerAssignments`]: each miner's fragments waiting for its confirmation;
//! - [`OutgoingCopies`]: the copies exiting miners keep of fragments being moved away (listed in
//!   their [`MinerFragments`] until handed over);
//! - [`Ownerships`]: each account's files;
//! - the runtime API (crate `pallet-file-bank-runtime-api`) pages through them, at most
//!   [`MAX_PAGE`] entries per call.
//!
//! ## Bounded work
//!
//! No call and no block iterates over all files, fragments or miners:
//! - `upload_declaration` is linear in the declared fragments (at most
//!   [`Config::MaxSegments`] × shards; the duplicate check is a sorted set of them),
//!   `confirm_stored` in the confirmed ones (at most [`Config::MaxConfirmations`], each with at
//!   most one hand-over, charged up front and refunded when there is none) and every other call
//!   is constant (owner lists are bounded by [`Config::MaxOwners`]);
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
mod fees;
mod miner_fragments;
#[cfg(test)]
mod mock;
mod ownership;
mod placement;
mod queues;
#[cfg(test)]
mod tests;
pub mod traits;
#[cfg(any(feature = "try-runtime", feature = "std"))]
mod try_state;
pub mod types;
mod views;
pub mod weights;

pub use pallet::*;
pub use traits::{
	CheckStorageParams, MinerPool, OnFragmentStored, Page, RepairScheduler, StoredFragments,
};
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use cess_primitives::{FileHash, FileLayout, FragmentHash};
use frame_support::{
	traits::{
		fungible::{self, BalancedHold, Mutate, MutateHold},
		Get, OnUnbalanced, Randomness,
	},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Zero;

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

		/// Checks the price and period genesis keeps against the rest of the chain's economics
		/// (the runtime: the incentive pallet's self-dealing bound).
		type CheckParams: CheckStorageParams<BalanceOf<Self>, BlockNumberFor<Self>>;

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

	/// How far the repair of each exiting miner's list went: the positions below the cursor are
	/// still to visit (the list is walked from its end; see *Repair* in the module docs).
	#[pallet::storage]
	pub type RepairCursors<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, OptionQuery>;

	/// The copies fragments are being moved away from, kept until the new holder confirms:
	/// `(file, index) → (miner, position in that miner's list)`. The miner (an exiting one)
	/// still lists the fragment, is audited on it, and its space stays used; the fragment's
	/// record ([`Fragments`]) names the new, pending holder.
	#[pallet::storage]
	pub type OutgoingCopies<T: Config> = StorageDoubleMap<
		_,
		Identity,
		FileHash,
		Twox64Concat,
		FragmentIndex,
		(T::AccountId, u32),
		OptionQuery,
	>;

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
			// The price genesis keeps (set or default) must not let self-dealing pay.
			let params = Params::<T>::get();
			if let Err(reason) = T::CheckParams::check(&params) {
				panic!("file-bank genesis params {params:?}: {reason}");
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
		/// Every fragment of a repaired miner was assigned to another miner. An exiting miner
		/// keeps each copy until [`Event::FragmentHandedOver`].
		MinerRepaired {
			/// The miner.
			miner: T::AccountId,
		},
		/// The new holder of a fragment moved away from an exiting miner confirmed it: the
		/// exiting miner no longer holds it (its list entry and used space are released; it
		/// may delete its copy).
		FragmentHandedOver {
			/// The file.
			file: FileHash,
			/// The fragment's index in the file.
			index: FragmentIndex,
			/// The miner that held it and leaves.
			from: T::AccountId,
			/// The miner that holds it now.
			to: T::AccountId,
		},
		/// No miner confirmed a fragment moved away from an exiting miner in time: the exiting
		/// miner holds it again (stored, audited) and its repair is queued again.
		RepairGivenBack {
			/// The file.
			file: FileHash,
			/// The fragment's index in the file.
			index: FragmentIndex,
			/// The exiting miner, which holds it again.
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
		/// Two fragments of the declaration have the same root. A miner stores a root once, so
		/// a repeated root would be paid as space nobody uses; the codec pads segments with
		/// key stream, so an honest file never repeats one.
		DuplicateFragmentRoot,
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
		/// `(fragment index, root)` pairs. The roots are checked against the declaration (a
		/// file's roots are distinct, [`Error::DuplicateFragmentRoot`]).
		///
		/// Commits the miner's space and adds the fragments to its audited list. The file becomes
		/// active with its last confirmation, and the held fees go to the miners' pot. A
		/// repaired fragment moved away from an exiting miner is handed over: the exiting
		/// miner's copy leaves its list and its used space ([`Event::FragmentHandedOver`]).
		///
		/// Charged for a hand-over per fragment; what was not handed over is refunded.
		#[pallet::call_index(1)]
		#[pallet::weight({
			let count = fragments.len() as u32;
			Pallet::<T>::confirm_weight(count, count)
		})]
		pub fn confirm_stored(
			origin: OriginFor<T>,
			file_hash: FileHash,
			fragments: ConfirmationsOf<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let handed_over = Self::do_confirm(&who, file_hash, &fragments)?;
			Ok(Some(Self::confirm_weight(fragments.len() as u32, handed_over)).into())
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
