//! Hostile peers against one miner, in one process: trickling transfers, unauthorized and
//! malformed requests, slow headers, floods of connections and of fresh identities, while an
//! honest client stores and fetches fragments (docs/security.md §3.7, rows N4–N6).
//!
//! Every loop is bounded in count and in time. Run with `--nocapture` to see the figures.

mod common;

use cess_dht::{
	libp2p::{
		noise,
		swarm::{
			dial_opts::{DialOpts, PeerCondition},
			dummy, SwarmEvent,
		},
		tcp, yamux, Stream, Swarm, SwarmBuilder,
	},
	protocol::{self, ErrorCode, Request, Status},
	AllowAll, Authorization, AuthorizationPolicy, Client, Config, Decision, FragmentRoot, Limits,
	Multiaddr, NetworkStats, PeerId,
};
use common::*;
use futures::{future::join_all, AsyncReadExt, AsyncWriteExt, FutureExt, StreamExt};
use std::{
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc, OnceLock,
	},
	time::{Duration, Instant},
};
use tokio::task::JoinHandle;

/// The tests here measure times and load the machine: one at a time (each test has a runtime
/// of its own, so the lock is an async one).
static SERIAL: OnceLock<tokio::sync::Mutex<()>> = OnceLock::new();

async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
	SERIAL.get_or_init(|| tokio::sync::Mutex::new(())).lock().await
}

/// The proof an owner's ticket stands for here; hostile owners' Sybils hold it too.
const TOKEN: &[u8] = b"a valid access proof";

fn token() -> Authorization {
	Authorization::new(TOKEN.to_vec()).unwrap()
}

fn wrong_token() -> Authorization {
	Authorization::new(b"a forged access proof".to_vec()).unwrap()
}

/// Allows what carries [`TOKEN`], as a chain-backed policy allows a valid proof.
struct TokenPolicy;

impl AuthorizationPolicy for TokenPolicy {
	fn may_put(&self, _: &PeerId, _: &FragmentRoot, _: u64, auth: &[u8]) -> Decision {
		self.decide(auth)
	}

	fn may_get(&self, _: &PeerId, _: &FragmentRoot, auth: &[u8]) -> Decision {
		self.decide(auth)
	}
}

impl TokenPolicy {
	fn decide(&self, auth: &[u8]) -> Decision {
		if auth == TOKEN {
			Decision::Allow
		} else {
			Decision::Deny("not a valid proof".into())
		}
	}
}

/// A root no one holds.
fn some_root(seed: u64) -> FragmentRoot {
	fragment(32, seed ^ 0x5eed).0
}

/// The miner's configuration: test timeouts, a minimum rate measured over 1 s after a 1 s
/// grace period, a small address book.
fn miner_config() -> Config {
	Config {
		limits: Limits {
			min_rate: 32 * 1024,
			min_rate_window: Duration::from_secs(1),
			min_rate_grace: Duration::from_secs(1),
			max_incoming_connections: 96,
			max_pending_incoming_connections: 32,
			max_book_peers: 16,
			max_pinned_peers: 8,
			..Limits::default()
		},
		..test_config()
	}
}

/// Why [`ask`] got no status.
#[derive(Debug, PartialEq, Eq)]
enum NoAnswer {
	/// No stream: the miner refused the connection (its limits) or could not be reached.
	Unreachable,
	/// The stream was dropped unanswered (beyond the peer's share of pending requests).
	Dropped,
}

/// Opens a stream to `peer` and sends `request` with `auth`; the stream and the first status.
async fn ask(
	client: &Client,
	peer: PeerId,
	request: Request,
	auth: &Authorization,
) -> Result<(Stream, Status), NoAnswer> {
	let mut stream = client.open_stream(peer).await.map_err(|_| NoAnswer::Unreachable)?;
	let sent = protocol::write_request(&mut stream, &request, auth).await;
	sent.map_err(|_| NoAnswer::Dropped)?;
	let status =
		tokio::time::timeout(Duration::from_secs(5), protocol::read_status(&mut stream)).await;
	match status {
		Ok(Ok(status)) => Ok((stream, status)),
		_ => Err(NoAnswer::Dropped),
	}
}

/// Whether the remote has ended `stream` (EOF, reset, or an error status), without waiting.
fn ended(stream: &mut Stream) -> bool {
	let mut byte = [0u8; 1];
	matches!(stream.read(&mut byte).now_or_never(), Some(Ok(0)) | Some(Err(_)))
}

/// Writes a byte every `every` until the miner ends the stream (then the time it was held),
/// `stop` is set or `limit` passes (then `None`).
async fn trickle(
	stream: &mut Stream,
	every: Duration,
	limit: Duration,
	stop: &AtomicBool,
) -> Option<Duration> {
	let started = Instant::now();
	while started.elapsed() < limit && !stop.load(Ordering::Relaxed) {
		let write = tokio::time::timeout(Duration::from_secs(2), async {
			stream.write_all(&[0x55]).await?;
			stream.flush().await
		});
		if !matches!(write.await, Ok(Ok(()))) || ended(stream) {
			return Some(started.elapsed());
		}
		tokio::time::sleep(every).await;
	}
	None
}

/// What the hostile peers saw.
#[derive(Default)]
struct Tally {
	put_admitted: AtomicU64,
	put_busy: AtomicU64,
	put_dropped: AtomicU64,
	put_held_max_ms: AtomicU64,
	put_held_sum_ms: AtomicU64,
	get_admitted: AtomicU64,
	get_busy: AtomicU64,
	get_dropped: AtomicU64,
	get_survived: AtomicU64,
	unauthorized: AtomicU64,
	/// Trickling streams dropped unanswered (beyond the peer's share of pending requests).
	unanswered: AtomicU64,
	/// Streams that could not be opened (connections refused at the miner's limits).
	unreachable: AtomicU64,
	unexpected: AtomicU64,
	malformed: AtomicU64,
	slow_headers_admitted: AtomicU64,
	slow_headers_dropped: AtomicU64,
	flood_connected: AtomicU64,
	flood_failed: AtomicU64,
}

fn count(counter: &AtomicU64) {
	counter.fetch_add(1, Ordering::Relaxed);
}

fn get(counter: &AtomicU64) -> u64 {
	counter.load(Ordering::Relaxed)
}

/// When the `i`th stream of a trickler is opened: in waves of 4, 300 ms apart, so that the
/// later ones ask while the first are held (more than a peer's share of transfers).
fn wave(i: usize) -> Duration {
	Duration::from_millis(300) * (i / 4) as u32
}

/// A hostile owner's Sybil: opens `streams` authorized PUTs (more than its share), trickles a
/// byte every 200 ms on the admitted ones until the miner drops them, and again.
async fn put_trickler(
	client: Client,
	miner: PeerId,
	streams: usize,
	stop: Arc<AtomicBool>,
	tally: Arc<Tally>,
) {
	let deadline = Instant::now() + Duration::from_secs(60);
	let mut seed = u64::from_le_bytes(client.local_peer_id().to_bytes()[6..14].try_into().unwrap());
	while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
		let attempts = (0..streams).map(|i| {
			seed += 1;
			let request = Request::Put { root: some_root(seed), size: FRAGMENT_SIZE as u64 };
			let (client, stop, tally) = (client.clone(), stop.clone(), tally.clone());
			async move {
				tokio::time::sleep(wave(i)).await;
				match ask(&client, miner, request, &token()).await {
					Ok((mut stream, Status::Ok(_))) => {
						count(&tally.put_admitted);
						let every = Duration::from_millis(200);
						let limit = Duration::from_secs(15);
						if let Some(held) = trickle(&mut stream, every, limit, &stop).await {
							count(&tally.put_dropped);
							let ms = held.as_millis() as u64;
							tally.put_held_sum_ms.fetch_add(ms, Ordering::Relaxed);
							tally.put_held_max_ms.fetch_max(ms, Ordering::Relaxed);
						}
					}
					Ok((_, Status::Error { code: ErrorCode::Busy, .. })) => count(&tally.put_busy),
					Err(NoAnswer::Dropped) => count(&tally.unanswered),
					Err(NoAnswer::Unreachable) => count(&tally.unreachable),
					_ => count(&tally.unexpected),
				}
			}
		});
		join_all(attempts).await;
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}

/// A hostile owner's Sybil reading a fragment too slowly: `streams` GETs, reading a
/// byte every 200 ms for 3 s; then whether the miner gave up on them (fewer bytes than the
/// fragment before the end of the stream), and again.
async fn get_trickler(
	client: Client,
	miner: PeerId,
	root: FragmentRoot,
	streams: usize,
	stop: Arc<AtomicBool>,
	tally: Arc<Tally>,
) {
	let deadline = Instant::now() + Duration::from_secs(60);
	while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
		let attempts = (0..streams).map(|i| {
			let (client, stop, tally) = (client.clone(), stop.clone(), tally.clone());
			async move {
				tokio::time::sleep(wave(i)).await;
				match ask(&client, miner, Request::Get { root, offset: 0 }, &token()).await {
					Ok((mut stream, Status::Ok(size))) => {
						count(&tally.get_admitted);
						let started = Instant::now();
						let mut byte = [0u8; 1];
						while started.elapsed() < Duration::from_secs(3) {
							if stop.load(Ordering::Relaxed) {
								return;
							}
							let _ = tokio::time::timeout(
								Duration::from_millis(200),
								stream.read_exact(&mut byte),
							)
							.await;
							tokio::time::sleep(Duration::from_millis(200)).await;
						}
						let mut rest = Vec::new();
						let read = tokio::time::timeout(
							Duration::from_secs(3),
							stream.read_to_end(&mut rest),
						)
						.await;
						match read {
							Ok(Ok(_)) if (rest.len() as u64) < size - 1 => {
								count(&tally.get_dropped)
							}
							Ok(Err(_)) => count(&tally.get_dropped),
							_ => count(&tally.get_survived),
						}
					}
					Ok((_, Status::Error { code: ErrorCode::Busy, .. })) => count(&tally.get_busy),
					Err(NoAnswer::Dropped) => count(&tally.unanswered),
					Err(NoAnswer::Unreachable) => count(&tally.unreachable),
					_ => count(&tally.unexpected),
				}
			}
		});
		join_all(attempts).await;
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}

/// PUTs and GETs with a forged proof, 10 a second.
async fn unauthorized(client: Client, miner: PeerId, stop: Arc<AtomicBool>, tally: Arc<Tally>) {
	let deadline = Instant::now() + Duration::from_secs(60);
	let mut n = 0u64;
	while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
		n += 1;
		let request = if n.is_multiple_of(2) {
			Request::Put { root: some_root(n), size: FRAGMENT_SIZE as u64 }
		} else {
			Request::Get { root: some_root(n), offset: 0 }
		};
		match ask(&client, miner, request, &wrong_token()).await {
			Ok((_, Status::Error { code: ErrorCode::Unauthorized, .. })) => {
				count(&tally.unauthorized)
			}
			Err(NoAnswer::Unreachable) => count(&tally.unreachable),
			_ => count(&tally.unexpected),
		}
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}

/// Garbage headers (an unknown op), then bursts of 6 streams that send 3 bytes of a header
/// and nothing more (more than its share of pending requests), and again.
async fn garbage(client: Client, miner: PeerId, stop: Arc<AtomicBool>, tally: Arc<Tally>) {
	let deadline = Instant::now() + Duration::from_secs(60);
	while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
		for i in 0..5u8 {
			let Ok(mut stream) = client.open_stream(miner).await else {
				count(&tally.unreachable);
				tokio::time::sleep(Duration::from_millis(100)).await;
				continue;
			};
			let mut header = Request::Put { root: [i; 32], size: 1 }.encode();
			header[0] = 0x7f;
			let sent = async {
				stream.write_all(&header).await?;
				stream.flush().await
			};
			let status = match sent.await {
				Ok(()) => {
					tokio::time::timeout(Duration::from_secs(5), protocol::read_status(&mut stream))
						.await
						.ok()
						.and_then(Result::ok)
				}
				Err(_) => None,
			};
			match status {
				Some(Status::Error { code: ErrorCode::Malformed, .. }) => count(&tally.malformed),
				_ => count(&tally.unexpected),
			}
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
		let slow = (0..6).map(|_| {
			let (client, stop, tally) = (client.clone(), stop.clone(), tally.clone());
			async move {
				let Ok(mut stream) = client.open_stream(miner).await else { return };
				let sent = async {
					stream.write_all(&[0x01, 0x02, 0x03]).await?;
					stream.flush().await
				};
				if sent.await.is_err() {
					// Reset before its three bytes got out: dropped at once.
					count(&tally.slow_headers_dropped);
					return;
				}
				// A stream beyond the peer's share is dropped at once, one within it held until
				// the idle timeout (5 s): ended within 1.5 s tells the first, on a loaded machine
				// too.
				let opened = Instant::now();
				while opened.elapsed() < Duration::from_millis(1500) {
					tokio::time::sleep(Duration::from_millis(100)).await;
					if ended(&mut stream) {
						count(&tally.slow_headers_dropped);
						return;
					}
				}
				count(&tally.slow_headers_admitted);
				// Held until the miner's idle timeout answers it.
				let started = Instant::now();
				while started.elapsed() < Duration::from_secs(8) && !stop.load(Ordering::Relaxed) {
					if ended(&mut stream) {
						return;
					}
					tokio::time::sleep(Duration::from_millis(100)).await;
				}
			}
		});
		join_all(slow).await;
	}
}

/// A fresh identity connecting once: a node of its own that announces `fake` addresses
/// besides its own, asks the miner something and goes away; `true` if it got connected.
async fn fresh_identity(miner: &Multiaddr, fake: u16) -> bool {
	let external_addresses = (0..8)
		.map(|i| format!("/ip4/10.{}.{}.{i}/tcp/4001", fake >> 8, fake & 0xff).parse().unwrap())
		.collect();
	let config = Config { external_addresses, ..test_config() };
	let node = spawn_node(config, memory_store(), Arc::new(AllowAll)).await;
	let Ok(peer) = node.client.add_peer_address(miner).await else { return false };
	let get = Request::Get { root: [9; 32], offset: 0 };
	let connected = ask(&node.client, peer, get, &wrong_token()).await.is_ok();
	// Long enough for identify to reach the miner.
	tokio::time::sleep(Duration::from_millis(200)).await;
	node.service.abort();
	connected
}

/// A bare libp2p swarm (Noise, no protocols of ours): for connection floods.
fn bare_swarm() -> Swarm<dummy::Behaviour> {
	SwarmBuilder::with_new_identity()
		.with_tokio()
		.with_tcp(tcp::Config::default(), noise::Config::new, yamux::Config::default)
		.expect("transport")
		.with_behaviour(|_| dummy::Behaviour)
		.expect("behaviour")
		.with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
		.build()
}

/// One identity dialing `miner` `dials` times at once, each a connection of its own (again,
/// up to 3 times, while it holds fewer than 2), holding what it gets until `stop` (or 60 s):
/// how many it had open at the end. (Its own count runs ahead of the miner's for a moment: a
/// dialer sees a connection established before the listener decides whether to keep it.)
async fn connection_hog(
	miner: PeerId,
	address: Multiaddr,
	dials: usize,
	stop: Arc<AtomicBool>,
) -> usize {
	let mut swarm = bare_swarm();
	let (mut open, mut rounds) = (0usize, 0);
	let mut next_round = Instant::now();
	let deadline = next_round + Duration::from_secs(60);
	while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
		// Again while it holds fewer than 2 (the first tries may meet a full handshake queue).
		if Instant::now() >= next_round && rounds < 3 && open < 2 {
			for _ in 0..dials {
				let opts = DialOpts::peer_id(miner)
					.addresses(vec![address.clone()])
					.condition(PeerCondition::Always)
					.build();
				let _ = swarm.dial(opts);
			}
			rounds += 1;
			next_round = Instant::now() + Duration::from_secs(1);
		}
		let tick = tokio::time::sleep(Duration::from_millis(50));
		tokio::select! {
			event = swarm.select_next_some() => match event {
				SwarmEvent::ConnectionEstablished { .. } => open += 1,
				SwarmEvent::ConnectionClosed { .. } => open = open.saturating_sub(1),
				_ => {}
			},
			_ = tick => {}
		}
	}
	open
}

/// The largest value of each figure of `stats` seen.
#[derive(Debug, Default, Clone)]
struct Peaks(NetworkStats);

impl Peaks {
	fn update(&mut self, s: &NetworkStats) {
		let p = &mut self.0;
		p.connected_peers = p.connected_peers.max(s.connected_peers);
		p.incoming_connections = p.incoming_connections.max(s.incoming_connections);
		p.outgoing_connections = p.outgoing_connections.max(s.outgoing_connections);
		p.pending_incoming_connections =
			p.pending_incoming_connections.max(s.pending_incoming_connections);
		p.max_connections_of_a_peer = p.max_connections_of_a_peer.max(s.max_connections_of_a_peer);
		p.book_peers = p.book_peers.max(s.book_peers);
		p.pinned_peers = p.pinned_peers.max(s.pinned_peers);
		p.routing_table_peers = p.routing_table_peers.max(s.routing_table_peers);
		p.pending_requests = p.pending_requests.max(s.pending_requests);
		p.inbound_puts = p.inbound_puts.max(s.inbound_puts);
		p.inbound_gets = p.inbound_gets.max(s.inbound_gets);
		p.peers_served = p.peers_served.max(s.peers_served);
	}

	/// Every figure within `limits`.
	fn assert_within(&self, limits: &Limits) {
		let p = &self.0;
		assert!(p.incoming_connections <= limits.max_incoming_connections as usize, "{p:?}");
		assert!(
			p.pending_incoming_connections <= limits.max_pending_incoming_connections as usize,
			"{p:?}"
		);
		assert!(p.max_connections_of_a_peer <= limits.max_connections_per_peer as usize, "{p:?}");
		assert!(p.book_peers <= limits.max_book_peers, "{p:?}");
		assert!(p.pinned_peers <= limits.max_pinned_peers, "{p:?}");
		assert!(p.pending_requests <= limits.max_pending_requests, "{p:?}");
		assert!(p.inbound_puts <= limits.max_inbound_puts, "{p:?}");
		assert!(p.inbound_gets <= limits.max_inbound_gets, "{p:?}");
	}
}

/// Samples `client`'s stats every 50 ms until `stop`: the peaks.
fn sample(client: Client, stop: Arc<AtomicBool>) -> JoinHandle<Peaks> {
	tokio::spawn(async move {
		let mut peaks = Peaks::default();
		let deadline = Instant::now() + Duration::from_secs(120);
		while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
			if let Ok(stats) = client.stats().await {
				peaks.update(&stats);
			}
			tokio::time::sleep(Duration::from_millis(50)).await;
		}
		peaks
	})
}

/// How long the honest client took: PUT every fragment, then GET every one, one at a time.
#[derive(Debug, Clone, Copy)]
struct Round {
	put: Duration,
	get: Duration,
	attempts: u32,
}

async fn honest_round(
	client: &Client,
	miner: &Node,
	fragments: &[(FragmentRoot, Vec<u8>)],
) -> Round {
	let peer = miner.peer_id;
	let mut attempts = 0;
	let started = Instant::now();
	for (root, bytes) in fragments {
		let report = client.put_fragment(peer, *root, bytes.clone(), token(), None).await;
		attempts += report.expect("the honest PUT succeeds").attempts;
	}
	let put = started.elapsed();
	let started = Instant::now();
	for (root, bytes) in fragments {
		let fetched = client.get_fragment(peer, *root, token(), None).await;
		let fetched = fetched.expect("the honest GET succeeds");
		assert_eq!(&fetched.data, bytes);
		attempts += fetched.report.attempts;
	}
	let get = started.elapsed();
	// Gone again, so that the next round moves every byte once more.
	for (root, _) in fragments {
		miner.client.store().remove(root).unwrap();
	}
	Round { put, get, attempts }
}

fn ms(d: Duration) -> u128 {
	d.as_millis()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_64_hostile_peers() {
	let _serial = serial().await;
	let config = miner_config();
	let limits = config.limits.clone();
	let miner = spawn_node(config, memory_store(), Arc::new(TokenPolicy)).await;
	let honest = spawn_client(test_config(), &miner.address).await;
	let fragments: Vec<_> = (0..8).map(|i| fragment(FRAGMENT_SIZE, 100 + i)).collect();
	// What the slow readers ask for.
	let (bait, bait_bytes) = fragment(FRAGMENT_SIZE, 99);
	miner.client.store().put(&bait, &bait_bytes).unwrap();

	// A registered miner the node pinned (not connected), and a peer it was merely told of.
	let registered = spawn_node(test_config(), memory_store(), Arc::new(AllowAll)).await;
	let registered_address = without_p2p(&registered.address);
	miner.client.pin_peer(registered.peer_id, vec![registered.address.clone()]).await.unwrap();
	let told = PeerId::random();
	miner.client.add_address(told, "/ip4/127.0.0.1/tcp/9".parse().unwrap()).await.unwrap();

	// The hostile peers, started but not yet connected. Their Kademlia speaks another protocol:
	// otherwise each would look itself up through the miner and dial the others it is told
	// of, thousands of handshakes between attackers charged to the same two cores.
	let hostile_config =
		|| Config { kademlia_protocol: "/hostile/kad/1.0.0".into(), ..test_config() };
	let hostile: Vec<Node> = join_all((0..64).map(|_| async {
		let node = spawn_node(hostile_config(), memory_store(), Arc::new(AllowAll)).await;
		node.client.add_peer_address(&miner.address).await.unwrap();
		node
	}))
	.await;

	let unloaded_before = honest_round(&honest.client, &miner, &fragments).await;

	let stop = Arc::new(AtomicBool::new(false));
	let tally = Arc::new(Tally::default());
	let peaks = sample(miner.client.clone(), stop.clone());
	let mut tasks: Vec<JoinHandle<()>> = Vec::new();
	let peer = miner.peer_id;
	for (i, node) in hostile.iter().enumerate() {
		let (client, stop, tally) = (node.client.clone(), stop.clone(), tally.clone());
		tasks.push(tokio::spawn(match i {
			// Six owners' Sybils each trickling 8 PUTs, six reading 8 GETs slowly: 48 of
			// each, beyond the miner's 32 slots were there no per-peer share.
			0..=5 => put_trickler(client, peer, 8, stop, tally).boxed(),
			6..=11 => get_trickler(client, peer, bait, 8, stop, tally).boxed(),
			12..=37 => unauthorized(client, peer, stop, tally).boxed(),
			_ => garbage(client, peer, stop, tally).boxed(),
		}));
	}
	// One identity opening 6 connections at once.
	let hog = tokio::spawn(connection_hog(peer, without_p2p(&miner.address), 6, stop.clone()));
	// Fresh identities, 8 every 300 ms, each connecting once and announcing 8 addresses.
	let flood = {
		let (address, stop, tally) = (miner.address.clone(), stop.clone(), tally.clone());
		tokio::spawn(async move {
			for batch in 0..12u16 {
				if stop.load(Ordering::Relaxed) {
					break;
				}
				let identities = (0..8).map(|i| fresh_identity(&address, batch * 8 + i));
				for connected in join_all(identities).await {
					count(if connected { &tally.flood_connected } else { &tally.flood_failed });
				}
				tokio::time::sleep(Duration::from_millis(300)).await;
			}
		})
	};

	// Let the attack take hold (trickles admitted, slots held), then the honest round.
	tokio::time::sleep(Duration::from_millis(1500)).await;
	let during = miner.client.stats().await.unwrap();
	let loaded = honest_round(&honest.client, &miner, &fragments).await;
	// Keep it up until every trickler saw its admitted streams through (at most 15 s more).
	let t = &tally;
	let seen_through =
		|| get(&t.put_dropped) >= 6 * 4 && get(&t.get_dropped) + get(&t.get_survived) >= 6 * 4;
	let until = Instant::now() + Duration::from_secs(15);
	while !seen_through() && Instant::now() < until {
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	tokio::time::sleep(Duration::from_millis(500)).await;
	stop.store(true, Ordering::Relaxed);
	for task in tasks {
		tokio::time::timeout(Duration::from_secs(20), task).await.unwrap().unwrap();
	}
	tokio::time::timeout(Duration::from_secs(60), flood).await.unwrap().unwrap();
	let hog_held = tokio::time::timeout(Duration::from_secs(5), hog).await.unwrap().unwrap();
	let peaks = peaks.await.unwrap();
	let unloaded_after = honest_round(&honest.client, &miner, &fragments).await;

	let m = &miner.registry;
	let failures = |op: &str, reason: &str| {
		metric(
			m,
			"cess_dht_fragment_failures_total",
			&[("op", op), ("side", "inbound"), ("reason", reason)],
		)
	};
	let unloaded = |r: fn(&Round) -> Duration| (r(&unloaded_before) + r(&unloaded_after)) / 2;
	let (put_base, get_base) = (unloaded(|r| r.put), unloaded(|r| r.get));
	println!("honest client, 8 × 8 MiB, one at a time (PUT / GET, ms):");
	println!("  unloaded before: {} / {}", ms(unloaded_before.put), ms(unloaded_before.get));
	println!(
		"  loaded:          {} / {} ({} attempts for 16 operations)",
		ms(loaded.put),
		ms(loaded.get),
		loaded.attempts
	);
	println!("  unloaded after:  {} / {}", ms(unloaded_after.put), ms(unloaded_after.get));
	println!(
		"  loaded / unloaded: PUT {:.2}, GET {:.2}",
		loaded.put.as_secs_f64() / put_base.as_secs_f64(),
		loaded.get.as_secs_f64() / get_base.as_secs_f64()
	);
	println!("hostile peers (64) and what they got:");
	println!(
		"  PUT tricklers (6 × 8 streams at a time): admitted {}, busy {}, dropped {} after {} ms on average, {} ms at most",
		get(&t.put_admitted),
		get(&t.put_busy),
		get(&t.put_dropped),
		get(&t.put_held_sum_ms) / get(&t.put_dropped).max(1),
		get(&t.put_held_max_ms)
	);
	println!(
		"  GET tricklers (6 × 8 streams at a time): admitted {}, busy {}, dropped {}, survived {}",
		get(&t.get_admitted),
		get(&t.get_busy),
		get(&t.get_dropped),
		get(&t.get_survived)
	);
	println!("  unauthorized (26): refused {}", get(&t.unauthorized));
	println!(
		"  garbage (26): malformed {}, slow headers admitted {} / dropped at once {}",
		get(&t.malformed),
		get(&t.slow_headers_admitted),
		get(&t.slow_headers_dropped)
	);
	println!(
		"  fresh identities: {} connected once, {} refused; one identity dialing 6 times held {} at the end",
		get(&t.flood_connected),
		get(&t.flood_failed),
		hog_held
	);
	println!(
		"  trickling streams dropped unanswered: {}; streams not opened (connection refused): {}; other outcomes: {}",
		get(&t.unanswered),
		get(&t.unreachable),
		get(&t.unexpected)
	);
	println!(
		"miner: failures too_slow put {} get {}, busy_peer {}, overloaded {}",
		failures("put", "too_slow"),
		failures("get", "too_slow"),
		failures("put", "busy_peer") + failures("get", "busy_peer"),
		failures("unknown", "overloaded")
	);
	println!("miner during the attack: {during:?}");
	println!("miner peaks: {:?}", peaks.0);

	// The honest operations succeeded (the rounds assert it), never refused as busy, and were
	// at most twice as slow.
	assert_eq!(loaded.attempts, 16, "{loaded:?}");
	assert!(loaded.put <= 2 * put_base, "PUT {loaded:?} against {put_base:?}");
	assert!(loaded.get <= 2 * get_base, "GET {loaded:?} against {get_base:?}");
	// Every bound held throughout.
	peaks.assert_within(&limits);
	assert!(hog_held <= limits.max_connections_per_peer as usize, "{hog_held} connections");
	// Each trickler held no more than its share, and was dropped for its rate.
	// (and the honest client's one)
	assert!(peaks.0.inbound_puts <= 6 * limits.max_transfers_per_peer + 1, "{:?}", peaks.0);
	assert!(peaks.0.inbound_gets <= 6 * limits.max_transfers_per_peer, "{:?}", peaks.0);
	assert!(get(&t.put_busy) > 0 && get(&t.get_busy) > 0, "tricklers were held to their share");
	assert!(get(&t.put_dropped) >= 6 * 4, "every admitted PUT trickle was dropped at least once");
	assert!(hog_held >= 1, "the connection hog got in at all");
	assert!(get(&t.put_held_max_ms) < 5_000, "dropped within the grace period and a window or so");
	assert!(failures("put", "too_slow") >= 24.0 && failures("get", "too_slow") >= 24.0);
	assert!(get(&t.get_dropped) >= 24 && get(&t.get_survived) == 0);
	assert!(get(&t.unauthorized) > 0 && get(&t.malformed) > 0);
	assert!(get(&t.slow_headers_dropped) > 0, "slow headers beyond a peer's share were dropped");
	assert!(get(&t.flood_connected) > 0);
	// The pinned registered miner survived the flood and is reachable at its pinned address.
	assert_eq!(
		miner.client.known_addresses(registered.peer_id).await.unwrap()[0],
		registered_address
	);
	let (root, bytes) = fragment(64 * 1024, 7);
	miner.client.put_fragment(registered.peer_id, root, bytes, token(), None).await.unwrap();
	// The peer the node was told of is still in the book: the flood added nothing to evict it.
	assert!(!miner.client.known_addresses(told).await.unwrap().is_empty());
	let after = miner.client.stats().await.unwrap();
	assert!(after.book_peers <= limits.max_book_peers && after.pinned_peers == 1, "{after:?}");
	drop(hostile);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_trickling_put_evicted() {
	let _serial = serial().await;
	// One PUT slot and one GET slot: a trickler holding one would stop everyone else.
	let mut config = miner_config();
	config.limits.max_inbound_puts = 1;
	config.limits.max_inbound_gets = 1;
	let miner = spawn_node(config, memory_store(), Arc::new(TokenPolicy)).await;
	let attacker = spawn_client(test_config(), &miner.address).await;
	let honest = spawn_client(test_config(), &miner.address).await;
	let peer = miner.peer_id;
	let stop = AtomicBool::new(false);

	// A byte every 100 ms never meets the idle timeout (5 s here), only the minimum rate.
	let request = Request::Put { root: some_root(1), size: FRAGMENT_SIZE as u64 };
	let (mut stream, status) = ask(&attacker.client, peer, request, &token()).await.unwrap();
	assert_eq!(status, Status::Ok(0));
	let held = trickle(&mut stream, Duration::from_millis(100), Duration::from_secs(10), &stop)
		.await
		.expect("the trickling PUT is dropped");
	println!("a PUT trickling 10 bytes/s was dropped after {} ms", ms(held));
	assert!(held >= Duration::from_secs(1) && held < Duration::from_secs(3), "{held:?}");

	// A GET whose reader stops after the first bytes: dropped once a window passes without any.
	let (root, bytes) = fragment(FRAGMENT_SIZE, 2);
	miner.client.store().put(&root, &bytes).unwrap();
	let started = Instant::now();
	let (mut stream, status) =
		ask(&attacker.client, peer, Request::Get { root, offset: 0 }, &token()).await.unwrap();
	assert_eq!(status, Status::Ok(FRAGMENT_SIZE as u64));
	let too_slow = [("op", "get"), ("side", "inbound"), ("reason", "too_slow")];
	let m = &miner.registry;
	eventually(Duration::from_secs(5), "the slow GET to be dropped", || async {
		(metric(m, "cess_dht_fragment_failures_total", &too_slow) == 1.0).then_some(())
	})
	.await;
	println!("a GET not read was dropped after {} ms", ms(started.elapsed()));
	let mut received = Vec::new();
	let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut received)).await;
	assert!(received.len() < FRAGMENT_SIZE, "{} bytes", received.len());

	// A transfer at a modest but steady rate (about 640 KiB/s) is not disturbed.
	let (root, bytes) = fragment(1024 * 1024, 3);
	let (mut stream, _) =
		ask(&attacker.client, peer, Request::Put { root, size: bytes.len() as u64 }, &token())
			.await
			.unwrap();
	for chunk in bytes.chunks(64 * 1024) {
		stream.write_all(chunk).await.unwrap();
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	stream.flush().await.unwrap();
	assert_eq!(protocol::read_status(&mut stream).await.unwrap(), Status::Ok(bytes.len() as u64));

	// The slots the tricklers held are free: the honest client's first attempts succeed.
	let (root, bytes) = fragment(FRAGMENT_SIZE, 4);
	let report =
		honest.client.put_fragment(peer, root, bytes.clone(), token(), None).await.unwrap();
	let fetched = honest.client.get_fragment(peer, root, token(), None).await.unwrap();
	assert_eq!((report.attempts, fetched.report.attempts), (1, 1));
	assert_eq!(fetched.data, bytes);
	let too_slow_put = [("op", "put"), ("side", "inbound"), ("reason", "too_slow")];
	assert_eq!(metric(m, "cess_dht_fragment_failures_total", &too_slow_put), 1.0);
	let stats = miner.client.stats().await.unwrap();
	assert_eq!((stats.inbound_puts, stats.inbound_gets), (0, 0), "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_per_peer_shares() {
	let _serial = serial().await;
	let mut config = miner_config();
	config.limits = Limits {
		max_transfers_per_peer: 2,
		max_inbound_puts: 3,
		max_inbound_gets: 3,
		max_pending_per_peer: 2,
		// Held transfers here stall on purpose; only the shares are under test.
		min_rate: 0,
		..config.limits
	};
	let miner = spawn_node(config, memory_store(), Arc::new(TokenPolicy)).await;
	let greedy = spawn_client(test_config(), &miner.address).await;
	let second = spawn_client(test_config(), &miner.address).await;
	let reader = spawn_client(test_config(), &miner.address).await;
	let peer = miner.peer_id;
	let (root, bytes) = fragment(64 * 1024, 1);
	miner.client.store().put(&root, &bytes).unwrap();
	let put = |seed| Request::Put { root: some_root(seed), size: FRAGMENT_SIZE as u64 };
	let code = |answer: &Result<(Stream, Status), NoAnswer>| match answer {
		Ok((_, Status::Ok(_))) => None,
		Ok((_, Status::Error { code, .. })) => Some(*code),
		Err(_) => Some(ErrorCode::Internal),
	};

	// The greedy peer gets its 2 of the 3 PUT slots; its 3rd PUT and a GET are over its share.
	let mut held = Vec::new();
	for seed in 0..2 {
		let answer = ask(&greedy.client, peer, put(seed), &token()).await;
		assert_eq!(code(&answer), None);
		held.push(answer);
	}
	let answer = ask(&greedy.client, peer, put(2), &token()).await;
	assert_eq!(code(&answer), Some(ErrorCode::Busy));
	let answer = ask(&greedy.client, peer, Request::Get { root, offset: 0 }, &token()).await;
	assert_eq!(code(&answer), Some(ErrorCode::Busy));
	// Another peer gets the last PUT slot, then the pool is full for everyone.
	let answer = ask(&second.client, peer, put(3), &token()).await;
	assert_eq!(code(&answer), None);
	held.push(answer);
	let answer = ask(&second.client, peer, put(4), &token()).await;
	assert_eq!(code(&answer), Some(ErrorCode::Busy));
	// GETs have their own pool: a reader is served while every PUT slot is held.
	let fetched = reader.client.get_fragment(peer, root, token(), None).await.unwrap();
	assert_eq!((fetched.data, fetched.report.attempts), (bytes.clone(), 1));
	let stats = miner.client.stats().await.unwrap();
	assert_eq!((stats.inbound_puts, stats.peers_served), (3, 2), "{stats:?}");
	let m = &miner.registry;
	let busy = |reason| {
		metric(m, "cess_dht_fragment_failures_total", &[("side", "inbound"), ("reason", reason)])
	};
	assert_eq!((busy("busy_peer"), busy("busy")), (2.0, 1.0));

	// Pending requests: a peer's third stream without a header is dropped at once.
	let mut silent = Vec::new();
	for _ in 0..3 {
		silent.push(reader.client.open_stream(peer).await.unwrap());
	}
	tokio::time::sleep(Duration::from_millis(300)).await;
	let dropped = silent.iter_mut().map(ended).filter(|ended| *ended).count();
	assert_eq!(dropped, 1);
	assert_eq!(busy("overloaded"), 1.0);
	assert_eq!(miner.client.stats().await.unwrap().pending_requests, 2);

	// Everything held is given back when the streams go.
	drop(held);
	drop(silent);
	eventually(Duration::from_secs(5), "the slots to be free", || async {
		let stats = miner.client.stats().await.ok()?;
		(stats.inbound_puts + stats.pending_requests + stats.peers_served == 0).then_some(())
	})
	.await;
	let (root, bytes) = fragment(FRAGMENT_SIZE, 5);
	let report = greedy.client.put_fragment(peer, root, bytes, token(), None).await.unwrap();
	assert_eq!(report.attempts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_address_book_sybils() {
	let _serial = serial().await;
	let mut config = miner_config();
	config.limits.max_book_peers = 8;
	config.limits.max_pinned_peers = 4;
	let limits = config.limits.clone();
	let miner = spawn_node(config, memory_store(), Arc::new(AllowAll)).await;
	let registered = spawn_node(test_config(), memory_store(), Arc::new(AllowAll)).await;
	miner.client.pin_peer(registered.peer_id, vec![registered.address.clone()]).await.unwrap();

	// The node learns of more peers than the book holds: the least recently seen go.
	let told: Vec<PeerId> = (0..20).map(|_| PeerId::random()).collect();
	for (i, peer) in told.iter().enumerate() {
		let address = format!("/ip4/127.0.0.1/tcp/{}", 20_000 + i).parse().unwrap();
		miner.client.add_address(*peer, address).await.unwrap();
	}
	let stats = miner.client.stats().await.unwrap();
	assert_eq!((stats.book_peers, stats.pinned_peers), (8, 1), "{stats:?}");
	assert!(miner.client.known_addresses(told[0]).await.unwrap().is_empty());
	assert!(!miner.client.known_addresses(told[19]).await.unwrap().is_empty());

	// 64 fresh identities, each connecting once and announcing 8 addresses besides its own.
	let started = Instant::now();
	let mut connected = 0;
	for batch in 0..8u16 {
		let identities = (0..8).map(|i| fresh_identity(&miner.address, batch * 8 + i));
		connected += join_all(identities).await.into_iter().filter(|c| *c).count();
	}
	let stats = miner.client.stats().await.unwrap();
	println!(
		"{connected} fresh identities connected once in {} ms; the miner's book: {} peers + {} pinned, routing table {} peers",
		ms(started.elapsed()),
		stats.book_peers,
		stats.pinned_peers,
		stats.routing_table_peers
	);
	assert!(connected >= 60, "{connected} of 64 connected");
	// Nothing the flood said entered the book; the pinned miner is there as pinned.
	assert_eq!((stats.book_peers, stats.pinned_peers), (8, 1), "{stats:?}");
	assert!(stats.book_peers <= limits.max_book_peers);
	assert_eq!(
		miner.client.known_addresses(registered.peer_id).await.unwrap(),
		vec![without_p2p(&registered.address)]
	);
	// ... and it is dialed there.
	let (root, bytes) = fragment(64 * 1024, 1);
	miner.client.put_fragment(registered.peer_id, root, bytes, token(), None).await.unwrap();
	assert!(!miner.client.connected_peers().await.unwrap().is_empty());

	// The book heals: a peer the node adds now displaces the least recently seen.
	let newcomer = PeerId::random();
	miner.client.add_address(newcomer, "/ip4/127.0.0.1/tcp/30000".parse().unwrap()).await.unwrap();
	assert!(!miner.client.known_addresses(newcomer).await.unwrap().is_empty());
	assert_eq!(miner.client.stats().await.unwrap().book_peers, 8);
	// The node replaces the pinned set from the chain: the registered miner alone, then none.
	miner
		.client
		.set_pinned_peers(vec![(registered.peer_id, vec![registered.address.clone()])])
		.await
		.unwrap();
	assert_eq!(miner.client.stats().await.unwrap().pinned_peers, 1);
	miner.client.unpin_peer(registered.peer_id).await.unwrap();
	assert_eq!(miner.client.stats().await.unwrap().pinned_peers, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_connection_flood() {
	let _serial = serial().await;
	let mut config = miner_config();
	config.limits.max_incoming_connections = 16;
	config.limits.max_pending_incoming_connections = 4;
	let limits = config.limits.clone();
	let miner = spawn_node(config, memory_store(), Arc::new(AllowAll)).await;
	let honest = spawn_client(test_config(), &miner.address).await;
	let (root, bytes) = fragment(FRAGMENT_SIZE, 1);
	honest.client.put_fragment(miner.peer_id, root, bytes.clone(), no_auth(), None).await.unwrap();

	let stop = Arc::new(AtomicBool::new(false));
	let peaks = sample(miner.client.clone(), stop.clone());
	// 48 identities, one every 25 ms, each dialing 3 connections at once.
	let address = without_p2p(&miner.address);
	let mut hogs: Vec<JoinHandle<usize>> = Vec::new();
	for _ in 0..48 {
		hogs.push(tokio::spawn(connection_hog(miner.peer_id, address.clone(), 3, stop.clone())));
		tokio::time::sleep(Duration::from_millis(25)).await;
	}
	tokio::time::sleep(Duration::from_secs(2)).await;
	let during = miner.client.stats().await.unwrap();
	// The honest client, connected before, is still served.
	let started = Instant::now();
	let fetched = honest.client.get_fragment(miner.peer_id, root, no_auth(), None).await.unwrap();
	assert_eq!(fetched.data, bytes);
	let served_in = started.elapsed();
	stop.store(true, Ordering::Relaxed);
	let mut held = Vec::new();
	for hog in hogs {
		held.push(tokio::time::timeout(Duration::from_secs(5), hog).await.unwrap().unwrap());
	}
	let peaks = peaks.await.unwrap();
	println!(
		"48 identities × 3 connections: they held {} at the end ({} at most per identity); the miner: {during:?}; honest GET in {} ms",
		held.iter().sum::<usize>(),
		held.iter().max().unwrap(),
		ms(served_in)
	);
	println!("miner peaks: {:?}", peaks.0);
	peaks.assert_within(&limits);
	assert!(held.iter().all(|n| *n <= limits.max_connections_per_peer as usize));
	assert!(during.incoming_connections <= limits.max_incoming_connections as usize);
	assert!(peaks.0.pending_incoming_connections >= 1, "handshakes were under way");

	// Once the flood is gone, newcomers connect again.
	eventually(Duration::from_secs(10), "the flood's connections to close", || async {
		let stats = miner.client.stats().await.ok()?;
		(stats.incoming_connections <= 1).then_some(())
	})
	.await;
	let newcomer = spawn_client(test_config(), &miner.address).await;
	let fetched = newcomer.client.get_fragment(miner.peer_id, root, no_auth(), None).await.unwrap();
	assert_eq!(fetched.data, bytes);
}
