//! Who may store what on this miner: the chain's assignments.
//!
//! A PUT of root `R` is accepted only while the chain has a fragment with root `R` assigned to
//! this miner for upload and waiting for its confirmation. The worker refreshes the set at every
//! block; a PUT for a root not (yet) in the set triggers one refresh from the chain before it is
//! refused, so a client that pushes right after its declaration's block is not turned away by a
//! stale cache. The refresh is bounded by [`REFRESH_TIMEOUT`]: a node that does not answer gets
//! the PUT refused, never a network thread stuck. GETs are open: fragments are ciphertext, and
//! any client or repairing miner may fetch them.

use crate::{chain_api::Assignment, chain_client::ChainClient};
use cess_dht::{AuthorizationPolicy, Decision, FragmentRoot, PeerId};
use cess_runtime::AccountId;
use futures::future::BoxFuture;
use pallet_file_bank::AssignmentKind;
use std::{
	collections::HashSet,
	sync::{Arc, Mutex, RwLock},
	time::{Duration, Instant},
};

/// Shortest time between two refreshes triggered by unknown roots.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_millis(500);

/// Longest wait for the chain's assignments when a PUT names an unknown root (well inside the
/// uploader's 20 s idle timeout, so the uploader hears the refusal).
pub const REFRESH_TIMEOUT: Duration = Duration::from_secs(10);

/// The roots this miner may accept, shared between the worker and the network.
#[derive(Default)]
pub struct Assigned {
	roots: RwLock<HashSet<FragmentRoot>>,
}

impl Assigned {
	/// Replaces the set with the roots assigned for upload in `assignments`.
	pub fn replace(&self, assignments: &[Assignment]) {
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

/// Where the policy reads a miner's assignments from: the chain ([`ChainClient`]), or a fake in
/// tests.
pub trait AssignmentSource: Send + Sync + 'static {
	/// Every fragment waiting for `miner`'s confirmation.
	fn assignments<'a>(
		&'a self,
		miner: &'a AccountId,
	) -> BoxFuture<'a, Result<Vec<Assignment>, String>>;
}

impl AssignmentSource for ChainClient {
	fn assignments<'a>(
		&'a self,
		miner: &'a AccountId,
	) -> BoxFuture<'a, Result<Vec<Assignment>, String>> {
		Box::pin(async move { self.miner_assignments(miner).await.map_err(|e| e.to_string()) })
	}
}

/// The miner's [`AuthorizationPolicy`]: PUTs of assigned roots only.
pub struct ChainPolicy<S: AssignmentSource = ChainClient> {
	assigned: Arc<Assigned>,
	source: Arc<S>,
	miner: AccountId,
	runtime: tokio::runtime::Handle,
	refresh_timeout: Duration,
	/// When the last refresh ended; held during a refresh, so PUTs that miss together wait for
	/// one refresh instead of being refused while it runs.
	last_refresh: Mutex<Option<Instant>>,
}

impl<S: AssignmentSource> ChainPolicy<S> {
	/// A policy for `miner` over the shared set, refreshing it from `source` on a miss.
	pub fn new(
		assigned: Arc<Assigned>,
		source: Arc<S>,
		miner: AccountId,
		runtime: tokio::runtime::Handle,
	) -> Self {
		Self {
			assigned,
			source,
			miner,
			runtime,
			refresh_timeout: REFRESH_TIMEOUT,
			last_refresh: Mutex::new(None),
		}
	}

	/// The same policy with another bound on a refresh.
	#[cfg(test)]
	fn with_refresh_timeout(mut self, timeout: Duration) -> Self {
		self.refresh_timeout = timeout;
		self
	}

	/// Re-reads the assignments, unless a refresh ended less than [`MIN_REFRESH_INTERVAL`] ago.
	fn refresh(&self) {
		let mut last = self.last_refresh.lock().unwrap_or_else(|e| e.into_inner());
		if last.is_some_and(|at| at.elapsed() < MIN_REFRESH_INTERVAL) {
			return;
		}
		// The network asks the policy from a blocking thread, where blocking on the runtime is
		// allowed.
		let read = tokio::time::timeout(self.refresh_timeout, self.source.assignments(&self.miner));
		match self.runtime.block_on(read) {
			Ok(Ok(assignments)) => self.assigned.replace(&assignments),
			Ok(Err(e)) => log::warn!(target: "miner", "cannot refresh the assignments: {e}"),
			Err(_) => log::warn!(
				target: "miner",
				"cannot refresh the assignments: no answer from the node within {:?}",
				self.refresh_timeout
			),
		}
		*last = Some(Instant::now());
	}
}

impl<S: AssignmentSource> AuthorizationPolicy for ChainPolicy<S> {
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

#[cfg(test)]
mod tests {
	use super::*;
	use cess_primitives::{FileHash, FragmentHash};
	use std::sync::atomic::{AtomicUsize, Ordering};

	/// A chain that answers with `assignments` (after `delay`), counting the reads.
	struct FakeChain {
		assignments: Mutex<Result<Vec<Assignment>, String>>,
		delay: Duration,
		reads: AtomicUsize,
	}

	impl FakeChain {
		fn new(assignments: Vec<Assignment>, delay: Duration) -> Arc<Self> {
			Arc::new(Self {
				assignments: Mutex::new(Ok(assignments)),
				delay,
				reads: AtomicUsize::new(0),
			})
		}
	}

	impl AssignmentSource for FakeChain {
		fn assignments<'a>(
			&'a self,
			_miner: &'a AccountId,
		) -> BoxFuture<'a, Result<Vec<Assignment>, String>> {
			Box::pin(async move {
				self.reads.fetch_add(1, Ordering::SeqCst);
				tokio::time::sleep(self.delay).await;
				self.assignments.lock().unwrap().clone()
			})
		}
	}

	fn assignment(root: u8, kind: AssignmentKind) -> Assignment {
		Assignment {
			file: FileHash([9; 32]),
			index: u32::from(root),
			hash: FragmentHash([root; 32]),
			deadline: 100,
			kind,
		}
	}

	/// Asks `policy` about a PUT of `root` from a blocking thread, as the network does.
	fn may_put<S: AssignmentSource>(
		runtime: &tokio::runtime::Runtime,
		policy: &Arc<ChainPolicy<S>>,
		root: u8,
	) -> Decision {
		let policy = policy.clone();
		runtime
			.block_on(
				runtime.spawn_blocking(move || {
					policy.may_put(&PeerId::random(), &[root; 32], 8 << 20)
				}),
			)
			.unwrap()
	}

	fn runtime() -> tokio::runtime::Runtime {
		tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
	}

	#[test]
	fn only_fragments_assigned_for_upload_are_accepted() {
		let runtime = runtime();
		let chain = FakeChain::new(
			vec![assignment(1, AssignmentKind::Upload), assignment(2, AssignmentKind::Repair)],
			Duration::ZERO,
		);
		let assigned = Arc::new(Assigned::default());
		let policy = Arc::new(ChainPolicy::new(
			assigned.clone(),
			chain.clone(),
			AccountId::new([3; 32]),
			runtime.handle().clone(),
		));

		// Not in the cache yet: one read of the chain, then accepted.
		assert_eq!(may_put(&runtime, &policy, 1), Decision::Allow);
		assert_eq!(chain.reads.load(Ordering::SeqCst), 1);
		// In the cache now: no read.
		assert_eq!(may_put(&runtime, &policy, 1), Decision::Allow);
		assert_eq!(chain.reads.load(Ordering::SeqCst), 1);
		// A root the chain never assigned here, and one assigned for repair (the miner rebuilds
		// those itself): refused, naming the root.
		std::thread::sleep(MIN_REFRESH_INTERVAL);
		match may_put(&runtime, &policy, 7) {
			Decision::Deny(reason) => {
				assert!(reason.contains("not assigned"), "{reason}");
				assert!(reason.contains(&cess_dht::root_to_hex(&[7; 32])), "{reason}");
			}
			Decision::Allow => panic!("an unassigned root was accepted"),
		}
		assert!(matches!(may_put(&runtime, &policy, 2), Decision::Deny(_)));
		// Misses close together share one read of the chain.
		assert_eq!(chain.reads.load(Ordering::SeqCst), 2);

		// The assignment ends (confirmed or moved): the worker's refresh drops it.
		assigned.replace(&[]);
		std::thread::sleep(MIN_REFRESH_INTERVAL);
		*chain.assignments.lock().unwrap() = Ok(vec![]);
		assert!(matches!(may_put(&runtime, &policy, 1), Decision::Deny(_)));
	}

	#[test]
	fn a_chain_that_fails_or_does_not_answer_gets_the_put_refused() {
		let runtime = runtime();
		let chain = FakeChain::new(vec![assignment(1, AssignmentKind::Upload)], Duration::ZERO);
		*chain.assignments.lock().unwrap() = Err("connection reset".into());
		let policy = Arc::new(ChainPolicy::new(
			Arc::new(Assigned::default()),
			chain,
			AccountId::new([3; 32]),
			runtime.handle().clone(),
		));
		assert!(matches!(may_put(&runtime, &policy, 1), Decision::Deny(_)));

		// A node that never answers: refused once the timeout is over, not stuck.
		let silent = FakeChain::new(vec![assignment(1, AssignmentKind::Upload)], Duration::MAX);
		let policy = Arc::new(
			ChainPolicy::new(
				Arc::new(Assigned::default()),
				silent,
				AccountId::new([3; 32]),
				runtime.handle().clone(),
			)
			.with_refresh_timeout(Duration::from_millis(300)),
		);
		let started = Instant::now();
		assert!(matches!(may_put(&runtime, &policy, 1), Decision::Deny(_)));
		let waited = started.elapsed();
		assert!(
			(Duration::from_millis(300)..Duration::from_secs(5)).contains(&waited),
			"waited {waited:?}"
		);
	}
}
