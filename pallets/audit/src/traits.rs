//! The interfaces between the audit pallet and the rest of the chain.
//!
//! Consumed (the runtime implements them):
//! - [`StoredFragments`](cess_primitives::StoredFragments) (`Config::Fragments`): each miner's
//!   list of stored fragments, defined in `cess_primitives` so that this pallet does not depend
//!   on the file bank, which implements it;
//! - [`AuditPenalty`]: what happens to a miner that reaches the strike limit (pallet-sminer's
//!   slash, which freezes a miner whose collateral falls below the requirement, and the file
//!   bank's repair of its fragments);
//! - [`OnAuditResult`]: every judged round, passed or failed, for the incentive layer.

use crate::types::{AuditFault, RoundIndex};
use frame_support::weights::Weight;
use sp_runtime::Perbill;

/// Punishes a miner that failed `strike_limit` rounds.
pub trait AuditPenalty<AccountId> {
	/// `miner` reached the strike limit; `fault` is its latest failure. Slash `fraction` of its
	/// collateral (the miner is frozen if that leaves it below its requirement) and move its
	/// fragments to other miners. Must do bounded work (a repair is only queued).
	fn punish(miner: &AccountId, fraction: Perbill, fault: AuditFault);

	/// Upper bound of the weight of [`AuditPenalty::punish`].
	fn weight() -> Weight;
}

/// No punishment: for tests and chains without collateral.
impl<AccountId> AuditPenalty<AccountId> for () {
	fn punish(_miner: &AccountId, _fraction: Perbill, _fault: AuditFault) {}

	fn weight() -> Weight {
		Weight::zero()
	}
}

/// Told the outcome of every judged round: the runtime forwards it to the incentive pallet
/// (`ContributionSink::note_audit`), which rewards proven space and forfeits the era's storage
/// rewards of a miner that failed.
pub trait OnAuditResult<AccountId> {
	/// `miner` passed (`true`) or failed (`false`) round `round`. Called at most once per miner
	/// and round.
	fn on_audit_result(miner: &AccountId, round: RoundIndex, passed: bool);

	/// Upper bound of the weight of [`OnAuditResult::on_audit_result`].
	fn weight() -> Weight;
}

/// Nobody is told: for tests and runtimes without an incentive layer.
impl<AccountId> OnAuditResult<AccountId> for () {
	fn on_audit_result(_miner: &AccountId, _round: RoundIndex, _passed: bool) {}

	fn weight() -> Weight {
		Weight::zero()
	}
}

/// Sets up what the benchmarks need in the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `layout` the chain's layout and gives `miner` exactly the stored fragments
	/// `roots`. In the runtime: `pallet_file_bank::Pallet::benchmark_store_fragments`.
	fn store_fragments(
		miner: &AccountId,
		layout: cess_primitives::FileLayout,
		roots: &[cess_primitives::FragmentHash],
	);
}
