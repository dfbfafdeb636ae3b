//! Confirmations: every fragment assigned to the miner that its store holds (uploaded by a
//! client, or rebuilt by a [repair](super::repairs)) is confirmed with
//! `FileBank::confirm_stored`, one transaction per file, all of a block's sent together.

use super::{repairs::Repairs, setup::Miner, submitter::TX_TIMEOUT, LOG};
use crate::{chain_api::Assignment, chain_client::WaitFor};
use cess_dht::FragmentStore;
use cess_primitives::{FileHash, FragmentHash};
use cess_runtime::RuntimeCall;
use pallet_file_bank::{AssignmentKind, FragmentIndex};
use sp_runtime::BoundedVec;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Blocks before a confirmation that has not landed is sent again.
pub const RESEND_AFTER: u32 = 10;
/// Most confirmations in one transaction (the runtime's `MaxConfirmations`).
const MAX_CONFIRMATIONS: usize = 256;

/// A fragment of a file: the key of an assignment.
pub type FragmentKey = (FileHash, FragmentIndex);

/// The confirmations sent and not yet seen on chain.
#[derive(Default)]
pub struct Confirmations {
	/// Each with the block it was sent at.
	sent: HashMap<FragmentKey, u32>,
}

impl Confirmations {
	/// Confirms every assigned fragment the store holds (rebuilding repairs first), one
	/// transaction per file.
	pub async fn confirm(
		&mut self,
		miner: &Miner,
		repairs: &mut Repairs,
		best: u32,
		assignments: &[Assignment],
	) {
		let live: HashSet<FragmentKey> = assignments.iter().map(|a| (a.file, a.index)).collect();
		self.sent.retain(|key, _| live.contains(key));
		repairs.forget_gone(&live);
		let mut ready: BTreeMap<FileHash, Vec<(FragmentIndex, FragmentHash)>> = BTreeMap::new();
		for assignment in assignments {
			let key = (assignment.file, assignment.index);
			if self.sent.get(&key).is_some_and(|&at| best < at.saturating_add(RESEND_AFTER)) {
				continue;
			}
			let held = miner.store.contains(&assignment.hash.0).unwrap_or(false);
			let held = match (held, assignment.kind) {
				(true, _) => true,
				(false, AssignmentKind::Upload) => false,
				(false, AssignmentKind::Repair) => {
					repairs.rebuild_if_due(miner, best, assignment).await
				}
			};
			if held {
				ready.entry(assignment.file).or_default().push((assignment.index, assignment.hash));
			}
		}
		if ready.is_empty() {
			return;
		}
		let mut calls = Vec::new();
		for (file, fragments) in ready {
			for chunk in fragments.chunks(MAX_CONFIRMATIONS) {
				for (index, _) in chunk {
					self.sent.insert((file, *index), best);
				}
				calls.push((
					file,
					chunk.len(),
					RuntimeCall::FileBank(pallet_file_bank::Call::confirm_stored {
						file_hash: file,
						fragments: BoundedVec::truncate_from(chunk.to_vec()),
					}),
				));
			}
		}
		submit_all(miner, calls).await;
	}
}

/// Submits the confirmations together (consecutive nonces) and waits for them.
async fn submit_all(miner: &Miner, calls: Vec<(FileHash, usize, RuntimeCall)>) {
	let (labels, calls): (Vec<_>, Vec<_>) =
		calls.into_iter().map(|(file, count, call)| ((file, count), call)).unzip();
	let results = match miner.submitter.submit_all(calls, WaitFor::InBlock, TX_TIMEOUT).await {
		Ok(results) => results,
		Err(e) => return log::warn!(target: LOG, "cannot submit the confirmations: {e}"),
	};
	for ((file, count), result) in labels.into_iter().zip(results) {
		match result {
			Ok(_) => log::info!(target: LOG, "confirmed {count} fragment(s) of file {file}"),
			Err(e) => log::warn!(target: LOG, "confirming fragments of file {file}: {e}"),
		}
	}
}
