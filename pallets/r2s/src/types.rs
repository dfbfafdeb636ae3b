//! Records kept per candidate: its bond ledger and its performance over recent eras.

use crate::credit::CREDIT_WINDOW;
use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	traits::{ConstU32, Get},
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

/// A part of a bond on its way out: held (and slashable) until `unlock_at`, then withdrawable.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct UnbondingChunk<Balance, BlockNumber> {
	/// Amount being unbonded.
	pub amount: Balance,
	/// First block at which the amount can be withdrawn.
	pub unlock_at: BlockNumber,
}

/// The bond ledger and status of a bonded account (a candidate, whether or not it currently
/// wants to validate).
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxChunks))]
#[codec(mel_bound(Balance: MaxEncodedLen, BlockNumber: MaxEncodedLen))]
pub struct Candidate<Balance, BlockNumber, MaxChunks>
where
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxChunks: Get<u32>,
{
	/// The active bond: held, slashable, and counted for qualification and the bond score.
	/// Either zero or at least `MinBond` (a slash may leave it below).
	pub bond: Balance,
	/// Amounts being unbonded, oldest first; still held and slashable until withdrawn.
	pub unbonding: BoundedVec<UnbondingChunk<Balance, BlockNumber>, MaxChunks>,
	/// Whether the account asks to be drawn as a validator.
	pub candidacy: bool,
	/// The current credit score, `0..=1000` (see [`crate::credit::credit`]).
	pub credit: u32,
}

/// What a candidate did during one era (or the era in progress).
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct EraStats {
	/// Blocks authored while in the active set.
	pub authored: u32,
	/// Blocks it was expected to author, in thousandths of a block: for each session in which
	/// it was active, the session's blocks divided by the size of the active set.
	pub expected_milli: u64,
	/// Sessions in which it was in the active set.
	pub active_sessions: u32,
	/// Active sessions in which its expected share was at least one block; only these count for
	/// liveness.
	pub counted_sessions: u32,
	/// Counted sessions in which it authored at least one block.
	pub live_sessions: u32,
	/// Offences (equivocations) punished during the era.
	pub offences: u32,
}

/// A candidate's performance record: the era in progress and the last [`CREDIT_WINDOW`]
/// closed eras.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct Performance {
	/// The era in progress.
	pub current: EraStats,
	/// Closed eras, the most recent first; at most [`CREDIT_WINDOW`].
	pub history: BoundedVec<EraStats, ConstU32<CREDIT_WINDOW>>,
}

impl Performance {
	/// Close the era in progress: it becomes the most recent entry of the history, and the
	/// oldest entry leaves the window.
	pub fn close_era(&mut self) {
		let closed = core::mem::take(&mut self.current);
		let _ = self.history.force_insert_keep_left(0, closed);
	}
}
