//! Records kept by the audit pallet, its parameters, and the views its runtime API returns.

use alloc::vec::Vec;
use cess_primitives::{
	challenge::MAX_CHALLENGED_FRAGMENTS, Challenge, ChallengeParams, FileHash, FileLayout,
	FragmentHash, FragmentIndex, FragmentRef,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::ConstU32, BoundedVec};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{traits::Zero, Perbill};

/// Index of a challenge round; round `0` is the first.
pub type RoundIndex = u32;

/// Parameters of the audit (genesis; development chains shrink the periods).
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
pub struct AuditParams<BlockNumber> {
	/// Blocks from the start of a round to the start of the next one (at least; a round also
	/// waits for the previous one's last challenge to expire).
	pub round_period: BlockNumber,
	/// Blocks a challenged miner has to answer: proofs are accepted from the block of the
	/// challenge to `response_window` blocks later.
	pub response_window: BlockNumber,
	/// Fragments and leaves each miner proves per round.
	pub challenge: ChallengeParams,
	/// Failed rounds (missed or invalid proofs) that get a miner punished.
	pub strike_limit: u32,
	/// Passed rounds in a row that clear a miner's strikes.
	pub passes_to_clear: u32,
	/// Share of the collateral slashed at each punishment.
	pub slash: Perbill,
}

impl<BlockNumber: Zero + PartialOrd> AuditParams<BlockNumber> {
	/// Names the first problem of the parameters, if any.
	pub fn check(&self) -> Result<(), &'static str> {
		if self.round_period.is_zero() {
			return Err("round_period must be more than zero");
		}
		if self.response_window.is_zero() {
			return Err("response_window must be more than zero");
		}
		if self.response_window >= self.round_period {
			return Err("response_window must be shorter than round_period");
		}
		if self.challenge.validate().is_err() {
			return Err("challenge: fragments in 1..=64 and leaves in 1..=16");
		}
		if self.strike_limit == 0 {
			return Err("strike_limit must be at least 1");
		}
		if self.passes_to_clear == 0 {
			return Err("passes_to_clear must be at least 1");
		}
		Ok(())
	}
}

/// One challenged fragment: its position in the miner's fragment list when the challenge was
/// issued, and what was there.
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
pub struct ChallengedFragment {
	/// Position in the miner's fragment list.
	pub position: u32,
	/// The fragment (file, index, root).
	pub fragment: FragmentRef,
}

/// The challenged fragments of one challenge, in the order the proofs must come.
pub type ChallengedFragments = BoundedVec<ChallengedFragment, ConstU32<MAX_CHALLENGED_FRAGMENTS>>;

/// A challenge waiting for the miner's proof.
///
/// The challenged fragments are read from the miner's list when the challenge is issued and
/// kept here, so the list may change (fragments confirmed, deleted or repaired) while the
/// miner computes its proof.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct OpenChallenge<BlockNumber> {
	/// The round.
	pub round: RoundIndex,
	/// Derived from the round's seed, the miner and its list length.
	pub challenge: Challenge,
	/// The challenged fragments, in proof order.
	pub fragments: ChallengedFragments,
	/// Block of issue.
	pub issued_at: BlockNumber,
	/// Last block a proof is accepted in.
	pub deadline: BlockNumber,
}

/// Where challenge issuance of the round is.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum IssuanceCursor<AccountId> {
	/// No miner challenged yet.
	#[codec(index = 0)]
	Start,
	/// Miners up to this one (in the file bank's stable order) are challenged.
	#[codec(index = 1)]
	After(AccountId),
	/// Every miner holding fragments was challenged.
	#[codec(index = 2)]
	Done,
}

/// The current round.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct RoundInfo<AccountId, BlockNumber> {
	/// The round's index.
	pub index: RoundIndex,
	/// The round's seed, from on-chain randomness.
	pub seed: [u8; 32],
	/// Block the round started in.
	pub started_at: BlockNumber,
	/// How far issuance got.
	pub cursor: IssuanceCursor<AccountId>,
	/// Miners challenged so far.
	pub challenged: u32,
}

/// A miner's audit history.
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
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
	/// Failed rounds since the last punishment or clearance.
	pub strikes: u32,
	/// Passed rounds in a row.
	pub clean_rounds: u32,
	/// Rounds passed, in total.
	pub passed: u32,
	/// Rounds failed, in total.
	pub failed: u32,
	/// Punishments, in total.
	pub punished: u32,
	/// The last round the miner was judged in.
	pub last_round: Option<RoundIndex>,
}

/// What a miner did wrong in a round.
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
pub enum AuditFault {
	/// No proof before the deadline.
	#[codec(index = 0)]
	MissedProof,
	/// A proof that did not verify.
	#[codec(index = 1)]
	InvalidProof,
}

/// One challenged fragment, as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChallengedFragmentView {
	/// Position in the miner's fragment list when challenged.
	pub position: u32,
	/// The file.
	pub file: FileHash,
	/// Index of the fragment in the file.
	pub index: FragmentIndex,
	/// The fragment's root.
	pub hash: FragmentHash,
	/// Leaves to prove, in proof order.
	pub leaves: Vec<u32>,
}

/// A miner's open challenge, as the runtime API shows it: all it needs to answer with
/// `cess_primitives::proof::prove_fragment` per fragment and `submit_proof(round, proofs)`.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ChallengeView<BlockNumber> {
	/// The round (the first argument of `submit_proof`).
	pub round: RoundIndex,
	/// The challenge, for the miner's own derivation.
	pub challenge: Challenge,
	/// The chain's layout.
	pub layout: FileLayout,
	/// The challenged fragments, in proof order.
	pub fragments: Vec<ChallengedFragmentView>,
	/// Block of issue.
	pub issued_at: BlockNumber,
	/// Last block a proof is accepted in.
	pub deadline: BlockNumber,
}

/// The current round, as the runtime API shows it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundView<BlockNumber> {
	/// The round's index.
	pub index: RoundIndex,
	/// Block the round started in.
	pub started_at: BlockNumber,
	/// Whether miners are still being challenged.
	pub issuing: bool,
	/// Miners challenged so far.
	pub challenged: u32,
	/// Earliest block of the next round.
	pub next_round_at: BlockNumber,
}

#[cfg(test)]
mod tests {
	use super::*;

	fn params() -> AuditParams<u64> {
		AuditParams {
			round_period: 10,
			response_window: 5,
			challenge: ChallengeParams { fragments: 4, leaves: 2 },
			strike_limit: 3,
			passes_to_clear: 2,
			slash: Perbill::from_percent(10),
		}
	}

	#[test]
	fn check_names_each_problem() {
		assert_eq!(params().check(), Ok(()));
		let p = params();
		assert!(AuditParams { round_period: 0, ..p }.check().is_err());
		assert!(AuditParams { response_window: 0, ..p }.check().is_err());
		assert!(AuditParams { response_window: 10, ..p }.check().is_err());
		let bad = ChallengeParams { fragments: 65, leaves: 1 };
		assert!(AuditParams { challenge: bad, ..p }.check().is_err());
		assert!(AuditParams { strike_limit: 0, ..p }.check().is_err());
		assert!(AuditParams { passes_to_clear: 0, ..p }.check().is_err());
	}

	#[test]
	fn an_open_challenge_is_bounded() {
		// 64 challenged fragments of 72 bytes, a challenge of 40 bytes, round and blocks.
		assert!(OpenChallenge::<u32>::max_encoded_len() < 5_000);
	}
}
