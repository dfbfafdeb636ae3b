//! The interface between the pallet and the session machinery.
//!
//! The pallet draws each session's validators and punishes offences, for which it reads who has
//! session keys, the current set and the session index, and reports offenders to the disabling
//! strategy. It reads and reports through [`SessionInterface`] rather than through another
//! pallet's storage; [`PalletSession`](crate::PalletSession) implements it over pallet-session
//! (the runtime's and the mock's).

use alloc::vec::Vec;
use sp_staking::{offence::OffenceSeverity, SessionIndex};

/// What the pallet needs from the session machinery.
pub trait SessionInterface<AccountId> {
	/// Whether `who` has registered session keys (those of the next session).
	fn has_keys(who: &AccountId) -> bool;

	/// Up to `max` accounts with session keys, in the key registry's order.
	fn keyed_accounts(max: u32) -> Vec<AccountId>;

	/// The validators of the current session.
	fn validators() -> Vec<AccountId>;

	/// The index of the current session.
	fn current_index() -> SessionIndex;

	/// Reports an offence of `validator` in the current session, of `severity`, to the
	/// disabling strategy.
	fn report_offence(validator: AccountId, severity: OffenceSeverity);

	/// Benchmark set-up: gives `who` session keys (any valid ones).
	#[cfg(feature = "runtime-benchmarks")]
	fn set_keys(who: &AccountId) -> Result<(), &'static str>;

	/// Benchmark set-up: makes `validators` the current session's set.
	#[cfg(feature = "runtime-benchmarks")]
	fn set_validators(validators: Vec<AccountId>);
}
