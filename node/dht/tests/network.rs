//! Several swarms in one process on 127.0.0.1: discovery, PUT/GET of 8 MiB fragments,
//! integrity, authorization (by PeerId and by the proof a request carries), malformed input,
//! interrupted transfers.

mod common;

use cess_dht::{
	protocol::{self, ErrorCode, Request, Status},
	store::{Append, FragmentSource, Hooked, StoreHooks},
	AllowAll, Authorization, AuthorizationPolicy, Config, Decision, DiskStore, Event, FragmentRoot,
	FragmentStore, KademliaMode, Keypair, Limits, MemoryStore, PeerAllowList, PeerId, Progress,
	ProgressFn, Security, StoreError, TransferError,
};
use common::*;
use futures::{AsyncReadExt, AsyncWriteExt};
use std::{
	io::{self, Read, Seek, SeekFrom},
	path::Path,
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::Duration,
};

/// A miner on a disk store in `dir` and a client that knows its address.
async fn disk_miner_and_client(dir: &Path) -> (Arc<DiskStore>, Node, Node) {
	let disk = disk_store(dir);
	let miner = spawn_node(test_config(), disk.clone(), Arc::new(AllowAll)).await;
	let client = spawn_client(test_config(), &miner.address).await;
	(disk, miner, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_finds_a_miner_through_a_bootstrap_peer() {
	let bootnode = spawn_node(test_config(), memory_store(), Arc::new(AllowAll)).await;
	let with_bootnode = |mode| Config {
		bootstrap_peers: vec![bootnode.address.clone()],
		kademlia_mode: mode,
		..test_config()
	};
	let miner =
		spawn_node(with_bootnode(KademliaMode::Server), memory_store(), Arc::new(AllowAll)).await;
	let client =
		spawn_node(with_bootnode(KademliaMode::Client), memory_store(), Arc::new(AllowAll)).await;

	// The client was only told the bootnode; the miner's address must come from the DHT.
	let found = eventually(Duration::from_secs(15), "the miner to be discoverable", || async {
		client.client.find_peer(miner.peer_id).await.ok()
	})
	.await;
	assert!(
		found.contains(&without_p2p(&miner.address)),
		"discovered {found:?}, the miner listens on {}",
		miner.address
	);

	// The discovered address is the one transfers use.
	let (root, bytes) = fragment(64 * 1024, 1);
	client.client.put_fragment(miner.peer_id, root, bytes.clone(), no_auth(), None).await.unwrap();
	assert_eq!(miner.client.store().read(&root).unwrap(), Some(bytes));

	// An unknown peer is reported as not found rather than hanging.
	let stranger = Keypair::generate_ed25519().public().to_peer_id();
	assert!(client.client.find_peer(stranger).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_records_announce_fragment_holders() {
	let bootnode = spawn_node(test_config(), memory_store(), Arc::new(AllowAll)).await;
	let config = || Config { bootstrap_peers: vec![bootnode.address.clone()], ..test_config() };
	let miner = spawn_node(config(), memory_store(), Arc::new(AllowAll)).await;
	let client = spawn_node(config(), memory_store(), Arc::new(AllowAll)).await;
	let root: FragmentRoot = [42; 32];

	eventually(Duration::from_secs(15), "the miner's provider record to be stored", || async {
		miner.client.start_providing(root).await.ok()
	})
	.await;
	let providers = eventually(Duration::from_secs(15), "the provider record", || async {
		let providers = client.client.get_providers(root).await.ok()?;
		providers.contains(&miner.peer_id).then_some(providers)
	})
	.await;
	assert!(providers.contains(&miner.peer_id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_and_get_an_8_mib_fragment() {
	let dir = tempfile::tempdir().unwrap();
	let (disk, mut miner, client) = disk_miner_and_client(dir.path()).await;
	let (root, bytes) = fragment(FRAGMENT_SIZE, 2);

	let reports = Arc::new(Mutex::new(Vec::<Progress>::new()));
	let sink = reports.clone();
	let progress: ProgressFn = Arc::new(move |p: &Progress| sink.lock().unwrap().push(p.clone()));
	let report = client
		.client
		.put_fragment(miner.peer_id, root, bytes.clone(), no_auth(), Some(progress))
		.await
		.unwrap();
	assert_eq!((report.attempts, report.resumed_from, report.size), (1, 0, FRAGMENT_SIZE as u64));

	// Progress came in chunks, never went backwards, and ended at the fragment's size.
	let reports = reports.lock().unwrap().clone();
	assert!(
		reports.len() >= FRAGMENT_SIZE / Limits::default().chunk_size,
		"{} reports",
		reports.len()
	);
	assert!(reports.windows(2).all(|w| w[0].transferred <= w[1].transferred));
	assert_eq!(
		reports.last().map(|p| (p.transferred, p.total)),
		Some((bytes.len() as u64, bytes.len() as u64))
	);

	// The miner was told, and the fragment is on disk, complete, with no partial left.
	let event = tokio::time::timeout(Duration::from_secs(5), miner.events.recv()).await.unwrap();
	assert_eq!(
		event,
		Some(Event::FragmentStored { peer: client.peer_id, root, size: FRAGMENT_SIZE as u64 })
	);
	assert_eq!(std::fs::read(disk.fragment_path(&root)).unwrap(), bytes);
	assert!(!disk.partial_path(&root).exists());

	let fetched = client.client.get_fragment(miner.peer_id, root, no_auth(), None).await.unwrap();
	assert_eq!(fetched.data, bytes);
	assert_eq!(fetched.report.attempts, 1);
	let event = tokio::time::timeout(Duration::from_secs(5), miner.events.recv()).await.unwrap();
	assert_eq!(
		event,
		Some(Event::FragmentServed { peer: client.peer_id, root, bytes: FRAGMENT_SIZE as u64 })
	);

	// A second PUT of a fragment already held moves no data and succeeds.
	let report = client
		.client
		.put_fragment(miner.peer_id, root, bytes.clone(), no_auth(), None)
		.await
		.unwrap();
	assert_eq!(report.resumed_from, FRAGMENT_SIZE as u64);

	// Metrics: both sides counted the bytes and the transfers.
	let size = FRAGMENT_SIZE as f64;
	let m = &miner.registry;
	assert_eq!(metric(m, "cess_dht_fragment_bytes_total", &[("direction", "in")]), size);
	assert_eq!(metric(m, "cess_dht_fragment_bytes_total", &[("direction", "out")]), size);
	let put_inbound = [("op", "put"), ("side", "inbound")];
	assert_eq!(metric(m, "cess_dht_fragment_transfers_total", &put_inbound), 2.0);
	assert!(metric(m, "cess_dht_connected_peers", &[]) >= 1.0);
	let c = &client.registry;
	assert_eq!(metric(c, "cess_dht_fragment_bytes_total", &[("direction", "out")]), size);
	let get_outbound = [("op", "get"), ("side", "outbound")];
	assert_eq!(metric(c, "cess_dht_fragment_transfers_total", &get_outbound), 1.0);
	assert_eq!(metric(c, "cess_dht_fragment_failures_total", &[]), 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noise_only_and_tls_peers_transfer_with_each_other() {
	// A TLS peer offers Noise too, so a peer that only speaks Noise still reaches it, and back.
	let noise = || Config { security: Security::Noise, ..test_config() };
	for (miner_config, client_config) in [(test_config(), noise()), (noise(), test_config())] {
		let miner = spawn_node(miner_config, memory_store(), Arc::new(AllowAll)).await;
		let client = spawn_client(client_config, &miner.address).await;
		let (root, bytes) = fragment(FRAGMENT_SIZE, 7);
		client
			.client
			.put_fragment(miner.peer_id, root, bytes.clone(), no_auth(), None)
			.await
			.unwrap();
		let fetched =
			client.client.get_fragment(miner.peer_id, root, no_auth(), None).await.unwrap();
		assert_eq!(fetched.data, bytes);
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_payload_is_rejected() {
	let dir = tempfile::tempdir().unwrap();
	let (disk, mut miner, client) = disk_miner_and_client(dir.path()).await;
	let (root, bytes) = fragment(FRAGMENT_SIZE, 3);
	let mut corrupted = bytes.clone();
	corrupted[FRAGMENT_SIZE / 2] ^= 0x01;

	let error = client
		.client
		.put_fragment(miner.peer_id, root, corrupted, no_auth(), None)
		.await
		.unwrap_err();
	assert!(
		matches!(error, TransferError::Rejected { code: ErrorCode::IntegrityFailed, .. }),
		"{error:?}"
	);
	// Not retried: a fresh upload failing its root check is final.
	let failures = [("op", "put"), ("side", "outbound"), ("reason", "integrity")];
	assert_eq!(metric(&client.registry, "cess_dht_fragment_failures_total", &failures), 1.0);
	assert!(!disk.contains(&root).unwrap());
	assert_eq!(disk.partial_size(&root).unwrap(), 0, "the bad upload must be discarded");
	assert!(miner.events.try_recv().is_err(), "no FragmentStored for a rejected upload");

	// The genuine bytes are accepted afterwards.
	client.client.put_fragment(miner.peer_id, root, bytes.clone(), no_auth(), None).await.unwrap();
	assert_eq!(disk.read(&root).unwrap(), Some(bytes));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fragment_corrupted_on_the_miner_is_rejected_by_the_fetcher() {
	let dir = tempfile::tempdir().unwrap();
	let (disk, miner, client) = disk_miner_and_client(dir.path()).await;
	let (root, bytes) = fragment(1024 * 1024, 4);
	disk.put(&root, &bytes).unwrap();

	// Bit rot on the miner's disk.
	let path = disk.fragment_path(&root);
	let mut on_disk = std::fs::read(&path).unwrap();
	on_disk[12345] ^= 0x80;
	std::fs::write(&path, on_disk).unwrap();

	let error = client.client.get_fragment(miner.peer_id, root, no_auth(), None).await.unwrap_err();
	assert!(matches!(error, TransferError::Integrity), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unauthorized_put_is_refused_before_any_data_moves() {
	let allowed = spawn_node(test_config(), memory_store(), Arc::new(AllowAll)).await;
	let stranger = spawn_node(test_config(), memory_store(), Arc::new(AllowAll)).await;
	let policy =
		PeerAllowList { put: [allowed.peer_id].into(), get: Some([allowed.peer_id].into()) };
	let miner = spawn_node(test_config(), memory_store(), Arc::new(policy)).await;
	for node in [&allowed, &stranger] {
		node.client.add_peer_address(&miner.address).await.unwrap();
	}
	let (root, bytes) = fragment(FRAGMENT_SIZE, 5);

	let error = stranger
		.client
		.put_fragment(miner.peer_id, root, bytes.clone(), no_auth(), None)
		.await
		.unwrap_err();
	match error {
		TransferError::Rejected { code: ErrorCode::Unauthorized, message } => {
			assert!(message.contains("may not store"), "{message}")
		}
		other => panic!("expected an authorization refusal, got {other:?}"),
	}
	assert!(!miner.client.store().contains(&root).unwrap());
	assert_eq!(
		metric(&miner.registry, "cess_dht_fragment_bytes_total", &[("direction", "in")]),
		0.0
	);

	allowed.client.put_fragment(miner.peer_id, root, bytes.clone(), no_auth(), None).await.unwrap();
	assert!(miner.client.store().contains(&root).unwrap());

	// GET is restricted the same way.
	let error =
		stranger.client.get_fragment(miner.peer_id, root, no_auth(), None).await.unwrap_err();
	assert!(matches!(error, TransferError::Rejected { code: ErrorCode::Unauthorized, .. }));
	let fetched = allowed.client.get_fragment(miner.peer_id, root, no_auth(), None).await.unwrap();
	assert_eq!(fetched.data, bytes);
}

/// Reads until the stream ends; `true` if it ended cleanly or was reset (it is closed).
async fn stream_is_closed(stream: &mut cess_dht::libp2p::Stream) -> bool {
	let mut rest = Vec::new();
	match tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await {
		Ok(Ok(_)) => rest.is_empty(),
		Ok(Err(_)) => true,
		Err(_) => false,
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_requests_get_an_error_and_a_closed_stream() {
	let limits = Limits { max_fragment_size: 1024 * 1024, ..Limits::default() };
	let miner =
		spawn_node(Config { limits, ..test_config() }, memory_store(), Arc::new(AllowAll)).await;
	let client = spawn_client(test_config(), &miner.address).await;
	let peer = miner.peer_id;

	// Announcing more than the limit.
	let mut stream = client.client.open_stream(peer).await.unwrap();
	let put = Request::Put { root: [1; 32], size: 1024 * 1024 * 1024 };
	protocol::write_request(&mut stream, &put, &no_auth()).await.unwrap();
	let status = protocol::read_status(&mut stream).await.unwrap();
	assert!(matches!(status, Status::Error { code: ErrorCode::TooLarge, .. }), "{status:?}");
	assert!(stream_is_closed(&mut stream).await);

	// An unknown operation.
	let mut stream = client.client.open_stream(peer).await.unwrap();
	let mut bogus = put.encode();
	bogus[0] = 0x09;
	stream.write_all(&bogus).await.unwrap();
	stream.flush().await.unwrap();
	let status = protocol::read_status(&mut stream).await.unwrap();
	assert!(matches!(status, Status::Error { code: ErrorCode::Malformed, .. }), "{status:?}");
	assert!(stream_is_closed(&mut stream).await);

	// A truncated header, then the opener hangs up.
	let mut stream = client.client.open_stream(peer).await.unwrap();
	stream.write_all(&[0x01, 0xff, 0xff]).await.unwrap();
	stream.close().await.unwrap();
	assert!(stream_is_closed(&mut stream).await);

	// A GET of something not held.
	let mut stream = client.client.open_stream(peer).await.unwrap();
	let get = Request::Get { root: [2; 32], offset: 0 };
	protocol::write_request(&mut stream, &get, &no_auth()).await.unwrap();
	let status = protocol::read_status(&mut stream).await.unwrap();
	assert!(matches!(status, Status::Error { code: ErrorCode::NotFound, .. }), "{status:?}");
	assert!(stream_is_closed(&mut stream).await);

	// The client refuses to send a fragment over its own limit.
	let small = spawn_node(
		Config { limits: Limits { max_fragment_size: 10, ..Limits::default() }, ..test_config() },
		memory_store(),
		Arc::new(AllowAll),
	)
	.await;
	let error =
		small.client.put_fragment(peer, [0; 32], vec![0u8; 11], no_auth(), None).await.unwrap_err();
	assert!(matches!(error, TransferError::TooLarge { size: 11, limit: 10 }), "{error:?}");

	// The miner survived all of it and still serves.
	let (root, bytes) = fragment(512 * 1024, 6);
	client.client.put_fragment(peer, root, bytes.clone(), no_auth(), None).await.unwrap();
	assert_eq!(client.client.get_fragment(peer, root, no_auth(), None).await.unwrap().data, bytes);
	let malformed = [("op", "unknown"), ("side", "inbound"), ("reason", "malformed")];
	assert_eq!(metric(&miner.registry, "cess_dht_fragment_failures_total", &malformed), 1.0);
}

/// Hooks that fail once: an append crossing `fail_after` upload bytes, or a read of a stored
/// fragment crossing `fail_after` bytes — a failure in the middle of a transfer.
struct FailOnce {
	fail_after: u64,
	appended: AtomicU64,
	failed: AtomicBool,
}

impl FailOnce {
	/// A memory store with these hooks.
	fn store(fail_after: u64) -> Arc<Hooked<MemoryStore, Self>> {
		let hooks =
			Self { fail_after, appended: AtomicU64::new(0), failed: AtomicBool::new(false) };
		Arc::new(Hooked::new(MemoryStore::new(verifier()), hooks))
	}
}

struct FailingReader {
	inner: Box<dyn FragmentSource>,
	position: u64,
	fail_at: Option<u64>,
}

impl Read for FailingReader {
	fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
		if self.fail_at.is_some_and(|at| self.position + buf.len() as u64 > at) {
			return Err(io::Error::other("injected read failure"));
		}
		let n = self.inner.read(buf)?;
		self.position += n as u64;
		Ok(n)
	}
}

impl Seek for FailingReader {
	fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
		self.position = self.inner.seek(to)?;
		Ok(self.position)
	}
}

impl StoreHooks for FailOnce {
	fn reader(&self, inner: Box<dyn FragmentSource>) -> Box<dyn FragmentSource> {
		let fail_at = (!self.failed.swap(true, Ordering::SeqCst)).then_some(self.fail_after);
		Box::new(FailingReader { inner, position: 0, fail_at })
	}

	fn append_partial(&self, append: Append<'_>) -> Result<(), StoreError> {
		let len = append.bytes.len() as u64;
		let before = self.appended.fetch_add(len, Ordering::SeqCst);
		if before + len > self.fail_after && !self.failed.swap(true, Ordering::SeqCst) {
			return Err(StoreError::Io(io::Error::other("injected write failure")));
		}
		append.forward()
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_put_resumes_where_the_partial_upload_ends() {
	let fail_after = 3 * 1024 * 1024;
	let store = FailOnce::store(fail_after);
	let miner = spawn_node(test_config(), store.clone(), Arc::new(AllowAll)).await;
	let client = spawn_client(test_config(), &miner.address).await;
	let (root, bytes) = fragment(FRAGMENT_SIZE, 7);

	let report = client
		.client
		.put_fragment(miner.peer_id, root, bytes.clone(), no_auth(), None)
		.await
		.unwrap();
	assert_eq!(report.attempts, 2);
	assert!(
		report.resumed_from > 0 && report.resumed_from <= fail_after,
		"resumed from {}",
		report.resumed_from
	);
	assert_eq!(store.read(&root).unwrap(), Some(bytes));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_get_resumes_after_the_bytes_received() {
	let fail_after = 5 * 1024 * 1024;
	let store = FailOnce::store(fail_after);
	let (root, bytes) = fragment(FRAGMENT_SIZE, 8);
	store.inner().put(&root, &bytes).unwrap();
	let miner = spawn_node(test_config(), store.clone(), Arc::new(AllowAll)).await;
	let client = spawn_client(test_config(), &miner.address).await;

	let fetched = client.client.get_fragment(miner.peer_id, root, no_auth(), None).await.unwrap();
	assert_eq!(fetched.data, bytes);
	assert_eq!(fetched.report.attempts, 2);
	assert!(
		fetched.report.resumed_from > 0 && fetched.report.resumed_from <= fail_after,
		"resumed from {}",
		fetched.report.resumed_from
	);
}

/// Hooks that stall the first upload past `stall_after` bytes until released, then fail it
/// (lets a test kill the node at a known point of a transfer) or, made by
/// [`StallOnce::pausing`], let it go on.
struct StallOnce {
	stall_after: u64,
	fail_when_released: bool,
	appended: AtomicU64,
	stalled: Mutex<Option<std::sync::mpsc::Sender<()>>>,
	release: Mutex<std::sync::mpsc::Receiver<()>>,
}

/// The test's ends of a [`StallOnce`].
struct StallControl {
	/// Receives once the upload stalls.
	stalled: std::sync::mpsc::Receiver<()>,
	/// Lets the stalled upload go on (and fail).
	release: std::sync::mpsc::Sender<()>,
}

impl StallOnce {
	fn new(stall_after: u64) -> (Self, StallControl) {
		let (stalled_tx, stalled) = std::sync::mpsc::channel();
		let (release, release_rx) = std::sync::mpsc::channel();
		let hooks = Self {
			stall_after,
			fail_when_released: true,
			appended: AtomicU64::new(0),
			stalled: Mutex::new(Some(stalled_tx)),
			release: Mutex::new(release_rx),
		};
		(hooks, StallControl { stalled, release })
	}

	/// Like [`StallOnce::new`], but the upload goes on unharmed once released.
	fn pausing(stall_after: u64) -> (Self, StallControl) {
		let (hooks, control) = Self::new(stall_after);
		(Self { fail_when_released: false, ..hooks }, control)
	}
}

impl StoreHooks for StallOnce {
	fn append_partial(&self, append: Append<'_>) -> Result<(), StoreError> {
		append.forward()?;
		let len = append.bytes.len() as u64;
		if self.appended.fetch_add(len, Ordering::SeqCst) + len >= self.stall_after {
			if let Some(stalled) = self.stalled.lock().unwrap().take() {
				let _ = stalled.send(());
				let _ = self.release.lock().unwrap().recv();
				if self.fail_when_released {
					return Err(StoreError::Io(io::Error::other("the node was killed")));
				}
			}
		}
		Ok(())
	}
}

/// Waits (up to 20 s) until the upload stalls; `what` says what that means.
async fn wait_until_stalled(stalled: std::sync::mpsc::Receiver<()>, what: &str) {
	tokio::task::spawn_blocking(move || stalled.recv_timeout(Duration::from_secs(20)))
		.await
		.unwrap()
		.expect(what);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_transfer_and_restarted_gets_the_put_retried_to_success() {
	let dir = tempfile::tempdir().unwrap();
	let keypair = Keypair::generate_ed25519();
	let stall_after = 3 * 1024 * 1024;
	let (hooks, stall) = StallOnce::new(stall_after);
	let store = Arc::new(Hooked::new(DiskStore::open(dir.path(), verifier()).unwrap(), hooks));
	let miner =
		spawn_node_with_key(test_config(), store, Arc::new(AllowAll), keypair.clone()).await;
	let client = spawn_client(retrying_config(20), &miner.address).await;
	let (root, bytes) = fragment(FRAGMENT_SIZE, 9);

	let peer = miner.peer_id;
	let put = spawn_put(&client.client, peer, root, bytes.clone());

	// Kill the miner (its swarm, listener and connections) while the upload is in its middle.
	wait_until_stalled(stall.stalled, "the upload reached the stall point").await;
	miner.service.abort();
	assert!(miner.service.await.unwrap_err().is_cancelled());
	stall.release.send(()).unwrap();

	// Restart it with the same identity, port and disk.
	let port_config =
		Config { listen_addresses: vec![without_p2p(&miner.address)], ..test_config() };
	let restarted =
		spawn_node_with_key(port_config, disk_store(dir.path()), Arc::new(AllowAll), keypair).await;
	assert_eq!(restarted.peer_id, peer);

	assert_resumed_to_success(put, stall_after).await;
	assert_eq!(restarted.client.store().read(&root).unwrap(), Some(bytes));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_beyond_the_inbound_limit_are_refused_as_busy_then_retried() {
	let (hooks, stall) = StallOnce::new(1);
	let store = Arc::new(Hooked::new(MemoryStore::new(verifier()), hooks));
	let limits = Limits { max_inbound_puts: 1, ..Limits::default() };
	let miner =
		spawn_node(Config { limits, ..test_config() }, store.clone(), Arc::new(AllowAll)).await;
	let client = spawn_node(test_config(), memory_store(), Arc::new(AllowAll)).await;
	let impatient = Config {
		retry: cess_dht::RetryPolicy { attempts: 1, ..test_config().retry },
		..test_config()
	};
	let other = spawn_node(impatient, memory_store(), Arc::new(AllowAll)).await;
	for node in [&client, &other] {
		node.client.add_peer_address(&miner.address).await.unwrap();
	}
	let (first_root, first) = fragment(1024 * 1024, 10);
	let (second_root, second) = fragment(1024 * 1024, 11);

	let peer = miner.peer_id;
	let first_put = spawn_put(&client.client, peer, first_root, first.clone());
	wait_until_stalled(stall.stalled, "the first upload holds the only slot").await;

	// The only slot is taken: a second transfer is refused at once, and not retried here.
	let error = other
		.client
		.put_fragment(peer, second_root, second.clone(), no_auth(), None)
		.await
		.unwrap_err();
	assert!(matches!(error, TransferError::Rejected { code: ErrorCode::Busy, .. }), "{error:?}");

	// Once the stalled upload fails, its client retries and resumes; then the slot is free again.
	stall.release.send(()).unwrap();
	let report =
		tokio::time::timeout(Duration::from_secs(30), first_put).await.unwrap().unwrap().unwrap();
	assert!(report.attempts >= 2, "{report:?}");
	other.client.put_fragment(peer, second_root, second.clone(), no_auth(), None).await.unwrap();
	assert_eq!(store.read(&first_root).unwrap(), Some(first));
	assert_eq!(store.read(&second_root).unwrap(), Some(second));
}

/// What a [`TokenPolicy`] was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Asked {
	op: &'static str,
	peer: PeerId,
	root: FragmentRoot,
	auth: Vec<u8>,
}

/// Allows a request only when its authorization is exactly `token` (as a chain-backed policy
/// allows only a valid proof), and records every request it is asked about.
struct TokenPolicy {
	token: Vec<u8>,
	asked: Mutex<Vec<Asked>>,
}

impl TokenPolicy {
	fn new(token: Vec<u8>) -> Arc<Self> {
		Arc::new(Self { token, asked: Mutex::new(Vec::new()) })
	}

	fn decide(
		&self,
		op: &'static str,
		peer: &PeerId,
		root: &FragmentRoot,
		auth: &[u8],
	) -> Decision {
		self.asked.lock().unwrap().push(Asked {
			op,
			peer: *peer,
			root: *root,
			auth: auth.to_vec(),
		});
		if auth == self.token {
			Decision::Allow
		} else {
			Decision::Deny(format!("{op}: not a valid proof ({} bytes)", auth.len()))
		}
	}

	fn asked(&self) -> Vec<Asked> {
		self.asked.lock().unwrap().clone()
	}
}

impl AuthorizationPolicy for TokenPolicy {
	fn may_put(&self, peer: &PeerId, root: &FragmentRoot, _size: u64, auth: &[u8]) -> Decision {
		self.decide("put", peer, root, auth)
	}

	fn may_get(&self, peer: &PeerId, root: &FragmentRoot, auth: &[u8]) -> Decision {
		self.decide("get", peer, root, auth)
	}
}

/// A token as long as the protocol allows, every byte position distinct, so that a byte lost,
/// added or changed on the way to the policy shows.
fn full_length_token() -> Vec<u8> {
	(0..protocol::MAX_AUTH_LEN).map(|i| (i as u8).wrapping_mul(31) ^ 0x5a).collect()
}

fn assert_unauthorized<T: std::fmt::Debug>(result: Result<T, TransferError>, what: &str) {
	match result {
		Err(TransferError::Rejected { code: ErrorCode::Unauthorized, .. }) => {}
		other => panic!("{what}: expected an authorization refusal, got {other:?}"),
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_with_a_wrong_proof_is_refused_at_once_without_disturbing_the_owners_upload() {
	let token = full_length_token();
	let policy = TokenPolicy::new(token.clone());
	// The owner's upload pauses in the middle, holding the miner's only transfer slot and the
	// root's partial upload, until the test lets it go on.
	let (hooks, pause) = StallOnce::pausing(3 * 1024 * 1024);
	let store = Arc::new(Hooked::new(MemoryStore::new(verifier()), hooks));
	let limits = Limits { max_inbound_puts: 1, ..Limits::default() };
	let miner = spawn_node(Config { limits, ..test_config() }, store.clone(), policy.clone()).await;
	let owner = spawn_client(test_config(), &miner.address).await;
	// One attempt: a `Busy` answer would come back as such instead of being retried.
	let impatient = Config {
		retry: cess_dht::RetryPolicy { attempts: 1, ..test_config().retry },
		..test_config()
	};
	let attacker = spawn_client(impatient, &miner.address).await;
	let (root, bytes) = fragment(FRAGMENT_SIZE, 30);
	let (other_root, other_bytes) = fragment(1024 * 1024, 31);
	let peer = miner.peer_id;

	let upload = spawn_put_with(
		&owner.client,
		peer,
		root,
		bytes.clone(),
		Authorization::new(token.clone()).unwrap(),
	);
	wait_until_stalled(pause.stalled, "the owner's upload is under way").await;

	// While it is: wrong proofs for the same root, for another root, and a GET, each refused
	// as unauthorized: not busy, and not waiting for the owner's stream, which stays paused.
	let mut flipped = token.clone();
	flipped[protocol::MAX_AUTH_LEN - 1] ^= 1;
	let wrong = [flipped, token[..token.len() - 1].to_vec(), Vec::new(), b"guess".to_vec()];
	let at_once = Duration::from_secs(3);
	for auth in &wrong {
		let auth = Authorization::new(auth.clone()).unwrap();
		let put = attacker.client.put_fragment(peer, root, vec![0xee; FRAGMENT_SIZE], auth, None);
		assert_unauthorized(tokio::time::timeout(at_once, put).await.unwrap(), "same root");
	}
	let auth = Authorization::new(wrong[0].clone()).unwrap();
	let put =
		attacker.client.put_fragment(peer, other_root, other_bytes.clone(), auth.clone(), None);
	assert_unauthorized(tokio::time::timeout(at_once, put).await.unwrap(), "another root");
	let get = attacker.client.get_fragment(peer, root, auth, None);
	assert_unauthorized(tokio::time::timeout(at_once, get).await.unwrap(), "a GET");
	assert!(!upload.is_finished(), "the owner's upload is still paused");

	// Let it go on: it completes in its first attempt, never interrupted nor refused.
	pause.release.send(()).unwrap();
	let report =
		tokio::time::timeout(Duration::from_secs(30), upload).await.unwrap().unwrap().unwrap();
	assert_eq!((report.attempts, report.resumed_from), (1, 0), "{report:?}");
	assert_eq!(store.read(&root).unwrap(), Some(bytes.clone()));
	// Nothing of the refused PUTs was stored: not the other root, not a byte of the same one.
	assert!(!store.contains(&other_root).unwrap());
	assert_eq!(store.partial_size(&other_root).unwrap(), 0);
	let m = &miner.registry;
	let bytes_in = metric(m, "cess_dht_fragment_bytes_total", &[("direction", "in")]);
	assert_eq!(bytes_in, FRAGMENT_SIZE as f64);
	let refused = [("op", "put"), ("side", "inbound"), ("reason", "unauthorized")];
	assert_eq!(metric(m, "cess_dht_fragment_failures_total", &refused), 5.0);
	let busy = [("side", "inbound"), ("reason", "busy")];
	assert_eq!(metric(m, "cess_dht_fragment_failures_total", &busy), 0.0);

	// The policy saw every request, each with its peer and the bytes it carried, unchanged.
	let asked = policy.asked();
	let put = |peer, root, auth: &[u8]| Asked { op: "put", peer, root, auth: auth.to_vec() };
	let mut expected = vec![put(owner.peer_id, root, &token)];
	expected.extend(wrong.iter().map(|auth| put(attacker.peer_id, root, auth)));
	expected.push(put(attacker.peer_id, other_root, &wrong[0]));
	expected.push(Asked { op: "get", peer: attacker.peer_id, root, auth: wrong[0].clone() });
	assert_eq!(asked, expected);

	// The owner's proof fetches it; a wrong one still does not.
	let fetched = owner
		.client
		.get_fragment(peer, root, Authorization::new(token.clone()).unwrap(), None)
		.await
		.unwrap();
	assert_eq!(fetched.data, bytes);
	let auth = Authorization::new(b"guess".to_vec()).unwrap();
	assert_unauthorized(attacker.client.get_fragment(peer, root, auth, None).await, "GET after");
	assert_eq!(policy.asked().last().map(|asked| &asked.auth[..]), Some(&b"guess"[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_long_authorization_is_a_protocol_error_and_closes_the_stream() {
	let token = b"the owner's proof".to_vec();
	let policy = TokenPolicy::new(token.clone());
	let miner = spawn_node(test_config(), memory_store(), policy.clone()).await;
	let client = spawn_client(test_config(), &miner.address).await;
	let peer = miner.peer_id;
	let (root, bytes) = fragment(64 * 1024, 32);

	// The client cannot even build one.
	assert!(Authorization::new(vec![0; protocol::MAX_AUTH_LEN + 1]).is_err());

	// Over the raw protocol: one byte over the limit with its bytes, then the largest length a
	// u16 can announce without them. The miner must answer from the length alone: had it
	// waited for the 65535 bytes, the idle timeout would have answered `Timeout` instead.
	let requests =
		[Request::Put { root, size: bytes.len() as u64 }, Request::Get { root, offset: 0 }];
	for (request, len) in
		requests.into_iter().zip([protocol::MAX_AUTH_LEN + 1, usize::from(u16::MAX)])
	{
		let mut header = request.encode().to_vec();
		header.extend_from_slice(&(len as u16).to_be_bytes());
		if len == protocol::MAX_AUTH_LEN + 1 {
			header.extend_from_slice(&vec![7; len]);
		}
		let mut stream = client.client.open_stream(peer).await.unwrap();
		stream.write_all(&header).await.unwrap();
		stream.flush().await.unwrap();
		let status =
			tokio::time::timeout(Duration::from_secs(3), protocol::read_status(&mut stream))
				.await
				.expect("answered before the idle timeout")
				.unwrap();
		match status {
			Status::Error { code: ErrorCode::Malformed, message } => {
				assert!(message.contains("authorization"), "{message}")
			}
			other => panic!("expected a protocol error, got {other:?}"),
		}
		assert!(stream_is_closed(&mut stream).await);
	}
	// Refused before the policy was asked; nothing stored.
	assert_eq!(policy.asked(), Vec::new());
	assert!(!miner.client.store().contains(&root).unwrap());
	let malformed = [("op", "unknown"), ("side", "inbound"), ("reason", "malformed")];
	assert_eq!(metric(&miner.registry, "cess_dht_fragment_failures_total", &malformed), 2.0);

	// The miner still serves a request with a valid proof.
	let auth = Authorization::new(token.clone()).unwrap();
	client.client.put_fragment(peer, root, bytes.clone(), auth.clone(), None).await.unwrap();
	assert_eq!(client.client.get_fragment(peer, root, auth, None).await.unwrap().data, bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_store_refuses_an_upload_before_its_first_byte_and_keeps_what_it_holds() {
	let dir = tempfile::tempdir().unwrap();
	let disk = disk_store(dir.path());
	let (held, held_bytes) = fragment(FRAGMENT_SIZE, 11);
	disk.put(&held, &held_bytes).unwrap();
	// Room for the fragment held and half of another.
	disk.set_capacity(Some(FRAGMENT_SIZE as u64 * 3 / 2));
	let miner = spawn_node(test_config(), disk.clone(), Arc::new(AllowAll)).await;
	let client = spawn_client(test_config(), &miner.address).await;

	let (root, bytes) = fragment(FRAGMENT_SIZE, 12);
	let refused = client
		.client
		.put_fragment(miner.peer_id, root, bytes.clone(), no_auth(), None)
		.await
		.unwrap_err();
	match &refused {
		TransferError::Rejected { code: ErrorCode::StoreFull, message } => {
			assert!(message.contains("full"), "{message}")
		}
		other => panic!("refused as full: {other:?}"),
	}
	assert!(!refused.is_transient(false), "not retried against the same miner");
	// Not a byte was taken in, and what was held is intact and served.
	assert_eq!(disk.partial_size(&root).unwrap(), 0);
	assert_eq!(disk.used(), FRAGMENT_SIZE as u64);
	let fetched = client.client.get_fragment(miner.peer_id, held, no_auth(), None).await.unwrap();
	assert_eq!(fetched.data, held_bytes);

	// Room made (the chain moved the old fragment away): the same upload now goes through.
	assert!(disk.remove(&held).unwrap());
	client.client.put_fragment(miner.peer_id, root, bytes.clone(), no_auth(), None).await.unwrap();
	assert_eq!(disk.read(&root).unwrap().unwrap(), bytes);
	assert_eq!(disk.used(), FRAGMENT_SIZE as u64);
}
