//! The audit's side of the storage lifecycle in a mock runtime over a double of the file bank's
//! fragment lists: store, challenge, prove (honest, forged, stale, someone else's), miss, punish,
//! repair, audit again.

use crate::{
	leaf_proofs, mock::*, AuditFault, ChallengeExpiries, Challenges, CurrentRound, Error, Event,
	IssuanceCursor, NextRoundAt, Records, MAX_LEAF_PROOFS,
};
use cess_primitives::{
	codec::rebuild_fragments, ChallengeResponse, FileHash, ProofError, RepairCause,
	SegmentManifest, StoredFragments,
};
use frame_support::{assert_noop, assert_ok, dispatch::Pays, traits::Hooks};
use std::collections::BTreeSet;

fn events() -> Vec<Event<Test>> {
	cess_mock_support::events::<Test, _>()
}

/// A pseudo-random file of `len` bytes.
fn data(len: usize, salt: u8) -> Vec<u8> {
	(0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt)).collect()
}

/// Miners with an open challenge.
fn challenged() -> BTreeSet<AccountId> {
	Challenges::<Test>::iter_keys().collect()
}

/// Runs to the end of the first round's issuance and returns the challenged miners.
fn first_round() -> BTreeSet<AccountId> {
	run_to_block(ROUND + 3);
	assert!(matches!(CurrentRound::<Test>::get().map(|r| r.cursor), Some(IssuanceCursor::Done)));
	challenged()
}

fn submit(
	miner: AccountId,
	round: u32,
	response: ChallengeResponse,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Audit::submit_proof(RuntimeOrigin::signed(miner), round, response)
}

/// Every challenged miner but those in `except` answers honestly.
fn answer_all(except: &[AccountId]) {
	for miner in challenged() {
		if except.contains(&miner) {
			continue;
		}
		let (round, response) = answer(miner).expect("an honest miner has its fragments");
		assert_ok!(submit(miner, round, response));
	}
}

fn check_state() {
	assert_ok!(Audit::do_try_state());
}

#[test]
fn honest_miners_pass_every_round() {
	new_test_ext(4).execute_with(|| {
		// 3 segments, 12 fragments over 4 miners.
		let file = upload(&data(600, 1));
		assert_eq!(holders(file).len(), 12);
		run_to_block(ROUND - 1);
		assert!(CurrentRound::<Test>::get().is_none());
		let miners = first_round();
		let holders: BTreeSet<_> =
			(101..105).filter(|m| MockFileBank::fragment_count(m) > 0).collect();
		assert_eq!(miners, holders);
		assert!(events().iter().any(|e| matches!(e, Event::RoundStarted { round: 0, .. })));
		assert!(
			events().contains(&Event::RoundIssued { round: 0, challenged: holders.len() as u32 })
		);
		for miner in &miners {
			let open = Challenges::<Test>::get(miner).unwrap();
			// Each challenged entry is what the miner's list held at that position.
			let positions: BTreeSet<_> = open.fragments.iter().map(|c| c.position).collect();
			assert_eq!(positions.len(), open.fragments.len());
			assert_eq!(open.fragments.len() as u32, MockFileBank::fragment_count(miner).min(2));
			for c in &open.fragments {
				assert_eq!(MockFileBank::fragment_at(miner, c.position), Some(c.fragment));
			}
			// The view lists the leaves the primitives' derivation asks for.
			let view = Audit::challenge_view(miner).unwrap();
			for (v, c) in view.fragments.iter().zip(open.fragments.iter()) {
				let leaves: Vec<_> = open
					.challenge
					.leaf_indices(&c.fragment.hash, LAYOUT.leaves_per_fragment())
					.collect();
				assert_eq!(v.leaves, leaves);
				assert_eq!(v.leaves.len(), 2);
			}
			let (round, response) = answer(*miner).unwrap();
			assert_eq!(round, 0);
			let info = submit(*miner, round, response).unwrap();
			assert_eq!(info.pays_fee, Pays::No);
			assert!(events().contains(&Event::ProofAccepted { miner: *miner, round: 0 }));
			let record = Records::<Test>::get(miner);
			assert_eq!((record.passed, record.failed, record.strikes), (1, 0, 0));
			assert_eq!(record.last_round, Some(0));
		}
		assert!(challenged().is_empty());
		assert_eq!(results().len(), miners.len());
		assert!(results().iter().all(|(_, round, passed)| *round == 0 && *passed));
		// The second round: everybody passes again, nobody is punished.
		run_to_block(2 * ROUND + 3);
		assert_eq!(challenged(), miners);
		for miner in &miners {
			let (round, response) = answer(*miner).unwrap();
			assert_eq!(round, 1);
			assert_ok!(submit(*miner, round, response));
		}
		run_to_block(3 * ROUND);
		assert!(punishments().is_empty());
		assert!(!events().iter().any(|e| matches!(e, Event::ProofMissed { .. })));
		check_state();
	});
}

#[test]
fn a_forged_proof_fails_the_round_and_closes_the_challenge() {
	new_test_ext(4).execute_with(|| {
		upload(&data(600, 1));
		let miner = *first_round().iter().next().unwrap();
		let (round, honest) = answer(miner).unwrap();
		let mut response = honest.clone();
		response[0].leaves[0].leaf[0] ^= 1;
		let info = submit(miner, round, response).unwrap();
		assert_eq!(info.pays_fee, Pays::Yes);
		assert!(events().contains(&Event::ProofRejected {
			miner,
			round,
			error: ProofError::RootMismatch,
			strikes: 1
		}));
		assert_eq!(Records::<Test>::get(miner).strikes, 1);
		assert_eq!(results(), vec![(miner, round, false)]);
		// One answer per round: the honest proof comes too late.
		assert_noop!(submit(miner, round, honest), Error::<Test>::NoOpenChallenge);
		check_state();
	});
}

#[test]
fn malformed_proofs_are_rejected_with_their_reason() {
	new_test_ext(4).execute_with(|| {
		upload(&data(600, 2));
		let miners: Vec<_> = first_round().into_iter().collect();
		type Tamper = fn(&mut ChallengeResponse);
		let cases: Vec<(Tamper, ProofError)> = vec![
			(
				|r| {
					r.pop();
				},
				ProofError::WrongFragmentCount,
			),
			(
				|r| {
					r[0].leaves.pop();
				},
				ProofError::WrongLeafCount,
			),
			(
				|r| {
					r[0].leaves[0].path.pop();
				},
				ProofError::PathTooShort,
			),
			(
				|r| {
					r[0].fragment.0[0] ^= 1;
				},
				ProofError::WrongFragment,
			),
		];
		for (miner, (tamper, expected)) in miners.iter().zip(cases) {
			let (round, mut response) = answer(*miner).unwrap();
			assert_eq!(response.len(), 2);
			tamper(&mut response);
			assert_ok!(submit(*miner, round, response));
			assert!(
				events().iter().any(|e| matches!(
					e,
					Event::ProofRejected { miner: m, error, .. } if m == miner && *error == expected
				)),
				"{miner} should be rejected with {expected:?}"
			);
		}
	});
}

#[test]
fn another_miners_proof_is_rejected() {
	new_test_ext(4).execute_with(|| {
		upload(&data(600, 3));
		let miners: Vec<_> = first_round().into_iter().collect();
		let (a, b) = (miners[0], miners[1]);
		let (round, stolen) = answer(a).unwrap();
		// An account without a challenge gets nothing out of it.
		assert_noop!(submit(ALICE, round, stolen.clone()), Error::<Test>::NoOpenChallenge);
		// A challenged miner fails its own round with it.
		assert_ok!(submit(b, round, stolen.clone()));
		assert!(events().iter().any(|e| matches!(
			e,
			Event::ProofRejected { miner, error: ProofError::WrongFragment, .. } if *miner == b
		)));
		assert_eq!(Records::<Test>::get(b).strikes, 1);
		// The owner of the proof still passes with it.
		assert!(Challenges::<Test>::contains_key(a));
		assert_ok!(submit(a, round, stolen));
		assert!(events().contains(&Event::ProofAccepted { miner: a, round }));
		check_state();
	});
}

#[test]
fn stale_proofs_are_refused_and_the_window_is_enforced() {
	new_test_ext(4).execute_with(|| {
		upload(&data(600, 4));
		run_to_block(ROUND);
		let early: Vec<_> = challenged().into_iter().collect();
		let (miner, late_miner) = (early[0], early[1]);
		let deadline = Challenges::<Test>::get(miner).unwrap().deadline;
		assert_eq!(deadline, ROUND + WINDOW);
		let (round, response) = answer(miner).unwrap();
		let (_, late) = answer(late_miner).unwrap();
		// A proof for another round than the open one is refused without a strike.
		assert_noop!(submit(miner, round + 1, response.clone()), Error::<Test>::WrongRound);
		// The last block of the window still accepts a proof.
		run_to_block(deadline);
		assert_ok!(submit(miner, round, response.clone()));
		// The block after, the challenge has expired: missed, and a late proof is refused.
		run_to_block(deadline + 1);
		assert!(events().contains(&Event::ProofMissed { miner: late_miner, round, strikes: 1 }));
		assert_noop!(submit(late_miner, round, late.clone()), Error::<Test>::NoOpenChallenge);
		// In the next round, the old proof is for the wrong round.
		run_to_block(2 * ROUND + 3);
		assert!(Challenges::<Test>::contains_key(late_miner));
		assert_noop!(submit(late_miner, round, late), Error::<Test>::WrongRound);
		assert_eq!(Records::<Test>::get(late_miner).failed, 1);
		check_state();
	});
}

#[test]
fn a_proof_after_the_deadline_is_never_judged() {
	new_test_ext(4).execute_with(|| {
		upload(&data(600, 4));
		run_to_block(ROUND);
		let miner = *challenged().iter().next().unwrap();
		let deadline = Challenges::<Test>::get(miner).unwrap().deadline;
		let (round, response) = answer(miner).unwrap();
		// The block after the deadline, before its hook ran (on a chain the hook always runs
		// first and has expired the challenge): the proof is refused, not judged.
		System::set_block_number(deadline + 1);
		assert!(Challenges::<Test>::contains_key(miner));
		assert_noop!(submit(miner, round, response), Error::<Test>::NoOpenChallenge);
		assert_eq!(Records::<Test>::get(miner), Default::default());
		// The hook then fails the round as missed.
		Audit::on_initialize(deadline + 1);
		assert!(events().contains(&Event::ProofMissed { miner, round, strikes: 1 }));
		assert!(!Challenges::<Test>::contains_key(miner));
	});
}

#[test]
fn missing_the_strike_limit_punishes_and_repairs_the_miner_whose_fragments_are_audited_again() {
	new_test_ext(6).execute_with(|| {
		let file = upload(&data(220, 5));
		let placed = holders(file);
		let (lost_index, lost) = placed[0];
		// The miner loses the fragment and cannot answer; the others answer.
		lose(lost, file, lost_index);
		run_to_block(ROUND + 3);
		assert!(Challenges::<Test>::contains_key(lost));
		assert!(answer(lost).is_none());
		answer_all(&[lost]);
		run_to_block(ROUND + WINDOW + 2);
		assert!(events().contains(&Event::ProofMissed { miner: lost, round: 0, strikes: 1 }));
		assert!(punishments().is_empty());
		assert!(repairs().is_empty());
		// Second missed round: punished, strikes start again, its fragments are repaired.
		run_to_block(2 * ROUND + 3);
		answer_all(&[lost]);
		run_to_block(2 * ROUND + WINDOW + 2);
		assert!(events().contains(&Event::ProofMissed { miner: lost, round: 1, strikes: 0 }));
		assert!(events()
			.contains(&Event::MinerPunished { miner: lost, fault: AuditFault::MissedProof }));
		assert_eq!(punishments(), vec![(lost, SLASH, AuditFault::MissedProof)]);
		let record = Records::<Test>::get(lost);
		assert_eq!((record.failed, record.punished, record.strikes), (2, 1, 0));
		assert!(results().contains(&(lost, 1, false)));
		// The penalty asked the file bank to repair the miner. The file bank (here, the test)
		// moves the fragment to a miner outside its segment, which rebuilds it from two others.
		assert_eq!(repairs(), vec![(lost, RepairCause::Punished)]);
		let moved = take_fragments(lost);
		assert_eq!(moved.len(), 1);
		assert_eq!(MockFileBank::fragment_count(&lost), 0);
		let new_holder = (FIRST_MINER..FIRST_MINER + 6)
			.find(|m| placed.iter().all(|(_, holder)| holder != m))
			.unwrap();
		let segment = lost_index / LAYOUT.total_shards();
		let first = segment * LAYOUT.total_shards();
		let roots: Vec<_> =
			(first..first + LAYOUT.total_shards()).map(|i| uploaded(file, i).root).collect();
		let others: Vec<(u32, Vec<u8>)> = (first..first + LAYOUT.total_shards())
			.filter(|i| *i != lost_index)
			.take(LAYOUT.data_shards as usize)
			.map(|i| (i - first, uploaded(file, i).bytes))
			.collect();
		let rebuilt = rebuild_fragments(
			&LAYOUT,
			u64::from(segment),
			&SegmentManifest::new(roots),
			&others,
			&[lost_index - first],
		)
		.unwrap();
		assert_eq!(rebuilt[0], uploaded(file, lost_index).bytes);
		store(new_holder, file, lost_index, rebuilt[0].clone());
		add_fragment(new_holder, moved[0]);
		// The new holder is challenged on it in the next round and passes.
		run_to_block(3 * ROUND + 3);
		let open = Challenges::<Test>::get(new_holder).unwrap();
		assert_eq!(open.fragments.len(), 1);
		assert_eq!(
			(open.fragments[0].fragment.file, open.fragments[0].fragment.index),
			(file, lost_index)
		);
		answer_all(&[]);
		assert!(events().contains(&Event::ProofAccepted { miner: new_holder, round: 2 }));
		// The punished miner holds nothing: it is no longer challenged.
		assert!(!Challenges::<Test>::contains_key(lost));
		check_state();
	});
}

#[test]
fn passed_rounds_in_a_row_clear_strikes() {
	new_test_ext(4).execute_with(|| {
		upload(&data(600, 6));
		let miner = *first_round().iter().next().unwrap();
		// Round 0 missed, rounds 1 and 2 passed: strikes cleared; round 3 missed: no punishment.
		answer_all(&[miner]);
		run_to_block(2 * ROUND);
		assert_eq!(Records::<Test>::get(miner).strikes, 1);
		for round in [1u64, 2] {
			run_to_block((round + 1) * ROUND + 3);
			answer_all(&[]);
		}
		assert!(events().contains(&Event::StrikesCleared { miner }));
		assert_eq!(Records::<Test>::get(miner).strikes, 0);
		run_to_block(4 * ROUND + 3);
		answer_all(&[miner]);
		run_to_block(5 * ROUND);
		let record = Records::<Test>::get(miner);
		assert_eq!((record.failed, record.passed, record.strikes, record.punished), (2, 2, 1, 0));
		assert!(punishments().is_empty());
	});
}

#[test]
fn a_leaving_miners_strikes_and_open_challenge_are_reported_and_settled_pro_rata() {
	new_test_ext(4).execute_with(|| {
		upload(&data(600, 6));
		let miner = *first_round().iter().next().unwrap();
		assert!(Audit::has_open_challenge(&miner));
		assert_eq!(Audit::strikes(&miner), 0);
		// Nothing to settle without strikes.
		assert_eq!(Audit::settle_strikes(&miner), sp_runtime::Perbill::zero());
		// The round is missed: one strike, the challenge judged (expired), the next round not
		// started yet.
		answer_all(&[miner]);
		run_to_block(ROUND + 3 + WINDOW + 2);
		assert!(!Audit::has_open_challenge(&miner));
		assert_eq!(Audit::strikes(&miner), 1);
		// One strike of STRIKES costs that share of the punishment's slash, and is cleared.
		let share = Audit::settle_strikes(&miner);
		assert_eq!(share, sp_runtime::Perbill::from_rational(1, STRIKES) * SLASH);
		assert!(share > sp_runtime::Perbill::zero());
		let record = Records::<Test>::get(miner);
		assert_eq!((record.strikes, record.failed, record.punished), (0, 1, 0));
		assert_eq!(Audit::settle_strikes(&miner), sp_runtime::Perbill::zero());
		check_state();
	});
}

#[test]
fn challenges_are_issued_and_expire_in_bounded_batches() {
	new_test_ext(5).execute_with(|| {
		// Enough files that all five miners hold fragments.
		for salt in 0..5u8 {
			upload(&data(220, salt));
		}
		let holders = (101..106).filter(|m| MockFileBank::fragment_count(m) > 0).count();
		assert_eq!(holders, 5);
		let mut issued_per_block = Vec::new();
		for block in ROUND..ROUND + 4 {
			System::reset_events();
			run_to_block(block);
			issued_per_block.push(
				events().iter().filter(|e| matches!(e, Event::ChallengeIssued { .. })).count(),
			);
		}
		assert_eq!(issued_per_block, vec![2, 2, 1, 0]);
		assert_eq!(challenged().len(), 5);
		for block in ROUND..ROUND + 3 {
			assert!(ChallengeExpiries::<Test>::get(block + WINDOW + 1).len() <= 2);
		}
		// The next round waits for the period, and for the last expiry.
		assert_eq!(NextRoundAt::<Test>::get(), (2 * ROUND).max(ROUND + 2 + WINDOW + 1));
		let mut missed_per_block = Vec::new();
		for block in ROUND + WINDOW + 1..ROUND + WINDOW + 5 {
			System::reset_events();
			run_to_block(block);
			missed_per_block
				.push(events().iter().filter(|e| matches!(e, Event::ProofMissed { .. })).count());
		}
		assert_eq!(missed_per_block, vec![2, 2, 1, 0]);
		check_state();
	});
}

#[test]
fn miners_without_fragments_are_not_challenged() {
	new_test_ext(6).execute_with(|| {
		run_to_block(ROUND + 2);
		assert!(events().contains(&Event::RoundIssued { round: 0, challenged: 0 }));
		assert!(challenged().is_empty());
		// Rounds keep coming, cheaply.
		run_to_block(2 * ROUND + 1);
		assert!(events().contains(&Event::RoundIssued { round: 1, challenged: 0 }));
	});
}

#[test]
fn a_challenge_survives_changes_to_the_miners_fragment_list() {
	new_test_ext(4).execute_with(|| {
		let a = upload(&data(600, 7));
		upload(&data(600, 8));
		run_to_block(ROUND + 3);
		let miner = *challenged().iter().next().unwrap();
		let open = Challenges::<Test>::get(miner).unwrap();
		let before = MockFileBank::fragment_count(&miner);
		// Releasing a deleted file moves entries of the miner's list around (swap-remove).
		remove_file(a);
		run_to_block(ROUND + 5);
		assert!(holders(a).is_empty());
		assert!(MockFileBank::fragment_count(&miner) < before);
		// The miner answers the challenge it was given (it keeps deleted fragments until the
		// challenges naming them are closed) and passes.
		assert_eq!(Challenges::<Test>::get(miner).unwrap(), open);
		let (round, response) = answer(miner).unwrap();
		assert_ok!(submit(miner, round, response));
		assert!(events().contains(&Event::ProofAccepted { miner, round }));
		check_state();
	});
}

#[test]
fn proof_weight_follows_the_leaf_proofs_submitted() {
	use crate::WeightInfo;
	new_test_ext(4).execute_with(|| {
		upload(&data(600, 9));
		let miner = *first_round().iter().next().unwrap();
		let (_, response) = answer(miner).unwrap();
		let n = leaf_proofs(&response);
		assert_eq!(n, response.iter().map(|p| p.leaves.len() as u32).sum::<u32>());
		assert!(
			<() as WeightInfo>::submit_proof(n).ref_time()
				< <() as WeightInfo>::submit_proof(n + 1).ref_time()
		);
		assert_eq!(leaf_proofs(&Default::default()), 0);
		assert_eq!(MAX_LEAF_PROOFS, 1024);
	});
}

#[test]
fn the_largest_response_is_charged_for_every_leaf_proof_it_carries() {
	use crate::{AuditPenalty, WeightInfo};
	use cess_primitives::{
		challenge::{MAX_CHALLENGED_FRAGMENTS, MAX_CHALLENGED_LEAVES},
		proof::LeafProof,
		FragmentHash, FragmentProof,
	};
	use frame_support::dispatch::GetDispatchInfo;
	let leaf = LeafProof { index: 0, leaf: Default::default(), path: Default::default() };
	let fragment = FragmentProof {
		fragment: FragmentHash([0; 32]),
		leaves: vec![leaf; MAX_CHALLENGED_LEAVES as usize].try_into().unwrap(),
	};
	let response: ChallengeResponse =
		vec![fragment; MAX_CHALLENGED_FRAGMENTS as usize].try_into().unwrap();
	assert_eq!(leaf_proofs(&response), MAX_LEAF_PROOFS);
	let call = crate::Call::<Test>::submit_proof { round: 0, response };
	assert_eq!(
		call.get_dispatch_info().call_weight,
		<() as WeightInfo>::submit_proof(MAX_LEAF_PROOFS).saturating_add(MockPenalty::weight())
	);
}

#[test]
fn the_first_round_waits_for_its_genesis_block() {
	new_test_ext(4).execute_with(|| {
		upload(&data(100, 1));
		run_to_block(ROUND - 1);
		assert!(events().is_empty());
		assert!(Audit::round_view().is_none());
		run_to_block(ROUND);
		let view = Audit::round_view().unwrap();
		assert_eq!((view.index, view.started_at), (0, ROUND));
		assert_eq!(Audit::params().response_window, WINDOW);
		Audit::integrity_test();
	});
}

#[test]
#[should_panic(expected = "audit genesis params")]
fn invalid_genesis_params_are_refused() {
	use sp_runtime::BuildStorage;
	let mut params = DefaultParams::get();
	params.response_window = params.round_period;
	let _ =
		crate::GenesisConfig::<Test> { params: Some(params), first_round_at: None }.build_storage();
}

#[test]
fn the_whole_lifecycle_ends_with_the_file_released() {
	new_test_ext(4).execute_with(|| {
		let file = upload(&data(300, 11));
		let miners = first_round();
		for miner in &miners {
			let (round, response) = answer(*miner).unwrap();
			assert_ok!(submit(*miner, round, response));
		}
		// The file bank releases the deleted file from every miner's list.
		remove_file(file);
		run_to_block(ROUND + 10);
		assert!(holders(file).is_empty());
		assert!((101..105).all(|m| MockFileBank::fragment_count(&m) == 0));
		// Nothing is left to audit.
		run_to_block(2 * ROUND + 3);
		assert!(challenged().is_empty());
		let _: FileHash = file;
		check_state();
	});
}
