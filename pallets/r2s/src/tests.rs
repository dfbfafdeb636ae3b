//! Tests of the pallet in the mock runtime.

use crate::{
	credit, mock::*, Candidates, CurrentEra, Error, Event, MinActive, Performances, Punished,
	Seats, SessionAuthored, SessionBlocks,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use pallet_session::SessionManager;
use sp_runtime::{DispatchError, Perbill};
use sp_staking::offence::{OffenceDetails, OnOffenceHandler};

fn credit_of(who: u64) -> u32 {
	let credit = Candidates::<Test>::get(who).map(|c| c.credit).unwrap_or(0);
	assert_eq!(R2s::credit_of(&who), credit);
	credit
}

fn bond_of(who: u64) -> Balance {
	Candidates::<Test>::get(who).map(|c| c.bond).unwrap_or(0)
}

fn new_candidate(who: u64, bond: Balance) {
	assert_ok!(R2s::bond(RuntimeOrigin::signed(who), bond));
	set_keys(who);
	assert_ok!(R2s::set_candidacy(RuntimeOrigin::signed(who), true));
}

fn report(who: u64, fraction: Perbill, session: u32) {
	let _ = <R2s as OnOffenceHandler<u64, (u64, ()), _>>::on_offence(
		&[OffenceDetails { offender: (who, ()), reporters: vec![] }],
		&[fraction],
		session,
	);
}

/// Newcomer credit with the mock's parameters for a given bond score.
fn newcomer_credit(bond_score: u32) -> u32 {
	(8 * BASE + 2 * bond_score) / 10
}

// ---------------------------------------------------------------------------------------------
// Genesis
// ---------------------------------------------------------------------------------------------

#[test]
fn genesis_candidates_are_bonded_qualified_and_active() {
	ExtBuilder::default().build_and_execute(|| {
		for who in [1, 2, 3] {
			let c = Candidates::<Test>::get(who).unwrap();
			assert_eq!(c.bond, 1000);
			assert!(c.candidacy);
			// bond 1000 = 10 · MinBond saturates B
			assert_eq!(c.credit, newcomer_credit(1000));
			assert_eq!(held(who), 1000);
			assert!(R2s::is_qualified(&who, &c));
		}
		assert_eq!(validators(), vec![1, 2, 3]);
		assert_eq!(Seats::<Test>::get(), 3);
		assert_eq!(crate::SessionsPerEra::<Test>::get(), 2);
	});
}

#[test]
fn genesis_set_takes_the_highest_credit_up_to_seats() {
	ExtBuilder::default()
		.candidates(vec![(1, 100), (2, 500), (3, 1000), (4, 300), (5, 1000)])
		.seats(3, 1)
		.build_and_execute(|| {
			// credits follow the bond score: 5 and 3 (1000), then 2 (500)
			assert_eq!(validators(), vec![2, 3, 5]);
		});
}

#[test]
fn genesis_without_candidates_uses_the_accounts_with_keys() {
	ExtBuilder::default().candidates(vec![]).keyed(vec![7, 4]).build_and_execute(|| {
		assert_eq!(validators(), vec![4, 7]);
	});
}

#[test]
#[should_panic(expected = "r2s: genesis bond below MinBond")]
fn genesis_rejects_a_bond_below_minimum() {
	ExtBuilder::default().candidates(vec![(1, MIN_BOND - 1)]).build();
}

#[test]
#[should_panic(expected = "r2s: seats must be at most MaxActive")]
fn genesis_rejects_too_many_seats() {
	ExtBuilder::default().seats(MAX_ACTIVE + 1, 1).build();
}

#[test]
fn historical_roots_are_recorded_every_session() {
	ExtBuilder::default().build_and_execute(|| {
		run_to_session(4);
		for index in 0..=5 {
			assert!(
				pallet_session::historical::HistoricalSessions::<Test>::get(index).is_some(),
				"no root for session {index}"
			);
		}
	});
}

// ---------------------------------------------------------------------------------------------
// Bonding, candidacy, unbonding
// ---------------------------------------------------------------------------------------------

#[test]
fn bond_registers_a_candidate_and_holds_funds() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(R2s::bond(RuntimeOrigin::signed(4), 150));
		let c = Candidates::<Test>::get(4).unwrap();
		assert_eq!(c.bond, 150);
		assert!(!c.candidacy);
		assert_eq!(c.credit, newcomer_credit(150));
		assert_eq!(held(4), 150);
		assert_eq!(Balances::balance(&4), 10_000 - 150);
		assert_eq!(r2s_events().last(), Some(&Event::Bonded { who: 4, amount: 150 }));
		assert_eq!(Candidates::<Test>::count(), 4);

		// Topping up adds to the bond and raises the bond score.
		assert_ok!(R2s::bond(RuntimeOrigin::signed(4), 350));
		assert_eq!(bond_of(4), 500);
		assert_eq!(held(4), 500);
		assert_eq!(credit_of(4), newcomer_credit(500));
		// A top-up below MinBond is fine once the total is above it.
		assert_ok!(R2s::bond(RuntimeOrigin::signed(4), 1));
		assert_eq!(bond_of(4), 501);
	});
}

#[test]
fn bond_rejections() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(R2s::bond(RuntimeOrigin::signed(4), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			R2s::bond(RuntimeOrigin::signed(4), MIN_BOND - 1),
			Error::<Test>::BondBelowMinimum
		);
		assert_noop!(
			R2s::bond(RuntimeOrigin::signed(4), 10_001),
			Error::<Test>::InsufficientBalance
		);
		// An account without funds.
		assert_noop!(
			R2s::bond(RuntimeOrigin::signed(99), MIN_BOND),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(R2s::bond(RuntimeOrigin::none(), MIN_BOND), DispatchError::BadOrigin);

		for who in 4..(4 + MAX_CANDIDATES as u64 - 3) {
			assert_ok!(R2s::bond(RuntimeOrigin::signed(who), MIN_BOND));
		}
		assert_eq!(Candidates::<Test>::count(), MAX_CANDIDATES);
		assert_noop!(
			R2s::bond(RuntimeOrigin::signed(30), MIN_BOND),
			Error::<Test>::TooManyCandidates
		);
		// Existing candidates can still top up.
		assert_ok!(R2s::bond(RuntimeOrigin::signed(4), 1));
	});
}

#[test]
fn candidacy_needs_bond_and_keys() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(R2s::set_candidacy(RuntimeOrigin::signed(4), true), Error::<Test>::NotBonded);
		assert_ok!(R2s::bond(RuntimeOrigin::signed(4), MIN_BOND));
		assert_noop!(
			R2s::set_candidacy(RuntimeOrigin::signed(4), true),
			Error::<Test>::NoSessionKeys
		);
		assert_noop!(
			R2s::set_candidacy(RuntimeOrigin::signed(4), false),
			Error::<Test>::CandidacyUnchanged
		);
		set_keys(4);
		assert_ok!(R2s::set_candidacy(RuntimeOrigin::signed(4), true));
		assert!(Candidates::<Test>::get(4).unwrap().candidacy);
		assert_eq!(r2s_events().last(), Some(&Event::CandidacySet { who: 4, on: true }));
		assert_noop!(
			R2s::set_candidacy(RuntimeOrigin::signed(4), true),
			Error::<Test>::CandidacyUnchanged
		);
		assert_ok!(R2s::set_candidacy(RuntimeOrigin::signed(4), false));
		assert_eq!(r2s_events().last(), Some(&Event::CandidacySet { who: 4, on: false }));

		// A slash can leave the bond below MinBond: then candidacy cannot be switched on.
		report(4, Perbill::from_percent(50), session());
		assert_eq!(bond_of(4), MIN_BOND / 2);
		assert_noop!(
			R2s::set_candidacy(RuntimeOrigin::signed(4), true),
			Error::<Test>::InsufficientBond
		);
	});
}

#[test]
fn unbond_moves_funds_into_a_delayed_chunk() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(R2s::unbond(RuntimeOrigin::signed(1), 400));
		let c = Candidates::<Test>::get(1).unwrap();
		assert_eq!(c.bond, 600);
		assert_eq!(c.unbonding.len(), 1);
		assert_eq!(c.unbonding[0].amount, 400);
		assert_eq!(c.unbonding[0].unlock_at, 1 + UNBONDING_DELAY);
		assert!(c.candidacy);
		assert_eq!(c.credit, newcomer_credit(600));
		// Still held.
		assert_eq!(held(1), 1000);
		assert_eq!(
			r2s_events().last(),
			Some(&Event::Unbonded { who: 1, amount: 400, unlock_at: 1 + UNBONDING_DELAY })
		);
		// A second unbond in the same block joins the same chunk.
		assert_ok!(R2s::unbond(RuntimeOrigin::signed(1), 100));
		let c = Candidates::<Test>::get(1).unwrap();
		assert_eq!(c.unbonding.len(), 1);
		assert_eq!(c.unbonding[0].amount, 500);

		// Unbonding everything ends the candidacy.
		assert_ok!(R2s::unbond(RuntimeOrigin::signed(1), 500));
		let c = Candidates::<Test>::get(1).unwrap();
		assert_eq!(c.bond, 0);
		assert!(!c.candidacy);
		assert_eq!(r2s_events().last(), Some(&Event::CandidacySet { who: 1, on: false }));
	});
}

#[test]
fn unbond_rejections() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(R2s::unbond(RuntimeOrigin::signed(4), 10), Error::<Test>::NotBonded);
		assert_noop!(R2s::unbond(RuntimeOrigin::signed(1), 0), Error::<Test>::ZeroAmount);
		assert_noop!(R2s::unbond(RuntimeOrigin::signed(1), 1001), Error::<Test>::UnbondExceedsBond);
		// Would leave 50 < MinBond.
		assert_noop!(R2s::unbond(RuntimeOrigin::signed(1), 950), Error::<Test>::BondBelowMinimum);
		// Chunks in different blocks, up to the maximum.
		for block in 0..MAX_CHUNKS as u64 {
			System::set_block_number(2 + block);
			assert_ok!(R2s::unbond(RuntimeOrigin::signed(1), 10));
		}
		System::set_block_number(100);
		assert_noop!(
			R2s::unbond(RuntimeOrigin::signed(1), 10),
			Error::<Test>::TooManyUnbondingChunks
		);
	});
}

#[test]
fn leaving_as_the_readme_says_candidacy_off_unbond_wait_withdraw() {
	ExtBuilder::default().build_and_execute(|| {
		// 1. Candidacy off: no longer qualified, but the bond stays held and nothing can be
		//    withdrawn yet.
		assert_ok!(R2s::set_candidacy(RuntimeOrigin::signed(1), false));
		assert!(!R2s::qualified().iter().any(|(who, _)| *who == 1));
		assert_eq!(held(1), 1000);
		assert_noop!(
			R2s::withdraw_unbonded(RuntimeOrigin::signed(1)),
			Error::<Test>::NothingToWithdraw
		);
		// 2. Unbond the whole bond.
		assert_ok!(R2s::unbond(RuntimeOrigin::signed(1), 1000));
		assert_eq!(held(1), 1000, "unbonding funds stay held");
		// 3. Not before the delay.
		System::set_block_number(UNBONDING_DELAY);
		assert_noop!(
			R2s::withdraw_unbonded(RuntimeOrigin::signed(1)),
			Error::<Test>::NothingToWithdraw
		);
		// 4. Then everything is released and the account forgotten.
		System::set_block_number(1 + UNBONDING_DELAY);
		assert_ok!(R2s::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert_eq!(held(1), 0);
		assert_eq!(Balances::balance(&1), 10_000);
		assert!(!Candidates::<Test>::contains_key(1));
		assert_eq!(r2s_events().last(), Some(&Event::CandidateRemoved { who: 1 }));
	});
}

#[test]
fn withdraw_releases_due_chunks_and_forgets_empty_accounts() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(R2s::withdraw_unbonded(RuntimeOrigin::signed(4)), Error::<Test>::NotBonded);
		assert_noop!(
			R2s::withdraw_unbonded(RuntimeOrigin::signed(1)),
			Error::<Test>::NothingToWithdraw
		);
		assert_ok!(R2s::unbond(RuntimeOrigin::signed(1), 300));
		System::set_block_number(10);
		assert_ok!(R2s::unbond(RuntimeOrigin::signed(1), 700));
		// Not due yet.
		System::set_block_number(UNBONDING_DELAY);
		assert_noop!(
			R2s::withdraw_unbonded(RuntimeOrigin::signed(1)),
			Error::<Test>::NothingToWithdraw
		);
		// First chunk due.
		System::set_block_number(1 + UNBONDING_DELAY);
		let free_before = Balances::balance(&1);
		assert_ok!(R2s::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert_eq!(Balances::balance(&1), free_before + 300);
		assert_eq!(held(1), 700);
		assert_eq!(r2s_events().last(), Some(&Event::Withdrawn { who: 1, amount: 300 }));
		assert!(Candidates::<Test>::contains_key(1));
		// Second chunk due: the account is forgotten.
		System::set_block_number(10 + UNBONDING_DELAY);
		assert_ok!(R2s::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert_eq!(held(1), 0);
		assert_eq!(Balances::balance(&1), 10_000);
		assert!(!Candidates::<Test>::contains_key(1));
		assert!(!Performances::<Test>::contains_key(1));
		assert_eq!(Candidates::<Test>::count(), 2);
		assert_eq!(r2s_events().last(), Some(&Event::CandidateRemoved { who: 1 }));
	});
}

#[test]
fn set_seats_checks_origin_and_bounds() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(R2s::set_seats(RuntimeOrigin::signed(1), 5, 2), DispatchError::BadOrigin);
		for (seats, min) in [(0, 0), (3, 0), (3, 4), (MAX_ACTIVE + 1, 1)] {
			assert_noop!(
				R2s::set_seats(RuntimeOrigin::root(), seats, min),
				Error::<Test>::InvalidSeats
			);
		}
		assert_ok!(R2s::set_seats(RuntimeOrigin::root(), MAX_ACTIVE, 2));
		assert_eq!(Seats::<Test>::get(), MAX_ACTIVE);
		assert_eq!(MinActive::<Test>::get(), 2);
		assert_eq!(
			r2s_events().last(),
			Some(&Event::SeatsSet { seats: MAX_ACTIVE, min_active: 2 })
		);
	});
}

// ---------------------------------------------------------------------------------------------
// Selection
// ---------------------------------------------------------------------------------------------

/// Genesis with candidates 1..=n, each bonded 1000.
fn with_candidates(n: u64) -> ExtBuilder {
	ExtBuilder::default().candidates((1..=n).map(|who| (who, 1000)).collect())
}

#[test]
fn draw_respects_seats_and_only_picks_qualified() {
	with_candidates(8).seats(5, 1).build_and_execute(|| {
		// Disqualify in every way: candidacy off, credit below threshold, bond below MinBond,
		// keys purged.
		assert_ok!(R2s::set_candidacy(RuntimeOrigin::signed(1), false));
		Candidates::<Test>::mutate(2, |c| c.as_mut().unwrap().credit = THRESHOLD - 1);
		report(3, Perbill::from_percent(95), session());
		assert!(bond_of(3) < MIN_BOND);
		assert_ok!(pallet_session::Pallet::<Test>::purge_keys(RuntimeOrigin::signed(4)));
		let qualified: Vec<u64> = R2s::qualified().into_iter().map(|(w, _)| w).collect();
		assert_eq!(qualified, vec![5, 6, 7, 8]);

		for seed in 0..200 {
			set_seed(seed);
			let set = R2s::new_session(7).unwrap();
			assert_eq!(set.len(), 4, "fewer qualified than seats: all of them");
			assert_eq!(set, qualified);
		}

		assert_ok!(R2s::set_candidacy(RuntimeOrigin::signed(1), true));
		for seed in 0..200 {
			set_seed(seed);
			let set = R2s::new_session(7).unwrap();
			assert_eq!(set.len(), 5);
			let mut sorted = set.clone();
			sorted.sort();
			sorted.dedup();
			assert_eq!(sorted, set, "sorted, without repetition");
			assert!(set.iter().all(|v| [1, 5, 6, 7, 8].contains(v)));
		}
		assert!(matches!(r2s_events().last(), Some(Event::ValidatorsSelected { session: 7, .. })));
	});
}

#[test]
fn draw_is_deterministic_for_a_seed() {
	let draw = |seed: u64| {
		let mut out = vec![];
		with_candidates(10).seats(4, 1).build_and_execute(|| {
			set_seed(seed);
			out = R2s::new_session(3).unwrap();
		});
		out
	};
	for seed in [0, 1, 42, 1_000_000] {
		assert_eq!(draw(seed), draw(seed));
	}
	// Different seeds (and different sessions) give different sets.
	let sets: std::collections::BTreeSet<Vec<u64>> = (0..20).map(draw).collect();
	assert!(sets.len() > 5, "only {} distinct sets over 20 seeds", sets.len());
	with_candidates(10).seats(4, 1).build_and_execute(|| {
		set_seed(9);
		let sets: std::collections::BTreeSet<Vec<u64>> =
			(0..20).map(|s| R2s::new_session(s).unwrap()).collect();
		assert!(sets.len() > 5);
	});
}

#[test]
fn eleven_seats_are_drawn_from_twenty_qualified_candidates() {
	// The production seat count (11) and the mock's `MaxCandidates` (20) of qualified
	// candidates, with credits that differ (bonds of 1..=10 × MinBond: B from 100 to 1000), and
	// five more accounts with session keys but no bond, which must never be drawn.
	let candidates: Vec<(u64, Balance)> =
		(1..=20).map(|who| (who, MIN_BOND * (1 + (who % 10)))).collect();
	let ext = || {
		ExtBuilder::default()
			.candidates(candidates.clone())
			.keyed((21..=25).collect())
			.seats(11, 1)
			.sessions_per_era(100)
	};
	let draw = |seed: u64, session: u32| {
		let mut set = vec![];
		ext().build_and_execute(|| {
			set_seed(seed);
			set = R2s::new_session(session).unwrap();
		});
		set
	};

	ext().build_and_execute(|| {
		assert_eq!(Seats::<Test>::get(), MAX_ACTIVE);
		let qualified: Vec<u64> = R2s::qualified().into_iter().map(|(who, _)| who).collect();
		assert_eq!(qualified, (1..=20).collect::<Vec<_>>());
		let credits: std::collections::BTreeSet<u32> = (1..=20).map(credit_of).collect();
		assert_eq!(credits.len(), 10, "ten different bonds, ten different credits");

		let mut sets = std::collections::BTreeSet::new();
		for seed in 0..100 {
			set_seed(seed);
			let set = R2s::new_session(5).unwrap();
			assert_eq!(set.len(), 11, "seed {seed}: {set:?}");
			let mut distinct = set.clone();
			distinct.sort();
			distinct.dedup();
			assert_eq!(distinct, set, "seed {seed}: sorted and without repetition");
			assert!(set.iter().all(|who| qualified.contains(who)), "seed {seed}: {set:?}");
			// The same seed in the same state draws the same set again.
			assert_eq!(R2s::new_session(5).unwrap(), set, "seed {seed}");
			sets.insert(set);
		}
		// C(20, 11) = 167 960 possible sets: different seeds give different sets.
		assert!(sets.len() >= 90, "only {} distinct sets over 100 seeds", sets.len());

		// pallet-session takes the eleven drawn for a session.
		set_seed(7);
		run_to_session(3);
		let active = validators();
		assert_eq!(active.len(), 11);
		assert!(active.iter().all(|who| qualified.contains(who)));
	});

	// Deterministic across fresh chains built from the same genesis, and seed dependent.
	assert_eq!(draw(3, 5), draw(3, 5));
	assert_eq!(draw(1_000_000, 5), draw(1_000_000, 5));
	assert_ne!(draw(3, 5), draw(4, 5));
	assert_ne!(draw(3, 5), draw(3, 6), "the session index is part of the seed");
}

#[test]
fn keeps_the_current_set_when_too_few_qualify() {
	with_candidates(4).seats(4, 3).build_and_execute(|| {
		assert_eq!(validators(), vec![1, 2, 3, 4]);
		assert_ok!(R2s::set_candidacy(RuntimeOrigin::signed(1), false));
		assert_ok!(R2s::set_candidacy(RuntimeOrigin::signed(2), false));
		// Two qualify, three needed: keep the set of the current session.
		assert_eq!(R2s::new_session(2), Some(vec![1, 2, 3, 4]));
		assert_eq!(r2s_events().last(), Some(&Event::ValidatorsKept { session: 2, qualified: 2 }));
		run_to_session(3);
		assert_eq!(validators(), vec![1, 2, 3, 4]);
	});
}

#[test]
fn the_set_is_never_empty() {
	with_candidates(3).seats(3, 1).build_and_execute(|| {
		for who in [1, 2, 3] {
			assert_ok!(R2s::set_candidacy(RuntimeOrigin::signed(who), false));
		}
		run_to_session(3);
		assert_eq!(validators(), vec![1, 2, 3]);

		// Even when the current validators lost their keys and nobody qualifies, the session
		// pallet keeps its set (the manager answers `None`).
		for who in [1, 2, 3] {
			assert_ok!(pallet_session::Pallet::<Test>::purge_keys(RuntimeOrigin::signed(who)));
		}
		assert_eq!(R2s::new_session(5), None);
		// The current set without keys, but one new qualified candidate: it is drawn.
		new_candidate(9, 1000);
		assert_eq!(R2s::new_session(5), Some(vec![9]));
	});
}

#[test]
fn rotation_changes_the_set_across_sessions() {
	with_candidates(8).seats(4, 2).sessions_per_era(100).build_and_execute(|| {
		let mut seen = std::collections::BTreeSet::new();
		let mut sets = vec![];
		for index in 1..=12 {
			run_to_session(index);
			let set = validators();
			assert_eq!(set.len(), 4);
			assert!(set.iter().all(|v| (1..=8).contains(v)));
			seen.extend(set.iter().copied());
			sets.push(set);
		}
		// The set changes between sessions and, over 12 sessions, most candidates serve.
		assert!(sets.windows(2).filter(|w| w[0] != w[1]).count() >= 6);
		assert!(seen.len() >= 7, "only {seen:?} served");
		// A newcomer joins the rotation.
		new_candidate(20, 1000);
		let mut served = false;
		for index in 13..=30 {
			run_to_session(index);
			served |= validators().contains(&20);
		}
		assert!(served, "the new candidate was never drawn");
	});
}

/// Exact inclusion probabilities of successive weighted sampling of `k` out of `weights`.
fn inclusion_probabilities(weights: &[f64], k: usize) -> Vec<f64> {
	fn walk(weights: &[f64], available: u32, k: usize, p: f64, acc: &mut [f64]) {
		if k == 0 || available == 0 {
			return;
		}
		let total: f64 =
			(0..weights.len()).filter(|i| available & (1 << i) != 0).map(|i| weights[i]).sum();
		for i in (0..weights.len()).filter(|i| available & (1 << i) != 0) {
			let q = p * weights[i] / total;
			acc[i] += q;
			walk(weights, available & !(1 << i), k - 1, q, acc);
		}
	}
	let mut acc = vec![0.0; weights.len()];
	walk(weights, (1u32 << weights.len()) - 1, k, 1.0, &mut acc);
	acc
}

/// Run `seeds` draws of session 5 and count how often each of `accounts` is drawn.
fn selection_counts(accounts: &[u64], seeds: u64) -> Vec<u64> {
	let mut counts = vec![0u64; accounts.len()];
	for seed in 0..seeds {
		set_seed(seed);
		let set = R2s::new_session(5).unwrap();
		for (i, who) in accounts.iter().enumerate() {
			if set.contains(who) {
				counts[i] += 1;
			}
		}
	}
	counts
}

#[test]
fn single_seat_frequencies_are_proportional_to_credit() {
	// 5 candidates with credit 500, 600, 700, 800, 900; one seat; 2000 seeds.
	// Tolerance: Pearson's chi-square over the 5 outcomes below 18.47 (4 degrees of freedom,
	// p = 0.001), and every frequency within 4 standard deviations of credit / Σ credit.
	const SEEDS: u64 = 2000;
	let credits = [500u32, 600, 700, 800, 900];
	with_candidates(5).seats(1, 1).build_and_execute(|| {
		for (i, credit) in credits.iter().enumerate() {
			Candidates::<Test>::mutate(i as u64 + 1, |c| c.as_mut().unwrap().credit = *credit);
		}
		let counts = selection_counts(&[1, 2, 3, 4, 5], SEEDS);
		assert_eq!(counts.iter().sum::<u64>(), SEEDS);
		let total: f64 = credits.iter().map(|c| f64::from(*c)).sum();
		let mut chi2 = 0.0;
		for (count, credit) in counts.iter().zip(credits) {
			let p = f64::from(credit) / total;
			let expected = p * SEEDS as f64;
			chi2 += (*count as f64 - expected).powi(2) / expected;
			let sigma = (p * (1.0 - p) / SEEDS as f64).sqrt();
			let freq = *count as f64 / SEEDS as f64;
			assert!((freq - p).abs() <= 4.0 * sigma, "credit {credit}: {freq} vs {p}");
		}
		println!("single seat: counts {counts:?}, chi-square {chi2:.2}");
		assert!(chi2 < 18.47, "chi-square {chi2} with counts {counts:?}");
		// And the order follows the credit.
		assert!(counts.windows(2).all(|w| w[0] < w[1]), "{counts:?}");
	});
}

#[test]
fn multi_seat_inclusion_follows_successive_sampling() {
	// 6 candidates with credit 500..1000, 3 seats, 2000 seeds. Each candidate's inclusion
	// frequency must be within 4 standard deviations of its exact inclusion probability under
	// successive sampling proportional to credit.
	const SEEDS: u64 = 2000;
	let credits = [500u32, 600, 700, 800, 900, 1000];
	with_candidates(6).seats(3, 1).build_and_execute(|| {
		for (i, credit) in credits.iter().enumerate() {
			Candidates::<Test>::mutate(i as u64 + 1, |c| c.as_mut().unwrap().credit = *credit);
		}
		let counts = selection_counts(&[1, 2, 3, 4, 5, 6], SEEDS);
		assert_eq!(counts.iter().sum::<u64>(), 3 * SEEDS);
		let weights: Vec<f64> = credits.iter().map(|c| f64::from(*c)).collect();
		let probabilities = inclusion_probabilities(&weights, 3);
		assert!((probabilities.iter().sum::<f64>() - 3.0).abs() < 1e-9);
		println!(
			"three seats: counts {counts:?}, expected {:?}",
			probabilities.iter().map(|p| (p * SEEDS as f64).round()).collect::<Vec<_>>()
		);
		for ((count, p), credit) in counts.iter().zip(&probabilities).zip(credits) {
			let sigma = (p * (1.0 - p) / SEEDS as f64).sqrt();
			let freq = *count as f64 / SEEDS as f64;
			assert!((freq - p).abs() <= 4.0 * sigma, "credit {credit}: {freq} vs {p}");
		}
		assert!(counts.windows(2).all(|w| w[0] < w[1]), "{counts:?}");
	});
}

// ---------------------------------------------------------------------------------------------
// Authorship, eras and credit
// ---------------------------------------------------------------------------------------------

#[test]
fn authored_blocks_are_counted_per_session() {
	ExtBuilder::default().build_and_execute(|| {
		run_to_block_with(5, |_, _| Some(2));
		assert_eq!(SessionBlocks::<Test>::get(), 4);
		assert_eq!(SessionAuthored::<Test>::get(2), 4);
		assert_eq!(SessionAuthored::<Test>::get(1), 0);
	});
}

#[test]
fn session_accounting_records_authored_expected_and_liveness() {
	ExtBuilder::default().sessions_per_era(10).build_and_execute(|| {
		// Blocks 2..=10 of session 0 (9 blocks, set of 3 → 3 expected each): validator 1
		// authors 6, validator 3 authors 3, validator 2 none.
		run_to_block_with(10, |block, _| Some(if block % 3 == 0 { 3 } else { 1 }));
		assert_eq!(session(), 1);
		let p1 = Performances::<Test>::get(1).current;
		assert_eq!(
			p1,
			crate::EraStats {
				authored: 6,
				expected_milli: 3000,
				active_sessions: 1,
				counted_sessions: 1,
				live_sessions: 1,
				offences: 0
			}
		);
		let p2 = Performances::<Test>::get(2).current;
		assert_eq!((p2.authored, p2.live_sessions, p2.counted_sessions), (0, 0, 1));
		let p3 = Performances::<Test>::get(3).current;
		assert_eq!((p3.authored, p3.live_sessions), (3, 1));
		// The session counters were reset.
		assert_eq!(SessionBlocks::<Test>::get(), 0);
		assert_eq!(SessionAuthored::<Test>::iter().count(), 0);
	});
}

#[test]
fn sessions_too_short_for_a_block_each_do_not_count_for_liveness() {
	ExtBuilder::default().sessions_per_era(10).build_and_execute(|| {
		// Only 2 blocks for 3 validators in session 0.
		run_to_block_with(10, |block, _| (block >= 9).then_some(1));
		let p2 = Performances::<Test>::get(2).current;
		assert_eq!(p2.active_sessions, 1);
		assert_eq!(p2.counted_sessions, 0);
		assert_eq!(p2.expected_milli, 666);
	});
}

/// Authors round-robin among the current validators other than `offline`.
fn all_but(offline: u64) -> impl FnMut(u64, &[u64]) -> Option<u64> {
	move |block, set| {
		let online: Vec<u64> = set.iter().copied().filter(|v| *v != offline).collect();
		if online.is_empty() {
			None
		} else {
			online.get(block as usize % online.len()).copied()
		}
	}
}

#[test]
fn era_close_recomputes_credit_and_excludes_an_offline_validator() {
	ExtBuilder::default().sessions_per_era(1).build_and_execute(|| {
		// Session 0 (= era 0): validator 2 authors nothing.
		run_to_block_with(10, |block, _| Some(if block % 3 == 0 { 3 } else { 1 }));
		assert_eq!(CurrentEra::<Test>::get(), 1);
		assert!(r2s_events().contains(&Event::EraClosed { era: 0, candidates: 3 }));
		// P = L = B = 1000 for 1 and 3.
		assert_eq!(credit_of(1), 1000);
		assert_eq!(credit_of(3), 1000);
		// P = L = 0, B = 1000: (2·1000)/10.
		assert_eq!(credit_of(2), 200);
		assert_eq!(Performances::<Test>::get(2).history.len(), 1);
		assert_eq!(Performances::<Test>::get(2).current, Default::default());

		// Session 1 was planned at genesis, so validator 2 still serves it (and stays silent);
		// session 2, planned when session 1 started, is drawn without it.
		run_to_block_with(20, all_but(2));
		assert_eq!(session(), 2);
		assert_eq!(validators(), vec![1, 3]);

		// Validator 2 stays out while its bad eras (0 and 1) are in the window. Era 1 leaves
		// the window when era 6 closes, at the start of session 7; the set planned then, for
		// session 8, includes it again: with no evidence left, P = L = BaseCredit.
		let mut back_at = None;
		for index in 3u32..=10 {
			run_to_block_with(u64::from(index) * SESSION_LENGTH, all_but(2));
			if validators().contains(&2) {
				back_at = Some(index);
				break;
			}
			// Until era 1 leaves the window (start of session 7) it does not qualify.
			assert_eq!(credit_of(2) < THRESHOLD, index < 7, "session {index}");
		}
		assert_eq!(back_at, Some(8));
		assert_eq!(credit_of(2), newcomer_credit(1000));
	});
}

#[test]
fn bond_score_saturates() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(R2s::bond_score(0), 0);
		assert_eq!(R2s::bond_score(MIN_BOND), 100);
		assert_eq!(R2s::bond_score(550), 550);
		assert_eq!(R2s::bond_score(10 * MIN_BOND), 1000);
		assert_eq!(R2s::bond_score(u64::MAX), 1000);
	});
}

#[test]
fn credit_matches_the_formula_over_several_eras() {
	ExtBuilder::default().sessions_per_era(1).build_and_execute(|| {
		// Era 0: validator 1 authors every block; era 1: none of session 1's blocks.
		run_to_block_with(10, |_, _| Some(1));
		run_to_block_with(20, |_, _| Some(3));
		let p = Performances::<Test>::get(1);
		assert_eq!(p.history.len(), 2);
		// The most recent era (weight 5) is bad, the older one (weight 4) perfect. Era 0 had 9
		// blocks (3 expected each), era 1 had 10 (3.333 expected each):
		// P = 1000 · 4·3000 / (5·3333 + 4·3000) = 418, L = 1000 · 4 / 9 = 444, B = 1000,
		// credit = (5·418 + 3·444 + 2·1000) / 10 = 542.
		let expected = credit::credit(&p, 1000, BASE, CUT);
		assert_eq!(credit_of(1), expected);
		assert_eq!(expected, 542);
	});
}

// ---------------------------------------------------------------------------------------------
// Offences
// ---------------------------------------------------------------------------------------------

#[test]
fn offence_slashes_the_bond_and_cuts_credit() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(credit_of(1), newcomer_credit(1000));
		report(1, Perbill::from_percent(10), 0);
		assert_eq!(bond_of(1), 900);
		assert_eq!(held(1), 900);
		assert_eq!(slashed_total(), 100);
		assert_eq!(Balances::total_issuance(), 30 * 10_000 - 100);
		assert_eq!(Performances::<Test>::get(1).current.offences, 1);
		// Credit = newcomer with the smaller bond, minus the full cut.
		assert_eq!(credit_of(1), newcomer_credit(900) - CUT);
		assert_eq!(Punished::<Test>::get(0, 1), Some(Perbill::from_percent(10)));
		assert_eq!(
			r2s_events().last(),
			Some(&Event::OffencePunished {
				offender: 1,
				session: 0,
				fraction: Perbill::from_percent(10),
				slashed: 100,
				credit: newcomer_credit(900) - CUT,
			})
		);
		// Disqualified from the next draw.
		assert!(!R2s::qualified().iter().any(|(w, _)| *w == 1));
	});
}

#[test]
fn offence_in_the_current_session_reaches_the_disabling_strategy() {
	with_candidates(7).seats(7, 1).build_and_execute(|| {
		run_to_session(1);
		assert_eq!(validators().len(), 7);
		report(4, Perbill::from_percent(10), 1);
		// Validator 4 is at index 3 of the set.
		assert_eq!(pallet_session::Pallet::<Test>::disabled_validators(), vec![3]);
		// An offence of a past session is punished but does not disable.
		report(5, Perbill::from_percent(10), 0);
		assert_eq!(pallet_session::Pallet::<Test>::disabled_validators(), vec![3]);
		assert_eq!(bond_of(5), 900);
	});
}

#[test]
fn repeated_reports_punish_once_at_the_highest_fraction() {
	ExtBuilder::default().build_and_execute(|| {
		report(1, Perbill::from_percent(10), 0);
		let credit = credit_of(1);
		// pallet-offences hands previous offenders again with later concurrent reports.
		report(1, Perbill::from_percent(10), 0);
		report(1, Perbill::from_percent(5), 0);
		assert_eq!(bond_of(1), 900);
		assert_eq!(slashed_total(), 100);
		assert_eq!(Performances::<Test>::get(1).current.offences, 1);
		assert_eq!(credit_of(1), credit);
		// A higher fraction slashes up to that fraction of the original holdings: 20% of 1000
		// in total, so another 100 (1/9 of the 900 left).
		report(1, Perbill::from_percent(20), 0);
		assert_eq!(bond_of(1), 800);
		assert_eq!(slashed_total(), 200);
		assert_eq!(Performances::<Test>::get(1).current.offences, 1);
		// Another session is another offence.
		report(1, Perbill::from_percent(10), 1);
		assert_eq!(Performances::<Test>::get(1).current.offences, 2);
		assert_eq!(credit_of(1), 0);
	});
}

#[test]
fn the_minimum_slash_applies() {
	ExtBuilder::default().build_and_execute(|| {
		report(2, Perbill::zero(), 0);
		assert_eq!(bond_of(2), 990);
		assert_eq!(slashed_total(), 10);
		assert_eq!(Punished::<Test>::get(0, 2), Some(Perbill::from_percent(1)));
	});
}

#[test]
fn slashes_reach_unbonding_chunks_newest_first() {
	ExtBuilder::default().build_and_execute(|| {
		assert_ok!(R2s::unbond(RuntimeOrigin::signed(1), 300));
		System::set_block_number(2);
		assert_ok!(R2s::unbond(RuntimeOrigin::signed(1), 500));
		// Bond 200, chunks 300 (older) and 500 (newer); 50% of 1000 = 500.
		report(1, Perbill::from_percent(50), 0);
		let c = Candidates::<Test>::get(1).unwrap();
		assert_eq!(c.bond, 0);
		assert_eq!(c.unbonding.len(), 2);
		assert_eq!(c.unbonding[0].amount, 300);
		assert_eq!(c.unbonding[1].amount, 200);
		assert_eq!(held(1), 500);
		// Raising the fraction to 100% takes the rest.
		report(1, Perbill::from_percent(100), 0);
		let c = Candidates::<Test>::get(1).unwrap();
		assert_eq!(held(1), 0);
		assert!(c.unbonding.is_empty());
		// Nothing left: withdrawing forgets the account.
		assert_ok!(R2s::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert!(!Candidates::<Test>::contains_key(1));
	});
}

#[test]
fn offences_outside_the_window_are_ignored_and_records_pruned() {
	ExtBuilder::default().sessions_per_era(100).build_and_execute(|| {
		report(1, Perbill::from_percent(10), 0);
		assert!(Punished::<Test>::get(0, 1).is_some());
		run_to_session(SLASHABLE_SESSIONS);
		// Still in the window: session 0 + 10 ≥ 10.
		report(2, Perbill::from_percent(10), 0);
		assert_eq!(bond_of(2), 900);
		run_to_session(SLASHABLE_SESSIONS + 1);
		// The records of session 0 are pruned and its offences ignored.
		assert!(Punished::<Test>::iter_prefix(0).next().is_none());
		report(3, Perbill::from_percent(10), 0);
		assert_eq!(bond_of(3), 1000);
		assert_eq!(slashed_total(), 200);
	});
}

#[test]
fn offence_penalty_decays_over_five_eras() {
	ExtBuilder::default().sessions_per_era(1).build_and_execute(|| {
		// Candidate 4 never validates, so only the offence and the bond move its credit.
		assert_ok!(R2s::bond(RuntimeOrigin::signed(4), 1000));
		report(4, Perbill::zero(), 0);
		let base = newcomer_credit(R2s::bond_score(990));
		assert_eq!(credit_of(4), base - CUT);
		let mut seen = vec![];
		for index in 1..=6 {
			run_to_session(index);
			seen.push(credit_of(4));
		}
		// Closed eras: weight 5, 4, 3, 2, 1, then out of the window.
		assert_eq!(
			seen,
			vec![
				base - CUT,
				base - CUT * 4 / 5,
				base - CUT * 3 / 5,
				base - CUT * 2 / 5,
				base - CUT / 5,
				base
			]
		);
	});
}

#[test]
fn offender_without_a_bond_is_reported_without_slash() {
	ExtBuilder::default().candidates(vec![]).keyed(vec![5, 6]).build_and_execute(|| {
		report(5, Perbill::from_percent(10), 0);
		assert_eq!(slashed_total(), 0);
		assert_eq!(
			r2s_events().last(),
			Some(&Event::OffencePunished {
				offender: 5,
				session: 0,
				fraction: Perbill::from_percent(10),
				slashed: 0,
				credit: 0,
			})
		);
	});
}

/// An equivocation-like offence for the mock: `offenders` at `slot` of `session`.
struct TestOffence {
	offenders: Vec<(u64, ())>,
	session: u32,
	slot: u64,
	fraction: Perbill,
}

impl sp_staking::offence::Offence<(u64, ())> for TestOffence {
	const ID: sp_staking::offence::Kind = *b"r2s:test:equivoc";
	type Slot = u64;

	fn offenders(&self) -> Vec<(u64, ())> {
		self.offenders.clone()
	}
	fn session_index(&self) -> u32 {
		self.session
	}
	fn validator_set_count(&self) -> u32 {
		3
	}
	fn slot(&self) -> u64 {
		self.slot
	}
	fn slash_fraction(&self, _offenders_count: u32) -> Perbill {
		self.fraction
	}
}

#[test]
fn reports_through_pallet_offences_are_punished_once() {
	use sp_staking::offence::ReportOffence;
	ExtBuilder::default().build_and_execute(|| {
		let offence = |offenders: Vec<u64>| TestOffence {
			offenders: offenders.into_iter().map(|o| (o, ())).collect(),
			session: 0,
			slot: 7,
			fraction: Perbill::from_percent(10),
		};
		assert_ok!(Offences::report_offence(vec![], offence(vec![1])));
		assert_eq!(bond_of(1), 900);
		// The same report again is a duplicate for pallet-offences.
		assert!(Offences::report_offence(vec![], offence(vec![1])).is_err());
		// A second offender at the same slot: pallet-offences hands both offenders to the
		// handler again; only the new one is punished.
		assert_ok!(Offences::report_offence(vec![5], offence(vec![2])));
		assert_eq!(bond_of(1), 900);
		assert_eq!(bond_of(2), 900);
		assert_eq!(Performances::<Test>::get(1).current.offences, 1);
		assert_eq!(Performances::<Test>::get(2).current.offences, 1);
		assert_eq!(slashed_total(), 200);
	});
}
