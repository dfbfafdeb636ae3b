//! # R²S: Random Rotational Selection of validators
//!
//! The consensus layer of CESS: any account can become a validator candidate by bonding tokens
//! and registering session keys; a credit score rates every candidate from what it did in the
//! recent eras; each session the runtime draws the active validators at random among the
//! qualified candidates, weighted by credit.
//!
//! The pallet is the chain's [`pallet_session::SessionManager`] (also the
//! [`historical`](pallet_session::historical::SessionManager) one, so that equivocation proofs
//! can be checked against past sessions), its [`pallet_authorship::EventHandler`] (it counts the
//! blocks each validator authors) and its offence handler
//! ([`sp_staking::offence::OnOffenceHandler`]: BABE and GRANDPA equivocations reported through
//! `pallet_offences` cut the offender's credit and slash its bond). What it needs from the
//! session machinery in turn (who has keys, the current set and index, the disabling of an
//! offender) it asks through [`SessionInterface`] ([`Config::SessionInterface`]), which
//! [`PalletSession`] implements over pallet-session.
//!
//! ## Candidates
//!
//! - [`bond`](Pallet::bond) holds tokens (a fungible hold, [`HoldReason::CandidateBond`]). The
//!   active bond is either zero or at least [`Config::MinBond`]. At most
//!   [`Config::MaxCandidates`] accounts can be bonded.
//! - Session keys are registered with pallet-session's `set_keys` (with its proof of
//!   possession); a candidate without keys is never drawn.
//! - [`set_candidacy`](Pallet::set_candidacy) switches the wish to validate on (needs a bond of
//!   at least `MinBond` and session keys) or off.
//! - [`unbond`](Pallet::unbond) moves part of the bond into an unbonding chunk that stays held,
//!   and slashable, for [`Config::UnbondingDelay`] blocks; unbonding everything also switches
//!   the candidacy off. [`withdraw_unbonded`](Pallet::withdraw_unbonded) releases the chunks
//!   that are due, and forgets the account once nothing is left.
//!
//! ## Eras and the credit score
//!
//! An era is [`SessionsPerEra`] sessions (a genesis parameter). For every session the pallet
//! records, for each validator of the session's set: the blocks it authored, its expected share
//! of the session's blocks (`blocks / set size`), and whether it authored at least one block.
//! When an era closes, the era's record joins a history of the last
//! [`CREDIT_WINDOW`](credit::CREDIT_WINDOW) = 5 closed eras and every candidate's credit is
//! recomputed. With era weights `wₖ = 5, 4, 3, 2, 1` for the era closed last, the one before,
//! …:
//!
//! - production `P = 1000 · Σ wₖ·min(authoredₖ, expectedₖ) / Σ wₖ·expectedₖ`;
//! - liveness `L = 1000 · Σ wₖ·liveₖ / Σ wₖ·countedₖ`, where `counted` are the active sessions in
//!   which the candidate's expected share was at least one block and `live` those of them in
//!   which it authored at least one block;
//! - bond `B = 1000 · min(1, bond / (BondSaturation · MinBond))`;
//! - offences `O = OffenceCreditCut · (5·o_now + Σ wₖ·oₖ) / 5`, `o` the equivocations punished in
//!   an era (`o_now`: in the era in progress);
//!
//! `credit = clamp((5·P + 3·L + 2·B) / 10 − O, 0, 1000)`.
//!
//! `P` and `L` take the value [`Config::BaseCredit`] while there is no evidence for them in the
//! window (the candidate was never active), so a new candidate starts at
//! `(8·BaseCredit + 2·B) / 10`. The score is recomputed when an era closes, when the bond changes
//! and when an offence is punished (which is how the immediate credit cut happens: the offence
//! enters `o_now` at full weight). See [`credit`] for the implementation.
//!
//! ## Selection
//!
//! A candidate *qualifies* when its candidacy is on, its bond is at least `MinBond`, its credit
//! is at least [`Config::CreditThreshold`] and it has session keys. When pallet-session plans a
//! session, the pallet:
//!
//! 1. takes the qualified candidates in account order, each weighted by its credit;
//! 2. if at least [`MinActive`] qualify, draws `min(`[`Seats`]`, qualified)` of them without
//!    replacement: each draw picks one of the remaining candidates with probability
//!    proportional to its credit, using the number `H(seed, round) mod (remaining weight)`,
//!    where `seed` is [`Config::Randomness`] (BABE randomness in the runtime) for the subject
//!    `("r2s/validators", session index)` and `H` the system hasher; the set is returned sorted;
//! 3. otherwise keeps the current set (those of its members that still have keys), so that the
//!    set never shrinks to too few validators; if that would be empty it draws from whoever
//!    qualifies, and only if nothing at all is available it leaves the set unchanged.
//!
//! The set is never empty and never larger than [`Config::MaxActive`], and is a deterministic
//! function of the state and the seed. At genesis (no randomness yet) the set is the qualified
//! genesis candidates with the highest credit (ties by account), or, if the pallet's genesis has
//! not run yet, every account with session keys.
//!
//! ## Offences
//!
//! `pallet_offences` hands each offence to [`Pallet`] with the offenders' identification
//! `(AccountId, ())` (the pallet's [`FullIdentification`] is `()`: proofs of key ownership come
//! from pallet-session's historical tries) and a slash fraction. For each offender the pallet
//! applies `f = max(fraction, MinSlash)`: it slashes `f` of everything the candidate holds (the
//! active bond first, then the unbonding chunks, newest first) to [`Config::Slashed`], records
//! the offence in the era in progress (which cuts the credit by `OffenceCreditCut`), and, for an
//! offence in the current session, reports the validator to pallet-session's disabling
//! strategy. The same offender in the same session is punished once, at the highest fraction
//! reported (a later report with a higher fraction brings the total slashed up to that
//! fraction of the holdings at the first slash). Offences older than
//! [`Config::SlashableSessions`] sessions are ignored.
//!
//! ## Seats and `MaxActive`
//!
//! Two numbers bound the active set, and they differ on purpose:
//!
//! - [`Seats`] is how many validators are drawn each session. It is chain state: set at genesis
//!   (11 in every profile of the runtime; a test network may lower it) and changed by
//!   [`set_seats`](Pallet::set_seats) ([`Config::AdminOrigin`]; root in the runtime), always with
//!   `1 ≤ MinActive ≤ Seats ≤ MaxActive`.
//! - [`Config::MaxActive`] is a compile-time bound. It caps the loops over a set (the ending
//!   session's accounting reads at most `MaxActive` validators, the pruning of authorship and
//!   offence records clears at most `MaxActive` entries) and is the largest set the benchmarks
//!   measure (`new_session` with `Seats = MaxActive`, `end_session` and `on_offence` up to
//!   `MaxActive` validators), so the generated weights cover the worst case, not just 11. It
//!   must not exceed the largest authority set BABE and GRANDPA accept (`MaxAuthorities`), or a
//!   drawn set could not be handed to them.
//!
//! The CESS runtime sets `MaxActive = MaxAuthorities = 100` with `Seats = 11` at genesis: 11 is
//! the design's seat count, and the headroom lets governance grow (or shrink) the validator set
//! with `set_seats` without a runtime upgrade, which changing a compile-time constant would need.
//! The headroom costs nothing per draw (a draw seats `Seats`); it only sets the bounds, and the
//! range the benchmarks cover, to those of a 100-validator session.
//!
//! ## Bounds
//!
//! Per block: one counter update for the author. Per session: `O(MaxActive)` for the ending
//! session's accounting and `O(MaxCandidates · Seats)` for the draw. Per era:
//! `O(MaxCandidates)` to recompute the credits. All storage is bounded.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

mod accounting;
mod candidates;
pub mod credit;
mod offences;
pub mod selection;
mod session;
pub mod traits;
#[cfg(any(test, feature = "try-runtime"))]
mod try_state;
pub mod types;
mod validator_set;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use session::{PalletSession, UnitIdentificationOf};
pub use traits::SessionInterface;
pub use types::{Candidate, EraStats, Performance, UnbondingChunk};
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::traits::{
	fungible::{self, Inspect, Mutate, MutateHold},
	tokens::Precision,
	Get, OnUnbalanced, Randomness,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};
use sp_staking::SessionIndex;

const LOG_TARGET: &str = "runtime::r2s";

/// The identification of an offender beyond its account: nothing (see the pallet docs).
pub type FullIdentification = ();

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A candidate record of this runtime.
pub type CandidateOf<T> =
	Candidate<BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxUnbondingChunks>;

/// The currency of the pallet.
pub type CurrencyOf<T> = <T as Config>::Currency;

/// Funds taken by a slash, handed to [`Config::Slashed`].
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;

/// Default of [`SessionsPerEra`] when genesis does not set it.
pub const DEFAULT_SESSIONS_PER_ERA: u32 = 6;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	/// The pallet.
	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency bonds are held in.
		type Currency: Inspect<Self::AccountId, Balance: MaybeSerializeDeserialize>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason: From<HoldReason>>
			+ fungible::BalancedHold<Self::AccountId>;

		/// Where slashed funds go (the treasury in the runtime).
		type Slashed: OnUnbalanced<CreditOf<Self>>;

		/// Randomness for the draw (BABE randomness in the runtime).
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Origin that may change the number of seats.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The session machinery: who has keys, the current set and index, and the disabling of
		/// offenders ([`PalletSession`] over pallet-session in the runtime).
		type SessionInterface: SessionInterface<Self::AccountId>;

		/// Smallest active bond a candidate can have (and needs to qualify).
		#[pallet::constant]
		type MinBond: Get<BalanceOf<Self>>;

		/// The bond score `B` saturates at a bond of `BondSaturation · MinBond`.
		#[pallet::constant]
		type BondSaturation: Get<u32>;

		/// Most bonded accounts at a time.
		#[pallet::constant]
		type MaxCandidates: Get<u32>;

		/// Most validators in a session's set: the compile-time bound of [`Seats`], not the
		/// number drawn. It bounds the per-session work and must not exceed what BABE and
		/// GRANDPA accept in one authority set (their `MaxAuthorities`). See "Seats and
		/// `MaxActive`" in the crate documentation for why the runtime sets it to 100 while
		/// production draws 11.
		#[pallet::constant]
		type MaxActive: Get<u32>;

		/// Smallest credit with which a candidate qualifies, `0..=1000`.
		#[pallet::constant]
		type CreditThreshold: Get<u32>;

		/// Production and liveness score assumed without evidence, `0..=1000`.
		#[pallet::constant]
		type BaseCredit: Get<u32>;

		/// Credit lost for one punished offence (decaying over the window, see the pallet docs).
		#[pallet::constant]
		type OffenceCreditCut: Get<u32>;

		/// Smallest fraction of its holdings an offender is slashed.
		#[pallet::constant]
		type MinSlash: Get<Perbill>;

		/// Blocks between `unbond` and the moment the funds can be withdrawn. Should cover the
		/// time during which an offence can still be reported.
		#[pallet::constant]
		type UnbondingDelay: Get<BlockNumberFor<Self>>;

		/// Most unbonding chunks per candidate.
		#[pallet::constant]
		type MaxUnbondingChunks: Get<u32>;

		/// Offences of sessions older than this many sessions before the current one are
		/// ignored.
		#[pallet::constant]
		type SlashableSessions: Get<SessionIndex>;

		/// Weights of the pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// A reason for the pallet placing a hold on funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Bonded (or unbonding) by a validator candidate.
		#[codec(index = 0)]
		CandidateBond,
	}

	/// Bonded accounts: ledger, candidacy and credit.
	#[pallet::storage]
	pub type Candidates<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, CandidateOf<T>, OptionQuery>;

	/// Performance records of the bonded accounts (era in progress and recent eras).
	#[pallet::storage]
	pub type Performances<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Performance, ValueQuery>;

	/// Blocks authored in the session in progress, per author.
	#[pallet::storage]
	pub type SessionAuthored<T: Config> =
		StorageMap<_, Twox64Concat, T::AccountId, u32, ValueQuery>;

	/// Blocks authored in the session in progress, in total.
	#[pallet::storage]
	pub type SessionBlocks<T> = StorageValue<_, u32, ValueQuery>;

	/// Default of [`Seats`]: [`Config::MaxActive`].
	#[pallet::type_value]
	pub fn DefaultSeats<T: Config>() -> u32 {
		T::MaxActive::get()
	}

	/// How many validators to draw each session (at most [`Config::MaxActive`]).
	#[pallet::storage]
	pub type Seats<T> = StorageValue<_, u32, ValueQuery, DefaultSeats<T>>;

	/// Default of [`MinActive`]: one.
	#[pallet::type_value]
	pub fn DefaultMinActive() -> u32 {
		1
	}

	/// With fewer qualified candidates than this, the current set is kept.
	#[pallet::storage]
	pub type MinActive<T> = StorageValue<_, u32, ValueQuery, DefaultMinActive>;

	/// Default of [`SessionsPerEra`].
	#[pallet::type_value]
	pub fn DefaultSessionsPerEra() -> u32 {
		DEFAULT_SESSIONS_PER_ERA
	}

	/// Sessions per era, fixed at genesis.
	#[pallet::storage]
	pub type SessionsPerEra<T> = StorageValue<_, u32, ValueQuery, DefaultSessionsPerEra>;

	/// Index of the era in progress.
	#[pallet::storage]
	pub type CurrentEra<T> = StorageValue<_, u32, ValueQuery>;

	/// Sessions already ended in the era in progress.
	#[pallet::storage]
	pub type SessionsIntoEra<T> = StorageValue<_, u32, ValueQuery>;

	/// Highest slash fraction already applied to an offender for an offence in a session.
	/// Entries older than [`Config::SlashableSessions`] are pruned.
	#[pallet::storage]
	pub type Punished<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		SessionIndex,
		Blake2_128Concat,
		T::AccountId,
		Perbill,
		OptionQuery,
	>;

	/// Genesis configuration.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Initial candidates and their bonds (held from their free balance, candidacy on).
		pub candidates: Vec<(T::AccountId, BalanceOf<T>)>,
		/// Validators drawn per session; 0 keeps the default ([`Config::MaxActive`]).
		pub seats: u32,
		/// Fewest qualified candidates for a new draw; 0 keeps the default (1).
		pub min_active: u32,
		/// Sessions per era; 0 keeps the default ([`DEFAULT_SESSIONS_PER_ERA`]).
		pub sessions_per_era: u32,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// A chain spec is operator input: stop genesis with a message rather than build a
			// chain that cannot select validators.
			if self.seats != 0 {
				assert!(self.seats <= T::MaxActive::get(), "r2s: seats must be at most MaxActive");
				Seats::<T>::put(self.seats);
			}
			if self.min_active != 0 {
				assert!(
					self.min_active <= Seats::<T>::get(),
					"r2s: min_active must be at most seats"
				);
				MinActive::<T>::put(self.min_active);
			}
			if self.sessions_per_era != 0 {
				SessionsPerEra::<T>::put(self.sessions_per_era);
			}
			for (who, bond) in &self.candidates {
				assert!(!Candidates::<T>::contains_key(who), "r2s: duplicate genesis candidate");
				assert!(
					Candidates::<T>::count() < T::MaxCandidates::get(),
					"r2s: more genesis candidates than MaxCandidates"
				);
				assert!(*bond >= T::MinBond::get(), "r2s: genesis bond below MinBond");
				CurrencyOf::<T>::hold(&HoldReason::CandidateBond.into(), who, *bond)
					.expect("r2s: genesis candidate cannot hold its bond");
				let credit = Pallet::<T>::compute_credit(&Performance::default(), *bond);
				Candidates::<T>::insert(
					who,
					Candidate {
						bond: *bond,
						unbonding: Default::default(),
						candidacy: true,
						credit,
					},
				);
			}
		}
	}

	/// Events of the pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Tokens were added to a bond.
		Bonded {
			/// The bonded account.
			who: T::AccountId,
			/// Amount added to its bond.
			amount: BalanceOf<T>,
		},
		/// Part of a bond started unbonding.
		Unbonded {
			/// The bonded account.
			who: T::AccountId,
			/// Amount moved into an unbonding chunk.
			amount: BalanceOf<T>,
			/// First block at which the amount can be withdrawn.
			unlock_at: BlockNumberFor<T>,
		},
		/// Unbonded funds were released.
		Withdrawn {
			/// The bonded account.
			who: T::AccountId,
			/// Amount released to its free balance.
			amount: BalanceOf<T>,
		},
		/// An account holds nothing any more and was forgotten (its credit record too).
		CandidateRemoved {
			/// The forgotten account.
			who: T::AccountId,
		},
		/// A candidacy was switched on or off.
		CandidacySet {
			/// The candidate.
			who: T::AccountId,
			/// Whether it now asks to be drawn.
			on: bool,
		},
		/// The number of seats and the minimum number of qualified candidates changed.
		SeatsSet {
			/// Validators drawn per session.
			seats: u32,
			/// Fewest qualified candidates for a new draw.
			min_active: u32,
		},
		/// The validators of a session were drawn.
		ValidatorsSelected {
			/// The session the set will validate.
			session: SessionIndex,
			/// The drawn validators, sorted.
			validators: Vec<T::AccountId>,
		},
		/// Too few candidates qualified: the session keeps the current validators.
		ValidatorsKept {
			/// The session that keeps the current set.
			session: SessionIndex,
			/// How many candidates qualified.
			qualified: u32,
		},
		/// An era closed and the credits were recomputed.
		EraClosed {
			/// Index of the era that closed.
			era: u32,
			/// Number of candidates whose credit was recomputed.
			candidates: u32,
		},
		/// An offender was punished.
		OffencePunished {
			/// The offending validator.
			offender: T::AccountId,
			/// Session of the offence.
			session: SessionIndex,
			/// Slash fraction applied (at least `MinSlash`).
			fraction: Perbill,
			/// Amount slashed by this report.
			slashed: BalanceOf<T>,
			/// The offender's credit afterwards.
			credit: u32,
		},
	}

	/// Errors of the pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The amount is zero.
		ZeroAmount,
		/// The resulting active bond would be neither zero nor at least `MinBond`.
		BondBelowMinimum,
		/// The free balance cannot cover the bond.
		InsufficientBalance,
		/// `MaxCandidates` accounts are already bonded.
		TooManyCandidates,
		/// The account has no bond.
		NotBonded,
		/// Cannot unbond more than the active bond.
		UnbondExceedsBond,
		/// Too many unbonding chunks; withdraw the due ones or wait.
		TooManyUnbondingChunks,
		/// No unbonding chunk is due yet.
		NothingToWithdraw,
		/// The active bond is below `MinBond`.
		InsufficientBond,
		/// Register session keys (pallet-session `set_keys`) first.
		NoSessionKeys,
		/// The candidacy is already in that state.
		CandidacyUnchanged,
		/// Seats must satisfy `1 ≤ min_active ≤ seats ≤ MaxActive`.
		InvalidSeats,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxActive::get() >= 1, "r2s: MaxActive must be at least 1");
			assert!(T::MaxCandidates::get() >= 1, "r2s: MaxCandidates must be at least 1");
			assert!(T::BondSaturation::get() >= 1, "r2s: BondSaturation must be at least 1");
			assert!(
				T::CreditThreshold::get() <= credit::MAX_CREDIT,
				"r2s: CreditThreshold above the maximum credit"
			);
			assert!(
				T::BaseCredit::get() <= credit::MAX_CREDIT,
				"r2s: BaseCredit above the maximum credit"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Bond `amount` more (held from the caller's free balance). The resulting bond must be
		/// at least `MinBond`. A first bond registers the account as a candidate, with its
		/// candidacy off.
		#[pallet::call_index(0)]
		#[pallet::weight(<T as Config>::WeightInfo::bond())]
		pub fn bond(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut candidate = match Candidates::<T>::get(&who) {
				Some(candidate) => candidate,
				None => {
					ensure!(
						Candidates::<T>::count() < T::MaxCandidates::get(),
						Error::<T>::TooManyCandidates
					);
					Candidate {
						bond: Zero::zero(),
						unbonding: Default::default(),
						candidacy: false,
						credit: 0,
					}
				}
			};
			let bond = candidate.bond.saturating_add(amount);
			ensure!(bond >= T::MinBond::get(), Error::<T>::BondBelowMinimum);
			CurrencyOf::<T>::hold(&HoldReason::CandidateBond.into(), &who, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			candidate.bond = bond;
			candidate.credit = Self::compute_credit(&Performances::<T>::get(&who), bond);
			Candidates::<T>::insert(&who, candidate);
			Self::deposit_event(Event::Bonded { who, amount });
			Ok(())
		}

		/// Start unbonding `amount` of the active bond. The rest must be zero or at least
		/// `MinBond`; unbonding everything switches the candidacy off. The amount stays held and
		/// slashable for `UnbondingDelay` blocks.
		#[pallet::call_index(1)]
		#[pallet::weight(<T as Config>::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut candidate = Candidates::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			ensure!(amount <= candidate.bond, Error::<T>::UnbondExceedsBond);
			let rest = candidate.bond.saturating_sub(amount);
			ensure!(rest.is_zero() || rest >= T::MinBond::get(), Error::<T>::BondBelowMinimum);
			let unlock_at =
				frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingDelay::get());
			match candidate.unbonding.last_mut() {
				Some(last) if last.unlock_at == unlock_at => {
					last.amount = last.amount.saturating_add(amount)
				}
				_ => candidate
					.unbonding
					.try_push(UnbondingChunk { amount, unlock_at })
					.map_err(|_| Error::<T>::TooManyUnbondingChunks)?,
			}
			candidate.bond = rest;
			let candidacy_ended = rest.is_zero() && candidate.candidacy;
			if candidacy_ended {
				candidate.candidacy = false;
			}
			candidate.credit = Self::compute_credit(&Performances::<T>::get(&who), rest);
			Candidates::<T>::insert(&who, candidate);
			Self::deposit_event(Event::Unbonded { who: who.clone(), amount, unlock_at });
			if candidacy_ended {
				Self::deposit_event(Event::CandidacySet { who, on: false });
			}
			Ok(())
		}

		/// Release the unbonding chunks that are due. When the account then holds nothing, it
		/// is forgotten (with its credit record).
		#[pallet::call_index(2)]
		#[pallet::weight(<T as Config>::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut candidate = Candidates::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			let now = frame_system::Pallet::<T>::block_number();
			let due = candidate
				.unbonding
				.iter()
				.filter(|chunk| chunk.unlock_at <= now)
				.fold(BalanceOf::<T>::zero(), |sum, chunk| sum.saturating_add(chunk.amount));
			let any_due = candidate.unbonding.iter().any(|chunk| chunk.unlock_at <= now);
			let empty = candidate.bond.is_zero() && candidate.unbonding.is_empty();
			ensure!(any_due || empty, Error::<T>::NothingToWithdraw);
			candidate.unbonding.retain(|chunk| chunk.unlock_at > now);
			let released = if due.is_zero() {
				Zero::zero()
			} else {
				CurrencyOf::<T>::release(
					&HoldReason::CandidateBond.into(),
					&who,
					due,
					Precision::BestEffort,
				)?
			};
			Self::deposit_event(Event::Withdrawn { who: who.clone(), amount: released });
			if candidate.bond.is_zero() && candidate.unbonding.is_empty() {
				Candidates::<T>::remove(&who);
				Performances::<T>::remove(&who);
				Self::deposit_event(Event::CandidateRemoved { who });
			} else {
				Candidates::<T>::insert(&who, candidate);
			}
			Ok(())
		}

		/// Switch the caller's candidacy on (bond of at least `MinBond` and session keys
		/// needed) or off. Takes effect at the next draw; a validator already drawn serves its
		/// session.
		#[pallet::call_index(3)]
		#[pallet::weight(<T as Config>::WeightInfo::set_candidacy())]
		pub fn set_candidacy(origin: OriginFor<T>, on: bool) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut candidate = Candidates::<T>::get(&who).ok_or(Error::<T>::NotBonded)?;
			ensure!(candidate.candidacy != on, Error::<T>::CandidacyUnchanged);
			if on {
				ensure!(candidate.bond >= T::MinBond::get(), Error::<T>::InsufficientBond);
				ensure!(Self::has_session_keys(&who), Error::<T>::NoSessionKeys);
			}
			candidate.candidacy = on;
			Candidates::<T>::insert(&who, candidate);
			Self::deposit_event(Event::CandidacySet { who, on });
			Ok(())
		}

		/// Set the number of validators drawn per session and the fewest qualified candidates
		/// for a new draw: `1 ≤ min_active ≤ seats ≤ MaxActive`. Admin origin only.
		#[pallet::call_index(4)]
		#[pallet::weight(<T as Config>::WeightInfo::set_seats())]
		pub fn set_seats(origin: OriginFor<T>, seats: u32, min_active: u32) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(
				min_active >= 1 && min_active <= seats && seats <= T::MaxActive::get(),
				Error::<T>::InvalidSeats
			);
			Seats::<T>::put(seats);
			MinActive::<T>::put(min_active);
			Self::deposit_event(Event::SeatsSet { seats, min_active });
			Ok(())
		}
	}
}
