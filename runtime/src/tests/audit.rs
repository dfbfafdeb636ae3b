//! The audit over the real file bank: what the audit pallet's own tests, which run over a double
//! of the file bank's fragment lists, cannot show. A miner punished at the strike limit is
//! slashed and its fragment rebuilt, confirmed and audited on another miner; a deleted file's
//! fragments leave their miners' lists and audits; a challenge outlives the reshuffle of the
//! miner's list that a deletion causes.
//!
//! The audit parameters (strike limit, response window) are read from the chain, so the tests
//! follow the development genesis.

use super::{
	account, answer_challenge, confirm_all, confirm_placed, declare, development_chain, events,
	file_content, forged_proofs, register_miner, register_miners, run_until, wait_for_challenge,
};
use crate::{
	configs::TreasuryAccount, AccountId, Audit, Balances, BlockNumber, FileBank, Runtime,
	RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Sminer, System,
};
use cess_primitives::{
	codec::rebuild_fragments, FileHash, FragmentRef, RepairCause, SegmentManifest, StoredFragments,
};
use frame_support::traits::fungible::{Inspect, InspectHold};
use pallet_audit::{AuditFault, ChallengeView, RoundIndex};
use pallet_file_bank::{AssignmentKind, DropReason, FileState, FragmentStatus};
use pallet_sminer::{SlashReason, StorageMiners};
use sp_keyring::Sr25519Keyring::{AliceStash, Bob, Charlie, Dave, Eve, Ferdie};
use std::collections::{BTreeMap, BTreeSet};

/// Space each miner of these tests declares (that of [`register_miners`]).
const SPACE: u64 = super::MINER_SPACE;

/// The miner of each fragment of `file`, by fragment index.
fn holders(file: FileHash) -> BTreeMap<u32, AccountId> {
	pallet_file_bank::Fragments::<Runtime>::iter_prefix(file)
		.map(|(index, info)| (index, info.miner))
		.collect()
}

/// The fragment list of `miner`, as the audit pallet reads it.
fn stored(miner: &AccountId) -> Vec<FragmentRef> {
	let count = <FileBank as StoredFragments<AccountId>>::fragment_count(miner);
	(0..count)
		.map(|position| {
			<FileBank as StoredFragments<AccountId>>::fragment_at(miner, position)
				.expect("the list is dense")
		})
		.collect()
}

/// Space `miner` uses for confirmed fragments.
fn used_space(miner: &AccountId) -> u64 {
	<Sminer as StorageMiners<AccountId>>::space(miner).expect("a registered miner").used
}

/// The state of `file`'s record.
fn file_state(file: FileHash) -> Option<FileState> {
	pallet_file_bank::Files::<Runtime>::get(file).map(|info| info.state)
}

/// The challenged fragments of a challenge: `(file, index)` in proof order.
fn challenged(challenge: &ChallengeView<BlockNumber>) -> Vec<(FileHash, u32)> {
	challenge.fragments.iter().map(|f| (f.file, f.index)).collect()
}

/// The miners challenged in `round`, with the number of fragments each must prove.
fn issued_in(round: RoundIndex) -> BTreeMap<AccountId, u32> {
	events()
		.into_iter()
		.filter_map(|event| match event {
			RuntimeEvent::Audit(pallet_audit::Event::ChallengeIssued {
				miner,
				round: r,
				fragments,
				..
			}) if r == round => Some((miner, fragments)),
			_ => None,
		})
		.collect()
}

#[test]
fn a_miner_at_the_strike_limit_is_slashed_and_its_fragment_is_rebuilt_and_audited_elsewhere() {
	development_chain().execute_with(|| {
		let params = Audit::params();
		let layout = FileBank::layout();
		// One miner more than a segment has fragments: the segment's fragments go to distinct
		// miners, and the repair has a miner outside the segment to prefer.
		let miners = register_miners(&[Bob, Charlie, Dave, Eve, Ferdie]);
		assert_eq!(miners.len() as u32, layout.total_shards() + 1);
		let (file, fragments) = declare(&account(AliceStash), &file_content(1 << 20));
		confirm_placed(file);
		assert_eq!(file_state(file), Some(FileState::Active));
		let placed = holders(file);
		assert_eq!(placed.len() as u32, layout.total_shards(), "one segment");
		assert_eq!(placed.values().collect::<BTreeSet<_>>().len(), placed.len(), "distinct");
		let lost_index = 0;
		let lost = placed[&lost_index].clone();
		let others: Vec<AccountId> = placed.values().filter(|m| **m != lost).cloned().collect();

		// `lost` lost its fragment: it misses rounds, and answers the round that reaches the
		// strike limit with bytes that are not the fragment's. The others answer honestly.
		for strikes in 1..=params.strike_limit {
			let challenge = wait_for_challenge(&lost);
			for miner in &others {
				assert!(answer_challenge(miner, &fragments), "holders are challenged together");
			}
			if strikes < params.strike_limit {
				run_until(|| Audit::challenge_view(&lost).is_none(), params.response_window + 2);
				let missed = pallet_audit::Event::ProofMissed {
					miner: lost.clone(),
					round: challenge.round,
					strikes,
				};
				assert!(events().contains(&RuntimeEvent::Audit(missed)));
				// Below the limit: no punishment, no repair.
				assert_eq!(Audit::record(&lost).punished, 0);
				assert!(pallet_file_bank::RepairScheduled::<Runtime>::get(&lost).is_none());
				continue;
			}
			// The round that reaches the limit: the slash goes to the treasury.
			let collateral_reason =
				RuntimeHoldReason::Sminer(pallet_sminer::HoldReason::MinerCollateral);
			let collateral = Balances::balance_on_hold(&collateral_reason, &lost);
			let treasury = Balances::balance(&TreasuryAccount::get());
			let slash = params.slash.mul_floor(collateral);
			assert!(slash > 0);
			Audit::submit_proof(
				RuntimeOrigin::signed(lost.clone()),
				challenge.round,
				forged_proofs(&challenge, &fragments).try_into().unwrap(),
			)
			.expect("a wrong proof is judged");
			let record = Audit::record(&lost);
			assert_eq!(
				(record.failed, record.punished, record.strikes),
				(params.strike_limit, 1, 0),
				"punished at the limit, strikes start again"
			);
			let expected = [
				RuntimeEvent::Audit(pallet_audit::Event::MinerPunished {
					miner: lost.clone(),
					fault: AuditFault::InvalidProof,
				}),
				RuntimeEvent::Sminer(pallet_sminer::Event::Slashed {
					miner: lost.clone(),
					amount: slash,
					reason: SlashReason::InvalidProof,
				}),
				RuntimeEvent::FileBank(pallet_file_bank::Event::RepairScheduled {
					miner: lost.clone(),
					cause: RepairCause::Punished,
					fragments: 1,
				}),
			];
			for event in expected {
				assert!(events().contains(&event), "{event:?}");
			}
			assert_eq!(Balances::balance_on_hold(&collateral_reason, &lost), collateral - slash);
			assert_eq!(Balances::balance(&TreasuryAccount::get()), treasury + slash);
			assert_eq!(
				pallet_file_bank::RepairScheduled::<Runtime>::get(&lost),
				Some(RepairCause::Punished)
			);
		}

		// The file bank's repair step moves the fragment to another miner (preferably one
		// outside the segment: the draw may fall back to another holder of it).
		let repaired = |event: &RuntimeEvent| {
			matches!(
				event,
				RuntimeEvent::FileBank(pallet_file_bank::Event::MinerRepaired { miner })
					if *miner == lost
			)
		};
		run_until(|| events().iter().any(repaired), 5);
		let assigned = events().into_iter().find_map(|event| match event {
			RuntimeEvent::FileBank(pallet_file_bank::Event::RepairAssigned {
				file: f,
				index,
				from,
				to,
				..
			}) if from == lost => Some((f, index, to)),
			_ => None,
		});
		let Some((moved_file, moved_index, new_holder)) = assigned else {
			panic!("the lost fragment is reassigned")
		};
		assert_eq!((moved_file, moved_index), (file, lost_index));
		assert_ne!(new_holder, lost);
		assert!(<Sminer as StorageMiners<AccountId>>::is_active(&new_holder));
		assert!(pallet_file_bank::RepairScheduled::<Runtime>::get(&lost).is_none());
		assert!(stored(&lost).is_empty());
		assert_eq!(used_space(&lost), 0);
		let moved = pallet_file_bank::Fragments::<Runtime>::get(file, lost_index).unwrap();
		assert_eq!(moved.miner, new_holder);
		assert!(matches!(
			moved.status,
			FragmentStatus::Pending { kind: AssignmentKind::Repair, reassignments: 0, .. }
		));
		// The other fragments keep the file readable meanwhile.
		assert_eq!(file_state(file), Some(FileState::Active));

		// The new holder rebuilds the fragment from `data_shards` others of its segment, and
		// confirms it.
		let roots = (0..layout.total_shards())
			.map(|i| pallet_file_bank::Fragments::<Runtime>::get(file, i).unwrap().hash)
			.collect();
		let available: Vec<(u32, &Vec<u8>)> = (0..layout.total_shards())
			.filter(|i| *i != lost_index)
			.take(layout.data_shards as usize)
			.map(|i| (i, &fragments[&i]))
			.collect();
		let rebuilt =
			rebuild_fragments(&layout, 0, &SegmentManifest::new(roots), &available, &[lost_index])
				.expect("rebuilt from the others");
		assert_eq!(rebuilt[0], fragments[&lost_index]);
		// What the new holder keeps: the rebuilt fragment, and its own fragment of the file if
		// the repair fell back to a holder of the segment.
		let mut new_store: BTreeMap<u32, Vec<u8>> = placed
			.iter()
			.filter(|(_, miner)| **miner == new_holder)
			.map(|(index, _)| (*index, fragments[index].clone()))
			.collect();
		new_store.insert(lost_index, rebuilt[0].clone());
		FileBank::confirm_stored(
			RuntimeOrigin::signed(new_holder.clone()),
			file,
			vec![(lost_index, moved.hash)].try_into().unwrap(),
		)
		.expect("the new holder confirms");
		let new_list = stored(&new_holder);
		assert_eq!(new_list.len(), new_store.len());
		assert_eq!(
			new_list.last(),
			Some(&FragmentRef { file, index: lost_index, hash: moved.hash }),
			"appended to the new holder's list"
		);
		let file_info = pallet_file_bank::Files::<Runtime>::get(file).unwrap();
		assert_eq!((file_info.state, file_info.unconfirmed), (FileState::Active, 0));

		// A later round challenges the new holder on it (on all it holds: fewer fragments than
		// a challenge asks for), and the rebuilt bytes pass; the punished miner, which holds
		// nothing, is not challenged.
		let punished_round = Audit::round_view().expect("rounds ran").index;
		let challenge = wait_for_challenge(&new_holder);
		assert!(challenge.round > punished_round);
		let expected: BTreeSet<_> = new_store.keys().map(|index| (file, *index)).collect();
		assert_eq!(challenged(&challenge).into_iter().collect::<BTreeSet<_>>(), expected);
		assert!(Audit::challenge_view(&lost).is_none());
		assert!(!issued_in(challenge.round).contains_key(&lost));
		for miner in others.iter().filter(|miner| **miner != new_holder) {
			assert!(answer_challenge(miner, &fragments));
		}
		let before = Audit::record(&new_holder);
		assert!(answer_challenge(&new_holder, &new_store));
		let accepted = pallet_audit::Event::ProofAccepted {
			miner: new_holder.clone(),
			round: challenge.round,
		};
		assert!(events().contains(&RuntimeEvent::Audit(accepted)));
		let after = Audit::record(&new_holder);
		assert_eq!((after.passed, after.failed), (before.passed + 1, before.failed));
		assert_eq!(file_state(file), Some(FileState::Active));
	});
}

#[test]
fn a_deleted_file_leaves_its_miners_lists_and_their_audits() {
	development_chain().execute_with(|| {
		let layout = FileBank::layout();
		let fragment_size = u64::from(layout.fragment_size());
		// As many miners as a segment has fragments: each holds one fragment of each file.
		let miners = register_miners(&[Bob, Charlie, Dave, Eve]);
		assert_eq!(miners.len() as u32, layout.total_shards());
		let owner = account(AliceStash);
		let (deleted, deleted_bytes) = declare(&owner, &file_content(1 << 20));
		let (kept, kept_bytes) = declare(&owner, &file_content(2 << 20));
		confirm_placed(deleted);
		confirm_placed(kept);
		let store = BTreeMap::from([(deleted, deleted_bytes), (kept, kept_bytes)]);
		for miner in &miners {
			assert_eq!(stored(miner).len(), 2);
			assert_eq!(used_space(miner), 2 * fragment_size);
		}

		// A round before the deletion audits both files on every miner.
		let first = wait_for_challenge(&miners[0]).round;
		for miner in &miners {
			let challenge = Audit::challenge_view(miner).expect("challenged in the same round");
			let files: BTreeSet<_> = challenged(&challenge).into_iter().map(|(f, _)| f).collect();
			assert_eq!(files, BTreeSet::from([deleted, kept]));
			assert!(answer_challenge(miner, &store));
		}

		// The only owner deletes the file: the hook releases its fragments in bounded steps.
		FileBank::delete_file(RuntimeOrigin::signed(owner.clone()), deleted).unwrap();
		assert!(events().contains(&RuntimeEvent::FileBank(
			pallet_file_bank::Event::OwnershipDropped {
				file: deleted,
				owner,
				refund: 0,
				reason: DropReason::Deleted,
			}
		)));
		assert_eq!(file_state(deleted), Some(FileState::Removing { next: 0 }));
		assert!(miners.iter().all(|m| stored(m).len() == 2), "released by the hook, not the call");
		run_until(|| file_state(deleted).is_none(), 10);
		let removed = pallet_file_bank::Event::FileRemoved { file: deleted };
		assert!(events().contains(&RuntimeEvent::FileBank(removed)));
		assert!(holders(deleted).is_empty());
		for miner in &miners {
			let list = stored(miner);
			assert_eq!(list.len(), 1);
			assert!(list.iter().all(|f| f.file == kept), "{miner} still lists {list:?}");
			assert_eq!(used_space(miner), fragment_size, "the deleted fragment's space is back");
			assert_eq!(pallet_file_bank::MinerFragments::<Runtime>::iter_prefix(miner).count(), 1);
		}

		// The next round challenges every miner on the kept file only.
		let next = wait_for_challenge(&miners[0]).round;
		assert!(next > first);
		for miner in &miners {
			let challenge = Audit::challenge_view(miner).expect("challenged in the same round");
			assert_eq!(challenge.round, next);
			let index = holders(kept).into_iter().find(|(_, m)| m == miner).unwrap().0;
			assert_eq!(challenged(&challenge), vec![(kept, index)]);
		}
		let every_miner_once: BTreeMap<AccountId, u32> =
			miners.iter().map(|m| (m.clone(), 1)).collect();
		assert_eq!(issued_in(next), every_miner_once);
	});
}

#[test]
fn a_challenge_is_judged_on_what_was_issued_after_a_deletion_reshuffles_the_list() {
	development_chain().execute_with(|| {
		// One miner takes every fragment: the first file's confirmed fragments are the first
		// entries of its list, the second file's come after them.
		let miner = account(Ferdie);
		register_miner(&miner, &miner, 3, SPACE);
		let owner = account(AliceStash);
		let (deleted, deleted_bytes) = declare(&owner, &file_content(1 << 20));
		confirm_all(&miner, deleted);
		let (kept, kept_bytes) = declare(&owner, &file_content(2 << 20));
		confirm_all(&miner, kept);
		let shards = FileBank::layout().total_shards() as usize;
		let before = stored(&miner);
		assert_eq!(before.len(), 2 * shards);
		assert!(before[..shards].iter().all(|f| f.file == deleted));
		assert!(before[shards..].iter().all(|f| f.file == kept));
		// The miner keeps the fragments it is challenged on until the challenge is closed, the
		// deleted file's included.
		let store = BTreeMap::from([(deleted, deleted_bytes), (kept, kept_bytes)]);

		let issued = wait_for_challenge(&miner);
		let issued_refs: Vec<(u32, FragmentRef)> = issued
			.fragments
			.iter()
			.map(|f| (f.position, FragmentRef { file: f.file, index: f.index, hash: f.hash }))
			.collect();
		for (position, fragment) in &issued_refs {
			assert_eq!(before[*position as usize], *fragment, "read from the list at issue");
		}
		assert!(
			issued_refs.iter().any(|(_, f)| f.file == deleted),
			"the challenge names a fragment of the file about to be deleted"
		);

		// Releasing the first file swap-removes its entries: the second file's move to the
		// front, and every challenged position now holds another fragment, or none.
		FileBank::delete_file(RuntimeOrigin::signed(owner), deleted).unwrap();
		run_until(|| file_state(deleted).is_none(), 10);
		let after = stored(&miner);
		assert_eq!(after.len(), shards);
		assert!(after.iter().all(|f| f.file == kept));
		for (position, fragment) in &issued_refs {
			assert_ne!(after.get(*position as usize), Some(fragment), "position {position}");
		}

		// The challenge is the one issued, and the proof of what it names passes in time.
		assert_eq!(Audit::challenge_view(&miner).as_ref(), Some(&issued));
		assert!(System::block_number() <= issued.deadline);
		assert!(answer_challenge(&miner, &store));
		let accepted =
			pallet_audit::Event::ProofAccepted { miner: miner.clone(), round: issued.round };
		assert!(events().contains(&RuntimeEvent::Audit(accepted)));
		let record = Audit::record(&miner);
		assert_eq!((record.passed, record.failed, record.strikes), (1, 0, 0));
	});
}
