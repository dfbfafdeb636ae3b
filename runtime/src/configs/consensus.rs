//! Block production (BABE), finality (GRANDPA), sessions and offence reporting.

use crate::{
	chain_params::EpochDurationInSlots,
	validator_set::{GenesisValidatorSet, UnitIdentification},
	AccountId, Babe, Balances, Historical, Offences, Runtime, RuntimeEvent, Session, SessionKeys,
	CESS, DAYS, MILLISECS_PER_BLOCK,
};
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
};
use sp_runtime::traits::{ConvertInto, OpaqueKeys};

parameter_types! {
	/// Most validators BABE and GRANDPA accept in one set (R²S draws 11 of the candidates).
	pub const MaxAuthorities: u32 = 100;
	/// An equivocation report stays valid in the pool for a week of blocks.
	pub const ReportLongevity: u64 = 7 * DAYS as u64;
}

impl pallet_babe::Config for Runtime {
	type EpochDuration = EpochDurationInSlots<Runtime>;
	type ExpectedBlockTime = ConstU64<MILLISECS_PER_BLOCK>;
	// Epochs change when pallet-session rotates, which asks BABE (`ShouldEndSession = Babe`).
	type EpochChangeTrigger = pallet_babe::ExternalTrigger;
	type DisabledValidators = Session;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_babe::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	// Keep set-id → session mappings for a week of one-hour sessions.
	type MaxSetIdSessionEntries = ConstU64<168>;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_grandpa::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Babe>;
	type EventHandler = ();
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Babe;
	type NextSessionRotation = Babe;
	type SessionManager =
		pallet_session::historical::NoteHistoricalRoot<Self, GenesisValidatorSet<Self>>;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = pallet_session::disabling::UpToLimitWithReEnablingDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	// Registering session keys holds one CESS, so the key registry cannot be spammed for free.
	type KeyDeposit = ConstU128<CESS>;
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = UnitIdentification;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	// Offences are recorded on chain; punishing them is R²S's job once it lands.
	type OnOffenceHandler = ();
}
