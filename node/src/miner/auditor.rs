//! The storage miner's auditor: answers the miner's audit challenges, in a task of its own so
//! that an answer never waits behind the worker's repairs or its confirmations' blocks (the
//! development response window is ten blocks).
//!
//! One answer per round: the auditor is the only one that answers, one challenge at a time, and
//! it remembers the last round it answered. After a restart it reads the open challenge again;
//! a round already answered is closed on chain and is not offered again.

use super::{submitter::Submitter, LOG};
use crate::{
	chain_api::Challenge,
	chain_client::{ChainClient, ChainError, WaitFor},
};
use cess_dht::{DiskStore, FragmentStore};
use cess_primitives::proof::prove_fragment;
use cess_runtime::{AccountId, RuntimeCall};
use sp_runtime::BoundedVec;
use std::{sync::Arc, time::Duration};

/// How often the auditor looks for a new block.
const POLL: Duration = Duration::from_secs(1);
/// Longest wait for a proof to be included (past it the challenge has expired anyway).
const PROOF_TIMEOUT: Duration = Duration::from_secs(90);

/// Answers the challenges of one miner.
pub struct Auditor {
	chain: Arc<ChainClient>,
	submitter: Arc<Submitter>,
	me: AccountId,
	store: Arc<DiskStore>,
	/// Audit round last answered (or given up on).
	answered_round: Option<u32>,
}

/// Why a challenge was not answered.
enum Unanswered {
	/// The round cannot be answered (a fragment is gone or does not prove): give it up.
	GiveUp(String),
	/// Try again at the next block (a read failed).
	Retry(String),
}

impl Auditor {
	/// An auditor of `me`'s challenges over the fragments in `store`.
	pub fn new(
		chain: Arc<ChainClient>,
		submitter: Arc<Submitter>,
		me: AccountId,
		store: Arc<DiskStore>,
	) -> Self {
		Self { chain, submitter, me, store, answered_round: None }
	}

	/// Answers every new challenge, at each new block, until the node stops.
	pub async fn run(mut self) {
		let mut poll = tokio::time::interval(POLL);
		poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
		let mut last_block = None;
		loop {
			poll.tick().await;
			let best = match self.chain.best().await {
				Ok((_, number)) => number,
				Err(e) => {
					log::debug!(target: LOG, "auditor: cannot read the best block: {e}");
					continue;
				}
			};
			if last_block == Some(best) {
				continue;
			}
			last_block = Some(best);
			match self.chain.challenge(&self.me).await {
				Ok(Some(challenge)) if self.answered_round != Some(challenge.round) => {
					self.answer(challenge).await
				}
				Ok(_) => {}
				Err(e) => log::warn!(target: LOG, "cannot read the audit challenge: {e}"),
			}
		}
	}

	/// Proves the challenged fragments and submits the proof. A fragment that is gone cannot
	/// be proven: the round is given up (the chain records it as missed).
	async fn answer(&mut self, challenge: Challenge) {
		let round = challenge.round;
		let count = challenge.fragments.len();
		let store = self.store.clone();
		// Reading and hashing up to `fragments` whole fragments is blocking work.
		let proofs = tokio::task::spawn_blocking(move || prove(&store, &challenge))
			.await
			.unwrap_or_else(|e| Err(Unanswered::Retry(format!("the proving task failed: {e}"))));
		let proofs = match proofs {
			Ok(proofs) => proofs,
			Err(Unanswered::GiveUp(why)) => {
				log::error!(target: LOG, "audit round {round}: {why}; the round cannot be answered");
				self.answered_round = Some(round);
				return;
			}
			Err(Unanswered::Retry(why)) => {
				log::warn!(target: LOG, "audit round {round}: {why}");
				return;
			}
		};
		let call = RuntimeCall::Audit(pallet_audit::Call::submit_proof {
			round,
			response: BoundedVec::truncate_from(proofs),
		});
		match self.submitter.submit(call, WaitFor::InBlock, PROOF_TIMEOUT).await {
			Ok(outcome) => {
				self.answered_round = Some(round);
				let accepted = outcome.events.iter().any(|e| {
					matches!(
						e,
						cess_runtime::RuntimeEvent::Audit(
							pallet_audit::Event::ProofAccepted { .. }
						)
					)
				});
				if accepted {
					log::info!(target: LOG, "✅ audit round {round}: proof of {count} fragments accepted");
				} else {
					log::error!(target: LOG, "audit round {round}: proof rejected: {:?}", outcome.events);
				}
			}
			// Refused on chain (the round is closed or another one is open): answering again
			// cannot help.
			Err(ChainError::Dispatch(e)) => {
				self.answered_round = Some(round);
				log::warn!(target: LOG, "audit round {round}: the proof was refused: {e}")
			}
			Err(e) => {
				log::warn!(target: LOG, "audit round {round}: submitting the proof failed: {e}")
			}
		}
	}
}

/// The proofs of a challenge, in its order.
fn prove(
	store: &DiskStore,
	challenge: &Challenge,
) -> Result<Vec<cess_primitives::proof::FragmentProof>, Unanswered> {
	let mut proofs = Vec::with_capacity(challenge.fragments.len());
	for fragment in &challenge.fragments {
		let bytes = match store.read(&fragment.hash.0) {
			Ok(Some(bytes)) => bytes,
			Ok(None) => {
				return Err(Unanswered::GiveUp(format!(
					"fragment {} of file {} is missing here",
					fragment.index, fragment.file
				)))
			}
			Err(e) => return Err(Unanswered::Retry(format!("cannot read a fragment: {e}"))),
		};
		let proof = prove_fragment(&challenge.layout, &challenge.challenge, &fragment.hash, &bytes)
			.map_err(|e| Unanswered::GiveUp(e.to_string()))?;
		proofs.push(proof);
	}
	Ok(proofs)
}
