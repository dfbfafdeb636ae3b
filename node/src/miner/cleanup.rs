//! Clean-up: fragments the chain no longer places on this miner (deleted or expired files,
//! cancelled deals, fragments moved away) are removed from its store after a grace period.

use super::{setup::Miner, LOG};
use crate::{chain_api::Assignment, chain_client::ChainError};
use cess_dht::{FragmentRoot, FragmentStore};
use std::collections::HashSet;

/// Blocks between clean-up passes; a fragment is removed when two passes in a row find it
/// unplaced.
const CLEANUP_EVERY: u32 = 10;

/// Removes the fragments nobody needs from this miner any more.
#[derive(Default)]
pub struct Cleanup {
	/// Block of the next pass.
	next: u32,
	/// Fragments found unplaced by the last pass.
	unplaced: HashSet<FragmentRoot>,
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
		self.clean_up(miner, assignments).await
	}

	/// Removes fragments the chain no longer places here (found unplaced twice in a row, so a
	/// fragment between its upload and its appearance in the lists is never touched).
	async fn clean_up(
		&mut self,
		miner: &Miner,
		assignments: &[Assignment],
	) -> Result<(), ChainError> {
		let mut placed: HashSet<FragmentRoot> = assignments.iter().map(|a| a.hash.0).collect();
		placed.extend(
			miner.chain.miner_fragments(&miner.me).await?.into_iter().map(|(_, f)| f.hash.0),
		);
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
}
