//! Tests of the incentive pallet in the mock runtime.

use crate::StorageTerms;
use crate::{
	fees::SplitCredit, mock::*, types, ContributionSink, Contributions, CurrentEra, CurrentTotals,
	EraReward, EraRewards, EraTotals, Error, Event, FreezeReason, MinerWeights, NextEraAt,
	OldestUnexpiredEra, Params, ParamsError, PendingStorageFees, RewardSplit, Vesting,
	VestingTranche, SELF_DEALING_MARGIN,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Balanced, Inspect, InspectFreeze, Mutate},
		tokens::{imbalance::ResolveTo, Fortitude, Preservation},
		OnUnbalanced,
	},
};
use sp_runtime::{DispatchError, PerThing, Perbill};

const MINER_A: AccountId = 10;
const MINER_B: AccountId = 11;
const VALIDATOR_1: AccountId = 20;
const VALIDATOR_2: AccountId = 21;
const VALIDATOR_3: AccountId = 22;

/// The events of the incentive pallet, oldest first.
fn events() -> Vec<Event<Test>> {
	cess_mock_support::events::<Test, _>()
}

fn balance(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn pot_balance() -> Balance {
	Balances::balance(&Incentive::pot_account())
}

/// `miner` passes an audit holding `idle` and `service` bytes.
fn pass_audit(miner: AccountId, idle: u64, service: u64) {
	TestMiners::set(miner, idle, service);
	Incentive::note_audit(&miner, true);
}

fn author(validator: AccountId, credit: u32, blocks: u32) {
	for _ in 0..blocks {
		Incentive::note_block_authored(&validator, credit);
	}
}

/// The worked example of the docs, in era 0: two miners and two validators.
fn example_era() {
	pass_audit(MINER_A, 100, 300);
	pass_audit(MINER_B, 300, 100);
	Incentive::note_bandwidth(&MINER_A, 50);
	Incentive::note_bandwidth(&MINER_B, 150);
	author(VALIDATOR_1, 1000, 2);
	author(VALIDATOR_2, 500, 1);
}

fn claim(who: AccountId) -> Result<(), DispatchError> {
	Incentive::claim_rewards(RuntimeOrigin::signed(who))
}

fn claimed_amount(who: AccountId) -> Balance {
	events()
		.into_iter()
		.filter_map(|event| match event {
			Event::RewardsClaimed { earner, amount, .. } if earner == who => Some(amount),
			_ => None,
		})
		.sum()
}

fn check_state() {
	Incentive::do_try_state().expect("invariants hold");
}

#[test]
fn genesis_sets_parameters_and_creates_the_pot() {
	new_test_ext().execute_with(|| {
		assert_eq!(Params::<Test>::get(), test_params());
		assert_eq!(crate::EraIssuance::<Test>::get(), ISSUANCE);
		assert_eq!(CurrentEra::<Test>::get(), 0);
		// Era 0 is blocks 1 ..= ERA.
		assert_eq!(NextEraAt::<Test>::get(), 1 + ERA);
		assert_eq!(pot_balance(), ED);
		check_state();
	});
}

#[test]
fn genesis_config_has_the_documented_json_shape() {
	let config = crate::GenesisConfig::<Test> { era_issuance: ISSUANCE, params: test_params() };
	let json = serde_json::to_value(&config).unwrap();
	assert_eq!(
		json,
		serde_json::json!({
			"eraIssuance": 1_000_000,
			"params": {
				"eraLength": 10,
				"erasPerYear": 3,
				"yearlyDecay": 100_000_000,
				"split": { "miners": 700_000_000, "validators": 200_000_000, "treasury": 100_000_000 },
				"minerWeights": { "service": 60, "idle": 10, "bandwidth": 30 },
				"vestedShare": 500_000_000,
				"vestingPeriod": 100,
				"serviceCap": 500_000_000,
				"bandwidthCap": 300_000_000
			}
		})
	);
	let back: crate::GenesisConfig<Test> = serde_json::from_value(json).unwrap();
	assert_eq!(back.params, test_params());
}

#[test]
#[should_panic(expected = "incentive.params are invalid")]
fn genesis_rejects_an_incomplete_split() {
	let mut params = test_params();
	params.split.treasury = Perbill::from_percent(11);
	let _ = sp_runtime::BuildStorage::build_storage(&crate::GenesisConfig::<Test> {
		era_issuance: ISSUANCE,
		params,
	});
}

#[test]
fn an_era_without_contributions_sends_everything_to_the_treasury() {
	new_test_ext().execute_with(|| {
		let issuance_before = Balances::total_issuance();
		run_to_block(ERA);
		assert_eq!(CurrentEra::<Test>::get(), 0, "era 0 lasts ERA blocks");
		close_era();
		assert_eq!(System::block_number(), 1 + ERA);
		assert_eq!(CurrentEra::<Test>::get(), 1);
		assert_eq!(balance(TREASURY), ED + ISSUANCE);
		assert_eq!(Balances::total_issuance(), issuance_before + ISSUANCE);
		assert!(EraRewards::<Test>::get(0).is_none());
		assert!(events().contains(&Event::EraClosed {
			era: 0,
			minted: ISSUANCE,
			storage_fees: 0,
			miners_pot: 0,
			validators_pot: 0,
			to_treasury: ISSUANCE,
		}));
		assert_eq!(pot_balance(), ED);
		check_state();
	});
}

#[test]
fn era_issuance_is_split_between_miners_validators_and_treasury() {
	new_test_ext().execute_with(|| {
		example_era();
		close_era();
		// 70 % miners, 20 % validators, 10 % treasury.
		assert!(events().contains(&Event::EraClosed {
			era: 0,
			minted: ISSUANCE,
			storage_fees: 0,
			miners_pot: 700_000,
			validators_pot: 200_000,
			to_treasury: 100_000,
		}));
		assert_eq!(balance(TREASURY), ED + 100_000);
		// Miners' pot by weights 60 / 10 / 30.
		let reward = EraRewards::<Test>::get(0).unwrap();
		assert_eq!(
			reward,
			EraReward {
				service_pot: 420_000,
				idle_pot: 70_000,
				bandwidth_pot: 210_000,
				validator_pot: 200_000,
				totals: EraTotals {
					service: 400,
					idle: 400,
					bandwidth: 200,
					validator_points: 2500,
					max_audits_passed: 1,
				},
				paid: 0,
			}
		);
		assert_eq!(pot_balance(), ED + 900_000);
		check_state();
	});
}

#[test]
fn miner_rewards_follow_the_contribution_formula() {
	new_test_ext().execute_with(|| {
		example_era();
		close_era();
		assert_eq!(Incentive::claimable(MINER_A), 385_000);
		assert_eq!(Incentive::claimable(MINER_B), 315_000);
		assert_ok!(claim(MINER_A));
		assert_ok!(claim(MINER_B));
		// A: 420 000·300/400 + 70 000·100/400 + 210 000·50/200.
		assert_eq!(claimed_amount(MINER_A), 315_000 + 17_500 + 52_500);
		// B: 420 000·100/400 + 70 000·300/400 + 210 000·150/200.
		assert_eq!(claimed_amount(MINER_B), 105_000 + 52_500 + 157_500);
		assert_eq!(balance(MINER_A), 385_000);
		assert_eq!(balance(MINER_B), 315_000);
		check_state();
	});
}

#[test]
fn validator_rewards_follow_blocks_times_credit() {
	new_test_ext().execute_with(|| {
		example_era();
		// Credit above 1000 counts as 1000.
		author(VALIDATOR_3, 5_000, 1);
		close_era();
		// Points: 2·1000, 1·500, 1·1000 of 3500.
		assert_ok!(claim(VALIDATOR_1));
		assert_ok!(claim(VALIDATOR_2));
		assert_ok!(claim(VALIDATOR_3));
		assert_eq!(claimed_amount(VALIDATOR_1), 200_000 * 2000 / 3500);
		assert_eq!(claimed_amount(VALIDATOR_2), 200_000 * 500 / 3500);
		assert_eq!(claimed_amount(VALIDATOR_3), 200_000 * 1000 / 3500);
		let record = Contributions::<Test>::get(0, VALIDATOR_1);
		assert!(record.is_none(), "a claim consumes the record");
		check_state();
	});
}

#[test]
fn claims_of_an_era_add_up_to_its_pot_and_the_rounding_goes_to_the_treasury() {
	new_test_ext().execute_with(|| {
		// Three equal validators: 200 000 / 3 leaves 2 of rounding; three miners with odd
		// shares of every component leave more.
		author(VALIDATOR_1, 1000, 1);
		author(VALIDATOR_2, 1000, 1);
		author(VALIDATOR_3, 1000, 1);
		pass_audit(MINER_A, 7, 13);
		pass_audit(MINER_B, 11, 17);
		pass_audit(12, 19, 23);
		Incentive::note_bandwidth(&MINER_A, 3);
		Incentive::note_bandwidth(&12, 7);
		close_era();
		let pot = EraRewards::<Test>::get(0).unwrap().distributable();
		assert_eq!(pot, 900_000);

		let earners = [VALIDATOR_1, VALIDATOR_2, VALIDATOR_3, MINER_A, MINER_B, 12];
		for who in earners {
			assert_ok!(claim(who));
		}
		let claimed: Balance = earners.iter().map(|who| claimed_amount(*who)).sum();
		let remainder = EraRewards::<Test>::get(0).unwrap().unpaid();
		assert_eq!(claimed + remainder, pot);
		assert!(remainder > 0 && remainder < earners.len() as Balance * 3);

		// When era 0 leaves the window the remainder goes to the treasury.
		let treasury = balance(TREASURY);
		for _ in 0..WINDOW {
			close_era();
		}
		assert!(EraRewards::<Test>::get(0).is_none());
		assert!(events().contains(&Event::EraExpired { era: 0, unclaimed: remainder }));
		// Each later (empty) era sent its whole issuance; era 0 its remainder.
		let later_issuance: Balance = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::EraClosed { era, minted, .. } if era > 0 => Some(minted),
				_ => None,
			})
			.sum();
		assert_eq!(balance(TREASURY), treasury + later_issuance + remainder);
		assert_eq!(pot_balance(), ED, "the pot keeps nothing but its deposit");
		check_state();
	});
}

#[test]
fn nothing_is_lost_over_many_eras() {
	new_test_ext().execute_with(|| {
		let issuance_before = Balances::total_issuance();
		let treasury_before = balance(TREASURY);
		let earners: Vec<AccountId> = (100..110).collect();
		for era in 0..8u64 {
			for (i, who) in earners.iter().enumerate() {
				let i = i as u64;
				pass_audit(*who, 1 + (i * 7 + era) % 13, (i * 11 + era * 3) % 17);
				Incentive::note_bandwidth(who, (i * 5 + era) % 9);
				if matches!((i + era) % 3, 0) {
					author(*who, 300 + (i as u32 * 97) % 700, 1 + (i as u32 % 2));
				}
				if matches!((i + era) % 5, 0) {
					Incentive::note_audit(who, false);
				}
			}
			let fee = Balances::issue(1_234 + era);
			Incentive::on_unbalanced(fee);
			close_era();
			// Claim now and then, so that some rewards expire unclaimed.
			if era % 3 == 1 {
				for who in &earners[..6] {
					let _ = claim(*who);
				}
			}
			check_state();
		}
		for _ in 0..WINDOW {
			close_era();
		}
		let minted: Balance = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::EraClosed { minted, .. } => Some(minted),
				_ => None,
			})
			.sum();
		let fees: Balance = (0..8u64).map(|era| 1_234 + era).sum();
		let claimed: Balance = earners.iter().map(|who| claimed_amount(*who)).sum();
		assert!(claimed > 0);
		// Everything minted and paid in fees went to earners or to the treasury.
		assert_eq!(balance(TREASURY) - treasury_before + claimed, minted + fees);
		assert_eq!(pot_balance(), ED);
		assert_eq!(Balances::total_issuance(), issuance_before + minted + fees);
		check_state();
	});
}

#[test]
fn a_failed_audit_forfeits_the_miners_era() {
	new_test_ext().execute_with(|| {
		pass_audit(MINER_A, 100, 100);
		Incentive::note_bandwidth(&MINER_A, 100);
		pass_audit(MINER_B, 100, 100);
		author(MINER_A, 1000, 1); // MINER_A also validates.
		Incentive::note_audit(&MINER_A, false);
		assert!(events().contains(&Event::MinerForfeited { era: 0, miner: MINER_A }));
		// Later reports in the era do not count.
		pass_audit(MINER_A, 1_000, 1_000);
		Incentive::note_bandwidth(&MINER_A, 1_000);
		assert_eq!(
			CurrentTotals::<Test>::get(),
			EraTotals {
				service: 100,
				idle: 100,
				bandwidth: 0,
				validator_points: 1000,
				max_audits_passed: 1
			}
		);
		close_era();
		// B takes the whole miners' pot (bandwidth had no eligible contribution, so service and
		// idle share it 60 : 10).
		assert_ok!(claim(MINER_B));
		assert_eq!(claimed_amount(MINER_B), 700_000);
		// A keeps its validator reward only.
		assert_ok!(claim(MINER_A));
		assert_eq!(claimed_amount(MINER_A), 200_000);

		// The forfeit lasts one era.
		pass_audit(MINER_A, 100, 100);
		close_era();
		assert_ok!(claim(MINER_A));
		assert_eq!(claimed_amount(MINER_A), 200_000 + 700_000);
		check_state();
	});
}

#[test]
fn a_miner_that_only_failed_has_nothing_to_claim() {
	new_test_ext().execute_with(|| {
		pass_audit(MINER_A, 100, 100);
		pass_audit(MINER_B, 100, 100);
		Incentive::note_audit(&MINER_A, false);
		close_era();
		assert_noop!(claim(MINER_A), Error::<Test>::NothingToClaim);
	});
}

#[test]
fn idle_space_weighs_less_than_service_space() {
	new_test_ext().execute_with(|| {
		// Same bytes: A's are all service, B's all idle.
		pass_audit(MINER_A, 0, 1_000);
		pass_audit(MINER_B, 1_000, 0);
		close_era();
		assert_ok!(claim(MINER_A));
		assert_ok!(claim(MINER_B));
		// 700 000 split 60 : 10 (no bandwidth this era).
		assert_eq!(claimed_amount(MINER_A), 600_000);
		assert_eq!(claimed_amount(MINER_B), 100_000);
	});
}

#[test]
fn space_counts_once_per_passed_audit() {
	new_test_ext().execute_with(|| {
		// A holds its space through two audit rounds, B through one.
		pass_audit(MINER_A, 0, 100);
		pass_audit(MINER_A, 0, 100);
		pass_audit(MINER_B, 0, 100);
		close_era();
		assert_eq!(Incentive::claimable(MINER_A), 2 * Incentive::claimable(MINER_B));
	});
}

#[test]
fn storage_fees_join_the_miners_pot() {
	new_test_ext().execute_with(|| {
		Incentive::on_unbalanced(Balances::issue(5_000));
		assert_eq!(PendingStorageFees::<Test>::get(), 5_000);
		assert!(events().contains(&Event::StorageFeeDeposited { amount: 5_000 }));
		pass_audit(MINER_A, 0, 100);
		close_era();
		assert!(events().contains(&Event::EraClosed {
			era: 0,
			minted: ISSUANCE,
			storage_fees: 5_000,
			miners_pot: 705_000,
			validators_pot: 0,
			// Treasury share plus the validators' share nobody earned.
			to_treasury: 300_000,
		}));
		assert_eq!(PendingStorageFees::<Test>::get(), 0);
		assert_ok!(claim(MINER_A));
		assert_eq!(claimed_amount(MINER_A), 705_000);
		check_state();
	});
}

#[test]
fn storage_fees_of_an_era_without_miners_go_to_the_treasury() {
	new_test_ext().execute_with(|| {
		Incentive::on_unbalanced(Balances::issue(5_000));
		close_era();
		assert_eq!(balance(TREASURY), ED + ISSUANCE + 5_000);
		assert_eq!(pot_balance(), ED);
		check_state();
	});
}

#[test]
fn issuance_decays_once_a_year() {
	new_test_ext().execute_with(|| {
		// Three eras a year in the mock.
		close_era();
		close_era();
		assert_eq!(crate::EraIssuance::<Test>::get(), ISSUANCE);
		close_era();
		assert_eq!(crate::EraIssuance::<Test>::get(), 900_000);
		assert!(events().contains(&Event::IssuanceDecayed { era_issuance: 900_000 }));
		for _ in 0..3 {
			close_era();
		}
		assert_eq!(crate::EraIssuance::<Test>::get(), 810_000);
		let minted: Vec<Balance> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::EraClosed { minted, .. } => Some(minted),
				_ => None,
			})
			.collect();
		assert_eq!(minted, vec![ISSUANCE, ISSUANCE, ISSUANCE, 900_000, 900_000, 900_000]);
	});
}

#[test]
fn one_claim_pays_every_era_of_the_window() {
	new_test_ext().execute_with(|| {
		for _ in 0..3 {
			author(VALIDATOR_1, 1000, 1);
			close_era();
		}
		// Era 3 is in progress: its block does not count yet.
		author(VALIDATOR_1, 1000, 1);
		assert_ok!(claim(VALIDATOR_1));
		assert!(events().contains(&Event::RewardsClaimed {
			earner: VALIDATOR_1,
			payee: VALIDATOR_1,
			amount: 3 * 200_000,
			vesting: 300_000,
			eras: 3,
		}));
		assert_noop!(claim(VALIDATOR_1), Error::<Test>::NothingToClaim);
		assert!(Contributions::<Test>::get(3, VALIDATOR_1).is_some());
		close_era();
		assert_ok!(claim(VALIDATOR_1));
		// Era 3 starts the mock's second year: 10 % less issuance.
		assert_eq!(claimed_amount(VALIDATOR_1), 3 * 200_000 + 180_000);
		check_state();
	});
}

#[test]
fn rewards_older_than_the_window_expire_to_the_treasury() {
	new_test_ext().execute_with(|| {
		author(VALIDATOR_1, 1000, 1);
		close_era(); // era 0: 200 000 for VALIDATOR_1
		author(VALIDATOR_1, 1000, 1);
		close_era(); // era 1
		for _ in 0..(WINDOW - 1) {
			close_era();
		}
		// Era 5 is in progress; the window is eras 1 ..= 4.
		assert_eq!(CurrentEra::<Test>::get(), WINDOW + 1);
		assert_eq!(OldestUnexpiredEra::<Test>::get(), 1);
		assert!(events().contains(&Event::EraExpired { era: 0, unclaimed: 200_000 }));
		assert!(EraRewards::<Test>::get(0).is_none());
		// The expired era's record was cleaned in on_idle.
		assert!(Contributions::<Test>::get(0, VALIDATOR_1).is_none());
		assert_eq!(crate::CleanupCursor::<Test>::get(), 1);
		// Only era 1 is paid.
		assert_ok!(claim(VALIDATOR_1));
		assert_eq!(claimed_amount(VALIDATOR_1), 200_000);
		check_state();
	});
}

#[test]
fn on_idle_cleans_within_the_weight_it_is_given() {
	use frame_support::{traits::Hooks, weights::Weight};
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		for who in 100..130 {
			author(who, 1000, 1);
		}
		// Close eras without on_idle until era 0 expires.
		for _ in 0..=WINDOW {
			let next = NextEraAt::<Test>::get();
			System::set_block_number(next);
			Incentive::on_initialize(next);
		}
		assert_eq!(OldestUnexpiredEra::<Test>::get(), 1);
		assert_eq!(Contributions::<Test>::iter_prefix(0).count(), 30);
		// No room: nothing done.
		let tiny = Weight::from_parts(1, 1);
		assert!(Incentive::on_idle(1, tiny).all_lte(tiny));
		assert_eq!(crate::CleanupCursor::<Test>::get(), 0);
	});
	// Records written in earlier blocks are in the backend, where the limit applies.
	ext.commit_all().unwrap();
	let budget = <() as crate::WeightInfo>::clean_expired(10);
	let mut left = 30;
	for _ in 0..5 {
		ext.execute_with(|| {
			let used = Incentive::on_idle(1, budget);
			assert!(used.all_lte(budget));
			let now_left = Contributions::<Test>::iter_prefix(0).count();
			assert!(left - now_left <= 10, "removed {} in one block", left - now_left);
			left = now_left;
		});
		ext.commit_all().unwrap();
	}
	ext.execute_with(|| {
		assert_eq!(left, 0);
		assert_eq!(crate::CleanupCursor::<Test>::get(), 1);
		// Nothing left to do: a couple of reads.
		assert!(Incentive::on_idle(1, budget).all_lte(budget));
	});
}

#[test]
fn payouts_go_to_the_payee_and_vest_there() {
	new_test_ext().execute_with(|| {
		TestPayees::set(MINER_A, 77);
		pass_audit(MINER_A, 0, 100);
		close_era();
		assert_ok!(claim(MINER_A));
		assert!(events().contains(&Event::RewardsClaimed {
			earner: MINER_A,
			payee: 77,
			amount: 700_000,
			vesting: 350_000,
			eras: 1,
		}));
		assert_eq!(balance(77), 700_000);
		assert_eq!(balance(MINER_A), 0);
		assert_eq!(Incentive::vesting_locked(77), 350_000);
		assert!(Vesting::<Test>::get(MINER_A).is_none());
	});
}

#[test]
fn the_vested_half_is_released_linearly() {
	new_test_ext().execute_with(|| {
		pass_audit(MINER_A, 0, 100);
		close_era();
		let start = System::block_number();
		assert_ok!(claim(MINER_A));
		let reason = RuntimeFreezeReason::from(FreezeReason::Vesting);
		assert_eq!(balance(MINER_A), 700_000);
		assert_eq!(Balances::balance_frozen(&reason, &MINER_A), 350_000);
		assert_eq!(
			Balances::reducible_balance(&MINER_A, Preservation::Expendable, Fortitude::Polite),
			350_000
		);
		assert_noop!(
			<Balances as Mutate<_>>::transfer(&MINER_A, &1, 350_001, Preservation::Expendable),
			sp_runtime::TokenError::Frozen
		);

		// A quarter of the period: a quarter released.
		run_to_block(start + VESTING / 4);
		assert_ok!(Incentive::release_vested(RuntimeOrigin::signed(MINER_A)));
		assert_eq!(Balances::balance_frozen(&reason, &MINER_A), 262_500);
		assert!(events().contains(&Event::VestingUpdated { who: MINER_A, locked: 262_500 }));

		// Rounding keeps tokens frozen, never releases early.
		run_to_block(start + VESTING / 4 + 1);
		assert_eq!(Incentive::vesting_locked(MINER_A), 259_000);
		run_to_block(start + VESTING - 1);
		assert_eq!(Incentive::vesting_locked(MINER_A), 3_500);

		run_to_block(start + VESTING);
		assert_ok!(Incentive::release_vested(RuntimeOrigin::signed(MINER_A)));
		assert_eq!(Balances::balance_frozen(&reason, &MINER_A), 0);
		assert!(Vesting::<Test>::get(MINER_A).is_none());
		assert_ok!(<Balances as Mutate<_>>::transfer(
			&MINER_A,
			&1,
			700_000,
			Preservation::Expendable
		));
		assert_noop!(
			Incentive::release_vested(RuntimeOrigin::signed(MINER_A)),
			Error::<Test>::NotVesting
		);
	});
}

#[test]
fn vested_share_and_period_come_from_the_parameters() {
	new_test_ext().execute_with(|| {
		let mut params = test_params();
		params.vested_share = Perbill::zero();
		assert_ok!(Incentive::set_parameters(RuntimeOrigin::root(), params));
		author(VALIDATOR_1, 1000, 1);
		close_era();
		assert_ok!(claim(VALIDATOR_1));
		assert_eq!(Incentive::vesting_locked(VALIDATOR_1), 0);
		assert!(Vesting::<Test>::get(VALIDATOR_1).is_none());

		params.vested_share = Perbill::from_percent(100);
		params.vesting_period = 40;
		assert_ok!(Incentive::set_parameters(RuntimeOrigin::root(), params));
		author(VALIDATOR_1, 1000, 1);
		close_era();
		let now = System::block_number();
		assert_ok!(claim(VALIDATOR_1));
		assert_eq!(
			Vesting::<Test>::get(VALIDATOR_1).unwrap().into_inner(),
			vec![VestingTranche { locked: 200_000, start: now, end: now + 40 }]
		);
	});
}

#[test]
fn a_full_tranche_list_merges_without_releasing_early() {
	new_test_ext().execute_with(|| {
		// No decay: every claim vests 100 000.
		let mut params = test_params();
		params.yearly_decay = Perbill::zero();
		assert_ok!(Incentive::set_parameters(RuntimeOrigin::root(), params));
		for _ in 0..MAX_TRANCHES {
			author(VALIDATOR_1, 1000, 1);
			close_era();
			assert_ok!(claim(VALIDATOR_1));
		}
		assert_eq!(Vesting::<Test>::get(VALIDATOR_1).unwrap().len(), MAX_TRANCHES as usize);
		let newest_before = *Vesting::<Test>::get(VALIDATOR_1).unwrap().last().unwrap();

		author(VALIDATOR_1, 1000, 1);
		close_era();
		let now = System::block_number();
		let locked_before = Incentive::vesting_locked(VALIDATOR_1);
		assert_ok!(claim(VALIDATOR_1));
		let tranches = Vesting::<Test>::get(VALIDATOR_1).unwrap();
		assert_eq!(tranches.len(), MAX_TRANCHES as usize);
		// Merged into the newest: what it still held plus the new 100 000, from now on.
		let newest = *tranches.last().unwrap();
		assert_eq!(newest.locked, newest_before.locked_at(now) + 100_000);
		assert_eq!((newest.start, newest.end), (now, now + VESTING));
		assert_eq!(Incentive::vesting_locked(VALIDATOR_1), locked_before + 100_000);
		// At every later block at least as much is locked as without the merge.
		for t in now..=now + VESTING {
			let merged: Balance = tranches.iter().map(|tr| tr.locked_at(t)).sum();
			let separate: Balance =
				tranches[..tranches.len() - 1].iter().map(|tr| tr.locked_at(t)).sum::<Balance>()
					+ newest_before.locked_at(t)
					+ VestingTranche { locked: 100_000, start: now, end: now + VESTING }
						.locked_at(t);
			assert!(merged >= separate, "block {t}: merged {merged} < separate {separate}");
		}
	});
}

#[test]
fn a_payout_below_the_existential_deposit_to_a_new_account_is_refused() {
	new_test_ext().execute_with(|| {
		// One point against a million: nothing owed.
		author(VALIDATOR_1, 1000, 1000);
		author(VALIDATOR_2, 1, 1);
		close_era();
		assert_eq!(Incentive::claimable(VALIDATOR_2), 0);
		assert_noop!(claim(VALIDATOR_2), Error::<Test>::NothingToClaim);

		// 20 points against a million: 200 000 · 20 / 1 000 020 = 3, below the deposit of 10.
		author(VALIDATOR_1, 1000, 1000);
		author(VALIDATOR_2, 20, 1);
		close_era();
		let owed = Incentive::claimable(VALIDATOR_2);
		assert_eq!(owed, 3);
		assert_noop!(claim(VALIDATOR_2), Error::<Test>::PayoutBelowMinimum);
		// Once the account exists the payout goes through.
		assert_ok!(<Balances as Mutate<_>>::mint_into(&VALIDATOR_2, ED));
		assert_ok!(claim(VALIDATOR_2));
		assert_eq!(balance(VALIDATOR_2), ED + owed);
	});
}

#[test]
fn set_parameters_needs_the_admin_origin_and_valid_parameters() {
	new_test_ext().execute_with(|| {
		TestPrice::set(StorageTerms { period: PERIOD, ..DEFAULT_TERMS });
		let params = test_params();
		assert_noop!(
			Incentive::set_parameters(RuntimeOrigin::signed(1), params),
			DispatchError::BadOrigin
		);
		type Change = fn(&mut crate::RewardParams<u64>);
		let cases: [(Change, Error<Test>); 7] = [
			(|p| p.era_length = 0, Error::ZeroEraLength),
			(|p| p.eras_per_year = 0, Error::ZeroErasPerYear),
			(|p| p.split.miners = Perbill::from_percent(71), Error::IncompleteSplit),
			(
				|p| p.miner_weights = MinerWeights { service: 0, idle: 0, bandwidth: 0 },
				Error::ZeroMinerWeights,
			),
			(|p| p.vesting_period = 0, Error::ZeroVestingPeriod),
			// 0.9 · (300 + 20) = 288 > 0.95 · 300 = 285.
			(|p| p.service_cap = Perbill::from_percent(90), Error::SelfDealingWouldPay),
			// Eras of 200 blocks: a byte may earn in 3.5 eras of a 1.5-era term.
			(|p| p.era_length = 200, Error::SelfDealingWouldPay),
		];
		for (change, error) in cases {
			let mut bad = params;
			change(&mut bad);
			assert_noop!(Incentive::set_parameters(RuntimeOrigin::root(), bad), error);
		}

		let mut new = params;
		new.era_length = 25;
		new.split = RewardSplit {
			miners: Perbill::from_percent(50),
			validators: Perbill::from_percent(30),
			treasury: Perbill::from_percent(20),
		};
		assert_ok!(Incentive::set_parameters(RuntimeOrigin::root(), new));
		assert_eq!(Params::<Test>::get(), new);
		assert!(events().contains(&Event::ParametersSet { params: new }));
		// The era in progress (started at block 1) now lasts 25 blocks.
		assert_eq!(NextEraAt::<Test>::get(), 26);
		author(VALIDATOR_1, 1000, 1);
		close_era();
		assert_eq!(System::block_number(), 26);
		assert!(events().contains(&Event::EraClosed {
			era: 0,
			minted: ISSUANCE,
			storage_fees: 0,
			miners_pot: 0,
			validators_pot: 300_000,
			to_treasury: 700_000,
		}));
	});
}

#[test]
fn set_era_issuance_applies_from_the_next_close() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Incentive::set_era_issuance(RuntimeOrigin::signed(1), 5),
			DispatchError::BadOrigin
		);
		assert_ok!(Incentive::set_era_issuance(RuntimeOrigin::root(), 42_000));
		assert!(events().contains(&Event::EraIssuanceSet { era_issuance: 42_000 }));
		close_era();
		assert_eq!(balance(TREASURY), ED + 42_000);
		// Zero issuance: fees only.
		assert_ok!(Incentive::set_era_issuance(RuntimeOrigin::root(), 0));
		close_era();
		assert_eq!(balance(TREASURY), ED + 42_000);
		check_state();
	});
}

#[test]
fn shortening_a_long_past_era_closes_it_at_the_next_block() {
	new_test_ext().execute_with(|| {
		run_to_block(8);
		let mut params = test_params();
		params.era_length = 3;
		assert_ok!(Incentive::set_parameters(RuntimeOrigin::root(), params));
		assert_eq!(NextEraAt::<Test>::get(), 4);
		run_to_block(9);
		assert_eq!(CurrentEra::<Test>::get(), 1);
		assert_eq!(NextEraAt::<Test>::get(), 12);
	});
}

#[test]
fn note_weight_covers_every_report() {
	use crate::WeightInfo;
	let weight = <Incentive as ContributionSink<AccountId>>::note_weight();
	assert!(weight.all_gte(<() as WeightInfo>::note_audit()));
	assert!(weight.all_gte(<() as WeightInfo>::note_bandwidth()));
	assert!(weight.all_gte(<() as WeightInfo>::note_block_authored()));
	assert_eq!(<() as ContributionSink<AccountId>>::note_weight(), Default::default());
}

#[test]
fn zero_reports_create_no_records() {
	new_test_ext().execute_with(|| {
		Incentive::note_bandwidth(&MINER_A, 0);
		assert!(Contributions::<Test>::get(0, MINER_A).is_none());
		assert_eq!(CurrentTotals::<Test>::get(), EraTotals::default());
	});
}

#[test]
fn split_credit_routes_a_share_and_loses_nothing() {
	new_test_ext().execute_with(|| {
		frame_support::parameter_types! {
			pub const Share: Perbill = Perbill::from_percent(30);
			pub const Other: AccountId = 1;
		}
		type ToTreasury = ResolveTo<crate::mock::TreasuryAccount, Balances>;
		type Split =
			SplitCredit<AccountId, Balances, Share, ToTreasury, ResolveTo<Other, Balances>>;
		let issuance = Balances::total_issuance();
		Split::on_unbalanced(Balances::issue(1_001));
		assert_eq!(balance(TREASURY), ED + 300);
		assert_eq!(balance(1), 1_000 + 701);
		assert_eq!(Balances::total_issuance(), issuance + 1_001);

		// The rest can be the miners' pot of the incentive pallet.
		type ToMiners = SplitCredit<AccountId, Balances, Share, ToTreasury, Incentive>;
		ToMiners::on_unbalanced(Balances::issue(1_000));
		assert_eq!(PendingStorageFees::<Test>::get(), 700);
		assert_eq!(balance(TREASURY), ED + 600);
		check_state();
	});
}

/// Storage terms in which the caps bind: 30 units per byte for a 30-era period, one unit per
/// byte per era.
const ONE_PER_BYTE_ERA: StorageTerms<Balance, u64> =
	StorageTerms { price_per_gib: 30 << 30, period: PERIOD, overhang: 0 };

#[test]
#[should_panic(expected = "SelfDealingWouldPay")]
fn genesis_rejects_caps_where_self_dealing_pays() {
	let mut params = test_params();
	params.service_cap = Perbill::from_percent(95);
	let _ = sp_runtime::BuildStorage::build_storage(&crate::GenesisConfig::<Test> {
		era_issuance: ISSUANCE,
		params,
	});
}

#[test]
fn the_service_pot_pays_at_most_its_cap_of_the_storage_price_and_the_treasury_the_rest() {
	new_test_ext().execute_with(|| {
		TestPrice::set(ONE_PER_BYTE_ERA);
		pass_audit(MINER_A, 0, 3_000);
		pass_audit(MINER_B, 0, 1_000);
		// Storage fees are capped like issuance.
		Incentive::on_unbalanced(Balances::issue(500_000));
		close_era();
		// Uncapped, service would take the whole miners' pot (700 000 + 500 000); the cap is
		// 50 % of one unit per byte for 4 000 bytes.
		let reward = EraRewards::<Test>::get(0).unwrap();
		assert_eq!((reward.service_pot, reward.idle_pot, reward.bandwidth_pot), (2_000, 0, 0));
		assert!(events().contains(&Event::EraClosed {
			era: 0,
			minted: ISSUANCE,
			storage_fees: 500_000,
			miners_pot: 2_000,
			validators_pot: 0,
			to_treasury: ISSUANCE + 500_000 - 2_000,
		}));
		assert_eq!(balance(TREASURY), ED + ISSUANCE + 500_000 - 2_000);
		assert_ok!(claim(MINER_A));
		assert_ok!(claim(MINER_B));
		assert_eq!((claimed_amount(MINER_A), claimed_amount(MINER_B)), (1_500, 500));
		check_state();
	});
}

#[test]
fn a_miner_that_passes_two_audits_in_an_era_earns_no_more_than_its_cap() {
	new_test_ext().execute_with(|| {
		TestPrice::set(ONE_PER_BYTE_ERA);
		// A's challenges of two rounds fell in this era, B's of one.
		pass_audit(MINER_A, 0, 1_000);
		pass_audit(MINER_A, 0, 1_000);
		pass_audit(MINER_B, 0, 1_000);
		assert_eq!(CurrentTotals::<Test>::get().max_audits_passed, 2);
		close_era();
		assert_ok!(claim(MINER_A));
		assert_ok!(claim(MINER_B));
		// A: 50 % of one unit for its 1 000 bytes; B half of that (proven once in two rounds).
		assert_eq!((claimed_amount(MINER_A), claimed_amount(MINER_B)), (500, 250));
		check_state();
	});
}

#[test]
fn the_bandwidth_pot_pays_at_most_its_cap_of_the_period_price() {
	new_test_ext().execute_with(|| {
		TestPrice::set(ONE_PER_BYTE_ERA);
		Incentive::note_bandwidth(&MINER_A, 1_000);
		close_era();
		assert_ok!(claim(MINER_A));
		// 30 % of the price of 1 000 bytes for a period (30 units a byte).
		assert_eq!(claimed_amount(MINER_A), 9_000);
		check_state();
	});
}

#[test]
fn free_storage_pays_no_service_or_bandwidth() {
	new_test_ext().execute_with(|| {
		TestPrice::set(StorageTerms { price_per_gib: 0, period: PERIOD, overhang: 0 });
		pass_audit(MINER_A, 0, 1_000);
		Incentive::note_bandwidth(&MINER_A, 1_000);
		close_era();
		assert_noop!(claim(MINER_A), Error::<Test>::NothingToClaim);
	});
}

#[test]
fn self_dealing_never_pays_for_any_share_of_the_space() {
	// An uploader that is also a miner stores `own` bytes of its own files on its own accounts,
	// pays the fee for one period, passes an audit in every era its bytes may meet (the term
	// and two more) and claims; an honest miner holds the rest of the service space.
	for percent in [1u64, 10, 50, 100] {
		new_test_ext().execute_with(|| {
			TestPrice::set(ONE_PER_BYTE_ERA);
			let own: u64 = 1_000 * percent;
			let honest: u64 = 1_000 * (100 - percent);
			let attacker = 3;
			let fee: Balance = 30 * own;
			Balances::set_balance(&attacker, fee + ED);
			let paid = <Balances as Balanced<AccountId>>::withdraw(
				&attacker,
				fee,
				frame_support::traits::tokens::Precision::Exact,
				Preservation::Preserve,
				Fortitude::Polite,
			)
			.unwrap();
			Incentive::on_unbalanced(paid);
			Incentive::note_bandwidth(&MINER_A, own);
			for _ in 0..PERIOD / ERA + 2 {
				pass_audit(MINER_A, 0, own);
				if honest > 0 {
					pass_audit(MINER_B, 0, honest);
				}
				close_era();
				assert_ok!(claim(MINER_A));
			}
			let received = claimed_amount(MINER_A);
			// Without the caps one era alone would pay it `percent` % of 700 000.
			let profit = i128::from(received) - i128::from(fee);
			let bound = -i128::from(SELF_DEALING_MARGIN.mul_floor(fee));
			assert!(received > 0, "{percent} %: it earns something");
			assert!(profit <= bound, "{percent} %: profit {profit} of fee {fee}");
			check_state();
		});
	}
}

mod arithmetic {
	use super::*;

	#[test]
	fn the_self_dealing_inequality() {
		// Production: 30-day periods, one-hour overhang, one-day eras, κ_s 80 %, κ_b 0.
		let day = 14_400u32;
		let production = StorageTerms { price_per_gib: 1u128, period: 30 * day, overhang: 600 };
		let params = crate::RewardParams::<u32>::default();
		assert_eq!(params.check_self_dealing(&production), Ok(()));
		let fails = Err(ParamsError::SelfDealingWouldPay);
		// A larger service cap, a bandwidth cap that adds up over it, eras as long as the
		// period, or a week of overhang each break it.
		let mut p = params;
		p.service_cap = Perbill::from_percent(90);
		assert_eq!(p.check_self_dealing(&production), fails);
		let mut p = params;
		p.bandwidth_cap = Perbill::from_percent(10);
		assert_eq!(p.check_self_dealing(&production), fails);
		p.bandwidth_cap = Perbill::from_percent(9);
		assert_eq!(p.check_self_dealing(&production), Ok(()));
		let mut p = params;
		p.era_length = 30 * day;
		assert_eq!(p.check_self_dealing(&production), fails);
		let week = StorageTerms { overhang: 7 * day, ..production };
		assert_eq!(params.check_self_dealing(&week), fails);
		// The bound is exact: with no service cap, bandwidth may take 1 − ε of the price.
		let mut p = params;
		p.service_cap = Perbill::zero();
		p.bandwidth_cap = SELF_DEALING_MARGIN.left_from_one();
		assert_eq!(p.check_self_dealing(&production), Ok(()));
		p.bandwidth_cap = Perbill::from_parts(p.bandwidth_cap.deconstruct() + 1);
		assert_eq!(p.check_self_dealing(&production), fails);
		// Caps of zero hold for any terms, even a zero period.
		let mut p = params;
		p.service_cap = Perbill::zero();
		let zero = StorageTerms { price_per_gib: 1u128, period: 0, overhang: u32::MAX };
		assert_eq!(p.check_self_dealing(&zero), Ok(()));
		p.service_cap = Perbill::from_parts(1);
		assert_eq!(p.check_self_dealing(&zero), fails);
	}

	#[test]
	fn caps_are_floored_and_saturate() {
		let terms = ONE_PER_BYTE_ERA;
		let half = Perbill::from_percent(50);
		assert_eq!(types::service_cap(half, &terms, ERA, 4_000, 1), 2_000u64);
		assert_eq!(types::service_cap(half, &terms, ERA, 4_000, 0), 2_000u64, "R at least 1");
		assert_eq!(types::service_cap(half, &terms, ERA, 4_000, 3), 666u64);
		assert_eq!(types::service_cap(half, &terms, ERA, 0, 1), 0u64);
		let no_period = StorageTerms { period: 0, ..terms };
		assert_eq!(types::service_cap(half, &no_period, ERA, 4_000, 1), 0u64);
		assert_eq!(types::bandwidth_cap(half, &terms, 1_000), 15_000u64);
		let dear = StorageTerms { price_per_gib: u64::MAX, ..terms };
		assert_eq!(types::service_cap(Perbill::one(), &dear, PERIOD, u128::MAX, 1), u64::MAX);
		assert_eq!(types::bandwidth_cap(Perbill::one(), &dear, u128::MAX), u64::MAX);
	}

	fn totals(service: u128, idle: u128, bandwidth: u128) -> EraTotals {
		EraTotals { service, idle, bandwidth, ..Default::default() }
	}

	#[test]
	fn sub_pots_add_up_to_the_pot() {
		let weights = MinerWeights { service: 60, idle: 10, bandwidth: 30 };
		for pot in [0u64, 1, 2, 7, 99, 1_000_003, u64::MAX] {
			for t in [totals(1, 1, 1), totals(1, 0, 1), totals(0, 5, 0), totals(3, 3, 0)] {
				let parts = types::split_miners_pot(pot, &weights, &t);
				let sum: u128 = parts.iter().map(|p| u128::from(*p)).sum();
				assert_eq!(sum, u128::from(pot), "pot {pot} totals {t:?}");
			}
		}
		assert_eq!(types::split_miners_pot(1_000u64, &weights, &totals(0, 0, 0)), [0, 0, 0]);
		assert_eq!(types::split_miners_pot(1_000u64, &weights, &totals(1, 0, 1)), [666, 0, 334]);
		// A zero weight keeps its component out even with a total.
		let no_idle = MinerWeights { service: 1, idle: 0, bandwidth: 1 };
		assert_eq!(types::split_miners_pot(10u64, &no_idle, &totals(0, 5, 0)), [0, 0, 0]);
	}

	#[test]
	fn share_is_floored_and_bounded() {
		assert_eq!(types::share(100u64, 1, 3), 33);
		assert_eq!(types::share(100u64, 0, 3), 0);
		assert_eq!(types::share(100u64, 3, 0), 0);
		assert_eq!(types::share(100u64, 5, 3), 100, "a part above the total is capped");
		assert_eq!(types::share(u64::MAX, u128::MAX - 1, u128::MAX), u64::MAX - 1);
	}

	#[test]
	fn shares_of_many_earners_never_exceed_the_pot() {
		let pot: u64 = 1_000_000_007;
		let parts: Vec<u128> = (1..=50u128).map(|i| i * i * 7 + 3).collect();
		let total: u128 = parts.iter().sum();
		let paid: u64 = parts.iter().map(|p| types::share(pot, *p, total)).sum();
		assert!(paid <= pot && pot - paid < parts.len() as u64);
	}

	#[test]
	fn tranche_release_is_linear_and_rounds_up() {
		let t = VestingTranche { locked: 1_000u64, start: 10u64, end: 110u64 };
		assert_eq!(t.locked_at(0), 1_000);
		assert_eq!(t.locked_at(10), 1_000);
		assert_eq!(t.locked_at(60), 500);
		assert_eq!(t.locked_at(109), 10);
		assert_eq!(t.locked_at(110), 0);
		let odd = VestingTranche { locked: 10u64, start: 0u64, end: 3u64 };
		assert_eq!([odd.locked_at(1), odd.locked_at(2)], [7, 4]);
		let mut last = u64::MAX;
		for now in 0..120 {
			let locked = t.locked_at(now);
			assert!(locked <= last);
			last = locked;
		}
	}

	#[test]
	fn parameter_checks() {
		let mut params = test_params();
		assert_eq!(params.validate(), Ok(()));
		params.vested_share = Perbill::zero();
		params.vesting_period = 0;
		assert_eq!(params.validate(), Ok(()), "no vesting needs no period");
		params.split.treasury = Perbill::zero();
		assert_eq!(params.validate(), Err(ParamsError::IncompleteSplit));
		assert!(crate::RewardParams::<u32>::default().validate().is_ok());
		assert!(RewardSplit {
			miners: Perbill::one(),
			validators: Perbill::zero(),
			treasury: Perbill::zero()
		}
		.is_complete());
	}

	#[test]
	fn failed_contributions_earn_no_storage_reward() {
		let reward = EraReward {
			service_pot: 100u64,
			idle_pot: 100,
			bandwidth_pot: 100,
			validator_pot: 100,
			totals: EraTotals {
				service: 1,
				idle: 1,
				bandwidth: 1,
				validator_points: 1,
				..Default::default()
			},
			paid: 0,
		};
		let mut c = crate::Contribution {
			service: 1,
			idle: 1,
			bandwidth: 1,
			validator_points: 1,
			..Default::default()
		};
		assert_eq!(reward.reward(&c), 400);
		c.audit_failed = true;
		assert_eq!(reward.reward(&c), 100);
		let mostly_paid = EraReward { paid: 350, ..reward };
		assert_eq!(mostly_paid.reward(&c), 50, "never more than what is unpaid");
	}
}
