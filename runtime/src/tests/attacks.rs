//! Attacks on the chain's rules (`docs/security.md` §3.2), each mounted through the real runtime
//! on the development chain: the attacker's moves are the extrinsics a hostile participant can
//! send, blocks are produced by [`Executive`](crate::Executive), and each test asserts that the
//! attack no longer pays. Every test here failed on the code before its defence.
//!
//! - A4, duplicate roots in one declaration:
//!   [`attack_duplicate_roots_in_one_declaration_refused`];
//! - A11, an exit at `strike_limit − 1`: [`attack_exit_at_strike_limit_minus_one`];
//! - A11, an exit repair that drops the copy before the rebuilt one is confirmed:
//!   [`attack_exit_keeps_copy_until_repaired`];
//! - A12, vesting griefing through a named beneficiary:
//!   [`attack_vesting_not_extended_by_others`].

use super::{
	account, answer_challenge, confirm_all, confirm_placed, declare, development_chain, events,
	file_content, next_block, register_miner, register_miners, run_until, wait_for_challenge,
};
use crate::{
	AccountId, Audit, Balances, FileBank, Incentive, Runtime, RuntimeEvent, RuntimeOrigin, Sminer,
	System,
};
use cess_primitives::{
	codec::{encode_bytes, FileKey},
	hashing::{file_hash, segment_hash},
	FileHash, FragmentHash, StoredFragments,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use pallet_file_bank::{AssignmentKind, FragmentStatus, OutgoingCopies};
use pallet_sminer::{MinerState, SlashReason, StorageMiners};
use sp_keyring::Sr25519Keyring::{AliceStash, Bob, Charlie, Dave, Eve, Ferdie};
use std::collections::BTreeMap;

/// Space each miner of these tests declares (that of [`register_miners`]).
const SPACE: u64 = super::MINER_SPACE;

type SminerError = pallet_sminer::Error<Runtime>;
type FileBankError = pallet_file_bank::Error<Runtime>;

/// The fragment list of `miner`, as the audit reads it: `(file, index)` of each entry.
fn listed(miner: &AccountId) -> Vec<(FileHash, u32)> {
	let count = <FileBank as StoredFragments<AccountId>>::fragment_count(miner);
	(0..count)
		.filter_map(|position| {
			<FileBank as StoredFragments<AccountId>>::fragment_at(miner, position)
				.map(|f| (f.file, f.index))
		})
		.collect()
}

fn used_space(miner: &AccountId) -> u64 {
	<Sminer as StorageMiners<AccountId>>::used_space(miner)
}

/// Produces the next block; every miner of `miners` answers its open challenge, if any, from
/// `fragments` (the honest miners of these tests keep what they hold).
fn next_block_answering(miners: &[AccountId], fragments: &BTreeMap<u32, Vec<u8>>) {
	next_block();
	for miner in miners {
		answer_challenge(miner, fragments);
	}
}

/// A11, first half. A miner one strike short of its punishment announces its exit, to be
/// challenged no more and to withdraw all its collateral after the cool-down. Refused: a miner
/// with strikes, or with a challenge not judged yet, cannot start an exit; it stays audited,
/// reaches the limit and is slashed.
#[test]
fn attack_exit_at_strike_limit_minus_one() {
	development_chain().execute_with(|| {
		let params = Audit::params();
		assert!(params.strike_limit >= 2, "the development chain punishes at the second strike");
		let miner = account(Ferdie);
		register_miner(&miner, &miner, 3, SPACE);
		let (file, _) = declare(&account(Eve), &file_content(1 << 20));
		confirm_all(&miner, file);

		// Challenged: it has stopped storing, so it will fail. It tries to leave first.
		let challenge = wait_for_challenge(&miner);
		assert_noop!(
			Sminer::prepare_exit(RuntimeOrigin::signed(miner.clone())),
			SminerError::UnjudgedChallenge
		);
		// The challenge expires: one strike, one short of the limit. It tries again.
		run_until(|| Audit::challenge_view(&miner).is_none(), params.response_window + 2);
		assert_eq!(Audit::record(&miner).strikes, params.strike_limit - 1);
		assert_noop!(
			Sminer::prepare_exit(RuntimeOrigin::signed(miner.clone())),
			SminerError::OpenStrikes
		);
		assert_eq!(<Sminer as StorageMiners<AccountId>>::state(&miner), Some(MinerState::Active));

		// Still a miner, still audited: the next round's failure reaches the limit.
		let collateral = pallet_sminer::Miners::<Runtime>::get(&miner).unwrap().collateral;
		let next = wait_for_challenge(&miner);
		assert!(next.round > challenge.round);
		run_until(|| Audit::challenge_view(&miner).is_none(), params.response_window + 2);
		let slash = params.slash.mul_floor(collateral);
		assert!(events().contains(&RuntimeEvent::Sminer(pallet_sminer::Event::Slashed {
			miner: miner.clone(),
			amount: slash,
			reason: SlashReason::MissedProof,
		})));
		assert_eq!(Audit::record(&miner).punished, 1);
		assert_eq!(
			pallet_sminer::Miners::<Runtime>::get(&miner).unwrap().collateral,
			collateral - slash
		);
		// Punished, its strikes start again from zero: now it may leave.
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(miner.clone())));
	});
}

/// A11, second half. The exit repair used to drop the exiting miner's copy from its list (no
/// more audits) and release its space at once, before anyone had rebuilt the fragment: the
/// exiting miner was free of its data hours before the network had it again, and could withdraw
/// regardless. Now it stays a holder of each fragment — listed, audited, its space used, and so
/// unable to withdraw — until the new holder confirms; then the copy is dropped, and every
/// fragment is counted once.
#[test]
fn attack_exit_keeps_copy_until_repaired() {
	development_chain().execute_with(|| {
		let layout = FileBank::layout();
		let fragment_size = u64::from(layout.fragment_size());
		// One miner more than a segment has fragments: the repair has a miner outside the
		// segment to prefer.
		let miners = register_miners(&[Bob, Charlie, Dave, Eve, Ferdie]);
		let (file, fragments) = declare(&account(AliceStash), &file_content(1 << 20));
		confirm_placed(file);
		let index = 0;
		let leaving = pallet_file_bank::Fragments::<Runtime>::get(file, index).unwrap().miner;
		assert_eq!(listed(&leaving), vec![(file, index)]);
		assert_eq!(Audit::record(&leaving).strikes, 0);
		assert!(!Audit::has_open_challenge(&leaving));

		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(leaving.clone())));
		let Some(MinerState::Exiting { unlock_at }) =
			<Sminer as StorageMiners<AccountId>>::state(&leaving)
		else {
			panic!("the miner is exiting")
		};
		let assigned = |event: &RuntimeEvent| {
			matches!(
				event,
				RuntimeEvent::FileBank(pallet_file_bank::Event::RepairAssigned { from, .. })
					if *from == leaving
			)
		};
		run_until(|| events().iter().any(assigned), 5);

		// The fragment is assigned to a new holder, to rebuild and confirm ...
		let moved = pallet_file_bank::Fragments::<Runtime>::get(file, index).unwrap();
		assert_ne!(moved.miner, leaving);
		assert!(matches!(
			moved.status,
			FragmentStatus::Pending { kind: AssignmentKind::Repair, .. }
		));
		// ... and the leaving miner keeps its copy meanwhile: listed, its space used.
		assert_eq!(listed(&leaving), vec![(file, index)]);
		assert_eq!(used_space(&leaving), fragment_size);
		assert_eq!(OutgoingCopies::<Runtime>::get(file, index), Some((leaving.clone(), 0)));

		// It is still audited on it, and passes by keeping it.
		let challenge = wait_for_challenge(&leaving);
		assert_eq!(challenge.fragments.len(), 1);
		assert_eq!((challenge.fragments[0].file, challenge.fragments[0].index), (file, index));
		assert!(answer_challenge(&leaving, &fragments));
		assert!(events().contains(&RuntimeEvent::Audit(pallet_audit::Event::ProofAccepted {
			miner: leaving.clone(),
			round: challenge.round,
		})));

		// Nobody confirms for a while (missed deadlines reassign it, and when every
		// reassignment is spent the copy goes back to the leaving miner and its repair starts
		// again): past the cool-down, the copy is still there, and so the collateral.
		while System::block_number() < unlock_at {
			next_block_answering(&miners, &fragments);
		}
		assert_eq!(listed(&leaving), vec![(file, index)]);
		assert!(!events().iter().any(|event| matches!(
			event,
			RuntimeEvent::FileBank(pallet_file_bank::Event::FragmentLost { .. })
		)));
		assert_noop!(
			Sminer::withdraw(RuntimeOrigin::signed(leaving.clone())),
			SminerError::SpaceStillInUse
		);

		// The holder it is assigned to now rebuilds it and confirms: the copy is handed over.
		run_until(
			|| {
				matches!(
					pallet_file_bank::Fragments::<Runtime>::get(file, index).map(|f| f.status),
					Some(FragmentStatus::Pending { .. })
				)
			},
			50,
		);
		let holder = pallet_file_bank::Fragments::<Runtime>::get(file, index).unwrap().miner;
		assert_ne!(holder, leaving);
		FileBank::confirm_stored(
			RuntimeOrigin::signed(holder.clone()),
			file,
			vec![(index, moved.hash)].try_into().unwrap(),
		)
		.expect("the new holder confirms");
		assert!(events().contains(&RuntimeEvent::FileBank(
			pallet_file_bank::Event::FragmentHandedOver {
				file,
				index,
				from: leaving.clone(),
				to: holder.clone(),
			}
		)));
		assert!(listed(&leaving).is_empty());
		assert_eq!(used_space(&leaving), 0);
		assert_eq!(OutgoingCopies::<Runtime>::get(file, index), None);
		assert!(listed(&holder).contains(&(file, index)));
		// Every fragment of the file is used space once, on the miner that lists it.
		let total_listed: usize = miners.iter().map(|m| listed(m).len()).sum();
		assert_eq!(total_listed as u32, layout.total_shards());
		let total_used: u64 = miners.iter().map(used_space).sum();
		assert_eq!(total_used, u64::from(layout.total_shards()) * fragment_size);
		assert_eq!(<Sminer as StorageMiners<AccountId>>::totals().used, u128::from(total_used));
		assert_ok!(FileBank::do_try_state());

		// Its last challenge judged, the leaving miner withdraws.
		run_until(|| !Audit::has_open_challenge(&leaving), params_window() + 2);
		assert_ok!(Sminer::withdraw(RuntimeOrigin::signed(leaving.clone())));
		assert_eq!(<Sminer as StorageMiners<AccountId>>::state(&leaving), None);
	});
}

/// The response window of the chain's audits.
fn params_window() -> crate::BlockNumber {
	Audit::params().response_window
}

/// A12. Anyone with a miner used to name any account as its beneficiary; every reward claim
/// then added a vesting tranche to the victim, and once its tranche list was full each claim
/// restarted the victim's newest tranche. Now a named account receives nothing until it
/// accepts: the miner's rewards, and their vesting, stay on the miner's own account.
#[test]
fn attack_vesting_not_extended_by_others() {
	development_chain().execute_with(|| {
		let attacker = account(Ferdie);
		// A victim with nothing: every token it gets would come from the attacker's claims.
		let victim = AccountId::new([0x77; 32]);
		register_miner(&attacker, &victim, 3, SPACE);
		// Named, not accepted: the victim is not the miner's payee.
		assert_eq!(
			<Sminer as StorageMiners<AccountId>>::beneficiary(&attacker),
			Some(attacker.clone())
		);
		assert_eq!(
			pallet_sminer::PendingBeneficiaries::<Runtime>::get(&attacker),
			Some(victim.clone())
		);
		// Nobody else can accept for the victim.
		assert_noop!(
			Sminer::accept_beneficiary(
				RuntimeOrigin::signed(account(Eve)),
				attacker.clone().into()
			),
			SminerError::NotProposedBeneficiary
		);

		// The attacker's miner earns (bandwidth of an upload, which governance may pay within
		// the self-dealing bound; the production presets pay none) and claims.
		let mut params = pallet_incentive::Params::<Runtime>::get();
		params.bandwidth_cap = sp_runtime::Perbill::from_percent(2);
		assert_ok!(Incentive::set_parameters(RuntimeOrigin::root(), params));
		let (file, _) = declare(&account(Eve), &file_content(1 << 20));
		confirm_all(&attacker, file);
		let era = pallet_incentive::CurrentEra::<Runtime>::get();
		run_until(|| pallet_incentive::CurrentEra::<Runtime>::get() > era, 100);
		let owed = Incentive::claimable(attacker.clone());
		assert!(owed > 0, "the attacker's miner earned");
		assert_ok!(Incentive::claim_rewards(RuntimeOrigin::signed(attacker.clone())));
		let claimed = events().into_iter().rev().find_map(|event| match event {
			RuntimeEvent::Incentive(pallet_incentive::Event::RewardsClaimed {
				payee,
				vesting,
				..
			}) => Some((payee, vesting)),
			_ => None,
		});
		let (payee, vesting) = claimed.expect("a claim");
		assert_eq!(payee, attacker, "paid to the miner itself");
		assert!(vesting > 0);

		// The victim received nothing and vests nothing: its schedule is its own.
		assert!(pallet_incentive::Vesting::<Runtime>::get(&victim).is_none());
		assert_eq!(Balances::balance(&victim), 0);
		assert!(pallet_incentive::Vesting::<Runtime>::get(&attacker).is_some());

		// Consent is what makes an account a payee: accepted, the next claims go to it.
		assert_ok!(Sminer::accept_beneficiary(
			RuntimeOrigin::signed(victim.clone()),
			attacker.clone().into()
		));
		assert_eq!(
			<Sminer as StorageMiners<AccountId>>::beneficiary(&attacker),
			Some(victim.clone())
		);
	});
}

/// A4 (one declaration). Identical roots in one declaration were each placed and confirmed as
/// a full fragment of used space — paid as service — though a miner stores a root once. Now a
/// declaration that repeats a root, in a segment or across segments, is refused; the codec pads
/// with key stream, so an honest file never repeats one.
#[test]
fn attack_duplicate_roots_in_one_declaration_refused() {
	development_chain().execute_with(|| {
		let miner = account(Ferdie);
		register_miner(&miner, &miner, 3, SPACE);
		let owner = account(Eve);
		let layout = FileBank::layout();
		let shards = layout.total_shards() as usize;

		// The attacker keeps one real fragment and declares it as every fragment of a segment,
		// with a file hash that matches (the chain recomputes it).
		let key = FileKey::from_bytes([3; 32]);
		let (manifest, _) = encode_bytes(layout, &key, &file_content(1 << 20)).expect("codec");
		let root = manifest.segments[0].fragments[0];
		let declare_roots = |segments: Vec<Vec<FragmentHash>>, size: u64| {
			let hashes: Vec<_> = segments.iter().map(|roots| segment_hash(roots)).collect();
			let hash = file_hash(&layout, size, &hashes);
			let bounded: Vec<frame_support::BoundedVec<FragmentHash, _>> =
				segments.into_iter().map(|roots| roots.try_into().unwrap()).collect();
			FileBank::upload_declaration(
				RuntimeOrigin::signed(owner.clone()),
				hash,
				bounded.try_into().unwrap(),
				size,
				b"dup".to_vec().try_into().unwrap(),
				1,
			)
			.map(|_| ())
			.map_err(|e| e.error)
		};
		assert_noop!(
			declare_roots(vec![vec![root; shards]], manifest.size),
			FileBankError::DuplicateFragmentRoot
		);
		// Across segments: a miner may hold a fragment of each.
		let (two, _) =
			encode_bytes(layout, &key, &file_content(layout.segment_capacity() + 1)).unwrap();
		let mut reused: Vec<Vec<FragmentHash>> =
			two.segments.iter().map(|s| s.fragments.clone()).collect();
		reused[1][0] = reused[0][0];
		assert_noop!(declare_roots(reused, two.size), FileBankError::DuplicateFragmentRoot);
		assert_eq!(<Sminer as StorageMiners<AccountId>>::locked_space(&miner), 0);

		// An honest file whose last segment is mostly padding declares, its roots distinct,
		// and the only miner's used space is one fragment per root.
		let (small, _) = encode_bytes(layout, &key, &file_content(1000)).unwrap();
		let roots = &small.segments[0].fragments;
		let distinct: std::collections::BTreeSet<_> = roots.iter().collect();
		assert_eq!(distinct.len(), roots.len());
		let (file, _) = declare(&owner, &file_content(1000));
		confirm_all(&miner, file);
		assert_eq!(used_space(&miner), shards as u64 * u64::from(layout.fragment_size()));
	});
}
