//! # Storage miner pallet
//!
//! Storage miners are the storage resources of CESS: accounts that run a storage node (a libp2p
//! peer of the `cess-dht` network), declare how much space they offer, and back it with
//! collateral. This pallet keeps their registry, their collateral and their space accounting;
//! the file bank places fragments on them, the audit pallet punishes them and the incentive
//! pallet rewards them, all through the [`StorageMiners`] trait.
//!
//! ## Lifecycle
//!
//! ```text
//!  register ──► Active ◄──────────────┐ increase_collateral / increase_space / decrease_space
//!                 │  │ slash below     │ (collateral back at the requirement)
//!                 │  └──► Frozen ──────┘
//!    prepare_exit │         │ prepare_exit
//!                 ▼         ▼
//!               Exiting { unlock_at } ──── withdraw (after the cooldown, no space in use) ──► gone
//! ```
//!
//! - **Active**: takes new fragments; the only state in the sampling index.
//! - **Frozen**: a slash left the collateral below the requirement. The miner keeps, serves and
//!   is audited on its fragments, but takes no new ones until `increase_collateral` (or a space
//!   change) brings the collateral back to the requirement.
//! - **Exiting**: after `prepare_exit`. No new fragments; [`Config::OnMinerExit`] (the file
//!   bank) moves the miner's fragments to other miners. The miner stays a holder of each fragment
//!   — listed, audited, its space used — until the fragment's new holder confirms it; only then
//!   is the space released. The miner can still be slashed during the cooldown.
//! - **Exited**: `withdraw`, from block `unlock_at = prepare_exit block + ExitCooldown` on and
//!   only once no space is used or locked (every fragment handed over) and no audit challenge is
//!   open, returns what is left of the collateral, unbinds the PeerId and removes the record.
//!   The account may register again.
//!
//! ## Punishment cannot be escaped by leaving
//!
//! [`Config::Obligations`] (pallet-audit in the runtime) says what a miner still owes the
//! audit. `prepare_exit` is refused while the miner has strikes ([`Error::OpenStrikes`]: failed
//! rounds not yet cleared by `passes_to_clear` passes in a row, nor punished) or a challenge not
//! judged yet ([`Error::UnjudgedChallenge`]): a miner one failure short of its punishment cannot
//! leave to avoid it. It clears its strikes by passing rounds, or is punished. While exiting it
//! keeps its copies and is audited on them (above); `withdraw` waits for its last challenge to
//! be judged, and strikes it earned meanwhile cost their share of the punishment,
//! `slash × strikes / strike_limit` of the collateral ([`SlashReason::StrikesAtExit`]).
//!
//! ## Beneficiaries consent
//!
//! A miner's rewards go to its beneficiary, and the vested share of each payout is frozen on the
//! beneficiary's account (pallet-incentive). An account other than the miner's own is only
//! *proposed* (`register`, `update_beneficiary`; [`Event::BeneficiaryProposed`],
//! [`PendingBeneficiaries`]) and becomes the beneficiary when it calls `accept_beneficiary`;
//! until then the rewards go to the current beneficiary (the miner itself after registration).
//! Nobody can make an account receive, and vest, rewards it did not ask for (vesting griefing:
//! with a full tranche list, every claim merged into the payee's newest tranche and restarted
//! it). The miner's own account, or its current beneficiary, takes effect at once.
//!
//! ## Units and formulas
//!
//! - Space is counted in **bytes** as `u64` per miner (16 EiB), and as `u128` in the totals.
//! - `free = declared - used - locked`, with the invariant `used + locked <= declared`.
//! - Collateral requirement: `required(declared) = CollateralPerTiB × ⌈declared / 2^40⌉`. Every
//!   started TiB is charged in full, which makes tiny miners (and a bloated sampling index)
//!   expensive. Collateral above the requirement is a buffer against slashes; it is never
//!   released before `withdraw`.
//! - `register` holds exactly `required(declared)`; `increase_space` holds
//!   `required(new declared) - collateral` when positive.
//! - `slash(fraction)` takes `fraction × collateral` (rounded down) from the hold.
//! - `CollateralPerTiB` and `ExitCooldown` are storage values set by the genesis config, falling
//!   back to [`Config::DefaultCollateralPerTiB`] and [`Config::DefaultExitCooldown`].
//!
//! ## PeerId binding
//!
//! A miner proves it controls its libp2p node key (ed25519) by a signature of that key over
//! `b"cess/sminer/bind-peer" ‖ SCALE(account id)`, verified with `sp_io::crypto::ed25519_verify`.
//! The stored PeerId is derived exactly as libp2p derives it from an ed25519 key: the identity
//! multihash of the protobuf-encoded public key, `[0x00, 0x24, 0x08, 0x01, 0x12, 0x20] ‖ key`
//! (38 bytes; [`PeerId`]). A PeerId is bound to at most one miner at a time.
//!
//! ## Sampling
//!
//! Fragments are placed on miners drawn at random with probability proportional to their free
//! space, with bounded work and no list of all miners in one storage value. Active miners with
//! free space sit in 64 buckets, bucket `b` holding free space in `[2^b, 2^(b+1))`, each bucket a
//! dense map `index → miner` (swap-remove on leave). A draw picks a bucket with weight
//! `len(b) × 2^(b+1)` (from one 256-byte storage value), a uniform member of it, and accepts it
//! with probability `free / 2^(b+1)` (≥ 1/2): each attempt returns miner `m` with probability
//! `free(m) / Σ len(b) × 2^(b+1)`, exactly proportional to free space. Attempts are capped at
//! `count × SamplingAttemptsPerMiner`. A miner moves between buckets only when its free space
//! crosses a power of two.
//!
//! ## Calls
//!
//! `register`, `increase_collateral`, `update_peer`, `increase_space`, `decrease_space`,
//! `update_beneficiary`, `accept_beneficiary`, `renounce_beneficiary`, `prepare_exit`,
//! `withdraw`: see [`Call`].

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod collateral;
#[cfg(test)]
mod mock;
mod records;
mod registration;
mod sampling;
mod storage_miners;
#[cfg(test)]
mod tests;
pub mod traits;
#[cfg(any(test, feature = "try-runtime", feature = "runtime-benchmarks"))]
mod try_state;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use traits::{AuditObligations, MinersPage, OnMinerExit, StorageMiners};
pub use types::*;
pub use weights::WeightInfo;

use frame_support::{
	traits::{fungible, Get},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, StaticLookup, Zero};

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::sminer";

/// Balance of the currency that backs collateral.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// An account id or one of its lookup forms (call parameters).
pub type AccountIdLookupOf<T> = <<T as frame_system::Config>::Lookup as StaticLookup>::Source;

/// A slashed amount on its way to [`Config::Slashed`].
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;

/// The accounting record of a miner in this runtime.
pub type MinerInfoOf<T> =
	MinerInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

/// One multiaddress in its binary form.
pub type MultiaddrOf<T> = BoundedVec<u8, <T as Config>::MaxMultiaddrLen>;

/// The multiaddresses a miner announces.
pub type MultiaddrsOf<T> = BoundedVec<MultiaddrOf<T>, <T as Config>::MaxMultiaddrs>;

/// How to reach a miner in this runtime.
pub type PeerInfoOf<T> = PeerInfo<MultiaddrsOf<T>>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{BalancedHold, Mutate, MutateHold},
			tokens::Precision,
			OnUnbalanced,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_core::ed25519;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	/// Storage miners: registry, collateral, space accounting, slashing and exit.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency in which collateral is held (the chain's native token).
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason: From<HoldReason>>
			+ BalancedHold<Self::AccountId>;

		/// Receives slashed collateral (the runtime routes it to the treasury).
		type Slashed: OnUnbalanced<CreditOf<Self>>;

		/// Moves the fragments of an exiting miner to other miners (the file bank).
		type OnMinerExit: OnMinerExit<Self::AccountId>;

		/// What a miner still owes the audit (strikes, a challenge not judged yet), asked by
		/// `prepare_exit` and `withdraw` (pallet-audit, through a runtime adapter).
		type Obligations: AuditObligations<Self::AccountId>;

		/// Collateral per declared TiB when the genesis config does not set one.
		#[pallet::constant]
		type DefaultCollateralPerTiB: Get<BalanceOf<Self>>;

		/// Blocks between `prepare_exit` and `withdraw` when the genesis config does not set it.
		#[pallet::constant]
		type DefaultExitCooldown: Get<BlockNumberFor<Self>>;

		/// Most multiaddresses a miner may announce.
		#[pallet::constant]
		type MaxMultiaddrs: Get<u32>;

		/// Longest multiaddress, in bytes of its binary form.
		#[pallet::constant]
		type MaxMultiaddrLen: Get<u32>;

		/// Attempts per requested miner in [`StorageMiners::sample_miners`].
		#[pallet::constant]
		type SamplingAttemptsPerMiner: Get<u32>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Collateral of a storage miner.
		#[codec(index = 0)]
		MinerCollateral,
	}

	/// Accounting record of every registered miner.
	#[pallet::storage]
	pub type Miners<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, MinerInfoOf<T>, OptionQuery>;

	/// PeerId and addresses of every registered miner.
	#[pallet::storage]
	pub type Peers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, PeerInfoOf<T>, OptionQuery>;

	/// Beneficiaries proposed by a miner and not accepted yet: `miner → proposed account`. The
	/// miner's rewards go to its current beneficiary (its own account at registration) until the
	/// proposed account calls `accept_beneficiary`.
	#[pallet::storage]
	pub type PendingBeneficiaries<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId, OptionQuery>;

	/// Reverse index: the miner each bound PeerId belongs to.
	#[pallet::storage]
	pub type PeerOwners<T: Config> =
		StorageMap<_, Blake2_128Concat, PeerId, T::AccountId, OptionQuery>;

	/// Counters over all registered miners.
	#[pallet::storage]
	pub type Totals<T: Config> = StorageValue<_, SpaceTotals, ValueQuery>;

	/// Collateral per declared TiB (genesis parameter).
	#[pallet::storage]
	pub type CollateralPerTiB<T: Config> =
		StorageValue<_, BalanceOf<T>, ValueQuery, CollateralPerTiBDefault<T>>;

	/// Blocks between `prepare_exit` and `withdraw` (genesis parameter).
	#[pallet::storage]
	pub type ExitCooldown<T: Config> =
		StorageValue<_, BlockNumberFor<T>, ValueQuery, ExitCooldownDefault<T>>;

	/// Default of [`CollateralPerTiB`].
	#[pallet::type_value]
	pub fn CollateralPerTiBDefault<T: Config>() -> BalanceOf<T> {
		T::DefaultCollateralPerTiB::get()
	}

	/// Default of [`ExitCooldown`].
	#[pallet::type_value]
	pub fn ExitCooldownDefault<T: Config>() -> BlockNumberFor<T> {
		T::DefaultExitCooldown::get()
	}

	/// Sampling index: number of miners in each free-space bucket.
	#[pallet::storage]
	pub type BucketLens<T: Config> = StorageValue<_, BucketLengths, ValueQuery>;

	/// Sampling index: `(bucket, position) → miner`, dense in `0..len(bucket)`.
	#[pallet::storage]
	pub type BucketMembers<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u8, Twox64Concat, u32, T::AccountId, OptionQuery>;

	/// Sampling index: where each indexed miner sits, `(bucket, position)`.
	#[pallet::storage]
	pub type SamplingSlots<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (u8, u32), OptionQuery>;

	/// Genesis configuration: chain parameters and, for development chains, initial miners.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Collateral per declared TiB; `None` keeps [`Config::DefaultCollateralPerTiB`].
		pub collateral_per_tib: Option<BalanceOf<T>>,
		/// Exit cooldown in blocks; `None` keeps [`Config::DefaultExitCooldown`].
		pub exit_cooldown: Option<BlockNumberFor<T>>,
		/// Miners registered at genesis: `(account, ed25519 public key of its libp2p node,
		/// declared space in bytes)`. Each is its own beneficiary and announces no address; its
		/// collateral is held from its genesis balance. No signature: the chain spec is trusted.
		pub miners: Vec<(T::AccountId, [u8; 32], u64)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(collateral_per_tib) = self.collateral_per_tib {
				CollateralPerTiB::<T>::put(collateral_per_tib);
			}
			if let Some(exit_cooldown) = self.exit_cooldown {
				ExitCooldown::<T>::put(exit_cooldown);
			}
			// A chain spec is operator input: a bad miner entry stops genesis with a message
			// instead of building a chain without it.
			for (account, peer_key, declared_space) in &self.miners {
				let peer_id = PeerId::from_ed25519(&ed25519::Public::from_raw(*peer_key));
				Pallet::<T>::check_new_miner(account, &peer_id, *declared_space)
					.and_then(|()| {
						Pallet::<T>::do_register(
							account,
							account.clone(),
							peer_id,
							Default::default(),
							*declared_space,
						)
					})
					.unwrap_or_else(|e| panic!("sminer genesis miner {account:?}: {e:?}"));
			}
		}
	}

	/// Events of the pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A miner registered and its collateral was held.
		Registered {
			/// The new miner.
			miner: T::AccountId,
			/// Receives its rewards: the miner itself until the beneficiary it proposed (if any,
			/// [`Event::BeneficiaryProposed`]) accepts.
			beneficiary: T::AccountId,
			/// The PeerId of its storage node.
			peer_id: PeerId,
			/// Bytes offered.
			declared_space: u64,
			/// Collateral held.
			collateral: BalanceOf<T>,
		},
		/// A miner added to its collateral.
		CollateralIncreased {
			/// The miner.
			miner: T::AccountId,
			/// Collateral added.
			amount: BalanceOf<T>,
			/// Collateral now held.
			collateral: BalanceOf<T>,
		},
		/// A miner bound a (possibly new) PeerId and announced new addresses.
		PeerUpdated {
			/// The miner.
			miner: T::AccountId,
			/// The PeerId now bound to it.
			peer_id: PeerId,
		},
		/// A miner declared more space.
		SpaceIncreased {
			/// The miner.
			miner: T::AccountId,
			/// Bytes now offered.
			declared_space: u64,
			/// Collateral now held.
			collateral: BalanceOf<T>,
		},
		/// A miner declared less space.
		SpaceDecreased {
			/// The miner.
			miner: T::AccountId,
			/// Bytes now offered.
			declared_space: u64,
		},
		/// A miner's rewards now go to another account.
		BeneficiaryUpdated {
			/// The miner.
			miner: T::AccountId,
			/// Receives its rewards from now on.
			beneficiary: T::AccountId,
		},
		/// A miner proposed an account as its beneficiary; its rewards go there once that account
		/// accepts (`accept_beneficiary`), to the current beneficiary until then.
		BeneficiaryProposed {
			/// The miner.
			miner: T::AccountId,
			/// The proposed account.
			beneficiary: T::AccountId,
		},
		/// A slash left a miner's collateral below the requirement: it takes no new fragments.
		Frozen {
			/// The miner.
			miner: T::AccountId,
			/// Collateral left.
			collateral: BalanceOf<T>,
			/// Collateral its declared space requires.
			required: BalanceOf<T>,
		},
		/// A frozen miner's collateral is back at the requirement: it takes fragments again.
		Unfrozen {
			/// The miner.
			miner: T::AccountId,
		},
		/// A miner announced its exit.
		ExitPrepared {
			/// The miner.
			miner: T::AccountId,
			/// First block it may withdraw in.
			unlock_at: BlockNumberFor<T>,
		},
		/// A miner left: its collateral was returned and its record removed.
		Exited {
			/// The former miner.
			miner: T::AccountId,
			/// Collateral returned.
			collateral: BalanceOf<T>,
		},
		/// Part of a miner's collateral was slashed.
		Slashed {
			/// The miner.
			miner: T::AccountId,
			/// Collateral taken.
			amount: BalanceOf<T>,
			/// Why.
			reason: SlashReason,
		},
		/// Space was reserved on a miner for an assigned fragment.
		SpaceLocked {
			/// The miner.
			miner: T::AccountId,
			/// Bytes reserved.
			bytes: u64,
		},
		/// Reserved space was returned to a miner's free space.
		SpaceUnlocked {
			/// The miner.
			miner: T::AccountId,
			/// Bytes returned.
			bytes: u64,
		},
		/// Reserved space became used space: the miner confirmed a fragment.
		SpaceCommitted {
			/// The miner.
			miner: T::AccountId,
			/// Bytes committed.
			bytes: u64,
		},
		/// Used space was returned to a miner's free space.
		SpaceReleased {
			/// The miner.
			miner: T::AccountId,
			/// Bytes returned.
			bytes: u64,
		},
	}

	/// Errors of the pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a registered miner.
		AlreadyRegistered,
		/// The account is not a registered miner.
		NotRegistered,
		/// Declared space must be more than zero bytes.
		ZeroSpace,
		/// The amount (of balance or bytes) must be more than zero.
		ZeroAmount,
		/// The signature does not prove that the peer key signed the binding to this account.
		InvalidPeerSignature,
		/// The PeerId is bound to another miner.
		PeerIdInUse,
		/// A multiaddress is empty.
		EmptyMultiaddr,
		/// The account cannot hold that much collateral (free balance too low).
		InsufficientBalance,
		/// The miner is exiting: this is no longer possible.
		MinerExiting,
		/// The miner has already announced its exit.
		AlreadyExiting,
		/// `withdraw` needs `prepare_exit` first.
		NotExiting,
		/// The exit cooldown has not elapsed.
		CooldownNotElapsed,
		/// The miner still uses or reserves space: its fragments have not all been moved.
		SpaceStillInUse,
		/// Declared space cannot go below used plus locked space.
		SpaceBelowUsage,
		/// Declared space would overflow `u64`.
		SpaceOverflow,
		/// The miner is not `Active`, so it cannot take new fragments.
		MinerNotActive,
		/// The miner has less free space than requested.
		InsufficientFreeSpace,
		/// The miner has less locked space than requested.
		InsufficientLockedSpace,
		/// The miner has less used space than requested.
		InsufficientUsedSpace,
		/// The miner has strikes from failed audit rounds: it cannot start an exit until they
		/// are cleared (by passing `passes_to_clear` rounds in a row) or punished.
		OpenStrikes,
		/// The miner has an audit challenge that is not judged yet: answer it (or wait for its
		/// deadline to pass) first.
		UnjudgedChallenge,
		/// The caller is not the beneficiary this miner proposed (or the miner proposed none).
		NotProposedBeneficiary,
		/// The caller is not this miner's beneficiary (or is the miner itself).
		NotCurrentBeneficiary,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxMultiaddrs::get() > 0, "MaxMultiaddrs must be at least 1");
			assert!(T::MaxMultiaddrLen::get() > 0, "MaxMultiaddrLen must be at least 1");
			assert!(
				T::SamplingAttemptsPerMiner::get() > 0,
				"SamplingAttemptsPerMiner must be at least 1"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers the caller as a storage miner.
		///
		/// - `beneficiary`: receives the miner's rewards. Another account than the caller is only
		///   proposed: it must accept with `accept_beneficiary`, and the rewards go to the caller
		///   until then (nobody can be made to receive, and vest, rewards it did not ask for).
		/// - `peer_public`, `peer_signature`: the ed25519 public key of the miner's libp2p node
		///   and its signature over `b"cess/sminer/bind-peer" ‖ SCALE(caller)`.
		/// - `multiaddrs`: addresses of the node, binary multiaddr form.
		/// - `declared_space`: bytes offered.
		///
		/// Holds `CollateralPerTiB × ⌈declared_space / TiB⌉` from the caller. The miner starts
		/// `Active`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			beneficiary: AccountIdLookupOf<T>,
			peer_public: ed25519::Public,
			peer_signature: ed25519::Signature,
			multiaddrs: MultiaddrsOf<T>,
			#[pallet::compact] declared_space: u64,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let beneficiary = T::Lookup::lookup(beneficiary)?;
			// Cheap checks first; the signature verification last.
			Self::check_new_miner(&who, &PeerId::from_ed25519(&peer_public), declared_space)?;
			Self::check_multiaddrs(&multiaddrs)?;
			let peer_id = Self::verify_peer(&who, &peer_public, &peer_signature)?;
			Self::do_register(&who, who.clone(), peer_id, multiaddrs, declared_space)?;
			if beneficiary != who {
				Self::propose_beneficiary(&who, beneficiary);
			}
			Ok(())
		}

		/// Adds `amount` to the caller's collateral. A `Frozen` miner whose collateral reaches
		/// the requirement becomes `Active`. Not allowed while exiting.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::increase_collateral())]
		pub fn increase_collateral(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let old = Self::miner(&who)?;
			ensure!(!old.is_exiting(), Error::<T>::MinerExiting);
			Self::hold(&who, amount)?;
			let mut new = old.clone();
			new.collateral = new.collateral.saturating_add(amount);
			let unfrozen = Self::unfreeze_if_covered(&mut new);
			Self::write_miner(&who, Some(&old), Some(new.clone()));
			Self::deposit_event(Event::CollateralIncreased {
				miner: who.clone(),
				amount,
				collateral: new.collateral,
			});
			if unfrozen {
				Self::deposit_event(Event::Unfrozen { miner: who });
			}
			Ok(())
		}

		/// Binds the caller to a (possibly new) libp2p key and replaces its addresses. The key
		/// signs the same message as in `register`. Allowed in every state: an exiting miner
		/// still serves its fragments.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::update_peer())]
		pub fn update_peer(
			origin: OriginFor<T>,
			peer_public: ed25519::Public,
			peer_signature: ed25519::Signature,
			multiaddrs: MultiaddrsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let old = Peers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			Self::check_multiaddrs(&multiaddrs)?;
			let peer_id = Self::verify_peer(&who, &peer_public, &peer_signature)?;
			if old.peer_id != peer_id {
				ensure!(!PeerOwners::<T>::contains_key(peer_id), Error::<T>::PeerIdInUse);
				PeerOwners::<T>::remove(old.peer_id);
				PeerOwners::<T>::insert(peer_id, &who);
			}
			Peers::<T>::insert(&who, PeerInfo { peer_id, multiaddrs });
			Self::deposit_event(Event::PeerUpdated { miner: who, peer_id });
			Ok(())
		}

		/// Declares `additional` more bytes and holds the collateral the new size requires
		/// beyond what is held. Not allowed while exiting; unfreezes a `Frozen` miner, whose
		/// collateral ends at the requirement.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::increase_space())]
		pub fn increase_space(
			origin: OriginFor<T>,
			#[pallet::compact] additional: u64,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(additional > 0, Error::<T>::ZeroAmount);
			let old = Self::miner(&who)?;
			ensure!(!old.is_exiting(), Error::<T>::MinerExiting);
			let declared_space =
				old.declared_space.checked_add(additional).ok_or(Error::<T>::SpaceOverflow)?;
			let top_up = Self::required_collateral(declared_space).saturating_sub(old.collateral);
			Self::hold(&who, top_up)?;
			let mut new = old.clone();
			new.declared_space = declared_space;
			new.collateral = new.collateral.saturating_add(top_up);
			let unfrozen = Self::unfreeze_if_covered(&mut new);
			Self::write_miner(&who, Some(&old), Some(new.clone()));
			Self::deposit_event(Event::SpaceIncreased {
				miner: who.clone(),
				declared_space,
				collateral: new.collateral,
			});
			if unfrozen {
				Self::deposit_event(Event::Unfrozen { miner: who });
			}
			Ok(())
		}

		/// Declares `reduction` fewer bytes; never below used plus locked space, never to zero.
		/// Collateral stays held (a buffer against slashes, returned at `withdraw`); a `Frozen`
		/// miner whose collateral now covers the requirement becomes `Active`. Not allowed while
		/// exiting.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::decrease_space())]
		pub fn decrease_space(
			origin: OriginFor<T>,
			#[pallet::compact] reduction: u64,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(reduction > 0, Error::<T>::ZeroAmount);
			let old = Self::miner(&who)?;
			ensure!(!old.is_exiting(), Error::<T>::MinerExiting);
			let declared_space =
				old.declared_space.checked_sub(reduction).ok_or(Error::<T>::SpaceBelowUsage)?;
			ensure!(
				declared_space >= old.used_space.saturating_add(old.locked_space),
				Error::<T>::SpaceBelowUsage
			);
			ensure!(declared_space > 0, Error::<T>::ZeroSpace);
			let mut new = old.clone();
			new.declared_space = declared_space;
			let unfrozen = Self::unfreeze_if_covered(&mut new);
			Self::write_miner(&who, Some(&old), Some(new));
			Self::deposit_event(Event::SpaceDecreased { miner: who.clone(), declared_space });
			if unfrozen {
				Self::deposit_event(Event::Unfrozen { miner: who });
			}
			Ok(())
		}

		/// Sends the caller's future rewards to `beneficiary`. Allowed in every state.
		///
		/// The caller's own account, or its current beneficiary, takes effect at once (and drops
		/// any proposal). Any other account is only proposed ([`Event::BeneficiaryProposed`]):
		/// the rewards keep going to the current beneficiary until the proposed account calls
		/// `accept_beneficiary`. A new proposal replaces the previous one.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::update_beneficiary())]
		pub fn update_beneficiary(
			origin: OriginFor<T>,
			beneficiary: AccountIdLookupOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let beneficiary = T::Lookup::lookup(beneficiary)?;
			let current = Self::miner(&who)?.beneficiary;
			if beneficiary == who || beneficiary == current {
				// No consent needed: the miner's own account, or the one that already accepted.
				PendingBeneficiaries::<T>::remove(&who);
				Miners::<T>::try_mutate(&who, |info| -> DispatchResult {
					let info = info.as_mut().ok_or(Error::<T>::NotRegistered)?;
					info.beneficiary = beneficiary.clone();
					Ok(())
				})?;
				Self::deposit_event(Event::BeneficiaryUpdated { miner: who, beneficiary });
			} else {
				Self::propose_beneficiary(&who, beneficiary);
			}
			Ok(())
		}

		/// Accepts to receive the rewards of `miner`, which proposed the caller as its
		/// beneficiary (`register` or `update_beneficiary`). From now on the miner's rewards, and
		/// the vesting of their vested share, go to the caller.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::accept_beneficiary())]
		pub fn accept_beneficiary(
			origin: OriginFor<T>,
			miner: AccountIdLookupOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let miner = T::Lookup::lookup(miner)?;
			ensure!(
				PendingBeneficiaries::<T>::get(&miner).as_ref() == Some(&who),
				Error::<T>::NotProposedBeneficiary
			);
			Miners::<T>::try_mutate(&miner, |info| -> DispatchResult {
				let info = info.as_mut().ok_or(Error::<T>::NotRegistered)?;
				info.beneficiary = who.clone();
				Ok(())
			})?;
			PendingBeneficiaries::<T>::remove(&miner);
			Self::deposit_event(Event::BeneficiaryUpdated { miner, beneficiary: who });
			Ok(())
		}

		/// Withdraws the caller's consent to receive the rewards of `miner`: from now on they,
		/// and the vesting of their vested share, go to the miner's own account, so that a
		/// beneficiary that accepted once cannot have its vesting extended for ever after.
		/// (Weighed as [`Pallet::accept_beneficiary`]: the same record read and written.)
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::accept_beneficiary())]
		pub fn renounce_beneficiary(
			origin: OriginFor<T>,
			miner: AccountIdLookupOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let miner = T::Lookup::lookup(miner)?;
			Miners::<T>::try_mutate(&miner, |info| -> DispatchResult {
				let info = info.as_mut().ok_or(Error::<T>::NotRegistered)?;
				ensure!(info.beneficiary == who && who != miner, Error::<T>::NotCurrentBeneficiary);
				info.beneficiary = miner.clone();
				Ok(())
			})?;
			Self::deposit_event(Event::BeneficiaryUpdated {
				miner: miner.clone(),
				beneficiary: miner,
			});
			Ok(())
		}

		/// Announces the caller's exit: it takes no new fragments, the file bank is told to move
		/// its fragments elsewhere, and `withdraw` becomes possible after `ExitCooldown` blocks.
		///
		/// Refused while the caller has strikes ([`Error::OpenStrikes`]) or an audit challenge
		/// not judged yet ([`Error::UnjudgedChallenge`]): a miner cannot leave to escape a
		/// punishment it is heading for. Strikes do not stop a miner that holds nothing (no
		/// space used or locked): it is never challenged again, so they could never clear, and
		/// it has nothing to escape with — they are charged at [`Pallet::withdraw`]. The file
		/// bank keeps the miner a holder of each fragment (listed, audited, its space used) until
		/// the fragment's new holder confirms it.
		#[pallet::call_index(6)]
		#[pallet::weight(
			T::WeightInfo::prepare_exit()
				.saturating_add(T::Obligations::weight())
				.saturating_add(T::OnMinerExit::weight())
		)]
		pub fn prepare_exit(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let old = Self::miner(&who)?;
			ensure!(!old.is_exiting(), Error::<T>::AlreadyExiting);
			ensure!(!T::Obligations::has_open_challenge(&who), Error::<T>::UnjudgedChallenge);
			let holds_nothing = old.used_space == 0 && old.locked_space == 0;
			ensure!(holds_nothing || T::Obligations::strikes(&who) == 0, Error::<T>::OpenStrikes);
			let unlock_at =
				frame_system::Pallet::<T>::block_number().saturating_add(ExitCooldown::<T>::get());
			let mut new = old.clone();
			new.state = MinerState::Exiting { unlock_at };
			Self::write_miner(&who, Some(&old), Some(new));
			T::OnMinerExit::on_miner_exit(&who);
			Self::deposit_event(Event::ExitPrepared { miner: who, unlock_at });
			Ok(())
		}

		/// Ends an exit: after the cooldown, once no space is used or locked (every fragment's
		/// new holder confirmed it) and no audit challenge is open, returns what is left of the
		/// collateral, unbinds the PeerId and removes the miner's record.
		///
		/// Strikes the miner earned while leaving (its fragments are audited until they are
		/// handed over) cost their share of the punishment first: `slash × strikes /
		/// strike_limit` of the collateral ([`SlashReason::StrikesAtExit`]).
		#[pallet::call_index(7)]
		#[pallet::weight(
			T::WeightInfo::withdraw()
				.saturating_add(T::Obligations::weight())
				.saturating_add(T::WeightInfo::slash())
		)]
		pub fn withdraw(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let old = Self::miner(&who)?;
			let MinerState::Exiting { unlock_at } = old.state else {
				return Err(Error::<T>::NotExiting.into());
			};
			ensure!(
				frame_system::Pallet::<T>::block_number() >= unlock_at,
				Error::<T>::CooldownNotElapsed
			);
			ensure!(old.used_space == 0 && old.locked_space == 0, Error::<T>::SpaceStillInUse);
			ensure!(!T::Obligations::has_open_challenge(&who), Error::<T>::UnjudgedChallenge);
			let owed = T::Obligations::settle_strikes(&who);
			if !owed.is_zero() {
				Self::do_slash(&who, owed, SlashReason::StrikesAtExit)?;
			}
			let old = Self::miner(&who)?;
			let collateral = T::Currency::release_all(
				&HoldReason::MinerCollateral.into(),
				&who,
				Precision::BestEffort,
			)?;
			if let Some(peer) = Peers::<T>::take(&who) {
				PeerOwners::<T>::remove(peer.peer_id);
			}
			PendingBeneficiaries::<T>::remove(&who);
			Self::write_miner(&who, Some(&old), None);
			Self::deposit_event(Event::Exited { miner: who, collateral });
			Ok(())
		}
	}
}
