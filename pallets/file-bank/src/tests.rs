//! Tests of every call, every rejection and every per-block queue, in the mock runtime.

use crate::{
	mock::*, AssignmentKind, DropReason, Error, Event, FileState, FragmentIndex, FragmentInfo,
	FragmentStatus, Fragments, HoldReason, MinerAssignments, MinerFragmentCount, MinerFragments,
	OutgoingCopies, Ownerships, RepairCause, RepairScheduler, SegmentsOf, StoredFragments,
	MAX_PAGE,
};
use cess_primitives::{FileHash, FragmentHash};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchResult, DispatchResultWithPostInfo},
	traits::{fungible::InspectHold, Hooks},
	BoundedVec,
};
use std::collections::{BTreeMap, BTreeSet};

type Files = crate::Files<Test>;

fn name(bytes: &[u8]) -> BoundedVec<u8, frame_support::traits::ConstU32<32>> {
	bytes.to_vec().try_into().unwrap()
}

fn bounded(roots: &[Vec<FragmentHash>]) -> SegmentsOf<Test> {
	roots.iter().map(|r| r.clone().try_into().unwrap()).collect::<Vec<_>>().try_into().unwrap()
}

/// `upload_declaration` by `who` of `file`, under the name `file_name`.
fn upload(
	who: AccountId,
	file: FileHash,
	segments: SegmentsOf<Test>,
	size: u64,
	file_name: &[u8],
	periods: u32,
) -> DispatchResultWithPostInfo {
	FileBank::upload_declaration(
		RuntimeOrigin::signed(who),
		file,
		segments,
		size,
		name(file_name),
		periods,
	)
}

/// `upload_declaration` by `who` of a file that exists: its segments are not read.
fn join(
	who: AccountId,
	file: FileHash,
	file_name: &[u8],
	periods: u32,
) -> DispatchResultWithPostInfo {
	upload(who, file, Default::default(), 0, file_name, periods)
}

/// Declares a new file of `segments` segments for `who`, paying `periods` periods.
fn declare_for(who: AccountId, salt: u8, segments: u32, periods: u32) -> FileHash {
	let (hash, roots, size) = declaration(salt, segments);
	assert_ok!(upload(who, hash, bounded(&roots), size, b"file", periods));
	hash
}

fn declare(who: AccountId, salt: u8, segments: u32) -> FileHash {
	declare_for(who, salt, segments, 1)
}

fn fragment(file: FileHash, index: FragmentIndex) -> FragmentInfo<AccountId, u64> {
	Fragments::<Test>::get(file, index).expect("a fragment")
}

/// `(index, miner)` of every fragment of a file, by index.
fn placement(file: FileHash) -> Vec<(FragmentIndex, AccountId)> {
	let mut all: Vec<_> =
		Fragments::<Test>::iter_prefix(file).map(|(index, info)| (index, info.miner)).collect();
	all.sort();
	all
}

/// The pending fragments of a file, grouped by miner.
fn pending_by_miner(file: FileHash) -> BTreeMap<AccountId, Vec<(FragmentIndex, FragmentHash)>> {
	let mut by_miner: BTreeMap<AccountId, Vec<_>> = BTreeMap::new();
	for (index, info) in Fragments::<Test>::iter_prefix(file) {
		if matches!(info.status, FragmentStatus::Pending { .. }) {
			by_miner.entry(info.miner).or_default().push((index, info.hash));
		}
	}
	by_miner
}

/// `confirm_stored` by `who` of `fragments` of `file`.
fn confirm(
	who: AccountId,
	file: FileHash,
	fragments: Vec<(FragmentIndex, FragmentHash)>,
) -> DispatchResult {
	FileBank::confirm_stored(RuntimeOrigin::signed(who), file, fragments.try_into().unwrap())
		.map(|_| ())
		.map_err(|e| e.error)
}

/// Every assigned miner confirms its pending fragments of the file.
fn confirm_all(file: FileHash) {
	for (miner, fragments) in pending_by_miner(file) {
		assert_ok!(confirm(miner, file, fragments));
	}
}

fn events() -> Vec<Event<Test>> {
	cess_mock_support::events::<Test, _>()
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::FileBank(HoldReason::StorageFee), &who)
}

fn check_state() {
	assert_ok!(FileBank::do_try_state());
}

/// Fee of a file of `segments` segments for `periods` periods in the mock (1 unit per byte).
fn fee(segments: u32, periods: u32) -> Balance {
	Balance::from(segments)
		* Balance::from(SHARDS)
		* Balance::from(FRAGMENT)
		* Balance::from(periods)
}

mod declaration {
	use super::*;

	#[test]
	fn places_every_fragment_on_distinct_miners_of_its_segment_and_locks_space() {
		ext_with_miners(10, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 3);
			let placed = placement(file);
			assert_eq!(placed.len(), 12);
			for segment in placed.chunks(SHARDS as usize) {
				let miners: BTreeSet<_> = segment.iter().map(|(_, m)| *m).collect();
				assert_eq!(miners.len(), SHARDS as usize, "distinct miners in {segment:?}");
			}
			let mut locked_total = 0;
			for who in 101..111 {
				let count = placed.iter().filter(|(_, m)| *m == who).count() as u64;
				assert_eq!(miner(who).locked, count * FRAGMENT);
				locked_total += miner(who).locked;
			}
			assert_eq!(locked_total, 12 * FRAGMENT);
			for (index, who) in &placed {
				assert!(MinerAssignments::<Test>::contains_key(who, (file, *index)));
				assert!(matches!(
					fragment(file, *index).status,
					FragmentStatus::Pending {
						deadline: 11,
						reassignments: 0,
						kind: AssignmentKind::Upload
					}
				));
			}
			let info = Files::get(file).unwrap();
			assert_eq!(info.state, FileState::Pending);
			assert_eq!((info.segments, info.fragments, info.unconfirmed), (3, 12, 12));
			assert_eq!(info.owners.to_vec(), vec![ALICE]);
			assert_eq!(held(ALICE), fee(3, 1));
			let evs = events();
			let placed_events: Vec<_> = evs
				.iter()
				.filter_map(|e| match e {
					Event::SegmentPlaced { file: f, segment, miners } if *f == file => {
						Some((*segment, miners.clone()))
					}
					_ => None,
				})
				.collect();
			assert_eq!(placed_events.len(), 3);
			for (segment, miners) in placed_events {
				let expected: Vec<_> = placed
					[(segment * SHARDS) as usize..((segment + 1) * SHARDS) as usize]
					.iter()
					.map(|(_, m)| *m)
					.collect();
				assert_eq!(miners, expected);
			}
			assert!(evs.contains(&Event::FileDeclared {
				file,
				owner: ALICE,
				size: 3 * CAPACITY - 7,
				fragments: 12,
				fee: fee(3, 1),
				expires_at: 110,
				confirm_by: 11,
			}));
			check_state();
		});
	}

	#[test]
	fn reuses_miners_when_the_chain_has_fewer_than_a_segment_needs() {
		ext_with_miners(2, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			let miners: BTreeSet<_> = placement(file).into_iter().map(|(_, m)| m).collect();
			assert_eq!(miners, BTreeSet::from([101, 102]));
			assert_eq!(miner(101).locked + miner(102).locked, 4 * FRAGMENT);
			check_state();
		});
	}

	#[test]
	fn a_short_sample_is_completed_with_other_miners_before_any_is_reused() {
		// One miner has far more free space than the three others: a sample of a segment's
		// worth of miners draws it again and again and comes back with it alone.
		new_test_ext().execute_with(|| {
			add_miner(101, 1 << 50);
			for who in 102..105 {
				add_miner(who, 10_000);
			}
			for salt in 0..8u8 {
				let seed = sp_io::hashing::blake2_256(&[salt]);
				assert_eq!(
					<MockMiners as crate::MinerPool<AccountId>>::sample(
						&seed,
						SHARDS,
						FRAGMENT,
						&[]
					),
					vec![101],
					"the premise: a plain sample is short"
				);
			}
			// Yet every segment goes to four distinct miners: the big one and the three others.
			for salt in 0..4u8 {
				let file = declare(ALICE, salt, 2);
				for segment in placement(file).chunks(SHARDS as usize) {
					let miners: BTreeSet<_> = segment.iter().map(|(_, m)| *m).collect();
					assert_eq!(miners, BTreeSet::from([101, 102, 103, 104]), "{segment:?}");
				}
			}
			for who in 102..105 {
				assert_eq!(miner(who).locked, 8 * FRAGMENT);
			}
			check_state();
		});
	}

	#[test]
	fn a_single_miner_takes_every_fragment() {
		ext_with_miners(1, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 2);
			assert!(placement(file).iter().all(|(_, m)| *m == 101));
			assert_eq!(miner(101).locked, 8 * FRAGMENT);
			check_state();
		});
	}

	#[test]
	fn placement_weights_miners_by_free_space() {
		// One miner with 9 times the free space of the other gets most fragments.
		let mut ext = new_test_ext();
		ext.execute_with(|| {
			add_miner(101, 90_000);
			add_miner(102, 10_000);
			let mut big = 0;
			for salt in 0..40u8 {
				let file = declare(ALICE, salt, 1);
				// The first shard of each segment is the first draw: weighted by free space.
				if placement(file)[0].1 == 101 {
					big += 1;
				}
			}
			assert!(big >= 28, "the big miner got only {big} of 40 first draws");
		});
	}

	#[test]
	fn fails_with_a_named_error_when_no_miner_has_room() {
		new_test_ext().execute_with(|| {
			let (hash, roots, size) = declaration(1, 1);
			assert_noop!(
				upload(ALICE, hash, bounded(&roots), size, b"f", 1),
				Error::<Test>::NoMinerAvailable
			);
			// Room for three fragments only: nothing is locked or held after the failure.
			add_miner(101, 3 * FRAGMENT);
			assert_noop!(
				upload(ALICE, hash, bounded(&roots), size, b"f", 1),
				Error::<Test>::NoMinerAvailable
			);
			assert_eq!(miner(101).locked, 0);
			assert_eq!(held(ALICE), 0);
		});
	}

	#[test]
	fn is_checked_against_the_layout_and_the_file_hash() {
		ext_with_miners(4, 10_000).execute_with(|| {
			let (hash, roots, size) = declaration(1, 2);
			let call = |hash, roots: &[Vec<FragmentHash>], size, periods| {
				upload(ALICE, hash, bounded(roots), size, b"f", periods)
			};
			assert_noop!(call(hash, &roots, size, 0), Error::<Test>::InvalidPeriods);
			assert_noop!(call(hash, &roots, size, 11), Error::<Test>::InvalidPeriods);
			assert_noop!(call(hash, &roots[..1], size, 1), Error::<Test>::SegmentCountMismatch);
			assert_noop!(call(hash, &roots, CAPACITY, 1), Error::<Test>::SegmentCountMismatch);
			let mut short = roots.clone();
			short[1].pop();
			assert_noop!(call(hash, &short, size, 1), Error::<Test>::FragmentCountMismatch);
			let mut swapped = roots.clone();
			swapped[0].swap(0, 1);
			assert_noop!(call(hash, &swapped, size, 1), Error::<Test>::FileHashMismatch);
			// Same segments, another size that needs as many segments: another file hash.
			assert_noop!(call(hash, &roots, size - 1, 1), Error::<Test>::FileHashMismatch);
			let mut other = hash;
			other.0[0] ^= 1;
			assert_noop!(call(other, &roots, size, 1), Error::<Test>::FileHashMismatch);
			assert_noop!(call(hash, &roots, 9 * CAPACITY, 1), Error::<Test>::FileTooLarge);
			assert_noop!(
				upload(POOR, hash, bounded(&roots), size, b"f", 1),
				Error::<Test>::InsufficientBalance
			);
		});
	}

	#[test]
	fn a_declaration_that_repeats_a_root_is_refused() {
		ext_with_miners(4, 10_000).execute_with(|| {
			// A declaration that is right in every other way: its file hash is computed from
			// the repeated roots.
			let declare_roots = |roots: Vec<Vec<FragmentHash>>| {
				let hashes: Vec<_> =
					roots.iter().map(|r| cess_primitives::hashing::segment_hash(r)).collect();
				let size = roots.len() as u64 * CAPACITY - 7;
				let hash = cess_primitives::hashing::file_hash(&LAYOUT, size, &hashes);
				upload(ALICE, hash, bounded(&roots), size, b"f", 1)
			};
			let (_, roots, _) = declaration(1, 2);
			// Twice in one segment (as zero padding once made of a short last segment).
			let mut in_segment = roots.clone();
			in_segment[1][3] = in_segment[1][2];
			assert_noop!(declare_roots(in_segment), Error::<Test>::DuplicateFragmentRoot);
			// Once in each of two segments: one miner may hold both.
			let mut across = roots.clone();
			across[1][0] = across[0][3];
			assert_noop!(declare_roots(across), Error::<Test>::DuplicateFragmentRoot);
			// Nothing was placed, held or charged.
			assert!((101..105).all(|m| miner(m).locked == 0));
			assert_eq!(held(ALICE), 0);
			// Distinct roots are declared.
			assert_ok!(declare_roots(roots));
			check_state();
		});
	}

	#[test]
	fn an_empty_file_has_one_segment() {
		ext_with_miners(4, 10_000).execute_with(|| {
			let (_, roots, _) = declaration(3, 1);
			let hashes = vec![cess_primitives::hashing::segment_hash(&roots[0])];
			let hash = cess_primitives::hashing::file_hash(&LAYOUT, 0, &hashes);
			assert_ok!(upload(ALICE, hash, bounded(&roots), 0, b"empty", 1));
			assert_eq!(Files::get(hash).unwrap().fragments, SHARDS);
		});
	}

	#[test]
	fn storage_fee_counts_every_fragment_and_every_period() {
		new_test_ext().execute_with(|| {
			assert_eq!(FileBank::storage_fee(CAPACITY, 1), Some(fee(1, 1)));
			assert_eq!(FileBank::storage_fee(CAPACITY + 1, 3), Some(fee(2, 3)));
		});
	}
}

mod confirmation {
	use super::*;

	#[test]
	fn commits_space_lists_fragments_and_activates_the_file() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 2);
			let alice_before = Balances::free_balance(ALICE);
			let pot_before = Balances::free_balance(POT);
			let by_miner = pending_by_miner(file);
			let mut miners = by_miner.keys().copied();
			let first = miners.next().unwrap();
			let first_fragments = by_miner[&first].clone();
			assert_ok!(confirm(first, file, first_fragments.clone()));
			assert_eq!(miner(first).used, FRAGMENT * first_fragments.len() as u64);
			assert_eq!(miner(first).locked, 0);
			assert_eq!(MinerFragmentCount::<Test>::get(first), first_fragments.len() as u32);
			let (index, root) = first_fragments[0];
			assert_eq!(
				MinerFragments::<Test>::get(first, 0).unwrap(),
				crate::FragmentRef { file, index, hash: root }
			);
			assert_eq!(fragment(file, index).status, FragmentStatus::Stored { position: 0 });
			assert!(!MinerAssignments::<Test>::contains_key(first, (file, index)));
			assert_eq!(Files::get(file).unwrap().state, FileState::Pending);
			assert_eq!(stored_reports(), vec![(first, FRAGMENT); first_fragments.len()]);

			confirm_all(file);
			let info = Files::get(file).unwrap();
			assert_eq!(info.state, FileState::Active);
			assert_eq!(info.unconfirmed, 0);
			assert_eq!(held(ALICE), 0);
			assert_eq!(Balances::free_balance(ALICE), alice_before);
			assert_eq!(Balances::free_balance(POT), pot_before + fee(2, 1));
			assert_eq!(Ownerships::<Test>::get(ALICE, file).unwrap().fee_held, 0);
			assert!(events().contains(&Event::FileActivated { file, fees: fee(2, 1) }));
			assert_eq!(stored_reports().len(), 8);
			let used: u64 = (101..109).map(|m| miner(m).used).sum();
			assert_eq!(used, 8 * FRAGMENT);
			check_state();
		});
	}

	#[test]
	fn rejects_what_the_caller_may_not_confirm() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			let info = fragment(file, 0);
			let assigned = info.miner;
			let other = (101..109).find(|m| *m != assigned).unwrap();
			assert_noop!(confirm(assigned, file, vec![]), Error::<Test>::NoFragments);
			assert_noop!(
				confirm(ALICE, file, vec![(0, info.hash)]),
				Error::<Test>::MinerCannotConfirm
			);
			assert_noop!(
				confirm(assigned, FileHash([9; 32]), vec![(0, info.hash)]),
				Error::<Test>::FileNotFound
			);
			assert_noop!(
				confirm(assigned, file, vec![(SHARDS, info.hash)]),
				Error::<Test>::FragmentNotFound
			);
			assert_noop!(
				confirm(other, file, vec![(0, info.hash)]),
				Error::<Test>::NotAssignedMiner
			);
			assert_noop!(
				confirm(assigned, file, vec![(0, FragmentHash([0; 32]))]),
				Error::<Test>::FragmentHashMismatch
			);
			// A duplicate in one call: the second one is no longer pending, nothing is kept.
			assert_noop!(
				confirm(assigned, file, vec![(0, info.hash), (0, info.hash)]),
				Error::<Test>::FragmentNotPending
			);
			assert_ok!(confirm(assigned, file, vec![(0, info.hash)]));
			assert_noop!(
				confirm(assigned, file, vec![(0, info.hash)]),
				Error::<Test>::FragmentNotPending
			);
			// An exiting miner confirms nothing more.
			let next = fragment(file, 1);
			update_miner(next.miner, |m| m.exiting = true);
			assert_noop!(
				confirm(next.miner, file, vec![(1, next.hash)]),
				Error::<Test>::MinerCannotConfirm
			);
			check_state();
		});
	}

	#[test]
	fn a_file_being_removed_takes_no_confirmation() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			let info = fragment(file, 0);
			assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(ALICE), file));
			assert_noop!(
				confirm(info.miner, file, vec![(0, info.hash)]),
				Error::<Test>::FileBeingRemoved
			);
		});
	}
}

mod deadlines {
	use super::*;

	#[test]
	fn an_unconfirmed_fragment_moves_to_a_miner_outside_its_segment() {
		ext_with_miners(5, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			let late = fragment(file, 3);
			let segment: BTreeSet<_> = placement(file).into_iter().map(|(_, m)| m).collect();
			let outsider = (101..106).find(|m| !segment.contains(m)).unwrap();
			for (miner, list) in pending_by_miner(file) {
				let list: Vec<_> = list.into_iter().filter(|(i, _)| *i != 3).collect();
				if !list.is_empty() {
					assert_ok!(confirm(miner, file, list));
				}
			}
			// The deadline is block 11: nothing happens until block 12.
			run_to_block(11);
			assert_eq!(fragment(file, 3).miner, late.miner);
			run_to_block(12);
			let moved = fragment(file, 3);
			assert_eq!(moved.miner, outsider);
			assert_eq!(
				moved.status,
				FragmentStatus::Pending {
					deadline: 12 + WINDOW,
					reassignments: 1,
					kind: AssignmentKind::Upload
				}
			);
			assert_eq!(miner(late.miner).locked, 0);
			assert_eq!(miner(outsider).locked, FRAGMENT);
			assert!(!MinerAssignments::<Test>::contains_key(late.miner, (file, 3)));
			assert!(MinerAssignments::<Test>::contains_key(outsider, (file, 3)));
			assert!(events().contains(&Event::FragmentReassigned {
				file,
				index: 3,
				from: late.miner,
				to: outsider,
				deadline: 12 + WINDOW,
			}));
			// The old miner can no longer confirm it; the new one can, and the file is active.
			assert_noop!(
				confirm(late.miner, file, vec![(3, late.hash)]),
				Error::<Test>::NotAssignedMiner
			);
			confirm_all(file);
			assert_eq!(Files::get(file).unwrap().state, FileState::Active);
			// Later checks of the old deadline find nothing to do.
			run_to_block(40);
			assert_eq!(fragment(file, 3).status, FragmentStatus::Stored { position: 0 });
			check_state();
		});
	}

	#[test]
	fn a_deal_nobody_honours_is_cancelled_refunded_and_released() {
		ext_with_miners(6, 10_000).execute_with(|| {
			let alice_before = Balances::free_balance(ALICE);
			let file = declare(ALICE, 1, 1);
			assert_ok!(join(BOB, file, b"mine too", 2));
			// One fragment is confirmed and will be released too.
			let first = fragment(file, 0);
			assert_ok!(confirm(first.miner, file, vec![(0, first.hash)]));
			assert_eq!(held(ALICE), fee(1, 1));
			assert_eq!(held(BOB), fee(1, 2));
			// Two reassignments (blocks 12 and 23), then the cancellation at block 34, whose
			// removal refunds the two owners and releases two fragments in the same block.
			run_to_block(23);
			assert_eq!(Files::get(file).unwrap().state, FileState::Pending);
			run_to_block(34);
			assert!(events().contains(&Event::DealCancelled { file }));
			assert_eq!(Files::get(file).unwrap().state, FileState::Removing { next: 2 });
			check_state();
			assert!(events().contains(&Event::OwnershipDropped {
				file,
				owner: BOB,
				refund: fee(1, 2),
				reason: DropReason::DealCancelled
			}));
			assert_eq!(held(ALICE), 0);
			assert_eq!(held(BOB), 0);
			assert_eq!(Balances::free_balance(ALICE), alice_before);
			assert!(Ownerships::<Test>::get(ALICE, file).is_none());
			assert!(events().contains(&Event::RemovalStarted { file }));
			run_to_block(35);
			assert!(Files::get(file).is_none());
			assert!(events().contains(&Event::FileRemoved { file }));
			for who in 101..107 {
				assert_eq!((miner(who).locked, miner(who).used), (0, 0), "miner {who}");
				assert_eq!(MinerFragmentCount::<Test>::get(who), 0);
			}
			assert_eq!(Fragments::<Test>::iter_prefix(file).count(), 0);
			check_state();
			// The file can be declared again.
			declare(ALICE, 1, 1);
		});
	}

	#[test]
	fn the_deal_is_cancelled_at_once_when_no_other_miner_exists() {
		ext_with_miners(1, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			run_to_block(12);
			assert!(events().contains(&Event::DealCancelled { file }));
			assert!(!events().iter().any(|e| matches!(e, Event::FragmentReassigned { .. })));
			run_to_block(13);
			assert!(Files::get(file).is_none());
			assert_eq!(miner(101).locked, 0);
			check_state();
		});
	}

	#[test]
	fn deadline_checks_are_capped_per_block_and_carried_over() {
		ext_with_miners(12, 100_000).execute_with(|| {
			// 32 fragments all due at block 11; 8 checks per block.
			let file = declare(ALICE, 1, 8);
			let reassigned_at = |block| {
				System::reset_events();
				run_to_block(block);
				events().iter().filter(|e| matches!(e, Event::FragmentReassigned { .. })).count()
			};
			run_to_block(11);
			for block in 12..16 {
				assert_eq!(reassigned_at(block), 8, "block {block}");
			}
			assert_eq!(reassigned_at(16), 0);
			assert!(placement(file).iter().all(|(index, _)| matches!(
				fragment(file, *index).status,
				FragmentStatus::Pending { reassignments: 1, .. }
			)));
			check_state();
		});
	}
}

mod dedup_and_deletion {
	use super::*;

	#[test]
	fn declaring_an_existing_file_adds_an_owner_without_new_fragments() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			let before = placement(file);
			let locked: Vec<_> = (101..109).map(|m| miner(m).locked).collect();
			System::set_block_number(5);
			assert_ok!(join(BOB, file, b"bob's", 3));
			assert_eq!(placement(file), before);
			assert_eq!((101..109).map(|m| miner(m).locked).collect::<Vec<_>>(), locked);
			assert_eq!(Files::get(file).unwrap().owners.to_vec(), vec![ALICE, BOB]);
			assert_eq!(held(BOB), fee(1, 3));
			let ownership = Ownerships::<Test>::get(BOB, file).unwrap();
			assert_eq!(ownership.expires_at, 310);
			assert_eq!(ownership.name.to_vec(), b"bob's".to_vec());
			assert!(events().contains(&Event::OwnerAdded {
				file,
				owner: BOB,
				fee: fee(1, 3),
				expires_at: 310
			}));
			// Activation pays both owners' fees.
			let pot = Balances::free_balance(POT);
			confirm_all(file);
			assert_eq!(Balances::free_balance(POT), pot + fee(1, 1) + fee(1, 3));
			assert_eq!((held(ALICE), held(BOB)), (0, 0));
			check_state();
		});
	}

	#[test]
	fn an_owner_joining_an_active_file_pays_at_once() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			confirm_all(file);
			let pot = Balances::free_balance(POT);
			assert_ok!(join(BOB, file, b"b", 1));
			assert_eq!(held(BOB), 0);
			assert_eq!(Balances::free_balance(POT), pot + fee(1, 1));
			assert_eq!(Balances::free_balance(BOB), ENDOWMENT - fee(1, 1));
			check_state();
		});
	}

	#[test]
	fn owners_are_bounded_and_unique() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			assert_noop!(join(ALICE, file, b"x", 1), Error::<Test>::AlreadyOwner);
			assert_ok!(join(BOB, file, b"x", 1));
			assert_ok!(join(CHARLIE, file, b"x", 1));
			assert_noop!(join(DAVE, file, b"x", 1), Error::<Test>::TooManyOwners);
			assert_noop!(join(POOR, file, b"x", 1), Error::<Test>::TooManyOwners);
		});
	}

	#[test]
	fn deleting_a_pending_file_refunds_and_releases_every_lock() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 2);
			assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(ALICE), file));
			assert_eq!(held(ALICE), 0);
			assert_eq!(Balances::free_balance(ALICE), ENDOWMENT);
			assert!(events().contains(&Event::OwnershipDropped {
				file,
				owner: ALICE,
				refund: fee(2, 1),
				reason: DropReason::Deleted
			}));
			assert!(events().contains(&Event::RemovalStarted { file }));
			assert_noop!(join(BOB, file, b"x", 1), Error::<Test>::FileBeingRemoved);
			// Eight fragments released in blocks 2 and 3, the record dropped in block 4 (the
			// last step has its own budget).
			run_to_block(3);
			assert!((101..109).all(|m| miner(m).locked == 0));
			assert_eq!(Files::get(file).unwrap().state, FileState::Removing { next: 8 });
			run_to_block(4);
			assert!(Files::get(file).is_none());
			assert_eq!(MinerAssignments::<Test>::iter().count(), 0);
			// Its deadline entry finds nothing to do.
			run_to_block(20);
			assert!(!events().iter().any(|e| matches!(e, Event::DealCancelled { .. })));
			check_state();
		});
	}

	#[test]
	fn the_last_owner_deleting_an_active_file_releases_it_in_bounded_steps() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 3);
			confirm_all(file);
			assert_ok!(join(BOB, file, b"b", 1));
			assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(ALICE), file));
			assert_eq!(Files::get(file).unwrap().state, FileState::Active);
			assert_eq!(Files::get(file).unwrap().owners.to_vec(), vec![BOB]);
			assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(BOB), file));
			// 12 fragments at 4 per block.
			run_to_block(2);
			assert_eq!(Files::get(file).unwrap().state, FileState::Removing { next: 4 });
			assert_eq!(Fragments::<Test>::iter_prefix(file).count(), 8);
			check_state();
			// Block 4 releases the last four fragments: the removal's last step (the record
			// dropped) needs budget of its own and waits for block 5.
			run_to_block(4);
			assert_eq!(Files::get(file).unwrap().state, FileState::Removing { next: 12 });
			assert!(!events().contains(&Event::FileRemoved { file }));
			run_to_block(5);
			assert!(Files::get(file).is_none());
			assert!(events().contains(&Event::FileRemoved { file }));
			assert!(
				(101..109).all(|m| miner(m).used == 0 && MinerFragmentCount::<Test>::get(m) == 0)
			);
			assert_eq!(MinerFragments::<Test>::iter().count(), 0);
			check_state();
		});
	}

	#[test]
	fn removing_one_file_keeps_the_other_files_of_a_miner_consistent() {
		ext_with_miners(4, 10_000).execute_with(|| {
			// Four miners, so every miner holds a fragment of both files.
			let a = declare(ALICE, 1, 1);
			let b = declare(BOB, 2, 1);
			confirm_all(a);
			confirm_all(b);
			assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(ALICE), a));
			run_to_block(3);
			assert!(Files::get(a).is_none());
			for who in 101..105 {
				let count = MinerFragmentCount::<Test>::get(who);
				let held_b = placement(b).iter().filter(|(_, m)| *m == who).count() as u32;
				assert_eq!(count, held_b);
				assert_eq!(miner(who).used, u64::from(held_b) * FRAGMENT);
			}
			check_state();
		});
	}

	#[test]
	fn delete_rejects_strangers() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			assert_noop!(
				FileBank::delete_file(RuntimeOrigin::signed(BOB), file),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				FileBank::delete_file(RuntimeOrigin::signed(ALICE), FileHash([1; 32])),
				Error::<Test>::FileNotFound
			);
		});
	}
}

mod expiry {
	use super::*;

	#[test]
	fn an_ownership_ends_when_its_periods_run_out() {
		ext_with_miners(8, 10_000).execute_with(|| {
			// Declared at block 1 for one period: ends at 101, rounded up to slot 110.
			let file = declare(ALICE, 1, 1);
			confirm_all(file);
			assert_eq!(Ownerships::<Test>::get(ALICE, file).unwrap().expires_at, 110);
			run_to_block(109);
			assert_eq!(Files::get(file).unwrap().state, FileState::Active);
			run_to_block(110);
			assert!(events().contains(&Event::OwnershipDropped {
				file,
				owner: ALICE,
				refund: 0,
				reason: DropReason::Expired
			}));
			assert!(matches!(Files::get(file).unwrap().state, FileState::Removing { .. }));
			run_to_block(112);
			assert!(Files::get(file).is_none());
			check_state();
		});
	}

	#[test]
	fn renewal_extends_the_ownership_and_pays_the_pot() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			confirm_all(file);
			let pot = Balances::free_balance(POT);
			assert_ok!(FileBank::renew_file(RuntimeOrigin::signed(ALICE), file, 2));
			assert_eq!(Ownerships::<Test>::get(ALICE, file).unwrap().expires_at, 310);
			assert_eq!(Balances::free_balance(POT), pot + fee(1, 2));
			assert!(events().contains(&Event::FileRenewed {
				file,
				owner: ALICE,
				fee: fee(1, 2),
				expires_at: 310
			}));
			run_to_block(309);
			assert_eq!(Files::get(file).unwrap().state, FileState::Active);
			run_to_block(310);
			assert!(matches!(Files::get(file).unwrap().state, FileState::Removing { .. }));
			check_state();
		});
	}

	#[test]
	fn renewing_a_pending_file_adds_to_the_held_fee() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			assert_ok!(FileBank::renew_file(RuntimeOrigin::signed(ALICE), file, 1));
			assert_eq!(held(ALICE), fee(1, 2));
			assert_eq!(Ownerships::<Test>::get(ALICE, file).unwrap().fee_held, fee(1, 2));
			assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(ALICE), file));
			assert_eq!(Balances::free_balance(ALICE), ENDOWMENT);
			check_state();
		});
	}

	#[test]
	fn renewal_rejections() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			assert_noop!(
				FileBank::renew_file(RuntimeOrigin::signed(ALICE), file, 0),
				Error::<Test>::InvalidPeriods
			);
			assert_noop!(
				FileBank::renew_file(RuntimeOrigin::signed(BOB), file, 1),
				Error::<Test>::NotOwner
			);
			assert_noop!(
				FileBank::renew_file(RuntimeOrigin::signed(ALICE), FileHash([3; 32]), 1),
				Error::<Test>::FileNotFound
			);
			assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(ALICE), file));
			assert_noop!(
				FileBank::renew_file(RuntimeOrigin::signed(ALICE), file, 1),
				Error::<Test>::FileBeingRemoved
			);
		});
	}

	#[test]
	fn expiries_are_capped_per_block() {
		ext_with_miners(8, 100_000).execute_with(|| {
			// Six files expiring in the same slot, four expiries per block.
			let files: Vec<_> = (0..6u8).map(|salt| declare(ALICE, salt, 1)).collect();
			for file in &files {
				confirm_all(*file);
			}
			run_to_block(109);
			System::reset_events();
			run_to_block(110);
			let dropped = |evs: Vec<Event<Test>>| {
				evs.iter().filter(|e| matches!(e, Event::OwnershipDropped { .. })).count()
			};
			assert_eq!(dropped(events()), 4);
			System::reset_events();
			run_to_block(111);
			assert_eq!(dropped(events()), 2);
			check_state();
		});
	}
}

mod repair {
	use super::*;

	#[test]
	fn an_exiting_miners_fragments_are_rebuilt_elsewhere_and_confirmed() {
		ext_with_miners(6, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			confirm_all(file);
			let (index, leaving) = placement(file)[0];
			let segment: BTreeSet<_> = placement(file).into_iter().map(|(_, m)| m).collect();
			update_miner(leaving, |m| m.exiting = true);
			assert!(<FileBank as RepairScheduler<AccountId>>::schedule_repair(
				&leaving,
				RepairCause::MinerExit
			));
			assert!(!FileBank::schedule_repair(&leaving, RepairCause::MinerExit));
			assert!(events().contains(&Event::RepairScheduled {
				miner: leaving,
				cause: RepairCause::MinerExit,
				fragments: 1
			}));
			run_to_block(2);
			let moved = fragment(file, index);
			assert!(!segment.contains(&moved.miner), "a miner without a fragment of the segment");
			assert_eq!(
				moved.status,
				FragmentStatus::Pending {
					deadline: 2 + WINDOW,
					reassignments: 0,
					kind: AssignmentKind::Repair
				}
			);
			// The leaving miner keeps its copy until the new holder confirms: still listed (so
			// still audited) and its space still used.
			assert_eq!(miner(leaving).used, FRAGMENT);
			assert_eq!(MinerFragmentCount::<Test>::get(leaving), 1);
			assert_eq!(FileBank::fragment_at(&leaving, 0).unwrap().index, index);
			assert_eq!(OutgoingCopies::<Test>::get(file, index), Some((leaving, 0)));
			assert_eq!(Files::get(file).unwrap().unconfirmed, 1);
			assert!(events().contains(&Event::RepairAssigned {
				file,
				index,
				from: leaving,
				to: moved.miner,
				deadline: 2 + WINDOW
			}));
			let views = FileBank::miner_assignments(&moved.miner, None, 10);
			assert_eq!(views.len(), 1);
			assert_eq!(views[0].kind, AssignmentKind::Repair);
			assert_eq!(views[0].hash, moved.hash);
			check_state();
			// Every fragment of the miner was assigned elsewhere.
			run_to_block(3);
			assert!(events().contains(&Event::MinerRepaired { miner: leaving }));
			assert!(!crate::RepairScheduled::<Test>::contains_key(leaving));
			assert!(!crate::RepairCursors::<Test>::contains_key(leaving));
			assert_eq!(MinerFragmentCount::<Test>::get(leaving), 1, "kept until confirmed");
			// The new miner rebuilds and confirms; it is now audited on it, and the leaving
			// miner's copy is released, counted once.
			confirm_all(file);
			assert_eq!(Files::get(file).unwrap().unconfirmed, 0);
			assert_eq!(FileBank::fragment_count(&moved.miner), 1);
			assert_eq!(FileBank::fragment_at(&moved.miner, 0).unwrap().index, index);
			assert_eq!(MinerFragmentCount::<Test>::get(leaving), 0);
			assert_eq!(miner(leaving).used, 0);
			assert_eq!(miner(moved.miner).used, FRAGMENT);
			assert_eq!(OutgoingCopies::<Test>::get(file, index), None);
			assert!(events().contains(&Event::FragmentHandedOver {
				file,
				index,
				from: leaving,
				to: moved.miner
			}));
			check_state();
		});
	}

	/// `leaving` (marked exiting) is queued for its exit repair.
	fn start_exit(leaving: AccountId) {
		update_miner(leaving, |m| m.exiting = true);
		assert!(FileBank::schedule_repair(&leaving, RepairCause::MinerExit));
	}

	/// The pending fragments of `file`, `(index, new holder)`.
	fn pending(file: FileHash) -> Vec<(FragmentIndex, AccountId)> {
		pending_by_miner(file)
			.into_iter()
			.flat_map(|(miner, fragments)| fragments.into_iter().map(move |(i, _)| (i, miner)))
			.collect()
	}

	#[test]
	fn a_leaving_miners_copies_stay_consistent_as_they_are_handed_over_one_by_one() {
		ext_with_miners(5, 100_000).execute_with(|| {
			// Three files of one segment on five miners: some miner holds one of each.
			let files: Vec<_> = (1..=3u8).map(|salt| declare(ALICE, salt, 1)).collect();
			for file in &files {
				confirm_all(*file);
			}
			let leaving = (101..106).max_by_key(|m| MinerFragmentCount::<Test>::get(m)).unwrap();
			let count = MinerFragmentCount::<Test>::get(leaving);
			assert!(count >= 3);
			start_exit(leaving);
			run_to_block(1 + count.div_ceil(2) as u64 + 1);
			assert!(events().contains(&Event::MinerRepaired { miner: leaving }));
			// Every copy is kept and recorded at its position.
			assert_eq!(MinerFragmentCount::<Test>::get(leaving), count);
			assert_eq!(OutgoingCopies::<Test>::iter().count() as u32, count);
			assert_eq!(miner(leaving).used, u64::from(count) * FRAGMENT);
			check_state();
			// The first entry of the list is handed over first: the last entry moves into its
			// place, and its outgoing copy learns the new position.
			let first = FileBank::fragment_at(&leaving, 0).unwrap();
			let last = FileBank::fragment_at(&leaving, count - 1).unwrap();
			let new = fragment(first.file, first.index).miner;
			assert_ok!(confirm(new, first.file, vec![(first.index, first.hash)]));
			assert_eq!(OutgoingCopies::<Test>::get(last.file, last.index), Some((leaving, 0)));
			assert_eq!(MinerFragmentCount::<Test>::get(leaving), count - 1);
			check_state();
			// The rest, file by file: the leaving miner ends with nothing, each fragment is
			// used space once, on its new holder.
			for file in &files {
				confirm_all(*file);
				check_state();
			}
			assert_eq!(MinerFragmentCount::<Test>::get(leaving), 0);
			assert_eq!(miner(leaving).used, 0);
			let used: u64 = (101..106).map(|m| miner(m).used).sum();
			assert_eq!(used, 3 * u64::from(SHARDS) * FRAGMENT, "every fragment counted once");
			assert_eq!(OutgoingCopies::<Test>::iter().count(), 0);
		});
	}

	#[test]
	fn a_copy_nobody_takes_over_goes_back_to_the_leaving_miner_and_its_repair_resumes() {
		ext_with_miners(6, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			confirm_all(file);
			let (index, leaving) = placement(file)[0];
			start_exit(leaving);
			run_to_block(2);
			assert_eq!(OutgoingCopies::<Test>::get(file, index), Some((leaving, 0)));
			// Deadline 12: reassigned at block 13 and 24; at block 35 nobody confirmed it.
			run_to_block(34);
			assert!(matches!(
				fragment(file, index).status,
				FragmentStatus::Pending { reassignments: 2, .. }
			));
			assert_eq!(MinerFragmentCount::<Test>::get(leaving), 1, "the copy is kept meanwhile");
			// The deadlines of block 35 (its repairs run after them, below).
			System::set_block_number(35);
			FileBank::process_deadlines(35);
			// Not lost: the leaving miner still has it, and holds it again.
			let info = fragment(file, index);
			assert_eq!(info.miner, leaving);
			assert_eq!(info.status, FragmentStatus::Stored { position: 0 });
			assert_eq!(OutgoingCopies::<Test>::get(file, index), None);
			let file_info = Files::get(file).unwrap();
			assert_eq!((file_info.unconfirmed, file_info.lost), (0, 0));
			assert!(events().contains(&Event::RepairGivenBack { file, index, miner: leaving }));
			assert_eq!(miner(leaving).used, FRAGMENT);
			assert!((101..107).all(|m| miner(m).locked == 0));
			check_state();
			// Its repair is queued again, and this time the new holder confirms.
			assert_eq!(crate::RepairScheduled::<Test>::get(leaving), Some(RepairCause::MinerExit));
			FileBank::process_repairs(35);
			let moved = fragment(file, index);
			assert_ne!(moved.miner, leaving);
			assert_eq!(OutgoingCopies::<Test>::get(file, index), Some((leaving, 0)));
			confirm_all(file);
			assert_eq!(miner(leaving).used, 0);
			assert_eq!(MinerFragmentCount::<Test>::get(leaving), 0);
			check_state();
		});
	}

	#[test]
	fn a_leaving_miners_walk_moved_back_skips_the_copies_already_moving() {
		ext_with_miners(5, 100_000).execute_with(|| {
			let files: Vec<_> = (1..=3u8).map(|salt| declare(ALICE, salt, 1)).collect();
			for file in &files {
				confirm_all(*file);
			}
			let leaving = (101..106).max_by_key(|m| MinerFragmentCount::<Test>::get(m)).unwrap();
			start_exit(leaving);
			run_to_block(2);
			// Two steps in block 2: the two last entries of the list are moving away.
			let count = MinerFragmentCount::<Test>::get(leaving);
			let cursor = crate::RepairCursors::<Test>::get(leaving).unwrap();
			assert_eq!(cursor, count - 2);
			// A copy given back at the top of the list moves the walk back over it.
			FileBank::repair_again(&leaving, count - 1);
			assert_eq!(crate::RepairCursors::<Test>::get(leaving), Some(count));
			// Revisiting skips the copies already moving and finishes the walk.
			run_to_block(10);
			assert!(events().contains(&Event::MinerRepaired { miner: leaving }));
			assert_eq!(OutgoingCopies::<Test>::iter().count() as u32, count);
			check_state();
		});
	}

	#[test]
	fn removing_a_file_drops_the_copies_leaving_with_it() {
		ext_with_miners(6, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			confirm_all(file);
			let (index, leaving) = placement(file)[1];
			start_exit(leaving);
			run_to_block(2);
			let new = fragment(file, index).miner;
			assert_eq!(OutgoingCopies::<Test>::get(file, index), Some((leaving, 0)));
			assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(ALICE), file));
			run_to_block(4);
			assert!(Files::get(file).is_none());
			assert_eq!(OutgoingCopies::<Test>::get(file, index), None);
			assert_eq!(MinerFragmentCount::<Test>::get(leaving), 0);
			assert_eq!((miner(leaving).used, miner(new).locked), (0, 0));
			assert!((101..107).all(|m| miner(m).used == 0 && miner(m).locked == 0));
			check_state();
		});
	}

	#[test]
	fn a_leaving_miner_punished_on_its_copies_drops_them_at_once() {
		ext_with_miners(6, 10_000).execute_with(|| {
			let a = declare(ALICE, 1, 1);
			let b = declare(ALICE, 2, 1);
			confirm_all(a);
			confirm_all(b);
			let leaving = (101..107).max_by_key(|m| MinerFragmentCount::<Test>::get(m)).unwrap();
			let count = MinerFragmentCount::<Test>::get(leaving);
			start_exit(leaving);
			run_to_block(1 + count.div_ceil(2) as u64 + 1);
			assert!(events().contains(&Event::MinerRepaired { miner: leaving }));
			assert_eq!(MinerFragmentCount::<Test>::get(leaving), count);
			// It fails the audits of its copies and is punished: presumed lost, they leave its
			// list at once; the new holders rebuild them from the others.
			assert!(FileBank::schedule_repair(&leaving, RepairCause::Punished));
			run_to_block(1 + count.div_ceil(2) as u64 + 2 + count.div_ceil(2) as u64);
			assert_eq!(MinerFragmentCount::<Test>::get(leaving), 0);
			assert_eq!(miner(leaving).used, 0);
			assert_eq!(OutgoingCopies::<Test>::iter().count(), 0);
			assert_eq!(pending(a).len() + pending(b).len(), count as usize);
			check_state();
			confirm_all(a);
			confirm_all(b);
			check_state();
		});
	}

	#[test]
	fn repairs_are_capped_per_block() {
		ext_with_miners(8, 100_000).execute_with(|| {
			let files: Vec<_> = (0..5u8).map(|salt| declare(ALICE, salt, 1)).collect();
			for file in &files {
				confirm_all(*file);
			}
			let busiest = (101..109).max_by_key(|m| MinerFragmentCount::<Test>::get(m)).unwrap();
			let count = MinerFragmentCount::<Test>::get(busiest);
			assert!(count >= 3);
			FileBank::schedule_repair(&busiest, RepairCause::Punished);
			run_to_block(2);
			assert_eq!(MinerFragmentCount::<Test>::get(busiest), count - 2);
			run_to_block(1 + count.div_ceil(2) as u64);
			assert_eq!(MinerFragmentCount::<Test>::get(busiest), 0);
			check_state();
		});
	}

	#[test]
	fn a_repair_nobody_confirms_is_marked_lost() {
		ext_with_miners(6, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 1);
			confirm_all(file);
			let (index, punished) = placement(file)[2];
			FileBank::schedule_repair(&punished, RepairCause::Punished);
			run_to_block(2);
			// Deadline 12: reassigned at block 13 and 24, given up at block 35.
			run_to_block(34);
			assert!(matches!(
				fragment(file, index).status,
				FragmentStatus::Pending { reassignments: 2, .. }
			));
			run_to_block(35);
			let info = fragment(file, index);
			assert_eq!(info.status, FragmentStatus::Lost);
			let file_info = Files::get(file).unwrap();
			assert_eq!(file_info.state, FileState::Active);
			assert_eq!((file_info.unconfirmed, file_info.lost), (0, 1));
			assert!(events().iter().any(
				|e| matches!(e, Event::FragmentLost { file: f, index: i, .. } if *f == file && *i == index)
			));
			assert!((101..107).all(|m| miner(m).locked == 0));
			check_state();
			// Deleting the file skips the lost fragment.
			assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(ALICE), file));
			// Four fragment steps in block 36, the record dropped in block 37.
			run_to_block(36);
			assert!((101..107).all(|m| miner(m).used == 0));
			run_to_block(37);
			assert!(Files::get(file).is_none());
			check_state();
		});
	}

	#[test]
	fn a_repair_waits_until_some_miner_has_room() {
		ext_with_miners(4, 4 * FRAGMENT).execute_with(|| {
			// Four miners, two files: every miner is full.
			let a = declare(ALICE, 1, 1);
			let b = declare(ALICE, 2, 1);
			confirm_all(a);
			confirm_all(b);
			assert!((101..105).all(|m| miner(m).free() < FRAGMENT * 3));
			update_miner(101, |m| m.exiting = true);
			FileBank::schedule_repair(&101, RepairCause::MinerExit);
			// The other miners have room for two fragments each only after the exiting one's
			// fragments... they have none: fill them.
			for m in 102..105 {
				update_miner(m, |x| x.declared = x.used);
			}
			run_to_block(5);
			assert_eq!(MinerFragmentCount::<Test>::get(101), 2);
			assert_eq!(OutgoingCopies::<Test>::iter().count(), 0);
			assert!(crate::RepairScheduled::<Test>::contains_key(101));
			add_miner(200, 10_000);
			run_to_block(6);
			assert!(MinerAssignments::<Test>::iter_prefix(200).count() == 2);
			assert_eq!(OutgoingCopies::<Test>::iter().count(), 2);
			assert_eq!(MinerFragmentCount::<Test>::get(101), 2, "kept until confirmed");
			check_state();
			confirm_all(a);
			confirm_all(b);
			assert_eq!(MinerFragmentCount::<Test>::get(101), 0);
			assert_eq!(miner(101).used, 0);
			check_state();
		});
	}

	#[test]
	fn a_miner_leaving_while_its_file_is_removed_just_releases_it() {
		ext_with_miners(4, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 3);
			confirm_all(file);
			assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(ALICE), file));
			let leaving = 101;
			FileBank::schedule_repair(&leaving, RepairCause::MinerExit);
			run_to_block(5);
			assert!(Files::get(file).is_none());
			assert_eq!(miner(leaving).used, 0);
			assert!(!events().iter().any(|e| matches!(e, Event::RepairAssigned { .. })));
			check_state();
		});
	}
}

mod indexes {
	use super::*;

	#[test]
	fn placement_view_pages_through_a_file_with_peers() {
		ext_with_miners(8, 10_000).execute_with(|| {
			let file = declare(ALICE, 1, 3);
			let all = FileBank::placement(file, 0, 100);
			assert_eq!(all.len(), 12);
			for (entry, (index, miner)) in all.iter().zip(placement(file)) {
				assert_eq!(entry.index, index);
				assert_eq!(entry.miner, miner);
				assert_eq!((entry.segment, entry.shard), (index / SHARDS, index % SHARDS));
				assert_eq!(entry.peer_id, Some(miner.to_le_bytes().to_vec()));
			}
			assert_eq!(FileBank::placement(file, 10, 5).len(), 2);
			assert_eq!(FileBank::placement(file, 12, 5).len(), 0);
			assert_eq!(FileBank::placement(FileHash([0; 32]), 0, 5).len(), 0);
			let view = FileBank::file_view(file).unwrap();
			assert_eq!((view.fragments, view.state, view.layout), (12, FileState::Pending, LAYOUT));
		});
	}

	#[test]
	fn a_miners_fragments_and_assignments_page_without_gaps() {
		ext_with_miners(1, 1_000_000).execute_with(|| {
			let a = declare(ALICE, 1, 2);
			let b = declare(ALICE, 2, 2);
			// 16 pending assignments on the one miner: pages of 5.
			let mut seen = Vec::new();
			let mut cursor = None;
			loop {
				let page = FileBank::miner_assignments(&101, cursor, 5);
				if page.is_empty() {
					break;
				}
				assert!(page.len() <= 5);
				cursor = page.last().map(|v| (v.file, v.index));
				seen.extend(page.into_iter().map(|v| (v.file, v.index)));
			}
			seen.sort();
			let mut expected: Vec<_> =
				(0..8).map(|i| (a, i)).chain((0..8).map(|i| (b, i))).collect();
			expected.sort();
			assert_eq!(seen, expected);
			confirm_all(a);
			let stored = FileBank::miner_fragments(&101, 0, 100);
			assert_eq!(stored.len(), 8);
			assert!(stored.iter().enumerate().all(|(i, (p, f))| *p == i as u32 && f.file == a));
			assert_eq!(FileBank::miner_fragments(&101, 6, 100).len(), 2);
			assert_eq!(FileBank::miner_assignments(&101, None, 100).len(), 8);
		});
	}

	#[test]
	fn owned_files_page_with_a_cursor() {
		ext_with_miners(8, 100_000).execute_with(|| {
			let files: BTreeSet<_> = (0..7u8).map(|salt| declare(ALICE, salt, 1)).collect();
			let mut seen = BTreeSet::new();
			let mut cursor = None;
			loop {
				let page = FileBank::owned_files(&ALICE, cursor, 3);
				if page.is_empty() {
					break;
				}
				cursor = page.last().map(|v| v.file);
				for view in page {
					assert_eq!(view.name, b"file".to_vec());
					assert_eq!(view.state, FileState::Pending);
					assert!(seen.insert(view.file));
				}
			}
			assert_eq!(seen, files);
		});
	}

	#[test]
	fn pages_are_capped() {
		ext_with_miners(1, u64::MAX / 2).execute_with(|| {
			// 17 files of 32 fragments on one miner: 544 assignments.
			for salt in 0..17u8 {
				declare(ALICE, salt, 8);
			}
			assert_eq!(MinerAssignments::<Test>::iter_prefix(101).count(), 544);
			assert_eq!(FileBank::miner_assignments(&101, None, u32::MAX).len(), MAX_PAGE as usize);
			assert_eq!(FileBank::miner_assignments(&101, None, 7).len(), 7);
		});
	}

	#[test]
	fn miners_page_visits_every_miner_with_fragments_once() {
		ext_with_miners(8, 100_000).execute_with(|| {
			for salt in 0..3u8 {
				let file = declare(ALICE, salt, 2);
				confirm_all(file);
			}
			let holders: BTreeSet<_> =
				(101..109).filter(|m| MinerFragmentCount::<Test>::get(m) > 0).collect();
			let mut seen = Vec::new();
			let mut cursor: Option<AccountId> = None;
			loop {
				let page =
					<FileBank as StoredFragments<AccountId>>::miners_page(cursor.as_ref(), 3);
				assert!(page.items.len() <= 3);
				seen.extend(page.items.iter().copied());
				match page.next {
					Some(next) => cursor = Some(next),
					None => break,
				}
			}
			assert_eq!(seen.len(), holders.len());
			assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), holders);
		});
	}
}

mod genesis {
	use super::*;
	use sp_runtime::BuildStorage;

	#[test]
	fn genesis_sets_layout_and_parameters() {
		new_test_ext().execute_with(|| {
			assert_eq!(FileBank::layout(), LAYOUT);
			assert_eq!(FileBank::params().period, PERIOD);
			FileBank::integrity_test();
		});
	}

	#[test]
	fn defaults_apply_without_genesis() {
		let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		sp_io::TestExternalities::new(storage).execute_with(|| {
			assert_eq!(FileBank::layout(), DefaultLayout::get());
			assert_eq!(FileBank::params(), DefaultParams::get());
		});
	}

	#[test]
	#[should_panic(expected = "file-bank genesis layout")]
	fn an_invalid_genesis_layout_is_refused() {
		let mut layout = LAYOUT;
		layout.parity_shards = 0;
		let _ = crate::GenesisConfig::<Test> { layout: Some(layout), params: None }.build_storage();
	}

	#[test]
	#[should_panic(expected = "period and confirm window")]
	fn invalid_genesis_params_are_refused() {
		let mut params = DefaultParams::get();
		params.confirm_window = 0;
		let _ = crate::GenesisConfig::<Test> { layout: None, params: Some(params) }.build_storage();
	}
}

#[test]
fn hooks_with_nothing_queued_only_move_the_expiry_cursor() {
	new_test_ext().execute_with(|| {
		run_to_block(50);
		assert!(events().is_empty());
		assert_eq!(crate::ExpiryCursor::<Test>::get(), 60);
		assert!(crate::DeadlineBounds::<Test>::get().is_empty());
		assert!(crate::RemovalBounds::<Test>::get().is_empty());
		assert!(crate::RepairBounds::<Test>::get().is_empty());
		check_state();
	});
}

mod hook_weights {
	use super::*;
	use crate::{weights::WeightInfo, Pallet};
	use frame_support::weights::Weight;

	fn db() -> frame_support::weights::RuntimeDbWeight {
		<Test as frame_system::Config>::DbWeight::get()
	}

	/// Runs the hook of the next block and returns what it charged.
	fn next_block() -> Weight {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		FileBank::on_initialize(next)
	}

	#[test]
	fn a_deadline_not_yet_due_is_charged_its_read() {
		ext_with_miners(4, 10_000).execute_with(|| {
			declare(ALICE, 1, 1);
			System::set_block_number(5);
			// Due at 11: the head is read, nothing is checked, the read is charged.
			assert_eq!(Pallet::<Test>::process_deadlines(5), db().reads(1));
			assert_ne!(db().reads(1), Weight::zero());
			assert_eq!(crate::DeadlineBounds::<Test>::get().len(), 1);
			// Past due: four reassignments (each looking for an outgoing copy), the bounds
			// written, and the new head (due later) read for nothing.
			System::set_block_number(12);
			assert_eq!(
				Pallet::<Test>::process_deadlines(12),
				<() as WeightInfo>::deadline_reassign()
					.saturating_add(db().reads_writes(1, 1))
					.saturating_mul(4)
					.saturating_add(db().reads_writes(1, 1))
			);
			assert_eq!(
				events().iter().filter(|e| matches!(e, Event::FragmentReassigned { .. })).count(),
				4
			);
		});
	}

	#[test]
	fn a_removal_takes_no_step_beyond_its_budget_and_charges_each() {
		ext_with_miners(4, 10_000).execute_with(|| {
			// Four fragments: exactly the four removal steps of a block.
			let file = declare(ALICE, 1, 1);
			confirm_all(file);
			assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(ALICE), file));
			System::set_block_number(2);
			let first = Pallet::<Test>::process_removals();
			assert_eq!(Fragments::<Test>::iter_prefix(file).count(), 0);
			assert_eq!(Files::get(file).unwrap().state, FileState::Removing { next: 4 });
			assert!(!events().contains(&Event::FileRemoved { file }));
			assert_eq!(
				first,
				Pallet::<Test>::removal_release_weight(false)
					.saturating_mul(4)
					.saturating_add(Pallet::<Test>::removal_visit_weight())
			);
			// The last step in the next block, charged with the queue's bounds.
			System::set_block_number(3);
			let last = Pallet::<Test>::process_removals();
			assert!(Files::get(file).is_none());
			assert!(events().contains(&Event::FileRemoved { file }));
			assert_eq!(
				last,
				Pallet::<Test>::removal_visit_weight()
					.saturating_add(Pallet::<Test>::removal_final_weight())
					.saturating_add(db().writes(1))
			);
			assert!(Pallet::<Test>::removal_final_weight().ref_time() > 0);
			// Nothing queued: nothing charged.
			assert_eq!(Pallet::<Test>::process_removals(), Weight::zero());
			check_state();
		});
	}

	#[test]
	fn the_hook_never_charges_more_than_its_bound_with_every_queue_busy() {
		ext_with_miners(6, 100_000).execute_with(|| {
			// Every queue busy: removals of deleted and cancelled files, deadlines, a repair and
			// expiries.
			let bound = Pallet::<Test>::max_queue_weight();
			let idle = <() as WeightInfo>::on_initialize_idle();
			let kept = declare(ALICE, 1, 3);
			confirm_all(kept);
			for salt in 2..6u8 {
				let file = declare(BOB, salt, 2);
				confirm_all(file);
				assert_ok!(FileBank::delete_file(RuntimeOrigin::signed(BOB), file));
			}
			// Never confirmed: reassigned, then cancelled.
			for salt in 6..9u8 {
				declare(CHARLIE, salt, 2);
			}
			assert!(<FileBank as RepairScheduler<AccountId>>::schedule_repair(
				&placement(kept)[0].1,
				RepairCause::MinerExit
			));
			let mut busy = 0;
			for _ in 0..150 {
				let weight = next_block();
				assert!(weight.all_gte(idle));
				assert!(weight.all_lte(bound), "{weight:?} over the bound {bound:?}");
				if weight != idle {
					busy += 1;
				}
			}
			assert!(busy > 10, "the queues had work in {busy} blocks");
			// Everything but the kept file (expired after its one period) is gone.
			assert!(crate::RemovalBounds::<Test>::get().is_empty());
			assert!(crate::RepairBounds::<Test>::get().is_empty());
			assert_eq!(Files::iter().count(), 0);
			check_state();
		});
	}
}
