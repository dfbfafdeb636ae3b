//! The policy against a fake chain: one test per rule, each able to fail.

use super::*;
use crate::chain_api::{Assignment, File, Placement};
use cess_primitives::{access::MAX_TICKET_LIFETIME, FragmentHash};
use futures::future::BoxFuture;
use pallet_file_bank::FileView;
use sp_core::{sr25519, Pair};
use std::sync::atomic::{AtomicUsize, Ordering};

const GENESIS: [u8; 32] = [7; 32];
const NOW: BlockNumber = 100;
const LAYOUT: FileLayout =
	FileLayout { segment_size: 1 << 24, data_shards: 2, parity_shards: 2, leaf_size: 256 };
const FRAGMENT: u64 = 8 << 20;

/// This miner.
fn me() -> AccountId {
	AccountId::new([3; 32])
}

/// Another miner.
fn other_miner() -> AccountId {
	AccountId::new([4; 32])
}

fn account(suri: &str) -> AccountId {
	AccountId::from(sr25519::Pair::from_string(suri, None).unwrap().public())
}

/// File A: active, two segments of 2 + 2 fragments (roots `0x10 + index`); fragments 0 and 5
/// are on this miner, fragment 6 (segment 1) is being repaired by [`World::repairer`].
const A: FileHash = FileHash([0xa; 32]);
/// File B: active, Alice's too, one segment; its fragment 0 (root `0x30`) is on this miner.
const B: FileHash = FileHash([0xb; 32]);
/// File C: pending; root `0x40` is assigned here for upload, `0x41` for repair.
const C: FileHash = FileHash([0xc; 32]);

fn root(byte: u8) -> FragmentRoot {
	[byte; 32]
}

fn view(owners: Vec<AccountId>, segments: u32, state: FileState) -> File {
	FileView {
		layout: LAYOUT,
		size: 1,
		segments,
		fragments: segments * LAYOUT.total_shards(),
		unconfirmed: 0,
		lost: 0,
		state,
		declared_at: 1,
		owners,
	}
}

fn entry(index: u32, hash: u8, miner: AccountId, status: FragmentStatus<BlockNumber>) -> Placement {
	Placement {
		index,
		segment: index / LAYOUT.total_shards(),
		shard: index % LAYOUT.total_shards(),
		hash: FragmentHash([hash; 32]),
		peer_id: Some(vec![index as u8; 38]),
		miner,
		status,
	}
}

fn assignment(file: FileHash, hash: u8, kind: AssignmentKind) -> Assignment {
	Assignment { file, index: u32::from(hash), hash: FragmentHash([hash; 32]), deadline: 200, kind }
}

/// A chain that answers from maps (after `delay`), counting the reads.
struct FakeChain {
	assignments: Mutex<Result<Vec<Assignment>, String>>,
	files: Mutex<HashMap<FileHash, File>>,
	placements: Mutex<HashMap<FileHash, Vec<Placement>>>,
	delay: Duration,
	assignment_reads: AtomicUsize,
	file_reads: AtomicUsize,
	placement_reads: AtomicUsize,
}

impl FakeChain {
	fn reads(&self) -> (usize, usize, usize) {
		(
			self.assignment_reads.load(Ordering::SeqCst),
			self.file_reads.load(Ordering::SeqCst),
			self.placement_reads.load(Ordering::SeqCst),
		)
	}
}

impl ChainSource for FakeChain {
	fn assignments<'a>(
		&'a self,
		_miner: &'a AccountId,
	) -> BoxFuture<'a, Result<Vec<Assignment>, String>> {
		Box::pin(async move {
			self.assignment_reads.fetch_add(1, Ordering::SeqCst);
			tokio::time::sleep(self.delay).await;
			self.assignments.lock().unwrap().clone()
		})
	}

	fn file(&self, file: FileHash) -> BoxFuture<'_, Result<Option<File>, String>> {
		Box::pin(async move {
			self.file_reads.fetch_add(1, Ordering::SeqCst);
			tokio::time::sleep(self.delay).await;
			Ok(self.files.lock().unwrap().get(&file).cloned())
		})
	}

	fn placement(
		&self,
		file: FileHash,
		start: FragmentIndex,
		end: FragmentIndex,
	) -> BoxFuture<'_, Result<Vec<Placement>, String>> {
		Box::pin(async move {
			self.placement_reads.fetch_add(1, Ordering::SeqCst);
			tokio::time::sleep(self.delay).await;
			let all = self.placements.lock().unwrap().get(&file).cloned().unwrap_or_default();
			Ok(all.into_iter().filter(|e| (start..end).contains(&e.index)).collect())
		})
	}
}

/// The fake chain, the policy over it, and the peers that talk to it.
struct World {
	runtime: tokio::runtime::Runtime,
	chain: Arc<FakeChain>,
	head: Arc<ChainHead>,
	assigned: Arc<Assigned>,
	policy: Arc<ChainPolicy<FakeChain>>,
	/// The PeerId registered by the miner repairing fragment 6 of file A.
	repairer: PeerId,
	/// A client of the storage network.
	client: PeerId,
}

impl World {
	fn new() -> Self {
		Self::with_delay(Duration::ZERO, REFRESH_TIMEOUT)
	}

	fn with_delay(delay: Duration, timeout: Duration) -> Self {
		let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
		let repairer = PeerId::random();
		let alice = account("//Alice");
		let stored = |position| FragmentStatus::Stored { position };
		let mut a: Vec<Placement> = (0..8u32)
			.map(|i| {
				let miner = if i == 0 || i == 5 { me() } else { other_miner() };
				entry(i, 0x10 + i as u8, miner, stored(i))
			})
			.collect();
		a[6].status = FragmentStatus::Pending {
			deadline: 200,
			reassignments: 0,
			kind: AssignmentKind::Repair,
		};
		a[6].miner = AccountId::new([5; 32]);
		a[6].peer_id = Some(repairer.to_bytes());
		let b: Vec<Placement> = (0..4u32)
			.map(|i| {
				let miner = if i == 0 { me() } else { other_miner() };
				entry(i, 0x30 + i as u8, miner, stored(i))
			})
			.collect();
		let chain = Arc::new(FakeChain {
			assignments: Mutex::new(Ok(vec![
				assignment(C, 0x40, AssignmentKind::Upload),
				assignment(C, 0x41, AssignmentKind::Repair),
			])),
			files: Mutex::new(HashMap::from([
				(A, view(vec![alice.clone()], 2, FileState::Active)),
				(B, view(vec![account("//Bob"), alice.clone()], 1, FileState::Active)),
				(C, view(vec![alice], 1, FileState::Pending)),
			])),
			placements: Mutex::new(HashMap::from([(A, a), (B, b)])),
			delay,
			assignment_reads: AtomicUsize::new(0),
			file_reads: AtomicUsize::new(0),
			placement_reads: AtomicUsize::new(0),
		});
		let head = Arc::new(ChainHead::new(GENESIS, NOW));
		let assigned = Arc::new(Assigned::default());
		let policy = Arc::new(
			ChainPolicy::new(
				assigned.clone(),
				head.clone(),
				chain.clone(),
				me(),
				LAYOUT,
				runtime.handle().clone(),
			)
			.with_refresh_timeout(timeout),
		);
		Self { runtime, chain, head, assigned, policy, repairer, client: PeerId::random() }
	}

	/// Asks the policy about a PUT from a blocking thread, as the network does.
	fn put(&self, peer: PeerId, root: FragmentRoot, size: u64, auth: Vec<u8>) -> Decision {
		let policy = self.policy.clone();
		let asked = move || policy.may_put(&peer, &root, size, &auth);
		self.runtime.block_on(self.runtime.spawn_blocking(asked)).unwrap()
	}

	/// Asks the policy about a GET from a blocking thread, as the network does.
	fn get(&self, peer: PeerId, root: FragmentRoot, auth: Vec<u8>) -> Decision {
		let policy = self.policy.clone();
		let asked = move || policy.may_get(&peer, &root, &auth);
		self.runtime.block_on(self.runtime.spawn_blocking(asked)).unwrap()
	}
}

/// A ticket of `signer` for `peer` on `file`, as `AccessProof` bytes.
fn ticket(signer: &str, file: FileHash, peer: &PeerId, rights: Rights, expires: u32) -> Vec<u8> {
	let pair = sr25519::Pair::from_string(signer, None).unwrap();
	let ticket =
		AccessTicket::sign_sr25519(&pair, &GENESIS, file, peer.to_bytes(), rights, expires);
	AccessProof::Ticket(ticket).to_bytes()
}

/// Alice's ticket for `peer` on `file`, valid an hour.
fn alices(file: FileHash, peer: &PeerId, rights: Rights) -> Vec<u8> {
	ticket("//Alice", file, peer, rights, NOW + 600)
}

fn repair(file: FileHash) -> Vec<u8> {
	AccessProof::Repair { file }.to_bytes()
}

/// Allowed on behalf of the owner `suri`: counted against the owner's share.
fn for_owner(suri: &str) -> Decision {
	Decision::AllowFor(account(suri).into())
}

/// Asserts a refusal whose reason contains `words`.
#[track_caller]
fn refused(decision: Decision, words: &str) {
	match decision {
		Decision::Deny(reason) => assert!(reason.contains(words), "refused for: {reason}"),
		Decision::Allow | Decision::AllowFor(_) => {
			panic!("allowed, expected a refusal for `{words}`")
		}
	}
}

#[test]
fn an_owner_stores_a_fragment_assigned_here_with_a_ticket_for_its_own_peer() {
	let w = World::new();
	let auth = alices(C, &w.client, Rights::ALL);
	assert_eq!(w.put(w.client, root(0x40), FRAGMENT, auth.clone()), for_owner("//Alice"));
	// One read of the assignments (the set was empty) and one of the file's owners.
	assert_eq!(w.chain.reads(), (1, 1, 0));
	// Both cached now: the next fragment of the upload costs no read.
	assert_eq!(w.put(w.client, root(0x40), FRAGMENT, auth.clone()), for_owner("//Alice"));
	assert_eq!(w.chain.reads(), (1, 1, 0));
	// A ticket granting PUT alone does as well; one granting GET alone does not.
	assert_eq!(
		w.put(w.client, root(0x40), FRAGMENT, alices(C, &w.client, Rights::PUT)),
		for_owner("//Alice")
	);
	refused(
		w.put(w.client, root(0x40), FRAGMENT, alices(C, &w.client, Rights::GET)),
		"does not grant",
	);
}

#[test]
fn only_fragments_assigned_for_upload_are_accepted() {
	let w = World::new();
	let auth = alices(C, &w.client, Rights::ALL);
	assert_eq!(w.put(w.client, root(0x40), FRAGMENT, auth.clone()), for_owner("//Alice"));
	// A root the chain never assigned here, and one assigned for repair (the miner rebuilds
	// those itself): refused, naming the root.
	std::thread::sleep(MIN_REFRESH_INTERVAL);
	refused(w.put(w.client, root(0x77), FRAGMENT, auth.clone()), "not assigned");
	refused(
		w.put(w.client, root(0x77), FRAGMENT, auth.clone()),
		&cess_dht::root_to_hex(&root(0x77)),
	);
	refused(w.put(w.client, root(0x41), FRAGMENT, auth.clone()), "not assigned");
	// Misses close together share one read of the chain.
	assert_eq!(w.chain.reads().0, 2);

	// The assignment ends (confirmed or moved): the worker's refresh drops it.
	w.assigned.replace(&[]);
	std::thread::sleep(MIN_REFRESH_INTERVAL);
	*w.chain.assignments.lock().unwrap() = Ok(vec![]);
	refused(w.put(w.client, root(0x40), FRAGMENT, auth), "not assigned");
}

#[test]
fn a_ticket_signed_by_someone_who_does_not_own_the_file_is_refused() {
	let w = World::new();
	// Bob signs a well-formed ticket for Alice's file: the signature verifies, ownership fails.
	let bobs = ticket("//Bob", C, &w.client, Rights::ALL, NOW + 600);
	refused(w.put(w.client, root(0x40), FRAGMENT, bobs), "does not own the file");
	let bobs = ticket("//Bob", A, &w.client, Rights::GET, NOW + 600);
	refused(w.get(w.client, root(0x10), bobs), "does not own the file");
	// Bob does own B (with Alice): his ticket reads B's fragment here.
	let bobs = ticket("//Bob", B, &w.client, Rights::GET, NOW + 600);
	assert_eq!(w.get(w.client, root(0x30), bobs), for_owner("//Bob"));
}

#[test]
fn a_ticket_for_another_peer_or_file_is_refused() {
	let w = World::new();
	let stolen = alices(C, &PeerId::random(), Rights::ALL);
	refused(
		w.put(w.client, root(0x40), FRAGMENT, stolen.clone()),
		"the ticket is for another peer",
	);
	let stolen = alices(A, &PeerId::random(), Rights::ALL);
	refused(w.get(w.client, root(0x10), stolen), "the ticket is for another peer");
	// Alice's ticket for A does not store C's fragment.
	refused(
		w.put(w.client, root(0x40), FRAGMENT, alices(A, &w.client, Rights::ALL)),
		"the ticket is for another file",
	);
	// Nor does a ticket forged onto another chain's genesis.
	let pair = sr25519::Pair::from_string("//Alice", None).unwrap();
	let other_chain =
		AccessTicket::sign_sr25519(&pair, &[8; 32], C, w.client.to_bytes(), Rights::ALL, NOW + 600);
	refused(
		w.put(w.client, root(0x40), FRAGMENT, AccessProof::Ticket(other_chain).to_bytes()),
		"signature",
	);
}

#[test]
fn an_expired_or_too_long_ticket_is_refused() {
	let w = World::new();
	// Valid through its last block, refused the block after.
	let last_block = ticket("//Alice", A, &w.client, Rights::GET, NOW);
	assert_eq!(w.get(w.client, root(0x10), last_block.clone()), for_owner("//Alice"));
	w.head.set_best(NOW + 1);
	refused(w.get(w.client, root(0x10), last_block), "expired");
	let expired = ticket("//Alice", C, &w.client, Rights::ALL, NOW);
	refused(w.put(w.client, root(0x40), FRAGMENT, expired), "expired");
	// A ticket valid longer than the miner accepts, whatever its signer wanted.
	let forever = ticket("//Alice", A, &w.client, Rights::GET, NOW + 1 + MAX_TICKET_LIFETIME + 1);
	refused(w.get(w.client, root(0x10), forever), "valid for longer than a day");
	let a_day = ticket("//Alice", A, &w.client, Rights::GET, NOW + 1 + MAX_TICKET_LIFETIME);
	assert_eq!(w.get(w.client, root(0x10), a_day), for_owner("//Alice"));
}

#[test]
fn a_put_with_a_repair_proof_is_refused() {
	let w = World::new();
	refused(w.put(w.repairer, root(0x40), FRAGMENT, repair(C)), "needs an owner's ticket");
	// Refused before any read of the chain.
	assert_eq!(w.chain.reads(), (0, 0, 0));
}

#[test]
fn a_put_of_another_size_than_the_layouts_fragment_is_refused() {
	let w = World::new();
	let auth = alices(C, &w.client, Rights::ALL);
	for size in [FRAGMENT - 1, FRAGMENT + 1, 0, u64::MAX] {
		refused(
			w.put(w.client, root(0x40), size, auth.clone()),
			"PUT size must equal the layout's fragment size",
		);
	}
	assert_eq!(w.put(w.client, root(0x40), FRAGMENT, auth), for_owner("//Alice"));
}

#[test]
fn an_owners_ticket_reads_only_its_files_fragments_placed_here() {
	let w = World::new();
	let for_a = alices(A, &w.client, Rights::GET);
	assert_eq!(w.get(w.client, root(0x10), for_a.clone()), for_owner("//Alice"));
	assert_eq!(w.get(w.client, root(0x15), for_a.clone()), for_owner("//Alice"));
	// B's fragment is here and Alice owns B too, but the ticket is for A.
	refused(w.get(w.client, root(0x30), for_a.clone()), "not a fragment of file");
	// A's fragment on another miner, and a root of no file.
	refused(w.get(w.client, root(0x11), for_a.clone()), "not a fragment of file");
	refused(w.get(w.client, root(0x99), for_a.clone()), "not a fragment of file");
	// A ticket granting PUT alone reads nothing.
	refused(w.get(w.client, root(0x10), alices(A, &w.client, Rights::PUT)), "does not grant");
	// One read of A's view and one of its placement for all of it, in this block.
	assert_eq!(w.chain.reads(), (0, 1, 1));
}

#[test]
fn an_owner_who_left_loses_access_from_the_next_block() {
	let w = World::new();
	let for_a = alices(A, &w.client, Rights::GET);
	assert_eq!(w.get(w.client, root(0x10), for_a.clone()), for_owner("//Alice"));
	w.chain.files.lock().unwrap().get_mut(&A).unwrap().owners.clear();
	// The block's view is kept until the next block.
	assert_eq!(w.get(w.client, root(0x10), for_a.clone()), for_owner("//Alice"));
	w.head.set_best(NOW + 1);
	refused(w.get(w.client, root(0x10), for_a), "does not own the file");
}

#[test]
fn repair_reads_are_for_the_assigned_repairer_in_the_same_segment() {
	let w = World::new();
	// Fragment 5 (segment 1) is here, and fragment 6 of segment 1 is being repaired by the
	// repairer's miner.
	assert_eq!(w.get(w.repairer, root(0x15), repair(A)), Decision::Allow);
	// Anyone else with the same proof is refused.
	refused(w.get(w.client, root(0x15), repair(A)), "not assigned to repair");
	// The repairer reads nothing of another segment, of another file, or not held here.
	refused(w.get(w.repairer, root(0x10), repair(A)), "not assigned to repair");
	refused(w.get(w.repairer, root(0x30), repair(A)), "not a fragment of file");
	refused(w.get(w.repairer, root(0x15), repair(B)), "not a fragment of file");
	refused(w.get(w.repairer, root(0x16), repair(A)), "not a fragment of file");
	// A file the chain does not have.
	refused(w.get(w.repairer, root(0x15), repair(FileHash([0xee; 32]))), "not a fragment of file");

	// The repair ends (confirmed): from the next block on, the repairer reads nothing.
	w.chain.placements.lock().unwrap().get_mut(&A).unwrap()[6].status =
		FragmentStatus::Stored { position: 9 };
	w.head.set_best(NOW + 1);
	refused(w.get(w.repairer, root(0x15), repair(A)), "not assigned to repair");
}

#[test]
fn malformed_proofs_are_refused() {
	let w = World::new();
	let mut trailing = alices(C, &w.client, Rights::ALL);
	trailing.push(0);
	for auth in [vec![], vec![9], vec![0xff; 300], trailing] {
		refused(w.put(w.client, root(0x40), FRAGMENT, auth.clone()), "malformed access proof");
		refused(w.get(w.client, root(0x10), auth), "malformed access proof");
	}
	assert_eq!(w.chain.reads(), (0, 0, 0));
}

#[test]
fn a_flood_naming_unknown_files_costs_one_read_per_file_per_block() {
	let w = World::new();
	let unknown = |n: u32| {
		let mut hash = [0xf0; 32];
		hash[..4].copy_from_slice(&n.to_le_bytes());
		FileHash(hash)
	};
	for _ in 0..2 {
		for n in 0..300 {
			refused(w.get(w.client, root(0x10), repair(unknown(n))), "not a fragment of file");
		}
	}
	assert_eq!(w.chain.reads(), (0, 300, 0));
	// The next block reads a file again, once.
	w.head.set_best(NOW + 1);
	for _ in 0..3 {
		refused(w.get(w.client, root(0x10), repair(unknown(0))), "not a fragment of file");
	}
	assert_eq!(w.chain.reads(), (0, 301, 0));
	// However many files are named, the caches hold a bounded number.
	for n in 0..(MAX_CACHED_FILES as u32 + 50) {
		let _ = w.get(w.client, root(0x10), repair(unknown(1_000 + n)));
	}
	assert!(w.policy.files.len() <= MAX_CACHED_FILES);
	assert!(w.policy.placements.len() <= MAX_CACHED_PLACEMENTS);
}

#[test]
fn a_chain_that_fails_or_does_not_answer_gets_the_request_refused() {
	let w = World::new();
	*w.chain.assignments.lock().unwrap() = Err("connection reset".into());
	refused(
		w.put(w.client, root(0x40), FRAGMENT, alices(C, &w.client, Rights::ALL)),
		"not assigned",
	);

	// A node that never answers: refused once the timeout is over, not stuck.
	let w = World::with_delay(Duration::MAX, Duration::from_millis(300));
	for (index, decision) in [
		Box::new(|w: &World| {
			w.put(w.client, root(0x40), FRAGMENT, alices(C, &w.client, Rights::ALL))
		}) as Box<dyn Fn(&World) -> Decision>,
		Box::new(|w: &World| w.get(w.client, root(0x10), alices(A, &w.client, Rights::GET))),
		Box::new(|w: &World| w.get(w.repairer, root(0x15), repair(A))),
	]
	.into_iter()
	.enumerate()
	{
		// Each at a block of its own: a failed read is kept for the rest of its block.
		w.head.set_best(NOW + index as BlockNumber);
		let started = Instant::now();
		assert!(matches!(decision(&w), Decision::Deny(_)));
		let waited = started.elapsed();
		assert!(
			(Duration::from_millis(300)..Duration::from_secs(5)).contains(&waited),
			"waited {waited:?}"
		);
	}
}

#[test]
fn only_the_declarer_uploads_a_later_owner_reads() {
	let w = World::new();
	// Bob declares Alice's pending file too, becoming its second owner: his well-signed
	// tickets may not race her client for its roots, though he may read it once stored.
	w.chain.files.lock().unwrap().get_mut(&C).unwrap().owners.push(account("//Bob"));
	let bobs = ticket("//Bob", C, &w.client, Rights::ALL, NOW + 600);
	refused(w.put(w.client, root(0x40), FRAGMENT, bobs), "only the file's declarer uploads");
	let auth = alices(C, &w.client, Rights::ALL);
	assert_eq!(w.put(w.client, root(0x40), FRAGMENT, auth), for_owner("//Alice"));
}
