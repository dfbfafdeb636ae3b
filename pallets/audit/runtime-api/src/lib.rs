//! Runtime API of the CESS audit pallet.
//!
//! What a storage miner reads to answer its audits: its open challenge with the fragments and
//! leaves to prove ([`AuditApi::challenge`]), the round in progress ([`AuditApi::round`]), its
//! record ([`AuditApi::record`]) and the parameters ([`AuditApi::params`]). With `std`, the
//! miner answers each challenged fragment with
//! `cess_primitives::proof::prove_fragment(&view.layout, &view.challenge, &fragment.hash, &bytes)`
//! and submits `Audit::submit_proof(view.round, proofs)`.
//!
//! The runtime implements it by calling the pallet's view functions:
//!
//! ```ignore
//! impl pallet_audit_runtime_api::AuditApi<Block, AccountId, BlockNumber> for Runtime {
//!     fn challenge(miner: AccountId) -> Option<ChallengeView<BlockNumber>> { Audit::challenge_view(&miner) }
//!     fn round() -> Option<RoundView<BlockNumber>> { Audit::round_view() }
//!     fn record(miner: AccountId) -> AuditRecord { Audit::record(&miner) }
//!     fn params() -> AuditParams<BlockNumber> { Audit::params() }
//! }
//! ```

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

use codec::Codec;

pub use pallet_audit::{
	AuditParams, AuditRecord, ChallengeView, ChallengedFragmentView, RoundIndex, RoundView,
};

sp_api::decl_runtime_apis! {
	/// Challenges and audit records.
	pub trait AuditApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// The open challenge of `miner`, if any: the round, the challenge, the fragments and
		/// leaves to prove, and the deadline.
		fn challenge(miner: AccountId) -> Option<ChallengeView<BlockNumber>>;

		/// The round in progress (or the last one); `None` before the first round.
		fn round() -> Option<RoundView<BlockNumber>>;

		/// The audit history of `miner`.
		fn record(miner: AccountId) -> AuditRecord;

		/// The audit parameters.
		fn params() -> AuditParams<BlockNumber>;
	}
}
