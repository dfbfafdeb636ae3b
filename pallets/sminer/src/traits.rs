//! The interfaces between storage miners and the pallets that use them.
//!
//! [`StorageMiners`] is what the file bank (placement, confirmation, repair), the audit pallet
//! (punishment) and the incentive pallet (space for rewards) call; this pallet implements it.
//! [`OnMinerExit`] is what this pallet calls when a miner starts to exit; the file bank implements
//! it to move the miner's fragments elsewhere. [`AuditObligations`] is what this pallet asks the
//! audit before an exit starts and when it ends; the runtime implements it over pallet-audit.

use crate::types::{MinerSpace, MinerState, PeerId, SlashReason, SpaceTotals};
use alloc::vec::Vec;
use frame_support::weights::Weight;
use sp_runtime::{DispatchError, DispatchResult, Perbill};

/// A page of the miner registry, from [`StorageMiners::active_miners_page`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MinersPage<AccountId> {
	/// The active miners among the records read.
	pub active: Vec<AccountId>,
	/// Where the next page starts (pass it as `start_after`), or `None` when the registry ended.
	pub next: Option<AccountId>,
}

/// Storage miners as seen by the other pallets of the chain.
///
/// Space is counted in bytes. A fragment's life: `lock_space` when it is assigned to a miner,
/// then `commit_space` when the miner confirms it stores it, or `unlock_space` when the deal is
/// cancelled or the fragment reassigned; `release_space` when the fragment is deleted or moved
/// away. Every function does bounded work.
pub trait StorageMiners<AccountId> {
	/// Balance of collateral.
	type Balance;
	/// Block number (in the `Exiting` state).
	type BlockNumber;

	/// The state of `who`, or `None` if it is not a registered miner (or has withdrawn).
	fn state(who: &AccountId) -> Option<MinerState<Self::BlockNumber>>;

	/// Whether `who` takes new fragments (registered and `Active`).
	fn is_active(who: &AccountId) -> bool {
		matches!(Self::state(who), Some(MinerState::Active))
	}

	/// Declared, used, locked and free space of `who`.
	fn space(who: &AccountId) -> Option<MinerSpace>;

	/// Free space of `who` (zero for an unknown account).
	fn free_space(who: &AccountId) -> u64 {
		Self::space(who).map_or(0, |space| space.free)
	}

	/// Used space of `who` (zero for an unknown account).
	fn used_space(who: &AccountId) -> u64 {
		Self::space(who).map_or(0, |space| space.used)
	}

	/// Locked space of `who` (zero for an unknown account).
	fn locked_space(who: &AccountId) -> u64 {
		Self::space(who).map_or(0, |space| space.locked)
	}

	/// Counters over all registered miners.
	fn totals() -> SpaceTotals;

	/// Reserves `bytes` of free space of an `Active` miner for an assigned fragment.
	fn lock_space(who: &AccountId, bytes: u64) -> DispatchResult;

	/// Returns `bytes` of locked space to free space (deal cancelled, fragment reassigned).
	fn unlock_space(who: &AccountId, bytes: u64) -> DispatchResult;

	/// Turns `bytes` of locked space into used space (the miner confirmed the fragment). Allowed
	/// in every state: the fragment was assigned while the miner was active.
	fn commit_space(who: &AccountId, bytes: u64) -> DispatchResult;

	/// Returns `bytes` of used space to free space (fragment deleted or moved to another miner).
	fn release_space(who: &AccountId, bytes: u64) -> DispatchResult;

	/// Slashes `fraction` of the miner's collateral for `reason`; the amount goes to the
	/// runtime's slash handler (the treasury). An `Active` miner whose collateral falls below the
	/// requirement becomes `Frozen`. Returns the amount slashed.
	fn slash(
		who: &AccountId,
		fraction: Perbill,
		reason: SlashReason,
	) -> Result<Self::Balance, DispatchError>;

	/// Upper bound of the weight of [`StorageMiners::slash`] (measured on its most expensive
	/// path: an `Active` miner frozen and taken out of the sampling index).
	fn slash_weight() -> Weight;

	/// The PeerId bound to `who`.
	fn peer_id(who: &AccountId) -> Option<PeerId>;

	/// The miner a PeerId is bound to.
	fn miner_of_peer(peer_id: &PeerId) -> Option<AccountId>;

	/// The account that receives the rewards of `who`.
	fn beneficiary(who: &AccountId) -> Option<AccountId>;

	/// Number of `Active` miners.
	fn active_miner_count() -> u32;

	/// Reads at most `max_records` miner records in the registry's (stable, hashed-key) order,
	/// starting after `start_after` (`None`: from the beginning), and returns the active ones. A
	/// cursor stays valid when miners register or leave between pages.
	fn active_miners_page(
		start_after: Option<&AccountId>,
		max_records: u32,
	) -> MinersPage<AccountId>;

	/// Draws up to `count` distinct `Active` miners with at least `min_free` bytes of free space,
	/// none of them in `exclude`, each draw weighted by free space, from the randomness `seed`.
	///
	/// The work is bounded by `min(count, indexed miners) × SamplingAttemptsPerMiner` attempts,
	/// each at most two storage reads (plus one read of the sampling index), so fewer than
	/// `count` miners may come back when few are eligible. The same seed and state give the same
	/// miners.
	fn sample_miners(
		seed: &[u8; 32],
		count: u32,
		min_free: u64,
		exclude: &[AccountId],
	) -> Vec<AccountId>;
}

/// Called when a miner announces its exit (`prepare_exit`): the file bank schedules the repair
/// of the miner's fragments on other miners. The implementation must do bounded work (schedule,
/// then move fragments in bounded steps) and stay within [`OnMinerExit::weight`].
pub trait OnMinerExit<AccountId> {
	/// `who` started to exit.
	fn on_miner_exit(who: &AccountId);

	/// Upper bound of the weight of [`OnMinerExit::on_miner_exit`], charged by `prepare_exit`.
	fn weight() -> Weight;
}

/// No repair: for tests and chains without a file bank.
impl<AccountId> OnMinerExit<AccountId> for () {
	fn on_miner_exit(_who: &AccountId) {}

	fn weight() -> Weight {
		Weight::zero()
	}
}

/// What a miner still owes the audit. pallet-sminer asks before it lets a miner start an exit
/// (`prepare_exit` is refused while the miner has strikes or a challenge not judged yet) and when
/// the exit ends (`withdraw` waits for the last challenge to be judged, and the strikes the miner
/// earned while leaving cost their share of the punishment). The runtime implements it over
/// pallet-audit.
pub trait AuditObligations<AccountId> {
	/// Failed audit rounds of `who` that were neither cleared nor punished yet.
	fn strikes(who: &AccountId) -> u32;

	/// Whether `who` has a challenge that is not judged yet (neither answered nor expired).
	fn has_open_challenge(who: &AccountId) -> bool;

	/// Clears the strikes of `who`, a miner that leaves, and returns the share of its collateral
	/// they cost: the punishment's slash, pro rata of the strikes to the strike limit (zero
	/// without strikes).
	fn settle_strikes(who: &AccountId) -> Perbill;

	/// Upper bound of the weight of one call of each function above together.
	fn weight() -> Weight;
}

/// Nothing is owed: for tests and chains without audits.
impl<AccountId> AuditObligations<AccountId> for () {
	fn strikes(_who: &AccountId) -> u32 {
		0
	}

	fn has_open_challenge(_who: &AccountId) -> bool {
		false
	}

	fn settle_strikes(_who: &AccountId) -> Perbill {
		Perbill::zero()
	}

	fn weight() -> Weight {
		Weight::zero()
	}
}
