//! Chain parameters that a chain spec fixes at genesis and that the runtime reads.
//!
//! - BABE's epoch length (and so the session length) is a `Get<u64>` in `pallet_babe::Config`. A
//!   compile-time constant would force a second WASM build for short development sessions; here
//!   it lives in storage, written once by the genesis config of the chain spec and read through
//!   [`EpochDurationInSlots`]. There is deliberately no call to change it: changing the epoch
//!   length of a running BABE chain breaks the epoch arithmetic of every node.
//! - The governance clock: referendum tracks, the treasury's spend period and vote locks are
//!   defined in days; a development chain divides them by [`GovernanceSpeedup`] so that a
//!   proposal can be decided in minutes with the same WASM ([`scaled`]).

pub use pallet::*;

#[frame_support::pallet]
pub mod pallet {
	use frame_support::pallet_prelude::*;

	/// Epoch length used when the genesis config does not set one: one hour of 6 s slots.
	pub const DEFAULT_EPOCH_DURATION_IN_SLOTS: u64 = crate::PRODUCTION_EPOCH_DURATION_IN_SLOTS;

	/// Shortest epoch the genesis config accepts. BABE needs a few slots per epoch to collect
	/// randomness, and GRANDPA needs sessions long enough to finalize a set change.
	pub const MIN_EPOCH_DURATION_IN_SLOTS: u64 = 5;

	/// The pallet: storage for genesis-time chain parameters.
	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Configuration: nothing beyond `frame_system`.
	#[pallet::config]
	pub trait Config: frame_system::Config {}

	/// Length of a BABE epoch (= session) in slots, fixed at genesis.
	#[pallet::storage]
	pub type EpochDuration<T: Config> = StorageValue<_, u64, ValueQuery, DefaultEpochDuration>;

	/// Default of [`EpochDuration`] for chains whose genesis did not set it.
	#[pallet::type_value]
	pub fn DefaultEpochDuration() -> u64 {
		DEFAULT_EPOCH_DURATION_IN_SLOTS
	}

	/// How many times faster than production the governance clock runs (1 in production).
	#[pallet::storage]
	pub type GovernanceSpeedup<T: Config> = StorageValue<_, u32, ValueQuery, DefaultSpeedup>;

	/// Default of [`GovernanceSpeedup`]: production speed.
	#[pallet::type_value]
	pub fn DefaultSpeedup() -> u32 {
		1
	}

	/// Genesis configuration: the chain spec's `chainParams` section.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Length of a session / BABE epoch in 6 s slots (production: 600 = one hour).
		pub epoch_duration_in_slots: u64,
		/// Divisor of governance periods (0 or 1: production; development chains: 1440, which
		/// turns days into minutes).
		pub governance_speedup: u32,
		#[serde(skip)]
		#[doc(hidden)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// A zero (unset) value keeps the production default. A chain spec is operator input,
			// so a bad value stops genesis with a message instead of building a broken chain.
			let duration = if self.epoch_duration_in_slots == 0 {
				DEFAULT_EPOCH_DURATION_IN_SLOTS
			} else {
				self.epoch_duration_in_slots
			};
			assert!(
				duration >= MIN_EPOCH_DURATION_IN_SLOTS,
				"chainParams.epochDurationInSlots must be at least {MIN_EPOCH_DURATION_IN_SLOTS}"
			);
			EpochDuration::<T>::put(duration);
			GovernanceSpeedup::<T>::put(self.governance_speedup.max(1));
		}
	}
}

/// `Get<u64>` for `pallet_babe::Config::EpochDuration`: the length fixed at genesis.
pub struct EpochDurationInSlots<T>(core::marker::PhantomData<T>);

impl<T: Config> frame_support::traits::Get<u64> for EpochDurationInSlots<T> {
	fn get() -> u64 {
		EpochDuration::<T>::get()
	}
}

/// `period` (in blocks, at production speed) on this chain's governance clock: divided by
/// [`GovernanceSpeedup`], never below one block.
pub fn scaled<T: Config>(period: u32) -> u32 {
	(period / GovernanceSpeedup::<T>::get().max(1)).max(1)
}

/// `Get<u32>` of a production period in blocks, scaled to this chain's governance clock.
pub struct ScaledPeriod<T, P>(core::marker::PhantomData<(T, P)>);

impl<T: Config, P: frame_support::traits::Get<u32>> frame_support::traits::Get<u32>
	for ScaledPeriod<T, P>
{
	fn get() -> u32 {
		scaled::<T>(P::get())
	}
}
