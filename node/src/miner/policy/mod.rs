//! Who may store and read what on this miner: the owners' access tickets, checked against the
//! chain's assignments and placement.
//!
//! Every request carries an [`AccessProof`] (its bytes, `auth`), checked here before the
//! storage network reserves anything for it:
//! - **PUT** of root `R` of `size` bytes: an [`AccessTicket`] granting PUT to the asking peer,
//!   signed by an owner of the file `R` is assigned to this miner for upload (the chain placed
//!   it here and waits for its confirmation), and `size` is the layout's fragment size. A
//!   repair proof is refused: miners rebuild repairs themselves.
//! - **GET** of root `R` with a ticket: the ticket grants GET to the asking peer, is signed by
//!   an owner of its file, and `R` is a fragment of that file placed on this miner (a ticket
//!   for one file reads no other file's fragments).
//! - **GET** of root `R` with [`AccessProof::Repair`] for file `F`: `R` is a fragment of `F`
//!   placed on this miner, and the asking PeerId is the one registered by a miner that the
//!   chain assigned to repair a fragment of the same segment (pending, kind `Repair`).
//!
//! Checks run cheapest first: decoding the proof, then what needs no chain state (size, then
//! [`AccessTicket::check`]: the ticket's peer, file, rights, expiry, a lifetime of at most a day
//! from the miner's best block, and the signature), then chain reads. Every chain read runs on
//! the network's blocking thread, bounded in time by [`REFRESH_TIMEOUT`] (a node that does not
//! answer gets the request refused, never a thread stuck), and in number:
//! - the upload assignments are the set the worker refreshes at every block; a PUT for a root
//!   not in it triggers one refresh before it is refused (a client may push right after its
//!   declaration's block), at most one per [`MIN_REFRESH_INTERVAL`] whatever the flood;
//! - a file's view (owners, state) and its placement as it concerns this miner are kept in
//!   [`BlockCache`]s of [`MAX_CACHED_FILES`] and [`MAX_CACHED_PLACEMENTS`] files, each read at
//!   most once per block. A flood of requests naming random files therefore costs at most one
//!   bounded read per file per block (a file view; for a repair GET of a file that exists, also
//!   its placement, at most `MaxSegments × MaxShards / MAX_PAGE` pages), and the caches'
//!   memory, never a growing map. A ticket GET reads a placement only once the ticket's
//!   signature and its signer's ownership passed: only owners make the miner read their files.
//!
//! What changes on chain is seen from the next block on, when the caches are read again: an
//! owner who deletes a file loses access one block later at most.

mod cache;
mod source;
#[cfg(test)]
mod tests;

pub use source::{Assigned, ChainHead, ChainSource};

use crate::chain_client::ChainClient;
use cache::BlockCache;
use cess_dht::{AuthorizationPolicy, Decision, FragmentRoot, PeerId, Principal};
use cess_primitives::{
	access::{AccessError, AccessProof, AccessTicket, Rights},
	chain::BlockNumber,
	FileHash, FileLayout,
};
use cess_runtime::{AccountId, Runtime};
use frame_support::traits::Get;
use pallet_file_bank::{AssignmentKind, FileState, FragmentIndex, FragmentStatus};
use std::{
	collections::HashMap,
	future::Future,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

/// Shortest time between two refreshes of the assignments triggered by unknown roots.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_millis(500);

/// Longest wait for one chain read (well inside the uploader's 20 s idle timeout, so the
/// requester hears the refusal).
pub const REFRESH_TIMEOUT: Duration = Duration::from_secs(10);

/// Files whose view the policy keeps: at most 16 owners each, under 1 KiB a file.
const MAX_CACHED_FILES: usize = 1024;

/// Files whose placement on this miner the policy keeps: a file has at most `MaxSegments ×
/// MaxShards` (4096) fragments, so at most ≈ 0.3 MiB a file if every one is placed here.
const MAX_CACHED_PLACEMENTS: usize = 128;

/// What the policy keeps of a file's view.
struct FileFacts {
	owners: Vec<AccountId>,
	removing: bool,
	fragments: FragmentIndex,
}

/// What the policy keeps of a file's placement: the fragments on this miner and the repairs
/// in flight.
#[derive(Default)]
struct PlacementFacts {
	/// The file's fragments placed on this miner, each with its segment(s) (a hostile
	/// declaration may repeat a root).
	mine: HashMap<FragmentRoot, Vec<u32>>,
	/// Per segment, the PeerIds (bytes) of the miners assigned to repair one of its fragments.
	repairers: HashMap<u32, Vec<Vec<u8>>>,
}

impl PlacementFacts {
	/// The facts of `entries` for miner `me`.
	fn new(entries: &[crate::chain_api::Placement], me: &AccountId) -> Self {
		let mut facts = Self::default();
		for entry in entries {
			if &entry.miner == me {
				facts.mine.entry(entry.hash.0).or_default().push(entry.segment);
			}
			if let (FragmentStatus::Pending { kind: AssignmentKind::Repair, .. }, Some(peer)) =
				(&entry.status, &entry.peer_id)
			{
				facts.repairers.entry(entry.segment).or_default().push(peer.clone());
			}
		}
		facts
	}
}

/// The miner's [`AuthorizationPolicy`]: see the [module](self).
pub struct ChainPolicy<S: ChainSource = ChainClient> {
	assigned: Arc<Assigned>,
	head: Arc<ChainHead>,
	source: Arc<S>,
	miner: AccountId,
	/// The only size a PUT may have: the chain layout's fragment size.
	fragment_size: u64,
	runtime: tokio::runtime::Handle,
	refresh_timeout: Duration,
	/// When the last refresh of the assignments ended; held during a refresh, so PUTs that
	/// miss together wait for one refresh instead of being refused while it runs.
	last_refresh: Mutex<Option<Instant>>,
	files: BlockCache<Option<FileFacts>>,
	placements: BlockCache<PlacementFacts>,
}

impl<S: ChainSource> ChainPolicy<S> {
	/// The policy of `miner` over the shared assignments and head, reading `source` (on
	/// `runtime`) for the rest; PUTs must be fragments of `layout`.
	pub fn new(
		assigned: Arc<Assigned>,
		head: Arc<ChainHead>,
		source: Arc<S>,
		miner: AccountId,
		layout: FileLayout,
		runtime: tokio::runtime::Handle,
	) -> Self {
		Self {
			assigned,
			head,
			source,
			miner,
			fragment_size: u64::from(layout.fragment_size()),
			runtime,
			refresh_timeout: REFRESH_TIMEOUT,
			last_refresh: Mutex::new(None),
			files: BlockCache::new(MAX_CACHED_FILES),
			placements: BlockCache::new(MAX_CACHED_PLACEMENTS),
		}
	}

	/// The same policy with another bound on a chain read.
	#[cfg(test)]
	fn with_refresh_timeout(mut self, timeout: Duration) -> Self {
		self.refresh_timeout = timeout;
		self
	}

	/// Waits for a chain read, at most the refresh timeout. The network asks the policy from
	/// a blocking thread, where blocking on the runtime is allowed.
	fn read<T>(&self, read: impl Future<Output = Result<T, String>>) -> Result<T, String> {
		match self.runtime.block_on(tokio::time::timeout(self.refresh_timeout, read)) {
			Ok(result) => result,
			Err(_) => Err(format!("no answer from the node within {:?}", self.refresh_timeout)),
		}
	}

	/// Re-reads the assignments, unless a refresh ended less than [`MIN_REFRESH_INTERVAL`] ago.
	fn refresh(&self) {
		let mut last = self.last_refresh.lock().unwrap_or_else(|e| e.into_inner());
		if last.is_some_and(|at| at.elapsed() < MIN_REFRESH_INTERVAL) {
			return;
		}
		match self.read(self.source.assignments(&self.miner)) {
			Ok(assignments) => self.assigned.replace(&assignments),
			Err(e) => log::warn!(target: "miner", "cannot refresh the assignments: {e}"),
		}
		*last = Some(Instant::now());
	}

	/// The files `root` is assigned here for upload, refreshing the set once if it is not in it.
	fn assigned_files(&self, root: &FragmentRoot) -> Result<Vec<FileHash>, String> {
		if let Some(files) = self.assigned.files_of(root) {
			return Ok(files);
		}
		self.refresh();
		self.assigned.files_of(root).ok_or_else(|| {
			format!("fragment {} is not assigned to this miner", cess_dht::root_to_hex(root))
		})
	}

	/// `file`'s view as of block `now` (`None`: the chain has no such file).
	fn file_facts(
		&self,
		file: &FileHash,
		now: BlockNumber,
	) -> Result<Arc<Option<FileFacts>>, String> {
		self.files.get_or_load(file, now, || {
			let view = self
				.read(self.source.file(*file))
				.map_err(|e| format!("cannot read file {file} from the chain: {e}"))?;
			Ok(view.map(|view| FileFacts {
				removing: matches!(view.state, FileState::Removing { .. }),
				owners: view.owners,
				fragments: view.fragments,
			}))
		})
	}

	/// `file`'s placement as it concerns this miner, as of block `now`.
	fn placement_facts(
		&self,
		file: &FileHash,
		now: BlockNumber,
	) -> Result<Arc<PlacementFacts>, String> {
		self.placements.get_or_load(file, now, || {
			let facts = self.file_facts(file, now)?;
			let Some(facts) = facts.as_ref() else { return Ok(PlacementFacts::default()) };
			// A node's answer is not trusted to bound the walk through the placement.
			if facts.fragments > max_fragments() {
				return Err(format!(
					"the chain shows file {file} with {} fragments, more than a file may have",
					facts.fragments
				));
			}
			let entries = self
				.read(self.source.placement(*file, 0, facts.fragments))
				.map_err(|e| format!("cannot read the placement of file {file}: {e}"))?;
			Ok(PlacementFacts::new(&entries, &self.miner))
		})
	}

	/// Whether `ticket` lets `peer` do `needed` on `file` at block `now`: every check that
	/// needs no chain state, then its signer's ownership on chain — for an upload, the
	/// declarer's (the first owner): anyone may become a co-owner of a pending file by declaring
	/// it too, and must not thereby race the declarer's client for its roots. The signer is the
	/// principal the transfer is counted against.
	fn check_ticket(
		&self,
		ticket: &AccessTicket,
		peer: &PeerId,
		file: &FileHash,
		needed: Rights,
		now: BlockNumber,
	) -> Result<Principal, String> {
		ticket
			.check(self.head.genesis(), &peer.to_bytes(), file, needed, now)
			.map_err(|e| e.to_string())?;
		let facts = self.file_facts(file, now)?;
		let Some(facts) = facts.as_ref() else {
			return Err(format!("file {file} is not on chain"));
		};
		if facts.removing {
			return Err(format!("file {file} is being deleted"));
		}
		if !facts.owners.contains(&ticket.signer) {
			return Err("the ticket's signer does not own the file".into());
		}
		if needed.contains(Rights::PUT) && facts.owners.first() != Some(&ticket.signer) {
			return Err("only the file's declarer uploads its fragments; the ticket's signer is \
			            a later owner"
				.into());
		}
		Ok(ticket.signer.clone().into())
	}

	/// May `peer` store `size` bytes as fragment `root` here, with proof `auth`?
	fn check_put(
		&self,
		peer: &PeerId,
		root: &FragmentRoot,
		size: u64,
		auth: &[u8],
	) -> Result<Option<Principal>, String> {
		let ticket = match AccessProof::from_bytes(auth).map_err(|e| e.to_string())? {
			AccessProof::Ticket(ticket) => ticket,
			AccessProof::Repair { .. } => return Err(AccessError::TicketRequired.to_string()),
		};
		if size != self.fragment_size {
			return Err(format!(
				"PUT size must equal the layout's fragment size ({} bytes), not {size}",
				self.fragment_size
			));
		}
		if !self.assigned_files(root)?.contains(&ticket.file) {
			return Err(format!(
				"{}: fragment {} is assigned here for another file",
				AccessError::WrongFile,
				cess_dht::root_to_hex(root)
			));
		}
		self.check_ticket(&ticket, peer, &ticket.file, Rights::PUT, self.head.best()).map(Some)
	}

	/// May `peer` read fragment `root` from here, with proof `auth`? An owner's read is counted
	/// against the owner; a repairer's only against its PeerId (the chain binds it to a miner).
	fn check_get(
		&self,
		peer: &PeerId,
		root: &FragmentRoot,
		auth: &[u8],
	) -> Result<Option<Principal>, String> {
		let now = self.head.best();
		let not_here = |file: &FileHash| {
			format!(
				"fragment {} is not a fragment of file {file} placed on this miner",
				cess_dht::root_to_hex(root)
			)
		};
		match AccessProof::from_bytes(auth).map_err(|e| e.to_string())? {
			AccessProof::Ticket(ticket) => {
				let owner = self.check_ticket(&ticket, peer, &ticket.file, Rights::GET, now)?;
				let placed = self.placement_facts(&ticket.file, now)?;
				if placed.mine.contains_key(root) {
					Ok(Some(owner))
				} else {
					Err(not_here(&ticket.file))
				}
			}
			AccessProof::Repair { file } => {
				let placed = self.placement_facts(&file, now)?;
				let segments = placed.mine.get(root).ok_or_else(|| not_here(&file))?;
				let peer_bytes = peer.to_bytes();
				let repairing = segments.iter().any(|segment| {
					placed.repairers.get(segment).is_some_and(|peers| peers.contains(&peer_bytes))
				});
				if repairing {
					Ok(None)
				} else {
					Err(format!(
						"peer {peer} is not assigned to repair a fragment of the segment of \
						 fragment {} of file {file}",
						cess_dht::root_to_hex(root)
					))
				}
			}
		}
	}
}

/// Most fragments a file may have: `MaxSegments × MaxShards`.
fn max_fragments() -> FragmentIndex {
	let segments: u32 = <Runtime as pallet_file_bank::Config>::MaxSegments::get();
	let shards: u32 = <Runtime as pallet_file_bank::Config>::MaxShards::get();
	segments.saturating_mul(shards)
}

/// The decision for a check's outcome, the refusal logged.
fn decision(
	operation: &str,
	peer: &PeerId,
	outcome: Result<Option<Principal>, String>,
) -> Decision {
	match outcome {
		Ok(None) => Decision::Allow,
		Ok(Some(principal)) => Decision::AllowFor(principal),
		Err(reason) => {
			log::debug!(target: "miner", "refused a {operation} from {peer}: {reason}");
			Decision::Deny(reason)
		}
	}
}

impl<S: ChainSource> AuthorizationPolicy for ChainPolicy<S> {
	fn may_put(&self, peer: &PeerId, root: &FragmentRoot, size: u64, auth: &[u8]) -> Decision {
		decision("PUT", peer, self.check_put(peer, root, size, auth))
	}

	fn may_get(&self, peer: &PeerId, root: &FragmentRoot, auth: &[u8]) -> Decision {
		decision("GET", peer, self.check_get(peer, root, auth))
	}
}
