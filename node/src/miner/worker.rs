//! The storage miner's worker: at every new block it reconciles the fragment store with the
//! chain (registration, confirmations, repairs, clean-up). Audit challenges are answered by the
//! [`Auditor`], a task of its own started beside it.

use super::{
	auditor::Auditor, keys, policy::Assigned, policy::ChainPolicy, submitter::Submitter,
	MinerConfig,
};
use crate::{
	chain_api::Assignment,
	chain_client::{ChainClient, ChainError, TxSigner, WaitFor},
	fragment_verifier::MerkleRootVerifier,
	storage_net::{fetch_segment, MinerDirectory},
};
use cess_dht::{DiskStore, Event, FragmentRoot, FragmentStore, KademliaMode, Keypair, Multiaddr};
use cess_primitives::{
	codec::rebuild_fragments, FileHash, FileLayout, FragmentHash, SegmentManifest,
};
use cess_runtime::{AccountId, RuntimeCall};
use pallet_file_bank::{AssignmentKind, FragmentIndex};
use sp_runtime::{BoundedVec, MultiAddress};
use std::{
	collections::{BTreeMap, HashMap, HashSet},
	sync::Arc,
	time::Duration,
};

const LOG: &str = "miner";
/// How often the worker looks for a new block (a stored fragment wakes it earlier).
const POLL: Duration = Duration::from_secs(2);
/// Blocks before a confirmation that has not landed is sent again.
const RESEND_AFTER: u32 = 10;
/// Blocks between checks of the on-chain registration.
const REGISTRATION_CHECK: u32 = 50;
/// Blocks between clean-up passes; a fragment is removed when two passes in a row find it
/// unplaced.
const CLEANUP_EVERY: u32 = 10;
/// Longest wait for one of the miner's transactions to be included.
const TX_TIMEOUT: Duration = Duration::from_secs(90);
/// Most confirmations in one transaction (the runtime's `MaxConfirmations`).
const MAX_CONFIRMATIONS: usize = 256;

/// Runs the miner until the node stops; returns (ending the essential task, and with it the
/// node) only on an error that retrying cannot fix.
pub async fn run(
	config: MinerConfig,
	signer: Arc<dyn TxSigner>,
	network_key: Keypair,
	registry: Option<substrate_prometheus_endpoint::Registry>,
) {
	match Worker::start(config, signer, network_key, registry).await {
		Ok((worker, auditor, events)) => {
			let mut auditor = tokio::spawn(auditor.run());
			tokio::select! {
				_ = worker.run(events) => {}
				_ = &mut auditor => log::error!(target: LOG, "the storage miner's auditor stopped"),
			}
			auditor.abort();
		}
		Err(e) => log::error!(target: LOG, "the storage miner cannot start: {e}"),
	}
}

struct Worker {
	chain: Arc<ChainClient>,
	/// The miner account's transactions (shared with the auditor).
	submitter: Arc<Submitter>,
	me: AccountId,
	network_key: Keypair,
	space: u64,
	addresses: Vec<Multiaddr>,
	layout: FileLayout,
	dht: cess_dht::Client,
	store: Arc<DiskStore>,
	assigned: Arc<Assigned>,
	directory: MinerDirectory,
	/// Block of the last step.
	last_block: u32,
	/// Next block at which the registration is checked.
	registration_due: u32,
	/// Confirmations sent and not yet seen on chain, with the block they were sent at.
	sent: HashMap<(FileHash, FragmentIndex), u32>,
	/// Repairs that failed, with the block of the failure (retried after `RESEND_AFTER`).
	failed_repairs: HashMap<(FileHash, FragmentIndex), u32>,
	/// Fragments found unplaced by the last clean-up pass.
	unplaced: HashSet<FragmentRoot>,
	next_cleanup: u32,
	/// The chain had a record of this miner; its disappearance then means it withdrew.
	seen_record: bool,
}

impl Worker {
	async fn start(
		config: MinerConfig,
		signer: Arc<dyn TxSigner>,
		network_key: Keypair,
		registry: Option<substrate_prometheus_endpoint::Registry>,
	) -> Result<(Self, Auditor, tokio::sync::mpsc::Receiver<Event>), String> {
		// The node's RPC server starts with the node: wait for it.
		let chain = loop {
			match ChainClient::connect(&config.rpc_url).await {
				Ok(chain) => break Arc::new(chain),
				Err(ChainError::RuntimeMismatch { .. }) => {
					return Err("the node's runtime is not the one this binary embeds".into())
				}
				Err(e) => {
					log::debug!(target: LOG, "waiting for the node's RPC at {}: {e}", config.rpc_url);
					tokio::time::sleep(Duration::from_secs(1)).await;
				}
			}
		};
		let layout = chain.layout().await.map_err(|e| e.to_string())?;
		let verifier = Arc::new(MerkleRootVerifier::new(layout));
		let store = Arc::new(
			DiskStore::open(config.dir.join("fragments"), verifier.clone())
				.map_err(|e| format!("cannot open the fragment store: {e}"))?,
		);
		let me = signer.account();
		let submitter = Arc::new(Submitter::new(chain.clone(), signer));
		let auditor = Auditor::new(chain.clone(), submitter.clone(), me.clone(), store.clone());
		let assigned = Arc::new(Assigned::default());
		let policy = Arc::new(ChainPolicy::new(
			assigned.clone(),
			chain.clone(),
			me.clone(),
			tokio::runtime::Handle::current(),
		));
		let mut dht_config = cess_dht::Config {
			listen_addresses: config.listen.clone(),
			external_addresses: config.params.miner_public_addr.clone(),
			bootstrap_peers: config.params.miner_bootnodes.clone(),
			kademlia_mode: KademliaMode::Server,
			..Default::default()
		};
		// A fragment of the chain's layout, whatever the default limit.
		dht_config.limits.max_fragment_size =
			dht_config.limits.max_fragment_size.max(u64::from(layout.fragment_size()));
		let (dht, service, events) = cess_dht::new(cess_dht::Params {
			config: dht_config,
			keypair: network_key.clone(),
			store: store.clone(),
			policy,
			verifier,
			registry,
		})
		.map_err(|e| format!("cannot start the storage network: {e}"))?;
		tokio::spawn(service.run());
		let addresses = if config.params.miner_public_addr.is_empty() {
			dht.listen_addresses().await.map_err(|e| e.to_string())?
		} else {
			config.params.miner_public_addr.clone()
		};
		log::info!(
			target: LOG,
			"💾 storage miner {me} (PeerId {}) serving {} on {:?}; fragment roots hashed with {}",
			dht.local_peer_id(),
			config.dir.join("fragments").display(),
			addresses.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
			cess_primitives::merkle::hash_backend(),
		);
		Ok((
			Self {
				chain,
				submitter,
				me,
				network_key,
				space: config.params.miner_space,
				addresses,
				layout,
				dht,
				store,
				assigned,
				directory: MinerDirectory::default(),
				last_block: 0,
				registration_due: 0,
				sent: HashMap::new(),
				failed_repairs: HashMap::new(),
				unplaced: HashSet::new(),
				next_cleanup: 0,
				seen_record: false,
			},
			auditor,
			events,
		))
	}

	async fn run(mut self, mut events: tokio::sync::mpsc::Receiver<Event>) {
		let mut poll = tokio::time::interval(POLL);
		poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
		loop {
			let mut woken = false;
			tokio::select! {
				_ = poll.tick() => {}
				event = events.recv() => match event {
					Some(Event::FragmentStored { root, size, .. }) => {
						log::debug!(target: LOG, "stored fragment {} ({size} bytes)", cess_dht::root_to_hex(&root));
						woken = true;
					}
					Some(Event::FragmentServed { .. }) => continue,
					None => {
						log::error!(target: LOG, "the storage network stopped");
						return;
					}
				},
			}
			let best = match self.chain.best().await {
				Ok((_, number)) => number,
				Err(e) => {
					log::warn!(target: LOG, "cannot read the best block: {e}");
					continue;
				}
			};
			if best == self.last_block && !woken {
				continue;
			}
			self.last_block = best;
			if let Err(e) = self.step(best).await {
				log::warn!(target: LOG, "{e}");
			}
		}
	}

	async fn step(&mut self, best: u32) -> Result<(), ChainError> {
		if best >= self.registration_due && self.ensure_registered().await? {
			self.registration_due = best.saturating_add(REGISTRATION_CHECK);
		}
		let assignments = self.chain.miner_assignments(&self.me).await?;
		self.assigned.replace(&assignments);
		self.confirm(best, &assignments).await;
		if best >= self.next_cleanup {
			self.next_cleanup = best.saturating_add(CLEANUP_EVERY);
			self.clean_up(&assignments).await?;
		}
		Ok(())
	}

	/// Registers the miner, or brings its PeerId and addresses up to date. `Ok(false)` when the
	/// chain refused (logged; tried again at the next block).
	async fn ensure_registered(&mut self) -> Result<bool, ChainError> {
		let (peer_public, peer_signature) =
			keys::peer_binding(&self.network_key, &self.me).map_err(ChainError::Invalid)?;
		let multiaddrs: pallet_sminer::MultiaddrsOf<cess_runtime::Runtime> =
			BoundedVec::truncate_from(
				self.addresses
					.iter()
					.filter_map(|a| BoundedVec::try_from(a.to_vec()).ok())
					.collect::<Vec<_>>(),
			);
		let mut done = "registered as storage miner";
		let record = self.chain.miner_info(&self.me).await?;
		self.seen_record |= record.is_some();
		let call = match (record, self.chain.peer_info(&self.me).await?) {
			(None, _) if self.seen_record => {
				// Registering again would lock collateral the operator just withdrew.
				log::warn!(target: LOG, "storage miner {} has withdrawn from the chain: not registering it again (restart without --storage-miner, or with it to register anew)", self.me);
				return Ok(true);
			}
			(None, _) => {
				log::info!(target: LOG, "registering storage miner {} with {} bytes", self.me, self.space);
				RuntimeCall::Sminer(pallet_sminer::Call::register {
					beneficiary: MultiAddress::Id(self.me.clone()),
					peer_public,
					peer_signature,
					multiaddrs,
					declared_space: self.space,
				})
			}
			(Some(_), Some(peer))
				if peer.peer_id == pallet_sminer::PeerId::from_ed25519(&peer_public)
					&& peer.multiaddrs == multiaddrs =>
			{
				return Ok(true)
			}
			(Some(_), _) => {
				log::info!(target: LOG, "updating the PeerId and addresses of miner {}", self.me);
				done = "updated the network record of storage miner";
				RuntimeCall::Sminer(pallet_sminer::Call::update_peer {
					peer_public,
					peer_signature,
					multiaddrs,
				})
			}
		};
		match self.submitter.submit(call, WaitFor::InBlock, TX_TIMEOUT).await {
			Ok(_) => {
				log::info!(target: LOG, "{done} {} on chain", self.me);
				Ok(true)
			}
			Err(e) => {
				log::warn!(target: LOG, "storage miner registration failed: {e}");
				Ok(false)
			}
		}
	}

	/// Confirms every assigned fragment the store holds (rebuilding repairs first), one
	/// transaction per file.
	async fn confirm(&mut self, best: u32, assignments: &[Assignment]) {
		let live: HashSet<_> = assignments.iter().map(|a| (a.file, a.index)).collect();
		self.sent.retain(|key, _| live.contains(key));
		self.failed_repairs.retain(|key, _| live.contains(key));
		let mut ready: BTreeMap<FileHash, Vec<(FragmentIndex, FragmentHash)>> = BTreeMap::new();
		for assignment in assignments {
			let key = (assignment.file, assignment.index);
			if self.sent.get(&key).is_some_and(|&at| best < at.saturating_add(RESEND_AFTER)) {
				continue;
			}
			let held = self.store.contains(&assignment.hash.0).unwrap_or(false);
			let held = match (held, assignment.kind) {
				(true, _) => true,
				(false, AssignmentKind::Upload) => false,
				(false, AssignmentKind::Repair) => {
					if self
						.failed_repairs
						.get(&key)
						.is_some_and(|&at| best < at.saturating_add(RESEND_AFTER))
					{
						continue;
					}
					match self.repair(assignment).await {
						Ok(()) => true,
						Err(e) => {
							log::warn!(target: LOG, "repair of fragment {} of file {}: {e}", assignment.index, assignment.file);
							self.failed_repairs.insert(key, best);
							false
						}
					}
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
		self.submit_all(calls).await;
	}

	/// Submits the confirmations together (consecutive nonces) and waits for them.
	async fn submit_all(&self, calls: Vec<(FileHash, usize, RuntimeCall)>) {
		let (labels, calls): (Vec<_>, Vec<_>) =
			calls.into_iter().map(|(file, count, call)| ((file, count), call)).unzip();
		let results = match self.submitter.submit_all(calls, WaitFor::InBlock, TX_TIMEOUT).await {
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

	/// Rebuilds an assigned fragment from `data_shards` others of its segment (local ones
	/// first, then the fastest miners), checks it against its root and stores it.
	async fn repair(&self, assignment: &Assignment) -> Result<(), String> {
		let layout = self.layout;
		let (segment, shard, first, end) = segment_range(&layout, assignment.index)?;
		let entries =
			self.chain.placement(assignment.file, first, end).await.map_err(|e| e.to_string())?;
		let shards = layout.total_shards();
		let consistent = entries.len() == shards as usize
			&& (first..end).zip(&entries).all(|(index, entry)| {
				entry.index == index && entry.segment == segment && entry.shard == index - first
			});
		if !consistent {
			return Err(format!(
				"the chain's placement of segment {segment} is not its {shards} fragments in order"
			));
		}
		if entries.iter().find(|e| e.index == assignment.index).map(|e| e.hash)
			!= Some(assignment.hash)
		{
			return Err("the chain's placement does not list the assigned fragment".into());
		}
		let manifest = SegmentManifest::new(entries.iter().map(|e| e.hash).collect());
		let mut available = Vec::new();
		let mut remote = Vec::new();
		for entry in entries.iter().filter(|e| e.index != assignment.index) {
			match self.store.read(&entry.hash.0) {
				Ok(Some(bytes)) => available.push((entry.shard, bytes)),
				_ if entry.miner != self.me => remote.push(entry.clone()),
				_ => {}
			}
		}
		let needed = (layout.data_shards as usize).saturating_sub(available.len());
		if needed > 0 {
			let fetched =
				fetch_segment(&self.dht, &self.chain, &self.directory, &remote, needed, None)
					.await
					.map_err(|e| e.to_string())?;
			available.extend(fetched);
		}
		// Decoding a segment is blocking work.
		let rebuilt = tokio::task::spawn_blocking(move || {
			rebuild_fragments(&layout, u64::from(segment), &manifest, &available, &[shard])
				.map_err(|e| e.to_string())
		})
		.await
		.map_err(|e| format!("the rebuilding task failed: {e}"))??;
		let bytes = rebuilt.into_iter().next().ok_or("nothing rebuilt")?;
		self.store.put(&assignment.hash.0, &bytes).map_err(|e| e.to_string())?;
		log::info!(target: LOG, "🔧 rebuilt fragment {} of file {}", assignment.index, assignment.file);
		Ok(())
	}

	/// Removes fragments the chain no longer places here (found unplaced twice in a row, so a
	/// fragment between its upload and its appearance in the lists is never touched).
	async fn clean_up(&mut self, assignments: &[Assignment]) -> Result<(), ChainError> {
		let mut placed: HashSet<FragmentRoot> = assignments.iter().map(|a| a.hash.0).collect();
		placed
			.extend(self.chain.miner_fragments(&self.me).await?.into_iter().map(|(_, f)| f.hash.0));
		let roots = match self.store.roots() {
			Ok(roots) => roots,
			Err(e) => {
				log::warn!(target: LOG, "cannot list the fragment store: {e}");
				return Ok(());
			}
		};
		let mut unplaced = HashSet::new();
		for root in roots.into_iter().filter(|root| !placed.contains(root)) {
			if self.unplaced.contains(&root) {
				match self.store.remove(&root) {
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

/// Segment of fragment `index`, its shard in the segment, and the segment's fragment indices
/// `first..end`; an error (not a panic) for a layout without shards or an index whose segment
/// ends past `u32::MAX`.
fn segment_range(layout: &FileLayout, index: u32) -> Result<(u32, u32, u32, u32), String> {
	let shards = layout.total_shards();
	let (Some(segment), Some(shard)) = (index.checked_div(shards), index.checked_rem(shards))
	else {
		return Err("the chain's layout has no shards".into());
	};
	// `segment * shards <= index`, so only the end can overflow.
	let first = segment * shards;
	let end = first
		.checked_add(shards)
		.ok_or_else(|| format!("fragment index {index} is out of range"))?;
	Ok((segment, shard, first, end))
}

#[cfg(test)]
mod tests {
	use super::segment_range;
	use cess_primitives::FileLayout;

	#[test]
	fn segment_ranges_never_divide_by_zero_or_overflow() {
		let layout =
			FileLayout { segment_size: 1 << 24, data_shards: 2, parity_shards: 2, leaf_size: 256 };
		assert_eq!(segment_range(&layout, 0), Ok((0, 0, 0, 4)));
		assert_eq!(segment_range(&layout, 6), Ok((1, 2, 4, 8)));
		assert_eq!(
			segment_range(&layout, u32::MAX - 4),
			Ok((1_073_741_822, 3, u32::MAX - 7, u32::MAX - 3))
		);
		// The last segment of the index space ends past u32::MAX: 4 × 1 073 741 823 + 4.
		assert!(segment_range(&layout, u32::MAX).is_err());
		let empty = FileLayout { data_shards: 0, parity_shards: 0, ..layout };
		assert!(segment_range(&empty, 5).is_err());
	}
}
