//! What the miner's policy reads: the chain head (the chain's genesis and the block the miner
//! is at), the roots assigned to the miner for upload, and the chain reads behind its caches.

use crate::{
	chain_api::{Assignment, File, Placement},
	chain_client::ChainClient,
};
use cess_dht::FragmentRoot;
use cess_primitives::{chain::BlockNumber, FileHash};
use cess_runtime::AccountId;
use futures::future::BoxFuture;
use pallet_file_bank::{AssignmentKind, FragmentIndex};
use std::{
	collections::HashMap,
	sync::{
		atomic::{AtomicU32, Ordering},
		RwLock,
	},
};

/// The chain's genesis hash and its best block as the miner last saw it, shared between the
/// task that follows new blocks and the policy (tickets are bound to the genesis and expire at
/// a block).
pub struct ChainHead {
	genesis: [u8; 32],
	best: AtomicU32,
}

impl ChainHead {
	/// The head of the chain of `genesis`, at block `best`.
	pub fn new(genesis: [u8; 32], best: BlockNumber) -> Self {
		Self { genesis, best: AtomicU32::new(best) }
	}

	/// The chain's genesis hash.
	pub fn genesis(&self) -> &[u8; 32] {
		&self.genesis
	}

	/// The best block last seen.
	pub fn best(&self) -> BlockNumber {
		self.best.load(Ordering::Acquire)
	}

	/// Records a new best block.
	pub fn set_best(&self, best: BlockNumber) {
		self.best.store(best, Ordering::Release);
	}
}

/// The roots this miner may accept, each with the files it is assigned for, shared between the
/// worker (which refreshes it at every block) and the network.
#[derive(Default)]
pub struct Assigned {
	roots: RwLock<HashMap<FragmentRoot, Vec<FileHash>>>,
}

impl Assigned {
	/// Replaces the set with the roots assigned for upload in `assignments`.
	pub fn replace(&self, assignments: &[Assignment]) {
		let mut roots: HashMap<FragmentRoot, Vec<FileHash>> = HashMap::new();
		// Two files may share a root (anyone can declare roots copied from the chain), so a
		// root keeps every file it is assigned for and the ticket must name one of them.
		for assignment in assignments.iter().filter(|a| a.kind == AssignmentKind::Upload) {
			let files = roots.entry(assignment.hash.0).or_default();
			if !files.contains(&assignment.file) {
				files.push(assignment.file);
			}
		}
		*self.roots.write().unwrap_or_else(|e| e.into_inner()) = roots;
	}

	/// The files `root` is assigned here for; `None` if it is not assigned here.
	pub fn files_of(&self, root: &FragmentRoot) -> Option<Vec<FileHash>> {
		self.roots.read().unwrap_or_else(|e| e.into_inner()).get(root).cloned()
	}
}

/// Where the policy reads the chain: the node ([`ChainClient`]), or a fake in tests.
pub trait ChainSource: Send + Sync + 'static {
	/// Every fragment waiting for `miner`'s confirmation.
	fn assignments<'a>(
		&'a self,
		miner: &'a AccountId,
	) -> BoxFuture<'a, Result<Vec<Assignment>, String>>;

	/// A file's state and owners; `None` if the chain has no such file.
	fn file(&self, file: FileHash) -> BoxFuture<'_, Result<Option<File>, String>>;

	/// Fragments `start..end` of a file's placement.
	fn placement(
		&self,
		file: FileHash,
		start: FragmentIndex,
		end: FragmentIndex,
	) -> BoxFuture<'_, Result<Vec<Placement>, String>>;
}

impl ChainSource for ChainClient {
	fn assignments<'a>(
		&'a self,
		miner: &'a AccountId,
	) -> BoxFuture<'a, Result<Vec<Assignment>, String>> {
		Box::pin(async move { self.miner_assignments(miner).await.map_err(|e| e.to_string()) })
	}

	fn file(&self, file: FileHash) -> BoxFuture<'_, Result<Option<File>, String>> {
		Box::pin(async move { ChainClient::file(self, file).await.map_err(|e| e.to_string()) })
	}

	fn placement(
		&self,
		file: FileHash,
		start: FragmentIndex,
		end: FragmentIndex,
	) -> BoxFuture<'_, Result<Vec<Placement>, String>> {
		Box::pin(async move {
			ChainClient::placement(self, file, start, end).await.map_err(|e| e.to_string())
		})
	}
}
