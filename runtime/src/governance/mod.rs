//! The community development fund and how token holders govern it (OpenGov).
//!
//! - [`pallet_treasury`] holds the fund. It is fed by the treasury share of every reward era and
//!   the rewards nobody claimed ([`pallet_incentive`]), by slashed collateral and bonds
//!   ([`pallet_sminer`], [`pallet_r2s`]) and by 80 % of transaction fees.
//! - Any account proposes a spend by submitting a referendum ([`pallet_referenda`]) on a spender
//!   track; token holders vote with conviction ([`pallet_conviction_voting`]). A referendum passes
//!   when both its *approval* (conviction-weighted ayes / all votes) and its *support* (aye
//!   tokens / active issuance, the quorum — the treasury's own funds do not count) stay above
//!   the track's curves for the confirm period. [`pallet_scheduler`] then dispatches the call
//!   with the track's origin ([`origins`]), and the treasury pays an approved `spend_local`
//!   automatically at its next spend period. [`pallet_preimage`] stores large proposals.
//! - Only the spender tracks' origins approve spends ([`Spender`], the treasury's
//!   `SpendOrigin`); Root does not, so sudo cannot spend the fund without a vote.
//!
//! Why OpenGov: pallet-democracy is deprecated upstream, and a council (pallet-collective) is not
//! a vote of token holders. Tracks give each kind of decision its own quorum and approval
//! curves and each spender its own cap.
//!
//! All periods are defined at production speed (days) and run on the chain's governance clock
//! ([`crate::chain_params::scaled`]): development chains divide them by 1440, so a day becomes a
//! minute.

pub mod origins;
mod tracks;

pub use origins::pallet_custom_origins;
pub use tracks::{TracksInfo, BIG_SPEND, SMALL_SPEND};

use crate::Balance;
use frame_support::traits::EnsureOrigin;

/// The spend cap of the track a referendum passed on; the treasury's `SpendOrigin`.
pub struct Spender;

impl<O> EnsureOrigin<O> for Spender
where
	O: Into<Result<pallet_custom_origins::Origin, O>> + From<pallet_custom_origins::Origin>,
{
	type Success = Balance;

	fn try_origin(origin: O) -> Result<Balance, O> {
		origin.into().map(|origin| match origin {
			pallet_custom_origins::Origin::SmallSpender => SMALL_SPEND,
			pallet_custom_origins::Origin::BigSpender => BIG_SPEND,
		})
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		Ok(O::from(pallet_custom_origins::Origin::BigSpender))
	}
}
