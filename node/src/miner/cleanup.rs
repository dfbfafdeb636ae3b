//! Clean-up: fragments the chain no longer places on this miner (deleted or expired files,
//! cancelled deals, fragments moved away) are removed from its store after a grace period, and
//! partial uploads nobody resumed within [`STALE_PARTIAL_AFTER`] are dropped, so neither
//! abandoned nor hostile uploads hold the miner's declared space; a partial upload of a root the
//! chain no longer assigns here (its deadline passed, the deal was cancelled) goes at once, by
//! the same two-passes rule as fragments.

use super::{setup::Miner, LOG};
use crate::{chain_api::Assignment, chain_client::ChainError};
use cess_dht::{FragmentRoot, FragmentStore};
use std::{collections::HashSet, time::Duration};

/// Blocks between clean-up passes; a fragment is removed when two passes in a row find it
/// unplaced.
const CLEANUP_EVERY: u32 = 10;

/// Age (since its last byte) at which a partial upload is dropped: an uploader's ticket lives an
/// hour (`file put`), and an upload is only accepted from a ticket holder, so a partial untouched
/// this long will not be resumed by the ticket that started it.
pub const STALE_PARTIAL_AFTER: Duration = Duration::from_secs(3600);

/// Removes the fragments nobody needs from this miner any more.
#[derive(Default)]
pub struct Cleanup {
	/// Block of the next pass.
	next: u32,
	/// Fragments found unplaced by the last pass.
	unplaced: HashSet<FragmentRoot>,
	/// Partial uploads found unassigned by the last pass.
	unassigned: HashSet<FragmentRoot>,
}

impl Cleanup {
	/// Runs a pass when one is due at block `best`.
	pub async fn run_if_due(
		&mut self,
		miner: &Miner,
		best: u32,
		assignments: &[Assignment],
	) -> Result<(), ChainError> {
		if best < self.next {
			return Ok(());
		}
		self.next = best.saturating_add(CLEANUP_EVERY);
		match miner.store.prune_partials(STALE_PARTIAL_AFTER) {
			Ok(0) => {}
			Ok(pruned) => {
				log::info!(target: LOG, "🗑 dropped {pruned} partial upload(s) untouched for an hour")
			}
			Err(e) => log::warn!(target: LOG, "cannot prune partial uploads: {e}"),
		}
		self.clean_up(miner, assignments).await
	}

	/// Removes fragments the chain no longer places here (found unplaced twice in a row, so a
	/// fragment between its upload and its appearance in the lists is never touched).
	async fn clean_up(
		&mut self,
		miner: &Miner,
		assignments: &[Assignment],
	) -> Result<(), ChainError> {
		let assigned: HashSet<FragmentRoot> = assignments.iter().map(|a| a.hash.0).collect();
		self.drop_unassigned_partials(miner, &assigned);
		let mut placed = assigned;
		placed.extend(
			miner.chain.miner_fragments(&miner.me).await?.into_iter().map(|(_, f)| f.hash.0),
		);
		// A fragment handed over to its new holder after a challenge named it must still be
		// proven: kept until that challenge is judged.
		if let Some(challenge) = miner.chain.challenge(&miner.me).await? {
			placed.extend(challenge.fragments.iter().map(|f| f.hash.0));
		}
		let roots = match miner.store.roots() {
			Ok(roots) => roots,
			Err(e) => {
				log::warn!(target: LOG, "cannot list the fragment store: {e}");
				return Ok(());
			}
		};
		let mut unplaced = HashSet::new();
		for root in roots.into_iter().filter(|root| !placed.contains(root)) {
			if self.unplaced.contains(&root) {
				match miner.store.remove(&root) {
					Ok(_) => {
						log::info!(target: LOG, "🗑 dropped fragment {} (no longer placed here)", cess_dht::root_to_hex(&root))
					}
					Err(e) => log::warn!(target: LOG, "cannot remove a fragment: {e}"),
				}
			} else {
				unplaced.insert(root);
			}
		}
		self.unplaced = unplaced;
		Ok(())
	}

	/// Drops partial uploads of roots not assigned here, found so twice in a row: their upload
	/// can no longer be confirmed, so their bytes only take space the chain counts as free.
	fn drop_unassigned_partials(&mut self, miner: &Miner, assigned: &HashSet<FragmentRoot>) {
		let partials = match miner.store.partial_roots() {
			Ok(partials) => partials,
			Err(e) => {
				log::warn!(target: LOG, "cannot list the partial uploads: {e}");
				return;
			}
		};
		let mut unassigned = HashSet::new();
		for root in partials.into_iter().filter(|root| !assigned.contains(root)) {
			if self.unassigned.contains(&root) {
				match miner.store.discard_partial(&root) {
					Ok(()) => {
						log::info!(target: LOG, "🗑 dropped the partial upload of {} (no longer assigned here)", cess_dht::root_to_hex(&root))
					}
					Err(e) => log::warn!(target: LOG, "cannot drop a partial upload: {e}"),
				}
			} else {
				unassigned.insert(root);
			}
		}
		self.unassigned = unassigned;
	}
}
