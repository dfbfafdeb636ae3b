//! The treasury DAO, proven in a test runtime built like the proposed CESS runtime.
//!
//! - pallet-treasury holds the community development fund. pallet-incentive pays it the treasury
//!   share of every era and the rewards nobody claimed; slashes and a share of fees are resolved
//!   into its account.
//! - OpenGov decides spends: any account submits a referendum (pallet-referenda) on a spender
//!   track, whose origin (from the small `origins` pallet below) may spend up to the track's
//!   cap; token holders vote with pallet-conviction-voting; a referendum passes when the aye
//!   share of the votes (approval) and the aye turnout against the active issuance (support,
//!   the quorum) stay above the track's curves for the confirm period; pallet-scheduler enacts
//!   it; pallet-preimage stores large proposals.
//! - An enacted `treasury.spend_local` is paid automatically at the treasury's next spend
//!   period; an enacted `treasury.spend` is paid by a permissionless `treasury.payout`.

#![allow(deprecated)] // `spend_local`: see `an_approved_spend_is_paid_automatically`.

use frame_support::{
	assert_noop, assert_ok, derive_impl, parameter_types,
	traits::{
		fungible::{Balanced, Inspect, Mutate},
		tokens::{
			imbalance::ResolveTo, pay::PayFromAccount, Fortitude, Precision, Preservation,
			UnityAssetBalanceConversion,
		},
		ActiveIssuanceOf, ConstU32, ConstU64, EqualPrivilegeOnly, OnUnbalanced, OriginTrait,
		StorePreimage, VariantCountOf,
	},
	weights::Weight,
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_incentive::{fees::SplitCredit, ContributionSink, RewardParams};
use pallet_referenda::{Curve, Track, TrackInfo, TracksInfo};
use sp_runtime::{
	str_array as name, traits::AccountIdConversion, traits::IdentityLookup, BuildStorage, Perbill,
};
use std::borrow::Cow;

type AccountId = u64;
type Balance = u64;
type BlockNumber = u64;
type Block = frame_system::mocking::MockBlock<Runtime>;

/// Custom governance origins: one per spender track. In the runtime this module lives next to
/// the track definitions (`runtime/src/governance/origins.rs`).
#[frame_support::pallet]
pub mod origins {
	use frame_support::pallet_prelude::*;

	/// The pallet: only an origin.
	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// No configuration.
	#[pallet::config]
	pub trait Config: frame_system::Config {}

	/// The origins a passed referendum dispatches with, one per track.
	#[derive(
		PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// May spend up to [`super::SMALL_SPEND`] from the treasury at once.
		SmallSpender,
		/// May spend up to [`super::BIG_SPEND`] from the treasury at once.
		BigSpender,
	}
}

frame_support::construct_runtime!(
	pub enum Runtime {
		System: frame_system,
		Balances: pallet_balances,
		Preimage: pallet_preimage,
		Scheduler: pallet_scheduler,
		Treasury: pallet_treasury,
		ConvictionVoting: pallet_conviction_voting,
		Referenda: pallet_referenda,
		Origins: origins,
		Incentive: pallet_incentive,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

const ED: Balance = 1;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Runtime {
	type Balance = Balance;
	type ExistentialDeposit = ConstU64<ED>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = ();
}

parameter_types! {
	pub MaximumSchedulerWeight: Weight = Weight::from_parts(2_000_000_000_000, u64::MAX);
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type MaxScheduledPerBlock = ConstU32<50>;
	type WeightInfo = ();
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

/// Cap of one spend by the small-spender track.
pub const SMALL_SPEND: Balance = 1_000;
/// Cap of one spend by the big-spender track.
pub const BIG_SPEND: Balance = 100_000;
/// Blocks between the treasury's automatic payouts.
const SPEND_PERIOD: BlockNumber = 5;

parameter_types! {
	pub const TreasuryPalletId: PalletId = PalletId(*b"py/trsry");
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();
}

/// The spend cap of a spender origin.
pub struct Spender;

impl<O> frame_support::traits::EnsureOrigin<O> for Spender
where
	O: Into<Result<origins::Origin, O>> + From<origins::Origin>,
{
	type Success = Balance;

	fn try_origin(origin: O) -> Result<Balance, O> {
		origin.into().map(|origin| match origin {
			origins::Origin::SmallSpender => SMALL_SPEND,
			origins::Origin::BigSpender => BIG_SPEND,
		})
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		Ok(O::from(origins::Origin::BigSpender))
	}
}

impl pallet_treasury::Config for Runtime {
	type PalletId = TreasuryPalletId;
	type Currency = Balances;
	type RejectOrigin = EnsureRoot<AccountId>;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = ConstU64<SPEND_PERIOD>;
	// The fund is kept: nothing is burnt at a spend period.
	type Burn = ();
	type BurnDestination = ();
	type WeightInfo = ();
	type SpendFunds = ();
	type MaxApprovals = ConstU32<100>;
	// Only the spender tracks spend, up to their caps; Root (sudo) may not spend without a vote.
	type SpendOrigin = Spender;
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = ConstU64<100>;
	type BlockNumberProvider = System;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

impl pallet_conviction_voting::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type Currency = Balances;
	type Polls = Referenda;
	// Turnout is measured against the active issuance: the treasury's fund does not vote.
	type MaxTurnout = ActiveIssuanceOf<Balances, AccountId>;
	type MaxVotes = ConstU32<20>;
	type VoteLockingPeriod = ConstU64<10>;
	type BlockNumberProvider = System;
	type VotingHooks = ();
}

/// Decision period of the spender tracks in this test runtime, in blocks.
const DECISION_PERIOD: BlockNumber = 20;

/// The referendum tracks: root, small spender, big spender.
pub struct Tracks;

impl TracksInfo<Balance, BlockNumber> for Tracks {
	type Id = u16;
	type RuntimeOrigin = <RuntimeOrigin as OriginTrait>::PalletsOrigin;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<u16, Balance, BlockNumber>>> {
		static TRACKS: [Track<u16, Balance, BlockNumber>; 3] = [
			Track {
				id: 0,
				info: TrackInfo {
					name: name("root"),
					max_deciding: 1,
					decision_deposit: 1_000,
					prepare_period: 4,
					decision_period: 40,
					confirm_period: 4,
					min_enactment_period: 4,
					min_approval: Curve::LinearDecreasing {
						length: Perbill::from_percent(100),
						floor: Perbill::from_percent(50),
						ceil: Perbill::from_percent(100),
					},
					min_support: Curve::LinearDecreasing {
						length: Perbill::from_percent(100),
						floor: Perbill::from_percent(20),
						ceil: Perbill::from_percent(50),
					},
				},
			},
			Track {
				id: 1,
				info: TrackInfo {
					name: name("small_spender"),
					max_deciding: 10,
					decision_deposit: 100,
					prepare_period: 2,
					decision_period: DECISION_PERIOD,
					confirm_period: 2,
					min_enactment_period: 1,
					// Approval: ayes / (ayes + nays), conviction-weighted, from 100 % down to
					// a simple majority.
					min_approval: Curve::LinearDecreasing {
						length: Perbill::from_percent(100),
						floor: Perbill::from_percent(50),
						ceil: Perbill::from_percent(100),
					},
					// Support (the quorum): aye tokens / active issuance, from 25 % down to 5 %.
					min_support: Curve::LinearDecreasing {
						length: Perbill::from_percent(100),
						floor: Perbill::from_percent(5),
						ceil: Perbill::from_percent(25),
					},
				},
			},
			Track {
				id: 2,
				info: TrackInfo {
					name: name("big_spender"),
					max_deciding: 5,
					decision_deposit: 500,
					prepare_period: 2,
					decision_period: 2 * DECISION_PERIOD,
					confirm_period: 4,
					min_enactment_period: 1,
					min_approval: Curve::LinearDecreasing {
						length: Perbill::from_percent(100),
						floor: Perbill::from_percent(60),
						ceil: Perbill::from_percent(100),
					},
					min_support: Curve::LinearDecreasing {
						length: Perbill::from_percent(100),
						floor: Perbill::from_percent(15),
						ceil: Perbill::from_percent(50),
					},
				},
			},
		];
		TRACKS.iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &Self::RuntimeOrigin) -> Result<u16, ()> {
		if let Ok(system) = frame_system::RawOrigin::<AccountId>::try_from(origin.clone()) {
			return match system {
				frame_system::RawOrigin::Root => Ok(0),
				_ => Err(()),
			};
		}
		match origins::Origin::try_from(origin.clone()) {
			Ok(origins::Origin::SmallSpender) => Ok(1),
			Ok(origins::Origin::BigSpender) => Ok(2),
			Err(_) => Err(()),
		}
	}
}

impl pallet_referenda::Config for Runtime {
	type WeightInfo = ();
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type Scheduler = Scheduler;
	type Currency = Balances;
	// Any account can propose.
	type SubmitOrigin = EnsureSigned<AccountId>;
	type CancelOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	// Slashed deposits of killed referenda go to the treasury.
	type Slash = Treasury;
	type Votes = Balance;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = ConstU64<10>;
	type MaxQueued = ConstU32<10>;
	type UndecidingTimeout = ConstU64<30>;
	type AlarmInterval = ConstU64<1>;
	type Tracks = Tracks;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

impl origins::Config for Runtime {}

parameter_types! {
	pub const IncentivePalletId: PalletId = PalletId(*b"cess/inc");
}

impl pallet_incentive::Config for Runtime {
	type Currency = Balances;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type Treasury = ResolveTo<TreasuryAccount, Balances>;
	type MinerSpace = ();
	type Payee = ();
	type AdminOrigin = EnsureRoot<AccountId>;
	type PalletId = IncentivePalletId;
	type MaxUnclaimedEras = ConstU32<4>;
	type MaxVestingTranches = ConstU32<4>;
	type WeightInfo = ();
}

const ALICE: AccountId = 1;
const BOB: AccountId = 2;
const CHARLIE: AccountId = 3;
const DAVE: AccountId = 4;
const EVE: AccountId = 5;
/// Era length of the incentive pallet in this runtime.
const ERA: BlockNumber = 10;
/// The treasury's fund at genesis.
const FUND: Balance = 50_000;

/// Genesis: voters (active issuance ≈ 7 400: Alice ≈ 54 %, Bob 27 %, Charlie 13.5 %, Dave 4 %),
/// a funded treasury, and the incentive pallet minting `era_issuance` per era.
fn new_test_ext(era_issuance: Balance) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Runtime>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Runtime> {
		balances: vec![
			(ALICE, 4_000),
			(BOB, 2_000),
			(CHARLIE, 1_000),
			(DAVE, 300),
			(TreasuryAccount::get(), FUND),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let params = RewardParams::<BlockNumber> { era_length: ERA, ..Default::default() };
	pallet_incentive::GenesisConfig::<Runtime> { era_issuance, params }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs blocks up to and including `n` with every pallet's `on_initialize`.
fn run_to_block(n: BlockNumber) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		<AllPalletsWithSystem as frame_support::traits::OnInitialize<BlockNumber>>::on_initialize(
			next,
		);
	}
}

/// Runs blocks until `done` holds, at most `max` of them.
fn run_until(done: impl Fn() -> bool, max: BlockNumber) {
	let until = System::block_number() + max;
	while !done() && System::block_number() < until {
		run_to_block(System::block_number() + 1);
	}
	assert!(done(), "not done by block {until}");
}

fn treasury_balance() -> Balance {
	Balances::balance(&TreasuryAccount::get())
}

fn spend_local(amount: Balance, beneficiary: AccountId) -> RuntimeCall {
	RuntimeCall::Treasury(pallet_treasury::Call::spend_local { amount, beneficiary })
}

/// `who` submits a referendum on `origin`'s track and places its decision deposit; returns the
/// referendum's index.
fn propose(who: AccountId, origin: origins::Origin, call: RuntimeCall) -> u32 {
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	assert_ok!(Referenda::submit(
		RuntimeOrigin::signed(who),
		Box::new(OriginCaller::Origins(origin)),
		<Preimage as StorePreimage>::bound(call).unwrap(),
		frame_support::traits::schedule::DispatchTime::After(1),
	));
	assert_ok!(Referenda::place_decision_deposit(RuntimeOrigin::signed(who), index));
	index
}

fn vote(who: AccountId, index: u32, aye: bool, balance: Balance, conviction: Conviction) {
	assert_ok!(ConvictionVoting::vote(
		RuntimeOrigin::signed(who),
		index,
		AccountVote::Standard { vote: Vote { aye, conviction }, balance },
	));
}

fn referenda_events() -> Vec<pallet_referenda::Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Referenda(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Whether referendum `index` passed (confirmed: its proposal is scheduled for enactment).
fn approved(index: u32) -> bool {
	referenda_events()
		.iter()
		.any(|e| matches!(e, pallet_referenda::Event::Confirmed { index: i, .. } if *i == index))
}

fn rejected(index: u32) -> bool {
	referenda_events()
		.iter()
		.any(|e| matches!(e, pallet_referenda::Event::Rejected { index: i, .. } if *i == index))
}

#[test]
fn tracks_are_sorted_and_map_their_origins() {
	new_test_ext(0).execute_with(|| {
		assert_ok!(<Tracks as TracksInfo<Balance, BlockNumber>>::check_integrity());
		let small = OriginCaller::Origins(origins::Origin::SmallSpender);
		let big = OriginCaller::Origins(origins::Origin::BigSpender);
		let root = OriginCaller::system(frame_system::RawOrigin::Root);
		assert_eq!(Tracks::track_for(&root), Ok(0));
		assert_eq!(Tracks::track_for(&small), Ok(1));
		assert_eq!(Tracks::track_for(&big), Ok(2));
		let signed = OriginCaller::system(frame_system::RawOrigin::Signed(ALICE));
		assert_eq!(Tracks::track_for(&signed), Err(()));
	});
}

#[test]
fn an_approved_spend_is_paid_automatically() {
	new_test_ext(0).execute_with(|| {
		// Dave, a small holder, proposes that Eve be paid 600 from the fund.
		let index = propose(DAVE, origins::Origin::SmallSpender, spend_local(600, EVE));
		// Alice (≈ 54 % of the active issuance) and Charlie vote aye, Bob nay.
		vote(ALICE, index, true, 4_000, Conviction::Locked1x);
		vote(CHARLIE, index, true, 1_000, Conviction::Locked2x);
		vote(BOB, index, false, 1_000, Conviction::None);

		let fund = treasury_balance();
		let submitted = System::block_number();
		// From here on nobody calls anything: blocks just go by.
		run_until(|| Balances::balance(&EVE) > 0, DECISION_PERIOD + SPEND_PERIOD);
		assert!(approved(index), "the referendum passed: {:?}", referenda_events());
		assert!(System::block_number() <= submitted + DECISION_PERIOD + SPEND_PERIOD);
		// Enacted as an approved spend, then paid at the treasury's spend period.
		let events: Vec<_> = System::events().into_iter().map(|r| r.event).collect();
		let approved_at = events.iter().position(|e| {
			matches!(
				e,
				RuntimeEvent::Treasury(pallet_treasury::Event::SpendApproved {
					amount: 600,
					beneficiary: EVE,
					..
				})
			)
		});
		let awarded_at = events.iter().position(|e| {
			matches!(
				e,
				RuntimeEvent::Treasury(pallet_treasury::Event::Awarded {
					award: 600,
					account: EVE,
					..
				})
			)
		});
		assert!(approved_at.is_some() && awarded_at > approved_at);
		assert_eq!(Balances::balance(&EVE), 600);
		assert_eq!(treasury_balance(), fund - 600);
		assert!(pallet_treasury::Approvals::<Runtime>::get().is_empty());
		// Voters' tokens are locked for the conviction period, not spent.
		assert_eq!(Balances::balance(&ALICE), 4_000);
		assert_noop!(
			<Balances as Mutate<_>>::transfer(&ALICE, &EVE, 10, Preservation::Expendable),
			sp_runtime::TokenError::Frozen
		);
	});
}

#[test]
fn a_spend_without_quorum_pays_nothing() {
	new_test_ext(0).execute_with(|| {
		let index = propose(DAVE, origins::Origin::SmallSpender, spend_local(600, EVE));
		// Only Dave votes: 100 % approval, but his ≈ 4 % of the active issuance is below the
		// track's support floor of 5 %, at every point of the decision period.
		vote(DAVE, index, true, 300, Conviction::Locked6x);
		let fund = treasury_balance();
		run_to_block(System::block_number() + 2 * DECISION_PERIOD + SPEND_PERIOD);
		assert!(rejected(index), "the referendum fails: {:?}", referenda_events());
		assert!(!approved(index));
		assert!(pallet_treasury::Approvals::<Runtime>::get().is_empty());
		assert_eq!(Balances::balance(&EVE), 0);
		assert_eq!(treasury_balance(), fund);
	});
}

#[test]
fn a_spend_without_approval_pays_nothing() {
	new_test_ext(0).execute_with(|| {
		let index = propose(DAVE, origins::Origin::SmallSpender, spend_local(600, EVE));
		// Turnout is high (Alice and Bob hold ≈ 81 %), but conviction-weighted nays win:
		// 4 000 ayes against 2 000 · 6 nays is 25 % approval, below a majority.
		vote(ALICE, index, true, 4_000, Conviction::Locked1x);
		vote(BOB, index, false, 2_000, Conviction::Locked6x);
		let fund = treasury_balance();
		run_to_block(System::block_number() + 2 * DECISION_PERIOD + SPEND_PERIOD);
		assert!(rejected(index));
		assert_eq!(Balances::balance(&EVE), 0);
		assert_eq!(treasury_balance(), fund);
	});
}

#[test]
fn a_track_cannot_spend_above_its_cap() {
	new_test_ext(0).execute_with(|| {
		// The referendum passes, but the small-spender origin may not spend 2 000.
		let index = propose(DAVE, origins::Origin::SmallSpender, spend_local(2 * SMALL_SPEND, EVE));
		vote(ALICE, index, true, 4_000, Conviction::Locked1x);
		let fund = treasury_balance();
		run_to_block(System::block_number() + DECISION_PERIOD + SPEND_PERIOD);
		assert!(approved(index));
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched { result: Err(_), .. })
		)));
		assert_eq!(Balances::balance(&EVE), 0);
		assert_eq!(treasury_balance(), fund);

		// The same spend on the big-spender track passes its higher bar and is paid.
		let index =
			propose(CHARLIE, origins::Origin::BigSpender, spend_local(2 * SMALL_SPEND, EVE));
		vote(ALICE, index, true, 4_000, Conviction::Locked1x);
		vote(CHARLIE, index, true, 1_000, Conviction::Locked1x);
		run_to_block(System::block_number() + 2 * DECISION_PERIOD + SPEND_PERIOD);
		assert!(approved(index));
		assert_eq!(Balances::balance(&EVE), 2 * SMALL_SPEND);
	});
}

#[test]
fn root_cannot_spend_without_a_vote() {
	new_test_ext(0).execute_with(|| {
		// Root (sudo) is not a spend origin: neither spend call accepts it.
		assert_noop!(
			Treasury::spend_local(RuntimeOrigin::root(), 600, EVE),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Treasury::spend(RuntimeOrigin::root(), Box::new(()), 600, Box::new(EVE), None),
			sp_runtime::DispatchError::BadOrigin
		);
		// A spender track's origin (what a passed referendum dispatches with) is accepted.
		assert_ok!(Treasury::spend_local(
			RuntimeOrigin::from(origins::Origin::SmallSpender),
			600,
			EVE
		));
	});
}

#[test]
fn an_approved_asset_spend_is_paid_by_a_permissionless_payout() {
	new_test_ext(0).execute_with(|| {
		// The non-deprecated `spend`: approved by the referendum, paid by anyone's `payout`.
		let call = RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: 700,
			beneficiary: Box::new(EVE),
			valid_from: None,
		});
		let index = propose(DAVE, origins::Origin::SmallSpender, call);
		vote(ALICE, index, true, 4_000, Conviction::Locked1x);
		run_to_block(System::block_number() + DECISION_PERIOD);
		assert!(approved(index));
		let spend = pallet_treasury::SpendCount::<Runtime>::get() - 1;
		assert_eq!(Balances::balance(&EVE), 0);
		assert_ok!(Treasury::payout(RuntimeOrigin::signed(CHARLIE), spend));
		assert_eq!(Balances::balance(&EVE), 700);
		assert_ok!(Treasury::check_status(RuntimeOrigin::signed(CHARLIE), spend));
	});
}

#[test]
fn the_fund_grows_from_issuance_unclaimed_rewards_slashes_and_fees() {
	new_test_ext(1_000_000).execute_with(|| {
		let fund = treasury_balance();
		// An era with a validator: 10 % to the treasury, 20 % claimable, the miners' 70 % that
		// nobody earned to the treasury.
		<Incentive as ContributionSink<AccountId>>::note_block_authored(&CHARLIE, 1_000);
		run_to_block(1 + ERA);
		assert_eq!(treasury_balance(), fund + 800_000);
		// Charlie never claims: when the era leaves the 4-era window its 200 000 go to the
		// fund too, on top of the four later eras' whole issuance (nobody contributed).
		run_to_block(1 + 5 * ERA);
		assert_eq!(treasury_balance(), fund + 800_000 + 4 * 1_000_000 + 200_000);

		// A slash (pallet-sminer / pallet-r2s `Slashed = ResolveTo<TreasuryAccount, _>`).
		let before = treasury_balance();
		let slashed = <Balances as Balanced<_>>::withdraw(
			&BOB,
			500,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Force,
		)
		.unwrap();
		ResolveTo::<TreasuryAccount, Balances>::on_unbalanced(slashed);
		assert_eq!(treasury_balance(), before + 500);

		// Transaction fees: 20 % to the treasury, the rest handled elsewhere (burnt here).
		parameter_types! {
			pub const TreasuryFeeShare: Perbill = Perbill::from_percent(20);
		}
		type DealWithFees = SplitCredit<
			AccountId,
			Balances,
			TreasuryFeeShare,
			ResolveTo<TreasuryAccount, Balances>,
			(),
		>;
		let issuance = Balances::total_issuance();
		let fee = <Balances as Balanced<_>>::withdraw(
			&ALICE,
			1_000,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Polite,
		)
		.unwrap();
		DealWithFees::on_unbalanced(fee);
		assert_eq!(treasury_balance(), before + 500 + 200);
		assert_eq!(Balances::total_issuance(), issuance - 800);

		// The grown fund is then spent by referendum like any other.
		let index = propose(CHARLIE, origins::Origin::BigSpender, spend_local(BIG_SPEND, EVE));
		vote(ALICE, index, true, 3_000, Conviction::Locked1x);
		vote(CHARLIE, index, true, 1_000, Conviction::Locked1x);
		run_to_block(System::block_number() + 2 * DECISION_PERIOD + SPEND_PERIOD);
		assert!(approved(index));
		assert_eq!(Balances::balance(&EVE), BIG_SPEND);
	});
}
