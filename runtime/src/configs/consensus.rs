//! Block production (BABE), finality (GRANDPA), sessions and offence reporting.

use crate::{
	chain_params::EpochDurationInSlots, configs::TreasuryAccount, AccountId, Babe, Balances,
	Historical, Offences, R2s, Runtime, RuntimeEvent, Session, SessionKeys, CESS, DAYS,
	MILLISECS_PER_BLOCK,
};
use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32, ConstU64},
};
use sp_runtime::{
	traits::{ConvertInto, OpaqueKeys},
	Perbill,
};

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
	// R²S counts blocks authored for the credit score; the incentive layer for validator rewards.
	type EventHandler = (R2s, crate::configs::NoteAuthorToIncentive);
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Babe;
	type NextSessionRotation = Babe;
	// R²S draws the validators; historical records each set so equivocations can be proven.
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Self, R2s>;
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
	type FullIdentification = pallet_r2s::FullIdentification;
	type FullIdentificationOf = pallet_r2s::UnitIdentificationOf;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	// R²S punishes BABE and GRANDPA equivocations: a credit cut and a bond slash.
	type OnOffenceHandler = R2s;
}

parameter_types! {
	/// The least part of a bond an equivocation costs.
	pub const R2sMinSlash: Perbill = Perbill::from_percent(1);
}

impl pallet_r2s::Config for Runtime {
	type Currency = Balances;
	type Slashed = ResolveTo<TreasuryAccount, Balances>;
	// Known a whole epoch ahead, so no block author can bias a draw by withholding a block.
	type Randomness = pallet_babe::RandomnessFromOneEpochAgo<Runtime>;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	// Keys, sets and offence reports of pallet-session.
	type SessionInterface = pallet_r2s::PalletSession<Runtime>;
	type MinBond = ConstU128<{ 10_000 * CESS }>;
	type BondSaturation = ConstU32<10>;
	type MaxCandidates = ConstU32<256>;
	// Never more than BABE and GRANDPA accept in one set.
	type MaxActive = MaxAuthorities;
	type CreditThreshold = ConstU32<500>;
	type BaseCredit = ConstU32<700>;
	type OffenceCreditCut = ConstU32<600>;
	type MinSlash = R2sMinSlash;
	// At least as long as an equivocation report stays valid, so an offender cannot leave first.
	type UnbondingDelay = ConstU32<{ 7 * DAYS }>;
	type MaxUnbondingChunks = ConstU32<16>;
	type SlashableSessions = ConstU32<168>;
	type WeightInfo = pallet_r2s::weights::SubstrateWeight<Runtime>;
}
