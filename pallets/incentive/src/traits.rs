//! The contract between the incentive pallet and the rest of the chain.
//!
//! pallet-incentive depends on no other CESS pallet. It *receives* contributions through
//! [`ContributionSink`], which it implements and the runtime hands to the pallets that witness
//! the work:
//!
//! | caller (through a runtime adapter)  | call                                              |
//! |-------------------------------------|---------------------------------------------------|
//! | pallet-audit, per miner and round   | [`note_audit`](ContributionSink::note_audit)      |
//! | pallet-file-bank, per confirmed transfer | [`note_bandwidth`](ContributionSink::note_bandwidth) |
//! | pallet-authorship's `EventHandler` (credit from pallet-r2s) | [`note_block_authored`](ContributionSink::note_block_authored) |
//!
//! Storage fees enter the miners' pot through the pallet's
//! [`OnUnbalanced`](frame_support::traits::OnUnbalanced) implementation (the file bank hands it
//! the fee as a fungible credit).
//!
//! It *reads* two things, which the runtime implements over pallet-sminer:
//! [`MinerSpace`] (a miner's idle and service space, sampled when it passes an audit) and
//! [`RewardPayee`] (the account that receives an earner's rewards); and one the runtime
//! implements over pallet-file-bank: [`StoragePrice`] (what uploaders pay, which bounds what a
//! stored byte may earn).
//!
//! Every `note_*` call does a bounded amount of work (one contribution record and one running
//! total are updated) and never fails: a report that cannot count (a zero amount, a miner that
//! already failed an audit this era) is ignored. The caller charges
//! [`ContributionSink::note_weight`] per call.

use crate::types::StorageTerms;
use frame_support::weights::Weight;

/// The space of a storage miner at one moment, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpaceSnapshot {
	/// Declared space that holds no fragment yet (declared − used − locked).
	pub idle: u64,
	/// Space that holds confirmed fragments of users' files (used space).
	pub service: u64,
}

/// Where the chain reports the work it witnessed. Implemented by `pallet_incentive::Pallet`.
///
/// All reports count towards the era in progress.
pub trait ContributionSink<AccountId> {
	/// The audit pallet judged `miner`'s answer in one challenge round: `passed` when the proof
	/// verified, `false` when it did not or the miner did not answer before the deadline.
	///
	/// Call it at most once per miner per round. A passed audit adds the miner's current
	/// [`SpaceSnapshot`] (read through [`MinerSpace`]) to its era contribution, so space earns
	/// only at a passed audit, in proportion to how long it was held (rounds are periodic); a
	/// miner that is never audited (one without fragments) earns nothing for its idle space. A
	/// failed audit forfeits the miner's storage rewards for the whole era: what it contributed
	/// so far is taken out of the era totals and later reports for it in this era are ignored.
	fn note_audit(miner: &AccountId, passed: bool);

	/// The file bank confirmed on chain that `miner` received a fragment of `bytes` bytes (an
	/// upload, or a repair that the miner rebuilt and stored).
	fn note_bandwidth(miner: &AccountId, bytes: u64);

	/// `validator` authored the current block while its credit score was `credit` (0 – 1000;
	/// larger values count as 1000). Call it once per block, from pallet-authorship's
	/// `EventHandler`.
	fn note_block_authored(validator: &AccountId, credit: u32);

	/// Upper bound of the weight of one `note_*` call, for the caller to charge.
	fn note_weight() -> Weight;
}

/// Reports go nowhere: for runtimes and tests without an incentive pallet.
impl<AccountId> ContributionSink<AccountId> for () {
	fn note_audit(_miner: &AccountId, _passed: bool) {}

	fn note_bandwidth(_miner: &AccountId, _bytes: u64) {}

	fn note_block_authored(_validator: &AccountId, _credit: u32) {}

	fn note_weight() -> Weight {
		Weight::zero()
	}
}

/// The space of storage miners, as the incentive pallet reads it. The runtime implements it
/// over pallet-sminer (`idle = declared − used − locked`, `service = used`).
///
/// The call must do bounded work (a storage read or two): it runs inside
/// [`ContributionSink::note_audit`].
pub trait MinerSpace<AccountId> {
	/// The space of `miner` now, or `None` if it is not a registered miner.
	fn space(miner: &AccountId) -> Option<SpaceSnapshot>;
}

/// No miners: passed audits add no space. For tests and runtimes without storage miners.
impl<AccountId> MinerSpace<AccountId> for () {
	fn space(_miner: &AccountId) -> Option<SpaceSnapshot> {
		None
	}
}

/// The account that receives the rewards an account earned. The runtime implements it over
/// pallet-sminer: a storage miner's beneficiary, otherwise the account itself (validators).
pub trait RewardPayee<AccountId> {
	/// The account to pay `earner`'s rewards to.
	fn payee(earner: &AccountId) -> AccountId;
}

/// Every account is paid itself.
impl<AccountId: Clone> RewardPayee<AccountId> for () {
	fn payee(earner: &AccountId) -> AccountId {
		earner.clone()
	}
}

/// What uploaders pay for storage. The runtime implements it over pallet-file-bank (its price,
/// period and expiry granularity); the service and bandwidth pots are capped by it
/// ([`crate::RewardParams::service_cap`], [`crate::RewardParams::bandwidth_cap`]).
///
/// The call must do bounded work (a storage read): it runs when an era closes.
pub trait StoragePrice<Balance, BlockNumber> {
	/// The storage terms now.
	fn terms() -> StorageTerms<Balance, BlockNumber>;
}

/// Free storage: the service and bandwidth pots pay nothing (nothing was paid that could back
/// them). For runtimes without a file bank.
impl<Balance: Default, BlockNumber: Default> StoragePrice<Balance, BlockNumber> for () {
	fn terms() -> StorageTerms<Balance, BlockNumber> {
		StorageTerms::default()
	}
}
