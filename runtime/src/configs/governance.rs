//! Treasury and OpenGov (see [`crate::governance`] for the design).

use crate::{
	chain_params::ScaledPeriod,
	configs::RuntimeBlockWeights,
	configs::TreasuryAccount,
	governance::{Spender, TracksInfo},
	AccountId, Balance, Balances, OriginCaller, Preimage, Referenda, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Scheduler, Treasury, CESS, DAYS, MILLICESS,
};
use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration,
		tokens::{pay::PayFromAccount, UnityAssetBalanceConversion},
		ActiveIssuanceOf, ConstU128, ConstU32, EqualPrivilegeOnly, LinearStoragePrice,
	},
	weights::Weight,
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use sp_runtime::traits::AccountIdLookup;

parameter_types! {
	/// Id of the treasury; its account is [`TreasuryAccount`].
	pub const TreasuryPalletId: PalletId = PalletId(*b"py/trsry");
	/// The treasury pays approved spends once a day.
	pub const SpendPeriodDays: u32 = DAYS;
	/// An approved `spend` may be paid out during 30 days.
	pub const PayoutPeriodDays: u32 = 30 * DAYS;
	/// Conviction-1 votes are locked for a week after the referendum ends.
	pub const VoteLockingDays: u32 = 7 * DAYS;
	/// A referendum without a decision deposit times out after two weeks.
	pub const UndecidingTimeoutDays: u32 = 14 * DAYS;
	/// Scheduled calls may use at most 80 % of a block.
	pub MaximumSchedulerWeight: Weight =
		RuntimeBlockWeights::get().max_block.saturating_mul(4) / 5;
	/// Reason under which preimage deposits are held.
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
}

impl pallet_treasury::Config for Runtime {
	type PalletId = TreasuryPalletId;
	type Currency = Balances;
	type RejectOrigin = EnsureRoot<AccountId>;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = ScaledPeriod<Runtime, SpendPeriodDays>;
	// The fund is kept for the community: nothing is burnt at a spend period.
	type Burn = ();
	type BurnDestination = ();
	type WeightInfo = crate::weights::pallet_treasury::WeightInfo<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = ConstU32<100>;
	// Only a referendum passed on a spender track approves a spend, up to the track's cap. Root
	// is not a spend origin: neither sudo nor a root-track referendum approves spends. (Root can
	// still move any balance, e.g. `balances.force_transfer`; on a chain without a sudo key
	// Root is only the root track's referendum.) The benchmarks spend with the
	// big-spender origin (`Spender::try_successful_origin`).
	type SpendOrigin = Spender;
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = AccountIdLookup<AccountId, ()>;
	type Paymaster = PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = ScaledPeriod<Runtime, PayoutPeriodDays>;
	type BlockNumberProvider = frame_system::Pallet<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TreasuryBenchmarkArguments;
}

/// The treasury benchmarks' spend arguments. Their payout is a fixed 100 units, below this
/// chain's existential deposit, so the beneficiary is given the deposit first (a transfer to a
/// new account that small would be refused and the benchmark could not measure a payout).
#[cfg(feature = "runtime-benchmarks")]
pub struct TreasuryBenchmarkArguments;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_treasury::ArgumentsFactory<(), AccountId> for TreasuryBenchmarkArguments {
	fn create_asset_kind(_seed: u32) {}

	fn create_beneficiary(seed: [u8; 32]) -> AccountId {
		use frame_support::traits::fungible::Mutate;
		let beneficiary = AccountId::from(seed);
		let _ = Balances::mint_into(&beneficiary, crate::EXISTENTIAL_DEPOSIT);
		beneficiary
	}
}

impl pallet_conviction_voting::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_conviction_voting::WeightInfo<Runtime>;
	type Currency = Balances;
	type Polls = Referenda;
	// Support is measured against the active issuance: the treasury's fund does not vote.
	type MaxTurnout = ActiveIssuanceOf<Balances, AccountId>;
	type MaxVotes = ConstU32<512>;
	type VoteLockingPeriod = ScaledPeriod<Runtime, VoteLockingDays>;
	type BlockNumberProvider = frame_system::Pallet<Runtime>;
	type VotingHooks = ();
}

impl pallet_referenda::Config for Runtime {
	// Its benchmarks assume a preparing phase longer than the development preset's scaled tracks
	// give, so referenda keeps polkadot-sdk's reference weights.
	type WeightInfo = pallet_referenda::weights::SubstrateWeight<Runtime>;
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type Scheduler = Scheduler;
	type Currency = Balances;
	// Any account can propose.
	type SubmitOrigin = EnsureSigned<AccountId>;
	type CancelOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	// Deposits of killed referenda go to the fund.
	type Slash = Treasury;
	type Votes = Balance;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = ConstU128<{ 100 * CESS }>;
	type MaxQueued = ConstU32<100>;
	type UndecidingTimeout = ScaledPeriod<Runtime, UndecidingTimeoutDays>;
	type AlarmInterval = ConstU32<1>;
	type Tracks = TracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = frame_system::Pallet<Runtime>;
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type MaxScheduledPerBlock = ConstU32<50>;
	type WeightInfo = crate::weights::pallet_scheduler::WeightInfo<Runtime>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type Preimages = Preimage;
	type BlockNumberProvider = frame_system::Pallet<Runtime>;
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_preimage::WeightInfo<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	// 10 CESS plus 0.01 CESS per byte, held while the preimage is stored.
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<ConstU128<{ 10 * CESS }>, ConstU128<{ 10 * MILLICESS }>, Balance>,
	>;
}

impl crate::governance::pallet_custom_origins::Config for Runtime {}
