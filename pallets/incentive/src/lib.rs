//! # Incentive: era issuance and rewards for storage miners, validators and the treasury
//!
//! The incentive layer of CESS. Every era the pallet mints a scheduled issuance, adds the
//! storage fees paid during the era, and divides the result between the storage miners (by
//! contribution), the active validators (by work) and the treasury, the community development
//! fund spent by the DAO. Earners claim their rewards; a share of every payout vests linearly.
//!
//! ## Eras and issuance
//!
//! An era is [`RewardParams::era_length`] blocks. Era `0` starts at genesis; the era in progress
//! is [`CurrentEra`]. At the first block of a new era (`on_initialize`) the pallet
//! closes the era that ended:
//!
//! - it mints `I(e)`, the [`EraIssuance`], into its pot account ([`Pallet::pot_account`]);
//! - it splits it by [`RewardParams::split`]: `M = ⌊s_m · I⌋`, `V = ⌊s_v · I⌋`,
//!   `T = I − M − V` (the treasury receives the rounding of the split);
//! - the miners' pot is `M + F`, `F` the storage fees deposited during the era;
//! - after every [`RewardParams::eras_per_year`] eras the issuance decays:
//!   `I ← ⌊(1 − d) · I⌋`, `d` = [`RewardParams::yearly_decay`]. So with `n` eras a year,
//!   `I(e) = I(0) · (1 − d)^⌊e / n⌋` (each step rounded down).
//!
//! ## Miner rewards
//!
//! Storage miners earn for three kinds of contribution, reported through [`ContributionSink`]:
//!
//! - service space `sᵢ` and idle space `dᵢ`: at every audit a miner *passes*, its current
//!   service (used) and idle (declared − used − locked) space, read through [`MinerSpace`], is
//!   added to its era record. Space thus earns only at a passed audit, in proportion to the
//!   time it is held (audit rounds are periodic);
//! - bandwidth `bᵢ`: the bytes of fragments it received and confirmed on chain.
//!
//! ### Idle space earns only for miners whose service is audited
//!
//! pallet-audit challenges only the miners that store fragments. A miner whose declared space
//! is all idle is never challenged, never passes an audit, and so earns no idle reward: unproven
//! declared space is not paid. This is deliberate. The chain has no proof of idle space (the
//! original CESS design fills idle space with generated filler files and proves them; this
//! chain does not), so an idle declaration is only a claim backed by collateral. Paying it on
//! its own would pay anyone who locks collateral and declares space without keeping a byte.
//! Counting it only at an audit that proves the miner keeps what it was given ties the idle
//! reward to a miner that really serves; even then the idle bytes themselves are a declaration,
//! which is why their weight `w_d` is small (production: 10 of 100).
//!
//! An idle miner is not shut out: the file bank places fragments on miners drawn with a
//! probability proportional to their free space, so a miner that offers space receives
//! fragments, is challenged in the audit rounds that follow, and from then on earns for its
//! service and its idle space. Two other mechanisms were rejected: sampling every registered
//! miner's declared space each era pays unverifiable declarations and is a walk over all
//! miners; challenging idle space would need a proof-of-idle-space scheme (filler files, their
//! generation and verification), which is neither simple nor bounded here.
//!
//! A miner that *fails* an audit in an era earns no storage reward for that era: its record is
//! taken out of the era totals and ignored until the era ends.
//!
//! The miners' pot is divided into three sub-pots in proportion to the
//! [`RewardParams::miner_weights`] `w_s, w_d, w_b` of the components that have a non-zero total
//! (`S = Σ sᵢ`, `D = Σ dᵢ`, `B = Σ bᵢ` over the miners without a failed audit); the last
//! component receives the rounding. If no component has a total the pot goes to the treasury.
//! A miner without a failed audit is owed
//!
//! ```text
//! rᵢ = ⌊P_s · sᵢ / S⌋ + ⌊P_d · dᵢ / D⌋ + ⌊P_b · bᵢ / B⌋,   P_k = (M + F) · w_k / Σ w (active k)
//! ```
//!
//! except that the service and bandwidth sub-pots are capped (next section): `P_s ≤ C_s`,
//! `P_b ≤ C_b`, and what the caps keep back goes to the treasury.
//!
//! ### Self-dealing never pays
//!
//! An uploader may also be every miner of its own files (with many accounts), declare fragments
//! that need no disk (nothing on chain shows parity is the code of the data), pay the storage
//! fee and collect rewards. Uncapped, the service pot pays `P_s / S` per byte whatever `S`, so
//! on a small network the rewards exceed the fee many times. The pots are therefore capped by
//! the price uploaders pay ([`StoragePrice`], the file bank's price `φ` per GiB for a period of
//! `P` blocks, and its expiry overhang `o`):
//!
//! ```text
//! C_s = ⌊κ_s · φ · (S / R) · E / (GiB · P)⌋      C_b = ⌊κ_b · φ · B / GiB⌋
//! ```
//!
//! `κ_s` = [`RewardParams::service_cap`], `κ_b` = [`RewardParams::bandwidth_cap`], `E` the era
//! length, `R` the most audits one miner passed in the era. A miner passes at most one audit a
//! round, so its share `C_s · sᵢ / S ≤ κ_s · φ · xᵢ · E / P`, `xᵢ` the most bytes it proved in
//! the era: a byte earns at most `κ_s` of its era price per era, and `κ_b` of its period price
//! once for bandwidth, whoever else is on the network and whatever fills the pot (issuance,
//! its own fees or others'). A byte paid for one period is stored at most `P + o` blocks,
//! which meet at most `(P + o) / E + 2` eras, and cost its uploader at least `φ`; so the
//! parameters must satisfy
//!
//! ```text
//! κ_s · (P + o + 2E) + κ_b · P  ≤  (1 − ε) · P          ε = SELF_DEALING_MARGIN = 5 %
//! ```
//!
//! ([`RewardParams::check_self_dealing`]) and then a coalition holding any share of the space,
//! with no disk cost, loses at least `ε` of what it pays. Genesis refuses to build with
//! parameters that break it, and [`set_parameters`](Pallet::set_parameters) refuses them with
//! [`Error::SelfDealingWouldPay`]; the runtime checks the file bank's price against the reward
//! parameters at its genesis ([`Pallet::check_storage_terms`]). Production: `κ_s` = 80 %,
//! `κ_b` = 0. What the bound assumes: only bytes whose fee is paid and not refundable earn
//! (credit for fragments of pending files, which can still be refunded, is a separate defence),
//! and a file's fragments stop earning when its ownerships end (their removal is queued).
//!
//! ## Validator rewards
//!
//! pallet-authorship reports every block's author with its R²S credit score `c` (0 – 1000) at
//! that block. A validator's points are `pᵥ = Σ_blocks c` — blocks authored times the credit
//! factor `c / 1000`, scaled by 1000. With `P = Σ pᵥ` it is owed `rᵥ = ⌊V · pᵥ / P⌋`; if nobody
//! authored (`P = 0`) `V` goes to the treasury. An account that is both miner and validator
//! earns both.
//!
//! ## Claims
//!
//! Nothing is paid by iterating over earners. An earner calls
//! [`claim_rewards`](Pallet::claim_rewards): it is paid what it is owed for every closed era of
//! the claim window, the last [`Config::MaxUnclaimedEras`] eras, in one transfer from the pot to
//! its payee ([`RewardPayee`]: a miner's beneficiary). Eras older than the window expire.
//!
//! A payee receives a miner's rewards, and vests their vested share, only with its consent:
//! pallet-sminer makes an account a miner's beneficiary only once that account accepted
//! (`accept_beneficiary`), and pays the miner itself until then. So no one can add tranches to
//! an account that did not ask for them, and an account's vesting can be extended only by the
//! claims of miners it accepted (vesting griefing, `docs/security.md` A12).
//!
//! ## Vesting
//!
//! Of every payout `A`, `⌊v · A⌋` vests ([`RewardParams::vested_share`] `v`; CESS: 50 %) and the
//! rest is free at once. The whole amount is transferred; the vesting part stays frozen
//! ([`FreezeReason::Vesting`]) and is released linearly over [`RewardParams::vesting_period`]
//! blocks (CESS: 90 days). A tranche of `L` tokens vesting from `t₀` to `t₁` keeps
//! `⌈L · (t₁ − t) / (t₁ − t₀)⌉` frozen at block `t`. Each claim adds a tranche; an account keeps
//! at most [`Config::MaxVestingTranches`] of them: when full, the new tranche is merged into the
//! newest one, which then restarts with what it still held plus the new amount (a merge can only
//! delay a release, never advance it). The freeze is lowered by every claim and by
//! [`release_vested`](Pallet::release_vested). Frozen tokens still count for governance votes
//! (balance freezes and vote locks overlap).
//!
//! The pallet implements the release itself instead of using pallet-vesting: pallet-vesting
//! limits an account to a fixed number of schedules and makes `vested_transfer` fail when they
//! are full (a miner claiming every era would hit it), and it is built on the deprecated
//! `LockableCurrency`. A bounded tranche list with merging never fails a claim.
//!
//! ## No dust lost
//!
//! What an era's pot does not pay to earners goes to the treasury ([`Config::Treasury`]):
//!
//! - at the close of the era: the treasury share, and any sub-pot nobody can claim (no
//!   contribution of its kind);
//! - when the era leaves the claim window: its unpaid remainder — the rounding of every
//!   `⌊·⌋` above and the rewards that were not claimed in time ([`Event::EraExpired`]).
//!
//! So for every era `minted + fees = to_treasury_at_close + Σ claims + remainder_at_expiry`.
//!
//! ## Bounds
//!
//! A `note_*` report: one contribution record and one running total. A block that closes an
//! era: `O(1)`, plus at most [`MAX_EXPIRIES_PER_ERA`] expiring eras. A claim: `O(window)` reads
//! plus `O(MaxVestingTranches)`. Records of expired eras are removed in
//! `on_idle`, in steps that fit the block's spare weight. Nothing iterates over all
//! miners or validators.
//!
//! ## Interfaces
//!
//! See [`traits`]: [`ContributionSink`] (implemented by this pallet; called by audit, file bank
//! and authorship through runtime adapters), [`MinerSpace`] and [`RewardPayee`] (implemented by
//! the runtime over pallet-sminer). Storage fees arrive through this pallet's
//! [`OnUnbalanced`] implementation. [`fees::SplitCredit`] routes a share of fees to the
//! treasury.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

mod caps;
mod claims;
mod contributions;
mod eras;
pub mod fees;
mod pot;
pub mod traits;
#[cfg(any(feature = "try-runtime", test))]
mod try_state;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use traits::{ContributionSink, MinerSpace, RewardPayee, SpaceSnapshot, StoragePrice};
pub use types::{
	Contribution, EraIndex, EraReward, EraTotals, MinerWeights, ParamsError, RewardParams,
	RewardSplit, StorageTerms, VestingTranche, MAX_CREDIT, SELF_DEALING_MARGIN,
};
pub use weights::WeightInfo;

use frame_support::{
	traits::{
		fungible::{self, Balanced, Inspect, Mutate, MutateFreeze},
		tokens::Preservation,
		Get, OnUnbalanced,
	},
	weights::Weight,
	PalletId,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{One, Saturating, Zero},
	DispatchError, TokenError,
};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A fungible credit (minted or withdrawn tokens not yet in an account).
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;

/// The reward parameters of the runtime.
pub type ParamsOf<T> = RewardParams<BlockNumberFor<T>>;

/// A vesting tranche of the runtime.
pub type TrancheOf<T> = VestingTranche<BalanceOf<T>, BlockNumberFor<T>>;

/// The vesting tranches of one account.
pub type TranchesOf<T> = frame_support::BoundedVec<TrancheOf<T>, <T as Config>::MaxVestingTranches>;

/// At most this many eras expire when an era closes (one is the steady state; more only catch
/// up after [`Config::MaxUnclaimedEras`] was lowered).
pub const MAX_EXPIRIES_PER_ERA: u32 = 2;

/// At most this many records of expired eras are removed in one block.
pub const MAX_CLEANUP_PER_BLOCK: u32 = 1_000;

const LOG_TARGET: &str = "runtime::incentive";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	/// The pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The token: minted for the issuance, transferred to payees, frozen while vesting.
		type Currency: Mutate<Self::AccountId>
			+ Balanced<Self::AccountId>
			+ MutateFreeze<Self::AccountId, Id = Self::RuntimeFreezeReason>;

		/// The runtime's freeze reasons, which include this pallet's [`FreezeReason`].
		type RuntimeFreezeReason: From<FreezeReason>;

		/// Receives the treasury share of every era and every undistributed remainder (in the
		/// runtime: `ResolveTo<TreasuryAccount, Balances>`).
		type Treasury: OnUnbalanced<CreditOf<Self>>;

		/// The space of storage miners, sampled when they pass an audit.
		type MinerSpace: MinerSpace<Self::AccountId>;

		/// Who receives an earner's rewards.
		type Payee: RewardPayee<Self::AccountId>;

		/// What uploaders pay for storage: bounds what a stored byte may earn.
		type StoragePrice: StoragePrice<BalanceOf<Self>, BlockNumberFor<Self>>;

		/// Origin that may change the reward parameters and the era issuance (governance).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Derives the pot account, which holds minted rewards and storage fees until claimed.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// How many closed eras can be claimed; older ones expire.
		#[pallet::constant]
		type MaxUnclaimedEras: Get<u32>;

		/// Most vesting tranches kept per account.
		#[pallet::constant]
		type MaxVestingTranches: Get<u32>;

		/// Weights of the calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Why the pallet freezes funds.
	#[pallet::composite_enum]
	pub enum FreezeReason {
		/// The vesting share of claimed rewards, released linearly.
		#[codec(index = 0)]
		Vesting,
	}

	/// The era in progress.
	#[pallet::storage]
	pub type CurrentEra<T: Config> = StorageValue<_, EraIndex, ValueQuery>;

	/// The first block of the era in progress.
	#[pallet::storage]
	pub type CurrentEraStart<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The block at which the era in progress closes.
	#[pallet::storage]
	pub type NextEraAt<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Tokens minted when the era in progress closes (decays yearly).
	#[pallet::storage]
	pub type EraIssuance<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// The reward parameters.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, ParamsOf<T>, ValueQuery>;

	/// Eligible contribution totals of the era in progress.
	#[pallet::storage]
	pub type CurrentTotals<T: Config> = StorageValue<_, EraTotals, ValueQuery>;

	/// Storage fees deposited during the era in progress (held by the pot account).
	#[pallet::storage]
	pub type PendingStorageFees<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// What each account contributed in each era, until claimed or expired.
	#[pallet::storage]
	pub type Contributions<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EraIndex,
		Blake2_128Concat,
		T::AccountId,
		Contribution,
		OptionQuery,
	>;

	/// The pots of the closed eras within the claim window (eras that distributed nothing have
	/// no entry).
	#[pallet::storage]
	pub type EraRewards<T: Config> =
		StorageMap<_, Twox64Concat, EraIndex, EraReward<BalanceOf<T>>, OptionQuery>;

	/// Eras below this one have expired: their remainder went to the treasury.
	#[pallet::storage]
	pub type OldestUnexpiredEra<T: Config> = StorageValue<_, EraIndex, ValueQuery>;

	/// Eras below this one have no [`Contributions`] left.
	#[pallet::storage]
	pub type CleanupCursor<T: Config> = StorageValue<_, EraIndex, ValueQuery>;

	/// The vesting tranches of each payee, oldest first.
	#[pallet::storage]
	pub type Vesting<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, TranchesOf<T>, OptionQuery>;

	/// Genesis configuration: the chain spec's `incentive` section.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Tokens minted per era in the first year.
		pub era_issuance: BalanceOf<T>,
		/// The reward parameters (default: [`RewardParams::default`], the production values).
		pub params: ParamsOf<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// A chain spec is operator input: stop genesis with a message rather than build a
			// chain that cannot pay rewards.
			if let Err(error) = self.params.validate() {
				panic!("incentive.params are invalid: {error:?}");
			}
			// The storage price is read where it is kept (the file bank, whose genesis runs
			// after this one in the runtime and checks the final pair again).
			if let Err(error) = self.params.check_self_dealing(&T::StoragePrice::terms()) {
				panic!(
					"incentive.params are invalid: {error:?}: the service and bandwidth caps let \
					 an uploader that stores its own files earn more than it pays (require \
					 serviceCap · (period + overhang + 2 · eraLength) + bandwidthCap · period \
					 ≤ 95 % · period)"
				);
			}
			Params::<T>::put(self.params);
			EraIssuance::<T>::put(self.era_issuance);
			let start = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
			CurrentEraStart::<T>::put(start);
			NextEraAt::<T>::put(start.saturating_add(self.params.era_length));
			Pallet::<T>::ensure_pot_exists(&Pallet::<T>::pot_account());
		}
	}

	/// Events.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An era closed: `minted` + `storage_fees` = `miners_pot` + `validators_pot` +
		/// `to_treasury`.
		EraClosed {
			/// The era that closed.
			era: EraIndex,
			/// Tokens minted for it.
			minted: BalanceOf<T>,
			/// Storage fees deposited during it.
			storage_fees: BalanceOf<T>,
			/// Claimable by miners (zero if no miner contributed).
			miners_pot: BalanceOf<T>,
			/// Claimable by validators (zero if no block was reported).
			validators_pot: BalanceOf<T>,
			/// Sent to the treasury: its share and any pot nobody can claim.
			to_treasury: BalanceOf<T>,
		},
		/// The era issuance decayed (a year of eras passed).
		IssuanceDecayed {
			/// The new issuance per era.
			era_issuance: BalanceOf<T>,
		},
		/// An era left the claim window; what it had not paid went to the treasury.
		EraExpired {
			/// The era.
			era: EraIndex,
			/// Unclaimed rewards and rounding, sent to the treasury.
			unclaimed: BalanceOf<T>,
		},
		/// A miner failed an audit: it earns no storage reward for the era.
		MinerForfeited {
			/// The era in progress.
			era: EraIndex,
			/// The miner.
			miner: T::AccountId,
		},
		/// Rewards were claimed and paid.
		RewardsClaimed {
			/// Who earned them.
			earner: T::AccountId,
			/// Who received them.
			payee: T::AccountId,
			/// Total paid.
			amount: BalanceOf<T>,
			/// The part of `amount` that vests.
			vesting: BalanceOf<T>,
			/// Number of eras paid.
			eras: u32,
		},
		/// The frozen vesting balance of an account changed.
		VestingUpdated {
			/// The account.
			who: T::AccountId,
			/// What is still frozen.
			locked: BalanceOf<T>,
		},
		/// Storage fees joined the miners' pot of the era in progress.
		StorageFeeDeposited {
			/// The fee.
			amount: BalanceOf<T>,
		},
		/// The reward parameters were changed.
		ParametersSet {
			/// The new parameters.
			params: ParamsOf<T>,
		},
		/// The era issuance was set.
		EraIssuanceSet {
			/// Tokens minted per era from the next close on.
			era_issuance: BalanceOf<T>,
		},
	}

	/// Errors.
	#[pallet::error]
	pub enum Error<T> {
		/// No reward is owed in the claim window.
		NothingToClaim,
		/// The payee does not exist and the payout is below the existential deposit.
		PayoutBelowMinimum,
		/// The pot could not transfer the payout.
		PayoutFailed,
		/// The vesting share could not be frozen on the payee (too many freezes).
		VestingFreezeFailed,
		/// The account has no vesting tranche.
		NotVesting,
		/// `era_length` must be at least one block.
		ZeroEraLength,
		/// `eras_per_year` must be at least one.
		ZeroErasPerYear,
		/// The miners', validators' and treasury shares must add up to 100 %.
		IncompleteSplit,
		/// At least one miner weight must be non-zero.
		ZeroMinerWeights,
		/// A non-zero vested share needs a non-zero vesting period.
		ZeroVestingPeriod,
		/// The service and bandwidth caps let an uploader that is its own miner earn more than
		/// it pays for storage: `κ_s · (P + o + 2E) + κ_b · P ≤ (1 − ε) · P` must hold
		/// ([`RewardParams::check_self_dealing`]).
		SelfDealingWouldPay,
	}

	impl<T> From<ParamsError> for Error<T> {
		fn from(error: ParamsError) -> Self {
			match error {
				ParamsError::ZeroEraLength => Error::ZeroEraLength,
				ParamsError::ZeroErasPerYear => Error::ZeroErasPerYear,
				ParamsError::IncompleteSplit => Error::IncompleteSplit,
				ParamsError::ZeroMinerWeights => Error::ZeroMinerWeights,
				ParamsError::ZeroVestingPeriod => Error::ZeroVestingPeriod,
				ParamsError::SelfDealingWouldPay => Error::SelfDealingWouldPay,
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Closes the era that ended, if one did.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			if now < NextEraAt::<T>::get() {
				return T::DbWeight::get().reads(1);
			}
			Self::close_era(now);
			// `close_era` also reads the storage price (`StoragePrice`: one storage read).
			T::WeightInfo::close_era().saturating_add(T::DbWeight::get().reads(1))
		}

		/// Removes records of expired eras with the block's spare weight.
		fn on_idle(_now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let base = T::WeightInfo::clean_expired(0);
			if remaining.any_lt(base) || CleanupCursor::<T>::get() >= OldestUnexpiredEra::<T>::get()
			{
				return T::DbWeight::get().reads(2).min(remaining);
			}
			let per_item = T::WeightInfo::clean_expired(1).saturating_sub(base);
			let limit = remaining
				.saturating_sub(base)
				.checked_div_per_component(&per_item)
				.unwrap_or(u64::MAX)
				.min(u64::from(MAX_CLEANUP_PER_BLOCK)) as u32;
			let used = Self::clean_expired(limit);
			T::WeightInfo::clean_expired(used)
		}

		fn integrity_test() {
			assert!(T::MaxUnclaimedEras::get() >= 1, "MaxUnclaimedEras must be at least 1");
			assert!(T::MaxVestingTranches::get() >= 1, "MaxVestingTranches must be at least 1");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_now: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Pays the caller everything it is owed for the closed eras of the claim window, to
		/// its payee; the vested share is frozen on the payee and released linearly.
		///
		/// Emits [`Event::RewardsClaimed`] and [`Event::VestingUpdated`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::claim_rewards(T::MaxUnclaimedEras::get()))]
		pub fn claim_rewards(origin: OriginFor<T>) -> DispatchResult {
			let earner = ensure_signed(origin)?;
			let (amount, eras) = Self::take_rewards(&earner);
			ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);

			let payee = T::Payee::payee(&earner);
			T::Currency::transfer(&Self::pot_account(), &payee, amount, Preservation::Preserve)
				.map_err(|error| match error {
					DispatchError::Token(TokenError::BelowMinimum) => {
						Error::<T>::PayoutBelowMinimum
					}
					_ => Error::<T>::PayoutFailed,
				})?;

			let params = Params::<T>::get();
			let vesting = params.vested_share.mul_floor(amount);
			if !vesting.is_zero() {
				Self::add_vesting(&payee, vesting, params.vesting_period)?;
			}
			Self::deposit_event(Event::RewardsClaimed { earner, payee, amount, vesting, eras });
			Ok(())
		}

		/// Unfreezes the caller's vested tokens that are due.
		///
		/// Emits [`Event::VestingUpdated`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::release_vested())]
		pub fn release_vested(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let tranches = Vesting::<T>::get(&who).ok_or(Error::<T>::NotVesting)?;
			Self::apply_vesting(&who, tranches)?;
			Ok(())
		}

		/// Sets the reward parameters. A new era length applies to the era in progress
		/// (counted from its start; if that is already past, the era closes at the next block).
		///
		/// Refused with [`Error::SelfDealingWouldPay`] when the parameters break the
		/// self-dealing inequality against the storage price ([`Pallet::check_params`]).
		///
		/// Emits [`Event::ParametersSet`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_parameters()
			.saturating_add(T::DbWeight::get().reads(1)))]
		pub fn set_parameters(origin: OriginFor<T>, params: ParamsOf<T>) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::check_params(&params)?;
			Params::<T>::put(params);
			NextEraAt::<T>::put(CurrentEraStart::<T>::get().saturating_add(params.era_length));
			Self::deposit_event(Event::ParametersSet { params });
			Ok(())
		}

		/// Sets the tokens minted per era, from the next era close on (the yearly decay goes on
		/// from this value). The issuance is not part of the self-dealing inequality: the caps
		/// bound what a byte earns whatever the issuance.
		///
		/// Emits [`Event::EraIssuanceSet`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_era_issuance())]
		pub fn set_era_issuance(
			origin: OriginFor<T>,
			#[pallet::compact] era_issuance: BalanceOf<T>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			EraIssuance::<T>::put(era_issuance);
			Self::deposit_event(Event::EraIssuanceSet { era_issuance });
			Ok(())
		}
	}

	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// What `earner` would be paid by [`claim_rewards`](Pallet::claim_rewards) now.
		pub fn claimable(earner: T::AccountId) -> BalanceOf<T> {
			let (first, current) = Self::claim_window();
			(first..current).fold(Zero::zero(), |sum: BalanceOf<T>, era| {
				let owed = match (Contributions::<T>::get(era, &earner), EraRewards::<T>::get(era))
				{
					(Some(contribution), Some(reward)) => reward.reward(&contribution),
					_ => Zero::zero(),
				};
				sum.saturating_add(owed)
			})
		}

		/// The balance of `who` that is frozen by vesting now.
		pub fn vesting_locked(who: T::AccountId) -> BalanceOf<T> {
			let now = frame_system::Pallet::<T>::block_number();
			Vesting::<T>::get(&who).map_or_else(Zero::zero, |tranches| {
				tranches.iter().fold(Zero::zero(), |sum: BalanceOf<T>, tranche| {
					sum.saturating_add(tranche.locked_at(now))
				})
			})
		}
	}
}
