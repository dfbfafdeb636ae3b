//! Benchmarks of `submit_proof` (against the number of leaf proofs, up to the most a response
//! carries) and of each step of the per-block hook, on production-size fragments
//! (`FileLayout::PRODUCTION`: 8 MiB fragments of 256-byte leaves, 15-hash Merkle paths).
//! Fragments are all-zero, so their trees are computed in a few hashes
//! ([`crate::uniform_tree`]); verification costs the same whatever the bytes.

use super::*;
use crate::{traits::BenchmarkHelper, uniform_tree::ZeroTree, Pallet as Audit};
use alloc::{vec, vec::Vec};
use cess_primitives::{ChallengeParams, FileLayout, FragmentProof};
use frame_benchmarking::v2::*;
use frame_support::traits::Hooks;
use frame_system::RawOrigin;
use sp_runtime::traits::Saturating;

/// The layout the benchmarks measure.
const LAYOUT: FileLayout = FileLayout::PRODUCTION;

/// Sets how many fragments and leaves a challenge asks for.
fn set_challenge<T: Config>(fragments: u32, leaves: u32) {
	Params::<T>::mutate(|params| params.challenge = ChallengeParams { fragments, leaves });
}

/// Miner `index`, holding `count` all-zero production fragments.
fn miner_with_fragments<T: Config>(index: u32, count: u32) -> (T::AccountId, ZeroTree) {
	let miner: T::AccountId = account("miner", index, 0);
	let tree = ZeroTree::new(&LAYOUT);
	let roots = vec![tree.root(); count as usize];
	T::BenchmarkHelper::store_fragments(&miner, LAYOUT, &roots);
	(miner, tree)
}

/// A round in progress that has challenged nobody yet.
fn round<T: Config>(now: BlockNumberFor<T>) -> RoundInfoOf<T> {
	RoundInfo {
		index: 0,
		seed: [7; 32],
		started_at: now,
		cursor: IssuanceCursor::Start,
		challenged: 0,
	}
}

/// Opens `miner`'s challenge of round 0 at `now`, as issuance does.
fn open<T: Config>(miner: &T::AccountId, now: BlockNumberFor<T>) -> OpenChallengeOf<T> {
	let params = Params::<T>::get();
	let deadline = now.saturating_add(params.response_window);
	let open = Audit::<T>::challenge_for(miner, &round::<T>(now), now, deadline, &params)
		.expect("the miner holds fragments");
	Challenges::<T>::insert(miner, open.clone());
	ChallengeExpiries::<T>::mutate(deadline.saturating_add(1u32.into()), |expiring| {
		expiring.try_push(miner.clone()).expect("fewer than MaxChallengesPerBlock");
	});
	open
}

/// The honest answer to `open` for all-zero fragments.
fn respond<T: Config>(open: &OpenChallengeOf<T>, tree: &ZeroTree) -> ChallengeResponse {
	let leaves = LAYOUT.leaves_per_fragment();
	let proofs: Vec<FragmentProof> = open
		.fragments
		.iter()
		.map(|c| FragmentProof {
			fragment: c.fragment.hash,
			leaves: BoundedVec::truncate_from(
				open.challenge
					.leaf_indices(&c.fragment.hash, leaves)
					.map(|index| tree.prove(index))
					.collect(),
			),
		})
		.collect();
	ChallengeResponse::truncate_from(proofs)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A valid response of about `l` leaf proofs, up to [`MAX_LEAF_PROOFS`] (64 fragments of 16
	/// leaves, the most a response carries), in as many fragments as a challenge allows (the
	/// costlier arrangement per leaf: a fragment check per leaf as far as possible).
	///
	/// A challenge asks for the same number of leaves of each fragment, so `l` is met exactly
	/// up to 64 (one leaf per fragment) and at every multiple of 64 (64 fragments); in between
	/// the response has `⌊l / L⌋ × L` leaf proofs with `L = ⌈l / 64⌉`, at most `L − 1 < 16`
	/// fewer than `l`.
	#[benchmark]
	fn submit_proof(l: Linear<1, MAX_LEAF_PROOFS>) {
		let leaves = l.div_ceil(MAX_CHALLENGED_FRAGMENTS).clamp(1, MAX_CHALLENGED_LEAVES);
		let fragments = (l / leaves).clamp(1, MAX_CHALLENGED_FRAGMENTS);
		set_challenge::<T>(fragments, leaves);
		let (miner, tree) = miner_with_fragments::<T>(0, fragments);
		let now = frame_system::Pallet::<T>::block_number();
		let open = open::<T>(&miner, now);
		let response = respond::<T>(&open, &tree);
		assert_eq!(leaf_proofs(&response), fragments.saturating_mul(leaves));
		assert!(leaf_proofs(&response) <= l && l < leaf_proofs(&response).saturating_add(leaves));

		#[extrinsic_call]
		_(RawOrigin::Signed(miner.clone()), 0, response);

		assert_eq!(Records::<T>::get(&miner).passed, 1);
	}

	/// The hook when nothing expires and no round is due.
	#[benchmark]
	fn on_initialize_idle() {
		let now = frame_system::Pallet::<T>::block_number();
		NextRoundAt::<T>::put(now.saturating_add(1u32.into()));

		#[block]
		{
			<Audit<T> as Hooks<BlockNumberFor<T>>>::on_initialize(now);
		}

		assert!(CurrentRound::<T>::get().is_none());
	}

	/// A round starts (the randomness is read), and nobody holds fragments.
	#[benchmark]
	fn start_round() {
		let now = frame_system::Pallet::<T>::block_number();
		NextRoundAt::<T>::put(now);

		#[block]
		{
			Audit::<T>::run_issuance(now);
		}

		assert_eq!(CurrentRound::<T>::get().map(|round| round.index), Some(0));
	}

	/// `m` miners are challenged, each on the most fragments and leaves a round may ask, out of
	/// twice as many fragments (so positions are drawn, not enumerated).
	#[benchmark]
	fn issue_challenges(m: Linear<0, { T::MaxChallengesPerBlock::get() }>) {
		set_challenge::<T>(MAX_CHALLENGED_FRAGMENTS, MAX_CHALLENGED_LEAVES);
		let miners: Vec<_> =
			(0..m).map(|i| miner_with_fragments::<T>(i, 2 * MAX_CHALLENGED_FRAGMENTS).0).collect();
		let now = frame_system::Pallet::<T>::block_number();
		CurrentRound::<T>::put(round::<T>(now));

		#[block]
		{
			Audit::<T>::run_issuance(now);
		}

		for miner in &miners {
			let open = Challenges::<T>::get(miner).expect("challenged");
			assert_eq!(open.fragments.len() as u32, MAX_CHALLENGED_FRAGMENTS);
		}
	}

	/// `m` challenges expire unanswered, each miner reaching the strike limit and punished.
	#[benchmark]
	fn expire_challenges(m: Linear<0, { T::MaxChallengesPerBlock::get() }>) {
		let now = frame_system::Pallet::<T>::block_number();
		let limit = Params::<T>::get().strike_limit;
		let miners: Vec<_> = (0..m)
			.map(|i| {
				let (miner, _) = miner_with_fragments::<T>(i, 1);
				open::<T>(&miner, now);
				Records::<T>::mutate(&miner, |record| record.strikes = limit.saturating_sub(1));
				miner
			})
			.collect();
		let expiry =
			now.saturating_add(Params::<T>::get().response_window).saturating_add(1u32.into());

		#[block]
		{
			Audit::<T>::expire_challenges(expiry);
		}

		for miner in &miners {
			assert!(!Challenges::<T>::contains_key(miner));
			assert_eq!(Records::<T>::get(miner).punished, 1);
		}
	}

	impl_benchmark_test_suite!(Audit, crate::mock::new_test_ext(0), crate::mock::Test);
}
