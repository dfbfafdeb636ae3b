//! The generated weights (`pallets/*/src/weights.rs`) against the runtime's block limits: every
//! call of CESS's pallets can be included at its largest size, and the most work their hooks may
//! do in one block fits in the share of the block that normal transactions leave.

use crate::{configs::RuntimeBlockWeights, AccountId, Runtime};
use cess_primitives::{
	challenge::{MAX_CHALLENGED_FRAGMENTS, MAX_CHALLENGED_LEAVES},
	proof::LeafProof,
	ChallengeResponse, FragmentHash, FragmentProof,
};
use frame_support::{
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::Get,
	weights::Weight,
};
use pallet_audit::WeightInfo as _;
use pallet_audit::MAX_LEAF_PROOFS;
use pallet_file_bank::WeightInfo as _;
use pallet_incentive::WeightInfo as _;
use pallet_r2s::WeightInfo as _;
use pallet_sminer::WeightInfo as _;

type Sminer = <Runtime as pallet_sminer::Config>::WeightInfo;
type FileBank = <Runtime as pallet_file_bank::Config>::WeightInfo;
type Audit = <Runtime as pallet_audit::Config>::WeightInfo;
type Incentive = <Runtime as pallet_incentive::Config>::WeightInfo;
type R2s = <Runtime as pallet_r2s::Config>::WeightInfo;

/// What one normal transaction may weigh.
fn max_extrinsic() -> Weight {
	RuntimeBlockWeights::get()
		.get(DispatchClass::Normal)
		.max_extrinsic
		.expect("normal transactions have a limit")
}

/// A `u32` parameter as a multiplier.
fn count<G: Get<u32>>() -> u64 {
	u64::from(G::get())
}

/// The largest response `submit_proof` takes: every challenged fragment with every challenged
/// leaf (the leaves' bytes do not change what it is charged).
fn largest_response() -> ChallengeResponse {
	let leaf = LeafProof { index: 0, leaf: Default::default(), path: Default::default() };
	let fragment = FragmentProof {
		fragment: FragmentHash([0; 32]),
		leaves: vec![leaf; MAX_CHALLENGED_LEAVES as usize].try_into().expect("at the bound"),
	};
	vec![fragment; MAX_CHALLENGED_FRAGMENTS as usize].try_into().expect("at the bound")
}

/// `part` as a share of a whole block's compute time.
fn share_of_block(part: Weight) -> f64 {
	part.ref_time() as f64 / RuntimeBlockWeights::get().max_block.ref_time() as f64
}

#[test]
fn every_call_fits_in_a_block_at_its_largest_size() {
	let max_segments = <Runtime as pallet_file_bank::Config>::MaxSegments::get();
	let max_confirmations = <Runtime as pallet_file_bank::Config>::MaxConfirmations::get();
	let max_eras = <Runtime as pallet_incentive::Config>::MaxUnclaimedEras::get();
	// What the calls whose weight has more than one term really charge: their dispatch info.
	let response = largest_response();
	assert_eq!(pallet_audit::leaf_proofs(&response), MAX_LEAF_PROOFS);
	assert_eq!(MAX_LEAF_PROOFS, MAX_CHALLENGED_FRAGMENTS * MAX_CHALLENGED_LEAVES);
	let submit_proof = pallet_audit::Call::<Runtime>::submit_proof { round: 0, response }
		.get_dispatch_info()
		.call_weight;
	type Penalty = <Runtime as pallet_audit::Config>::Penalty;
	assert_eq!(
		submit_proof,
		Audit::submit_proof(MAX_LEAF_PROOFS)
			.saturating_add(<Penalty as pallet_audit::AuditPenalty<AccountId>>::weight()),
		"submit_proof is charged for every leaf proof, and for a punishment"
	);
	let prepare_exit =
		pallet_sminer::Call::<Runtime>::prepare_exit {}.get_dispatch_info().call_weight;
	type OnExit = <Runtime as pallet_sminer::Config>::OnMinerExit;
	let on_exit = <OnExit as pallet_sminer::OnMinerExit<AccountId>>::weight();
	assert!(on_exit.ref_time() > 0, "the exit hook (a repair scheduled) has a weight");
	type Obligations = <Runtime as pallet_sminer::Config>::Obligations;
	let obligations = <Obligations as pallet_sminer::AuditObligations<AccountId>>::weight();
	assert!(obligations.ref_time() > 0, "reading the audit's records has a weight");
	assert_eq!(
		prepare_exit,
		Sminer::prepare_exit().saturating_add(obligations).saturating_add(on_exit),
		"prepare_exit is charged for asking the audit and for scheduling the repair"
	);
	let withdraw = pallet_sminer::Call::<Runtime>::withdraw {}.get_dispatch_info().call_weight;
	assert_eq!(
		withdraw,
		Sminer::withdraw().saturating_add(obligations).saturating_add(Sminer::slash()),
		"withdraw is charged for settling strikes with a slash"
	);
	let confirm_stored = pallet_file_bank::Call::<Runtime>::confirm_stored {
		file_hash: Default::default(),
		fragments: vec![(0, FragmentHash([0; 32])); max_confirmations as usize]
			.try_into()
			.expect("at the bound"),
	}
	.get_dispatch_info()
	.call_weight;
	assert_eq!(
		confirm_stored,
		pallet_file_bank::Pallet::<Runtime>::confirm_weight(max_confirmations, max_confirmations)
	);
	assert!(
		confirm_stored.all_gt(FileBank::confirm_stored(max_confirmations)),
		"confirm_stored is charged for a hand-over per fragment"
	);
	let calls = [
		("sminer.register", Sminer::register()),
		("sminer.increase_collateral", Sminer::increase_collateral()),
		("sminer.update_peer", Sminer::update_peer()),
		("sminer.increase_space", Sminer::increase_space()),
		("sminer.decrease_space", Sminer::decrease_space()),
		("sminer.update_beneficiary", Sminer::update_beneficiary()),
		("sminer.accept_beneficiary", Sminer::accept_beneficiary()),
		("sminer.prepare_exit + Obligations + OnMinerExit", prepare_exit),
		("sminer.withdraw + Obligations + slash", withdraw),
		("file_bank.upload_declaration(MaxSegments)", FileBank::upload_declaration(max_segments)),
		("file_bank.confirm_stored(MaxConfirmations) + hand-overs", confirm_stored),
		("file_bank.delete_file", FileBank::delete_file()),
		("file_bank.renew_file", FileBank::renew_file()),
		("audit.submit_proof(MAX_LEAF_PROOFS) + Penalty", submit_proof),
		("incentive.claim_rewards(MaxUnclaimedEras)", Incentive::claim_rewards(max_eras)),
		("incentive.release_vested", Incentive::release_vested()),
		("incentive.set_parameters", Incentive::set_parameters()),
		("incentive.set_era_issuance", Incentive::set_era_issuance()),
		("r2s.bond", R2s::bond()),
		("r2s.unbond", R2s::unbond()),
		("r2s.withdraw_unbonded", R2s::withdraw_unbonded()),
		("r2s.set_candidacy", R2s::set_candidacy()),
		("r2s.set_seats", R2s::set_seats()),
	];
	let max = max_extrinsic();
	for (name, weight) in calls {
		assert!(weight.ref_time() > 0, "{name} has a measured weight");
		assert!(weight.all_lte(max), "{name}: {weight:?} exceeds a transaction's limit {max:?}");
	}
}

#[test]
fn the_hooks_of_one_block_fit_in_what_normal_transactions_leave() {
	// The file bank's queues, each at its per-block budget and its dearest outcome, with their
	// bookkeeping: the most its hook charges.
	let file_bank = pallet_file_bank::Pallet::<Runtime>::max_queue_weight();
	let removals = FileBank::removal_step()
		.saturating_mul(count::<<Runtime as pallet_file_bank::Config>::RemovalsPerBlock>());
	assert!(file_bank.all_gt(FileBank::on_initialize_idle().saturating_add(removals)));
	// The audit: a round starting, a full batch of challenges issued and one expiring.
	let per_block = <Runtime as pallet_audit::Config>::MaxChallengesPerBlock::get();
	let audit = Audit::on_initialize_idle()
		.saturating_add(Audit::start_round())
		.saturating_add(Audit::issue_challenges(per_block))
		.saturating_add(Audit::expire_challenges(per_block));
	// An era closing.
	let incentive = Incentive::close_era();

	// Normal transactions may fill NORMAL_DISPATCH_RATIO of a block; the block's base cost and
	// the hooks (mandatory) must fit in the rest, or a full block of transactions could not be
	// built after the worst hooks.
	let base = RuntimeBlockWeights::get().base_block;
	let total = base.saturating_add(file_bank).saturating_add(audit).saturating_add(incentive);
	let share = share_of_block(total);
	let room = 1.0 - f64::from(crate::configs::NORMAL_DISPATCH_RATIO.deconstruct()) / 1e9;
	assert!(
		share <= room,
		"worst hooks take {:.1} % of a block, more than the {:.0} % normal transactions leave \
		 (file bank {:.1} %, audit {:.1} %, incentive {:.1} %)",
		share * 100.0,
		room * 100.0,
		share_of_block(file_bank) * 100.0,
		share_of_block(audit) * 100.0,
		share_of_block(incentive) * 100.0,
	);
}

#[test]
fn a_session_change_with_every_candidate_takes_at_most_a_tenth_of_a_block() {
	let candidates = <Runtime as pallet_r2s::Config>::MaxCandidates::get();
	let seats = <Runtime as pallet_r2s::Config>::MaxActive::get();
	let total = R2s::new_session(candidates)
		.saturating_add(R2s::end_session(seats))
		.saturating_add(R2s::close_era(candidates));
	let share = share_of_block(total);
	assert!(share <= 0.10, "a session change takes {:.1} % of a block", share * 100.0);
}
