//! Hostile peers of the storage network against miners of a running local net, in the test's
//! own process: trickling reads on a hostile owner's tickets, unauthorized trickling uploads to
//! the roots the chain has just assigned to the miners (a watcher of their assignments racing
//! the owner's client), garbage requests, and a stream of fresh identities announcing fake
//! addresses. Every loop is bounded in count and in time; [`Attack::stop`] ends it and returns
//! what the peers saw.

use crate::common::rpc::RpcClient;
use cess_dht::{
	libp2p::Stream,
	protocol::{self, Request, Status},
	Authorization, Client, Config, KademliaMode, Keypair, Multiaddr, PeerId,
};
use cess_primitives::{
	access::{AccessProof, AccessTicket, Rights},
	FileHash, FragmentHash,
};
use futures::{AsyncReadExt, AsyncWriteExt};
use serde_json::json;
use std::{
	collections::BTreeSet,
	sync::{
		atomic::{AtomicBool, AtomicU64, Ordering},
		Arc, Mutex,
	},
	thread::JoinHandle,
	time::{Duration, Instant},
};

/// A miner under attack: its account and where its storage network listens.
#[derive(Clone)]
pub struct Target {
	/// The miner account (SS58).
	pub account: String,
	/// Its PeerId, as registered on chain.
	pub peer: PeerId,
	/// Its registered addresses.
	pub addresses: Vec<Multiaddr>,
}

/// A hostile owner: an account that owns a file stored on the targets, whose tickets its
/// Sybils use to read that file's fragments as slowly as they can.
pub struct HostileOwner {
	/// The owner's key.
	pub pair: sp_core::sr25519::Pair,
	/// The chain's genesis hash (tickets name it).
	pub genesis: [u8; 32],
	/// The owner's file.
	pub file: FileHash,
	/// Roots of that file's fragments, each with the account of the miner holding it.
	pub fragments: Vec<(String, [u8; 32])>,
	/// Tickets expire at this block.
	pub expires: u32,
}

/// How many peers play each part, and for how long at most.
pub struct Plan {
	/// Sybils of the hostile owner, each reading its fragment on 4 streams at once (a peer's
	/// share) a byte every 200 ms, reopening what the miner drops.
	pub get_tricklers: usize,
	/// Peers opening uploads of the targets' freshly assigned roots with a forged ticket,
	/// trickling bytes on whatever they are let open.
	pub put_racers: usize,
	/// Peers sending unknown operations and half headers.
	pub garbage: usize,
	/// Slots cycling through fresh identities, each announcing eight fake addresses.
	pub fresh_identities: usize,
	/// The attack ends by itself after this long.
	pub limit: Duration,
	/// The size the racers announce: the layout's fragment size (anything else is refused
	/// before the ticket is even read, which would test less).
	pub fragment_size: u64,
}

impl Plan {
	/// The number of hostile peers (fresh identities counted once per slot).
	pub fn peers(&self) -> usize {
		self.get_tricklers + self.put_racers + self.garbage + self.fresh_identities
	}
}

/// What the hostile peers saw.
#[derive(Default, Debug)]
pub struct Tally {
	/// Reads admitted (the miner started sending).
	pub gets_admitted: AtomicU64,
	/// Admitted reads the miner cut off before the fragment's end.
	pub gets_dropped: AtomicU64,
	/// Reads refused (busy: a pool or the Sybil's share, or unauthorized).
	pub gets_refused: AtomicU64,
	/// Reads refused because the owner's Sybils together held its principal's share.
	pub gets_refused_principal: AtomicU64,
	/// Forged uploads of assigned roots sent.
	pub puts_sent: AtomicU64,
	/// Forged uploads refused at once.
	pub puts_refused: AtomicU64,
	/// Forged uploads the miner answered with anything but a refusal (must stay 0).
	pub puts_admitted: AtomicU64,
	/// Distinct assigned roots the watcher saw.
	pub roots_watched: AtomicU64,
	/// Garbage requests sent.
	pub garbage_sent: AtomicU64,
	/// Fresh identities that connected.
	pub identities: AtomicU64,
	/// Requests that could not even reach the miner (connection refused or dropped).
	pub unreachable: AtomicU64,
}

fn count(counter: &AtomicU64) {
	counter.fetch_add(1, Ordering::Relaxed);
}

impl std::fmt::Display for Tally {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
		write!(
			f,
			"reads admitted {} (cut off {}), refused {} ({} for the owner's share); forged uploads {} (refused {}, admitted \
			 {}) of {} watched roots; garbage {}; fresh identities connected {}; unreachable {}",
			g(&self.gets_admitted),
			g(&self.gets_dropped),
			g(&self.gets_refused),
			g(&self.gets_refused_principal),
			g(&self.puts_sent),
			g(&self.puts_refused),
			g(&self.puts_admitted),
			g(&self.roots_watched),
			g(&self.garbage_sent),
			g(&self.identities),
			g(&self.unreachable),
		)
	}
}

/// A running attack.
pub struct Attack {
	runtime: tokio::runtime::Runtime,
	stop: Arc<AtomicBool>,
	tasks: Vec<tokio::task::JoinHandle<()>>,
	watcher: Option<JoinHandle<()>>,
	/// What the peers saw so far.
	pub tally: Arc<Tally>,
}

impl Attack {
	/// Starts `plan` against `targets`: the hostile owner's Sybils read its fragments; the
	/// racers learn the targets' new assignments from the chain at `rpc_url`.
	pub fn start(plan: Plan, targets: Vec<Target>, owner: HostileOwner, rpc_url: String) -> Self {
		let runtime = tokio::runtime::Builder::new_multi_thread()
			.worker_threads(2)
			.enable_all()
			.build()
			.expect("a runtime for the hostile peers");
		let stop = Arc::new(AtomicBool::new(false));
		let tally = Arc::new(Tally::default());
		let deadline = Instant::now() + plan.limit;
		let assigned = Arc::new(Mutex::new(Vec::<[u8; 32]>::new()));
		let watcher = {
			let (stop, tally, assigned, targets) =
				(stop.clone(), tally.clone(), assigned.clone(), targets.clone());
			std::thread::spawn(move || watch(rpc_url, targets, assigned, tally, stop, deadline))
		};
		// Bob's ticket for his own file: well signed, but for another file than any assigned
		// root, so it forges an upload (and it names another peer than the racer).
		let forged = ticket(&owner, Keypair::generate_ed25519().public().to_peer_id());
		let fragment_size = plan.fragment_size;
		let mut tasks = Vec::new();
		let stop_at = move || Instant::now() >= deadline;
		for i in 0..plan.peers() {
			let target = targets[i % targets.len()].clone();
			let (stop, tally, assigned) = (stop.clone(), tally.clone(), assigned.clone());
			let keypair = Keypair::generate_ed25519();
			let role = if i < plan.get_tricklers {
				Role::GetTrickler(
					ticket(&owner, keypair.public().to_peer_id()),
					owner
						.fragments
						.iter()
						.filter(|(miner, _)| *miner == target.account)
						.map(|(_, root)| *root)
						.chain(owner.fragments.first().map(|(_, root)| *root))
						.next()
						.expect("the hostile owner's file has fragments"),
				)
			} else if i < plan.get_tricklers + plan.put_racers {
				Role::PutRacer(forged.clone(), fragment_size)
			} else if i < plan.get_tricklers + plan.put_racers + plan.garbage {
				Role::Garbage
			} else {
				Role::FreshIdentities(i as u16)
			};
			tasks.push(runtime.spawn(async move {
				let stopped = || stop.load(Ordering::Relaxed) || stop_at();
				if let Role::FreshIdentities(slot) = role {
					fresh_identities(&target, slot, &tally, &stopped).await;
					return;
				}
				let Some(client) = peer(keypair, &target).await else { return };
				match role {
					Role::GetTrickler(auth, root) => {
						let streams = (0..4).map(|_| {
							trickle_gets(&client, &target, root, auth.clone(), &tally, &stopped)
						});
						futures::future::join_all(streams).await;
					}
					Role::PutRacer(auth, size) => {
						race_puts(&client, &target, &assigned, auth, size, &tally, &stopped).await
					}
					Role::Garbage => garbage(&client, &target, &tally, &stopped).await,
					Role::FreshIdentities(_) => {}
				}
			}));
		}
		Self { runtime, stop, tasks, watcher: Some(watcher), tally }
	}

	/// Ends the attack and waits for every peer to stop.
	pub fn stop(mut self) -> Arc<Tally> {
		self.stop.store(true, Ordering::Relaxed);
		let tasks = std::mem::take(&mut self.tasks);
		self.runtime.block_on(async {
			for task in tasks {
				let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
			}
		});
		if let Some(watcher) = self.watcher.take() {
			let _ = watcher.join();
		}
		self.tally.clone()
	}
}

enum Role {
	GetTrickler(Authorization, [u8; 32]),
	PutRacer(Authorization, u64),
	Garbage,
	FreshIdentities(u16),
}

fn ticket(owner: &HostileOwner, peer: PeerId) -> Authorization {
	let ticket = AccessTicket::sign_sr25519(
		&owner.pair,
		&owner.genesis,
		owner.file,
		peer.to_bytes(),
		Rights::ALL,
		owner.expires,
	);
	Authorization::new(AccessProof::Ticket(ticket).to_bytes()).expect("a ticket fits")
}

/// A hostile peer of its own: a client-mode node with an empty store, refusing everything.
async fn peer(keypair: Keypair, target: &Target) -> Option<Client> {
	peer_announcing(keypair, target, Vec::new()).await
}

async fn peer_announcing(
	keypair: Keypair,
	target: &Target,
	external_addresses: Vec<Multiaddr>,
) -> Option<Client> {
	let verifier = Arc::new(cess_dht::Blake2Verifier);
	let mut config =
		Config { kademlia_mode: KademliaMode::Client, external_addresses, ..Default::default() };
	config.retry.attempts = 1;
	config.limits.max_fragment_size = config.limits.max_fragment_size.max(1 << 30);
	let (client, service, _events) = cess_dht::new(cess_dht::Params {
		config,
		keypair,
		store: Arc::new(cess_dht::MemoryStore::new(verifier.clone())),
		policy: Arc::new(cess_dht::PeerAllowList::default()),
		verifier,
		registry: None,
	})
	.ok()?;
	tokio::spawn(service.run());
	for address in &target.addresses {
		client.add_address(target.peer, address.clone()).await.ok()?;
	}
	Some(client)
}

/// Opens a stream to the target and sends `request`; the stream and the first status, or
/// `None` (counted unreachable).
async fn ask(
	client: &Client,
	target: &Target,
	request: Request,
	auth: &Authorization,
	tally: &Tally,
) -> Option<(Stream, Status)> {
	let answer = async {
		let mut stream = client.open_stream(target.peer).await.ok()?;
		protocol::write_request(&mut stream, &request, auth).await.ok()?;
		let status = protocol::read_status(&mut stream).await.ok()?;
		Some((stream, status))
	};
	let answer = tokio::time::timeout(Duration::from_secs(5), answer).await.ok().flatten();
	if answer.is_none() {
		count(&tally.unreachable);
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	answer
}

/// Reads the hostile owner's fragment a byte every 200 ms for up to 20 s, again and again.
async fn trickle_gets(
	client: &Client,
	target: &Target,
	root: [u8; 32],
	auth: Authorization,
	tally: &Tally,
	stopped: &impl Fn() -> bool,
) {
	while !stopped() {
		let request = Request::Get { root, offset: 0 };
		match ask(client, target, request, &auth, tally).await {
			Some((mut stream, Status::Ok(_))) => {
				count(&tally.gets_admitted);
				let started = Instant::now();
				let mut byte = [0u8; 1];
				loop {
					if stopped() || started.elapsed() > Duration::from_secs(20) {
						break;
					}
					match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut byte)).await
					{
						Ok(Ok(1)) => tokio::time::sleep(Duration::from_millis(200)).await,
						_ => {
							count(&tally.gets_dropped);
							break;
						}
					}
				}
			}
			Some((_, Status::Error { message, .. })) => {
				count(&tally.gets_refused);
				if message.contains("your account") {
					count(&tally.gets_refused_principal);
				}
				tokio::time::sleep(Duration::from_millis(300)).await;
			}
			None => {}
		}
	}
}

/// Uploads each root the chain assigned to the target with a forged ticket, trickling a byte
/// every 200 ms on any stream the miner lets stay open; about ten attempts a second.
async fn race_puts(
	client: &Client,
	target: &Target,
	assigned: &Mutex<Vec<[u8; 32]>>,
	auth: Authorization,
	size: u64,
	tally: &Tally,
	stopped: &impl Fn() -> bool,
) {
	let mut next = 0usize;
	while !stopped() {
		let root = {
			let assigned = assigned.lock().unwrap();
			if assigned.is_empty() {
				None
			} else {
				next = next.wrapping_add(1);
				Some(assigned[assigned.len() - 1 - next % assigned.len().min(8)])
			}
		};
		let Some(root) = root else {
			tokio::time::sleep(Duration::from_millis(100)).await;
			continue;
		};
		count(&tally.puts_sent);
		match ask(client, target, Request::Put { root, size }, &auth, tally).await {
			Some((_, Status::Error { .. })) => count(&tally.puts_refused),
			Some((mut stream, Status::Ok(_))) => {
				count(&tally.puts_admitted);
				for _ in 0..25 {
					if stopped() || stream.write_all(&[0x55]).await.is_err() {
						break;
					}
					let _ = stream.flush().await;
					tokio::time::sleep(Duration::from_millis(200)).await;
				}
			}
			None => {}
		}
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}

/// Unknown operations, and bursts of half headers left hanging.
async fn garbage(client: &Client, target: &Target, tally: &Tally, stopped: &impl Fn() -> bool) {
	let mut round = 0u8;
	while !stopped() {
		round = round.wrapping_add(1);
		match tokio::time::timeout(Duration::from_secs(5), client.open_stream(target.peer)).await {
			Ok(Ok(stream)) => send_garbage(stream, round, tally).await,
			_ => {
				count(&tally.unreachable);
				tokio::time::sleep(Duration::from_millis(200)).await;
			}
		}
	}
}

async fn send_garbage(mut stream: Stream, round: u8, tally: &Tally) {
	count(&tally.garbage_sent);
	// An unknown operation on even rounds, three bytes of a header on odd ones (then silence
	// until the miner gives up on it).
	let bytes: Vec<u8> =
		if round.is_multiple_of(2) { vec![0xee; 48] } else { vec![0x01, 0x00, 0x00] };
	let _ = stream.write_all(&bytes).await;
	let _ = stream.flush().await;
	let mut sink = [0u8; 64];
	let _ = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut sink)).await;
	tokio::time::sleep(Duration::from_millis(100)).await;
}

/// A new identity every two seconds: a node announcing eight fake addresses connects, asks
/// for a root nobody holds, and goes away after identify has run.
async fn fresh_identities(target: &Target, slot: u16, tally: &Tally, stopped: &impl Fn() -> bool) {
	let mut n = 0u16;
	while !stopped() && n < 200 {
		n += 1;
		let fake = slot.wrapping_mul(251).wrapping_add(n);
		let addresses = (0..8)
			.map(|i| format!("/ip4/10.{}.{}.{i}/tcp/4001", fake >> 8, fake & 0xff).parse().unwrap())
			.collect();
		let Some(client) = peer_announcing(Keypair::generate_ed25519(), target, addresses).await
		else {
			continue;
		};
		let request = Request::Get { root: [9; 32], offset: 0 };
		let auth = Authorization::new(b"nothing".to_vec()).expect("short");
		if ask(&client, target, request, &auth, tally).await.is_some() {
			count(&tally.identities);
		}
		// Long enough for identify to reach the miner, then gone; a new one every 2 s a slot.
		tokio::time::sleep(Duration::from_millis(500)).await;
		drop(client);
		tokio::time::sleep(Duration::from_millis(1500)).await;
	}
}

/// Follows the targets' assignments on chain (every 300 ms) and publishes the roots.
fn watch(
	rpc_url: String,
	targets: Vec<Target>,
	assigned: Arc<Mutex<Vec<[u8; 32]>>>,
	tally: Arc<Tally>,
	stop: Arc<AtomicBool>,
	deadline: Instant,
) {
	let rpc = RpcClient::new(rpc_url);
	let mut seen = BTreeSet::new();
	while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
		for target in &targets {
			let Ok(Some(page)) =
				rpc.call("fileBank_minerAssignments", &json!([target.account, null, 64]))
			else {
				continue;
			};
			for entry in page.as_array().into_iter().flatten() {
				let Ok(hash) = serde_json::from_value::<FragmentHash>(entry["hash"].clone()) else {
					continue;
				};
				if seen.insert(hash.0) {
					count(&tally.roots_watched);
					assigned.lock().unwrap().push(hash.0);
				}
			}
		}
		std::thread::sleep(Duration::from_millis(300));
	}
}

/// A process's resident memory (KiB) and open files, from `/proc`.
pub fn process_usage(pid: u32) -> Option<(u64, usize)> {
	let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
	let rss = status
		.lines()
		.find_map(|l| l.strip_prefix("VmRSS:"))?
		.split_whitespace()
		.next()?
		.parse()
		.ok()?;
	let files = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count();
	Some((rss, files))
}

/// Samples the usage of `pids` every 500 ms until `stop`: the peak of each, in order.
pub fn sample_usage(pids: Vec<u32>, stop: Arc<AtomicBool>) -> JoinHandle<Vec<(u64, usize)>> {
	std::thread::spawn(move || {
		let mut peaks = vec![(0u64, 0usize); pids.len()];
		while !stop.load(Ordering::Relaxed) {
			for (peak, pid) in peaks.iter_mut().zip(&pids) {
				if let Some((rss, files)) = process_usage(*pid) {
					*peak = (peak.0.max(rss), peak.1.max(files));
				}
			}
			std::thread::sleep(Duration::from_millis(500));
		}
		peaks
	})
}
