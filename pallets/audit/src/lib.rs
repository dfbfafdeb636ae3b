//! # Audit pallet
//!
//! Proofs of storage, verified by the runtime itself. Every round, each miner that stores
//! fragments is challenged on a random sample of them; it answers with leaves of those fragments
//! and their Merkle paths, which the runtime checks against the fragment roots recorded by the
//! file bank. Failures are counted, reported and punished.
//!
//! ## A round
//!
//! 1. **Start.** At [`NextRoundAt`] a round begins: its seed is drawn from on-chain randomness
//!    ([`Config::Randomness`]) and the round index is bumped ([`Event::RoundStarted`]).
//! 2. **Issuance.** The miners that store fragments ([`StoredFragments`], the file bank's lists)
//!    are challenged in the file bank's stable order, at most [`Config::MaxChallengesPerBlock`] per
//!    block, with a cursor ([`RoundInfo::cursor`]) that carries over. Each miner's challenge is
//!    `cess_primitives::Challenge::new(seed, SCALE(miner), fragment count, params)`: which
//!    positions of its fragment list and which leaves of each. The challenged fragments are read
//!    at issue and kept with the challenge ([`OpenChallenge`]), so the list may change while the
//!    miner works ([`Event::ChallengeIssued`]).
//! 3. **Answer.** The miner reads its challenge (runtime API `AuditApi::challenge`), proves
//!    each fragment with `cess_primitives::proof::prove_fragment` and calls
//!    [`Pallet::submit_proof`] with the round and the proofs, no later than
//!    `response_window` blocks after the challenge. Each fragment proof is checked with
//!    `cess_primitives::proof::verify_fragment_proof` against the recorded root. A valid proof
//!    passes the round ([`Event::ProofAccepted`]; the call is then free); an invalid one fails it
//!    ([`Event::ProofRejected`], with the reason). Either way the challenge is closed: one answer
//!    per round.
//! 4. **Expiry.** In the block after a challenge's deadline, a challenge still open fails the
//!    round ([`Event::ProofMissed`]).
//! 5. **Next round.** Once every miner was challenged, the next round starts after
//!    `round_period` blocks from this one's start, and never before the last challenge of this
//!    one expired: at most one challenge per miner is open at any time.
//!
//! ## Judgement
//!
//! Each judged round is reported to [`Config::OnAuditResult`] (the incentive layer: proven
//! space earns rewards, a failure forfeits the era's storage rewards) and recorded in
//! [`Records`]. A failed round (missed or invalid) is a *strike*; `passes_to_clear` passed
//! rounds in a row clear the strikes. A miner that reaches `strike_limit` strikes is punished
//! through [`Config::Penalty`] — in the runtime: slash `slash` of its collateral (pallet-sminer
//! freezes it if its collateral falls below the requirement) and queue the repair of all its
//! fragments in the file bank — and its strikes start again from zero
//! ([`Event::MinerPunished`]).
//!
//! Strikes follow a miner out: pallet-sminer refuses `prepare_exit` while
//! [`Pallet::strikes`] is not zero or [`Pallet::has_open_challenge`], and at `withdraw`
//! [`Pallet::settle_strikes`] clears the strikes earned while leaving and returns their share of
//! the punishment (`slash × strikes / strike_limit`), which pallet-sminer slashes.
//!
//! A proof for another round than the miner's open challenge ([`Error::WrongRound`]), or from an
//! account without an open challenge ([`Error::NoOpenChallenge`]), is refused without a strike:
//! a late answer to an old round, or someone else's proof submitted by an unchallenged account,
//! changes nothing. Another miner's proof submitted by a challenged miner is simply wrong for its
//! own challenge and fails its round.
//!
//! ## Bounded work
//!
//! - per block: at most `MaxChallengesPerBlock` challenges issued (each reading at most
//!   `challenge.fragments` ≤ 64 list entries) and at most `MaxChallengesPerBlock` expiries
//!   (the challenges issued in one block all expire in one later block); nothing iterates over
//!   all miners or all fragments;
//! - `submit_proof`: the weight grows with the number of leaf proofs submitted (at most
//!   64 × 16), each costing one leaf hash and at most one hash per level of the fragment's
//!   Merkle tree.
//!
//! A round covers `MaxChallengesPerBlock` miners per block: with `m` miners holding fragments,
//! issuance takes `⌈m / MaxChallengesPerBlock⌉` blocks, and the round lasts at least that plus
//! the response window.

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod issuance;
mod judgement;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod traits;
#[cfg(any(feature = "try-runtime", feature = "std"))]
mod try_state;
pub mod types;
#[cfg(any(feature = "runtime-benchmarks", test))]
pub mod uniform_tree;
mod views;
pub mod weights;

pub use pallet::*;
pub use traits::{AuditPenalty, OnAuditResult};
pub use types::*;
pub use weights::WeightInfo;

use cess_primitives::{
	challenge::{MAX_CHALLENGED_FRAGMENTS, MAX_CHALLENGED_LEAVES},
	ChallengeResponse, ProofError, StoredFragments,
};
use frame_support::{
	traits::{Get, Randomness},
	weights::Weight,
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::audit";

/// Most leaf proofs in one response.
pub const MAX_LEAF_PROOFS: u32 = MAX_CHALLENGED_FRAGMENTS * MAX_CHALLENGED_LEAVES;

/// The audit parameters of this runtime.
pub type AuditParamsOf<T> = AuditParams<BlockNumberFor<T>>;

/// An open challenge of this runtime.
pub type OpenChallengeOf<T> = OpenChallenge<BlockNumberFor<T>>;

/// The current round of this runtime.
pub type RoundInfoOf<T> = RoundInfo<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

/// The miners whose challenges expire in one block.
pub type ExpiringOf<T> =
	BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxChallengesPerBlock>;

/// Leaf proofs in a response, the measure of its verification cost and the parameter of
/// [`WeightInfo::submit_proof`] (at most [`MAX_LEAF_PROOFS`], the most a response can carry).
pub fn leaf_proofs(response: &ChallengeResponse) -> u32 {
	response
		.iter()
		.map(|proof| proof.leaves.len() as u32)
		.fold(0u32, |sum, leaves| sum.saturating_add(leaves))
		.min(MAX_LEAF_PROOFS)
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{dispatch::Pays, pallet_prelude::*};
	use frame_system::pallet_prelude::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	/// Storage challenges and their verification.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Each miner's stored fragments (the file bank).
		type Fragments: StoredFragments<Self::AccountId>;

		/// On-chain randomness for the rounds' seeds (BABE's in the runtime).
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Punishes a miner at the strike limit.
		type Penalty: AuditPenalty<Self::AccountId>;

		/// Told every judged round (the incentive layer).
		type OnAuditResult: OnAuditResult<Self::AccountId>;

		/// Parameters when the genesis config sets none.
		type DefaultParams: Get<AuditParamsOf<Self>>;

		/// Most challenges issued per block (and so expiring per block).
		#[pallet::constant]
		type MaxChallengesPerBlock: Get<u32>;

		/// Weights of the call and of the per-block steps.
		type WeightInfo: WeightInfo;

		/// Sets up stored fragments for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: traits::BenchmarkHelper<Self::AccountId>;
	}

	/// The audit parameters (genesis).
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, AuditParamsOf<T>, ValueQuery, ParamsDefault<T>>;

	/// Default of [`Params`].
	#[pallet::type_value]
	pub fn ParamsDefault<T: Config>() -> AuditParamsOf<T> {
		T::DefaultParams::get()
	}

	/// The current (or last) round; none before the first.
	#[pallet::storage]
	pub type CurrentRound<T: Config> = StorageValue<_, RoundInfoOf<T>, OptionQuery>;

	/// Earliest block of the next round, once the current one has challenged every miner.
	#[pallet::storage]
	pub type NextRoundAt<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Each miner's open challenge.
	#[pallet::storage]
	pub type Challenges<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, OpenChallengeOf<T>, OptionQuery>;

	/// The miners whose challenges expire at the start of each block (the block after their
	/// deadline).
	#[pallet::storage]
	pub type ChallengeExpiries<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, ExpiringOf<T>, ValueQuery>;

	/// Each miner's audit history.
	#[pallet::storage]
	pub type Records<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, AuditRecord, ValueQuery>;

	/// Genesis configuration: the audit parameters.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Parameters; `None` keeps [`Config::DefaultParams`].
		pub params: Option<AuditParamsOf<T>>,
		/// Block of the first round (default: the first block).
		pub first_round_at: Option<BlockNumberFor<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = self.params {
				if let Err(e) = params.check() {
					panic!("audit genesis params: {e}");
				}
				Params::<T>::put(params);
			}
			if let Some(at) = self.first_round_at {
				NextRoundAt::<T>::put(at);
			}
		}
	}

	/// Events of the pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A round began; miners are challenged from now on.
		RoundStarted {
			/// The round.
			round: RoundIndex,
			/// Its seed.
			seed: [u8; 32],
		},
		/// Every miner holding fragments was challenged in the round.
		RoundIssued {
			/// The round.
			round: RoundIndex,
			/// Miners challenged.
			challenged: u32,
		},
		/// A miner was challenged.
		ChallengeIssued {
			/// The miner.
			miner: T::AccountId,
			/// The round.
			round: RoundIndex,
			/// Fragments to prove.
			fragments: u32,
			/// Last block a proof is accepted in.
			deadline: BlockNumberFor<T>,
		},
		/// A miner's proof verified: it passed the round.
		ProofAccepted {
			/// The miner.
			miner: T::AccountId,
			/// The round.
			round: RoundIndex,
		},
		/// A miner's proof did not verify: it failed the round.
		ProofRejected {
			/// The miner.
			miner: T::AccountId,
			/// The round.
			round: RoundIndex,
			/// Why the proof is wrong.
			error: ProofError,
			/// Its strikes now (zero right after a punishment).
			strikes: u32,
		},
		/// A miner did not answer in time: it failed the round.
		ProofMissed {
			/// The miner.
			miner: T::AccountId,
			/// The round.
			round: RoundIndex,
			/// Its strikes now (zero right after a punishment).
			strikes: u32,
		},
		/// A miner passed `passes_to_clear` rounds in a row: its strikes are cleared.
		StrikesCleared {
			/// The miner.
			miner: T::AccountId,
		},
		/// A miner reached the strike limit and was punished.
		MinerPunished {
			/// The miner.
			miner: T::AccountId,
			/// Its last failure.
			fault: AuditFault,
		},
	}

	/// Errors of the pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The caller has no open challenge (never challenged, already answered, or past its
		/// deadline: a challenge is expired at the start of the block after its deadline,
		/// before any transaction of that block).
		NoOpenChallenge,
		/// The proof is for another round than the caller's open challenge.
		WrongRound,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			T::WeightInfo::on_initialize_idle()
				.saturating_add(Self::expire_challenges(now))
				.saturating_add(Self::run_issuance(now))
		}

		fn integrity_test() {
			assert!(T::MaxChallengesPerBlock::get() > 0, "MaxChallengesPerBlock must be > 0");
			if let Err(e) = T::DefaultParams::get().check() {
				panic!("DefaultParams: {e}");
			}
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Answers the caller's open challenge of `round`: one proof per challenged fragment, in
		/// the challenge's order, each proving the challenged leaves in order.
		///
		/// The proof is verified against the recorded fragment roots. Valid: the round is
		/// passed and the call is free. Invalid: the round is failed (a strike; the reason is
		/// in [`Event::ProofRejected`]). Either way the challenge is closed.
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::submit_proof(leaf_proofs(response))
				.saturating_add(T::Penalty::weight())
		)]
		pub fn submit_proof(
			origin: OriginFor<T>,
			round: RoundIndex,
			response: ChallengeResponse,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let open = Challenges::<T>::get(&who).ok_or(Error::<T>::NoOpenChallenge)?;
			ensure!(open.round == round, Error::<T>::WrongRound);
			// Unreachable while the hook expires challenges before any transaction of the block
			// after their deadline; kept so that a late proof is never judged, whatever the state.
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now <= open.deadline, Error::<T>::NoOpenChallenge);
			Challenges::<T>::remove(&who);
			match Self::verify(&T::Fragments::layout(), &open, &response) {
				Ok(()) => {
					Self::pass(&who, round);
					Self::deposit_event(Event::ProofAccepted { miner: who, round });
					Ok(Pays::No.into())
				}
				Err(error) => {
					let strikes = Self::fail(&who, round, AuditFault::InvalidProof);
					Self::deposit_event(Event::ProofRejected { miner: who, round, error, strikes });
					Ok(().into())
				}
			}
		}
	}
}
