//! The generated weights (`pallets/*/src/weights.rs`) against the runtime's block limits: every
//! call of CESS's pallets can be included at its largest size, and the most work their hooks may
//! do in one block fits in the share of the block that normal transactions leave.

use crate::{configs::RuntimeBlockWeights, Runtime};
use frame_support::{dispatch::DispatchClass, traits::Get, weights::Weight};
use pallet_audit::WeightInfo as _;
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

/// `part` as a share of a whole block's compute time.
fn share_of_block(part: Weight) -> f64 {
	part.ref_time() as f64 / RuntimeBlockWeights::get().max_block.ref_time() as f64
}

#[test]
fn every_call_fits_in_a_block_at_its_largest_size() {
	let max_segments = <Runtime as pallet_file_bank::Config>::MaxSegments::get();
	let max_confirmations = <Runtime as pallet_file_bank::Config>::MaxConfirmations::get();
	let max_eras = <Runtime as pallet_incentive::Config>::MaxUnclaimedEras::get();
	let calls = [
		("sminer.register", Sminer::register()),
		("sminer.increase_collateral", Sminer::increase_collateral()),
		("sminer.update_peer", Sminer::update_peer()),
		("sminer.increase_space", Sminer::increase_space()),
		("sminer.decrease_space", Sminer::decrease_space()),
		("sminer.prepare_exit", Sminer::prepare_exit()),
		("sminer.withdraw", Sminer::withdraw()),
		("file_bank.upload_declaration(MaxSegments)", FileBank::upload_declaration(max_segments)),
		("file_bank.confirm_stored(MaxConfirmations)", FileBank::confirm_stored(max_confirmations)),
		("file_bank.delete_file", FileBank::delete_file()),
		("file_bank.renew_file", FileBank::renew_file()),
		(
			"audit.submit_proof(MAX_CHALLENGED_FRAGMENTS)",
			Audit::submit_proof(cess_primitives::challenge::MAX_CHALLENGED_FRAGMENTS),
		),
		("incentive.claim_rewards(MaxUnclaimedEras)", Incentive::claim_rewards(max_eras)),
		("incentive.release_vested", Incentive::release_vested()),
		("r2s.bond", R2s::bond()),
		("r2s.unbond", R2s::unbond()),
		("r2s.withdraw_unbonded", R2s::withdraw_unbonded()),
		("r2s.set_candidacy", R2s::set_candidacy()),
	];
	let max = max_extrinsic();
	for (name, weight) in calls {
		assert!(weight.ref_time() > 0, "{name} has a measured weight");
		assert!(weight.all_lte(max), "{name}: {weight:?} exceeds a transaction's limit {max:?}");
	}
}

#[test]
fn the_hooks_of_one_block_fit_in_what_normal_transactions_leave() {
	type DeadlineChecks = <Runtime as pallet_file_bank::Config>::DeadlineChecksPerBlock;

	// The file bank's queues, each at its per-block budget and its dearest outcome.
	let deadline = FileBank::deadline_confirmed()
		.max(FileBank::deadline_reassign())
		.max(FileBank::deadline_cancel());
	let removal = FileBank::removal_step().max(FileBank::removal_refund_step());
	let file_bank = FileBank::on_initialize_idle()
		.saturating_add(deadline.saturating_mul(count::<DeadlineChecks>()))
		.saturating_add(
			FileBank::repair_step()
				.saturating_mul(count::<<Runtime as pallet_file_bank::Config>::RepairsPerBlock>()),
		)
		.saturating_add(
			removal
				.saturating_mul(count::<<Runtime as pallet_file_bank::Config>::RemovalsPerBlock>()),
		)
		.saturating_add(
			FileBank::expiry_step()
				.saturating_mul(count::<<Runtime as pallet_file_bank::Config>::ExpiriesPerBlock>()),
		);
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
