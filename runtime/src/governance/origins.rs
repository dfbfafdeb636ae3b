//! The origins a passed referendum dispatches with: one per spender track.

pub use pallet_custom_origins::*;

/// A pallet that only declares the governance origins.
#[frame_support::pallet]
pub mod pallet_custom_origins {
	use frame_support::pallet_prelude::*;

	/// The pallet: only an origin.
	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// No configuration.
	#[pallet::config]
	pub trait Config: frame_system::Config {}

	/// The origin of a referendum that passed on a spender track.
	#[derive(
		PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// May spend up to [`crate::governance::SMALL_SPEND`] from the treasury at once.
		SmallSpender,
		/// May spend up to [`crate::governance::BIG_SPEND`] from the treasury at once.
		BigSpender,
	}
}
