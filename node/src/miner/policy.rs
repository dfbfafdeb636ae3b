//! Who may store what on this miner: the chain's assignments.
//!
//! A PUT of root `R` is accepted only while the chain has a fragment with root `R` assigned to
//! this miner for upload and waiting for its confirmation. The worker refreshes the set at every
//! block; a PUT for a root not (yet) in the set triggers one refresh from the chain before it is
//! refused, so a client that pushes right after its declaration's block is not turned away by a
//! stale cache. GETs are open: fragments are ciphertext, and any client or repairing miner may
//! fetch them.

use crate::chain_client::ChainClient;
use cess_dht::{AuthorizationPolicy, Decision, FragmentRoot, PeerId};
use cess_runtime::AccountId;
use pallet_file_bank::AssignmentKind;
use std::{
	collections::HashSet,
	sync::{Arc, Mutex, RwLock},
	time::{Duration, Instant},
};

/// Shortest time between two refreshes triggered by unknown roots.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_millis(500);

/// The roots this miner may accept, shared between the worker and the network.
#[derive(Default)]
pub struct Assigned {
	roots: RwLock<HashSet<FragmentRoot>>,
}

impl Assigned {
	/// Replaces the set with the roots assigned for upload in `assignments`.
	pub fn replace(&self, assignments: &[crate::chain_api::Assignment]) {
		let roots = assignments
			.iter()
			.filter(|a| a.kind == AssignmentKind::Upload)
			.map(|a| a.hash.0)
			.collect();
		*self.roots.write().unwrap_or_else(|e| e.into_inner()) = roots;
	}

	/// Whether `root` is assigned here.
	pub fn contains(&self, root: &FragmentRoot) -> bool {
		self.roots.read().unwrap_or_else(|e| e.into_inner()).contains(root)
	}
}

/// The miner's [`AuthorizationPolicy`]: PUTs of assigned roots only.
pub struct ChainPolicy {
	assigned: Arc<Assigned>,
	chain: Arc<ChainClient>,
	miner: AccountId,
	runtime: tokio::runtime::Handle,
	last_refresh: Mutex<Option<Instant>>,
}

impl ChainPolicy {
	/// A policy for `miner` over the shared set, refreshing it from `chain` on a miss.
	pub fn new(
		assigned: Arc<Assigned>,
		chain: Arc<ChainClient>,
		miner: AccountId,
		runtime: tokio::runtime::Handle,
	) -> Self {
		Self { assigned, chain, miner, runtime, last_refresh: Mutex::new(None) }
	}

	/// Re-reads the assignments, at most once per [`MIN_REFRESH_INTERVAL`].
	fn refresh(&self) {
		{
			let mut last = self.last_refresh.lock().unwrap_or_else(|e| e.into_inner());
			if last.is_some_and(|at| at.elapsed() < MIN_REFRESH_INTERVAL) {
				return;
			}
			*last = Some(Instant::now());
		}
		// The network asks the policy from a blocking thread, where blocking on the runtime is
		// allowed.
		match self.runtime.block_on(self.chain.miner_assignments(&self.miner)) {
			Ok(assignments) => self.assigned.replace(&assignments),
			Err(e) => log::warn!(target: "miner", "cannot refresh the assignments: {e}"),
		}
	}
}

impl AuthorizationPolicy for ChainPolicy {
	fn may_put(&self, _peer: &PeerId, root: &FragmentRoot, _size: u64) -> Decision {
		if self.assigned.contains(root) {
			return Decision::Allow;
		}
		self.refresh();
		if self.assigned.contains(root) {
			Decision::Allow
		} else {
			Decision::Deny(format!(
				"fragment {} is not assigned to this miner",
				cess_dht::root_to_hex(root)
			))
		}
	}
}
