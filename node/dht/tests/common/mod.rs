//! Helpers shared by the integration tests: fragments, configurations, in-process nodes and
//! `cess-dht-peer` processes.
#![allow(dead_code)]

use cess_dht::{
	AllowAll, Authorization, AuthorizationPolicy, Blake2Verifier, Client, Config, DiskStore, Event,
	FragmentRoot, FragmentStore, FragmentVerifier, Keypair, MemoryStore, Multiaddr, Params, PeerId,
	RetryPolicy, Timeouts, TransferError, TransferReport,
};
use std::{
	future::Future,
	path::Path,
	process::Stdio,
	sync::Arc,
	time::{Duration, Instant},
};
use tokio::{
	io::{AsyncBufReadExt, BufReader, Lines},
	process::{Child, ChildStdin, ChildStdout, Command},
	sync::mpsc,
	task::JoinHandle,
};

/// The production fragment size.
pub const FRAGMENT_SIZE: usize = 8 * 1024 * 1024;

/// Deterministic pseudo-random bytes (xorshift) and their root under [`Blake2Verifier`].
pub fn fragment(len: usize, seed: u64) -> (FragmentRoot, Vec<u8>) {
	let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
	let mut bytes = Vec::with_capacity(len + 8);
	while bytes.len() < len {
		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		bytes.extend_from_slice(&state.to_le_bytes());
	}
	bytes.truncate(len);
	(Blake2Verifier::root_of(&bytes), bytes)
}

pub fn verifier() -> Arc<dyn FragmentVerifier> {
	Arc::new(Blake2Verifier)
}

pub fn disk_store(dir: &Path) -> Arc<DiskStore> {
	Arc::new(DiskStore::open(dir, verifier()).expect("store opens"))
}

pub fn memory_store() -> Arc<dyn FragmentStore> {
	Arc::new(MemoryStore::new(verifier()))
}

/// A configuration for tests: loopback, an ephemeral port, short timeouts, quick retries.
pub fn test_config() -> Config {
	Config {
		listen_addresses: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
		timeouts: Timeouts {
			open_stream: Duration::from_secs(5),
			idle: Duration::from_secs(5),
			transfer: Duration::from_secs(60),
			kademlia_query: Duration::from_secs(10),
			idle_connection: Duration::from_secs(30),
		},
		retry: RetryPolicy {
			attempts: 4,
			initial_backoff: Duration::from_millis(100),
			max_backoff: Duration::from_millis(500),
		},
		..Config::default()
	}
}

/// [`test_config`] with `attempts` tries per transfer and short backoffs: for transfers that
/// must outlast a restart of their peer.
pub fn retrying_config(attempts: u32) -> Config {
	Config {
		retry: RetryPolicy {
			attempts,
			initial_backoff: Duration::from_millis(100),
			max_backoff: Duration::from_millis(300),
		},
		..test_config()
	}
}

/// `address` without its trailing `/p2p/<peer id>`.
pub fn without_p2p(address: &Multiaddr) -> Multiaddr {
	let mut address = address.clone();
	address.pop();
	address
}

/// A node running in this process.
pub struct Node {
	pub client: Client,
	pub events: mpsc::Receiver<Event>,
	pub peer_id: PeerId,
	/// The first listen address, with `/p2p/<peer id>`.
	pub address: Multiaddr,
	pub registry: prometheus::Registry,
	pub service: JoinHandle<()>,
}

pub async fn spawn_node(
	config: Config,
	store: Arc<dyn FragmentStore>,
	policy: Arc<dyn AuthorizationPolicy>,
) -> Node {
	spawn_node_with_key(config, store, policy, Keypair::generate_ed25519()).await
}

pub async fn spawn_node_with_key(
	config: Config,
	store: Arc<dyn FragmentStore>,
	policy: Arc<dyn AuthorizationPolicy>,
	keypair: Keypair,
) -> Node {
	let registry = prometheus::Registry::new();
	let (client, service, events) = cess_dht::new(Params {
		config,
		keypair,
		store,
		policy,
		verifier: verifier(),
		registry: Some(registry.clone()),
	})
	.expect("network starts");
	let service = tokio::spawn(service.run());
	let peer_id = client.local_peer_id();
	let listen = client.listen_addresses().await.expect("service runs");
	let address = listen.first().expect("one listen address").clone().with_p2p(peer_id).unwrap();
	Node { client, events, peer_id, address, registry, service }
}

/// A node on a memory store that lets everyone in, told `address` (a peer's, with `/p2p/`).
pub async fn spawn_client(config: Config, address: &Multiaddr) -> Node {
	let client = spawn_node(config, memory_store(), Arc::new(AllowAll)).await;
	client.client.add_peer_address(address).await.unwrap();
	client
}

/// No authorization: enough for peers whose policy ignores it (`AllowAll`, `PeerAllowList`).
pub fn no_auth() -> Authorization {
	Authorization::empty()
}

/// Starts `client`'s PUT of `bytes` to `peer` in the background, with no authorization (for
/// peers whose policy ignores it).
pub fn spawn_put(
	client: &Client,
	peer: PeerId,
	root: FragmentRoot,
	bytes: Vec<u8>,
) -> JoinHandle<Result<TransferReport, TransferError>> {
	spawn_put_with(client, peer, root, bytes, no_auth())
}

/// Starts `client`'s PUT of `bytes` to `peer`, carrying `auth`, in the background.
pub fn spawn_put_with(
	client: &Client,
	peer: PeerId,
	root: FragmentRoot,
	bytes: Vec<u8>,
	auth: Authorization,
) -> JoinHandle<Result<TransferReport, TransferError>> {
	let client = client.clone();
	tokio::spawn(async move { client.put_fragment(peer, root, bytes, auth, None).await })
}

/// Waits (up to 60 s) for `put` of a [`FRAGMENT_SIZE`] fragment, interrupted after its peer had
/// stored at least `stored` bytes: it must succeed on a later attempt that resumed from there.
pub async fn assert_resumed_to_success(
	put: JoinHandle<Result<TransferReport, TransferError>>,
	stored: u64,
) {
	let report =
		tokio::time::timeout(Duration::from_secs(60), put).await.unwrap().unwrap().unwrap();
	assert!(report.attempts >= 2, "{report:?}");
	assert!(
		report.resumed_from >= stored && report.resumed_from < FRAGMENT_SIZE as u64,
		"resumed from {} (the peer had stored at least {stored})",
		report.resumed_from
	);
}

/// Polls `probe` every 50 ms until it yields `Some`, or panics after `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, what: &str, mut probe: F) -> T
where
	F: FnMut() -> Fut,
	Fut: Future<Output = Option<T>>,
{
	let start = Instant::now();
	loop {
		if let Some(value) = probe().await {
			return value;
		}
		assert!(start.elapsed() < limit, "timed out waiting for {what}");
		tokio::time::sleep(Duration::from_millis(50)).await;
	}
}

/// The value of a counter or gauge sample in `registry` with all the given labels.
pub fn metric(registry: &prometheus::Registry, name: &str, labels: &[(&str, &str)]) -> f64 {
	registry
		.gather()
		.iter()
		.filter(|family| family.get_name() == name)
		.flat_map(|family| family.get_metric())
		.filter(|m| {
			labels.iter().all(|(k, v)| {
				m.get_label().iter().any(|l| l.get_name() == *k && l.get_value() == *v)
			})
		})
		// A sample is either a counter or a gauge; the other reads as 0.
		.map(|m| m.get_counter().get_value() + m.get_gauge().get_value())
		.sum()
}

/// A `cess-dht-peer` process; killed when dropped.
pub struct PeerProcess {
	pub child: Child,
	pub peer_id: PeerId,
	/// Its listen address, with `/p2p/<peer id>`.
	pub address: Multiaddr,
	pub stdout: Lines<BufReader<ChildStdout>>,
	/// Held apart from `child`, whose `wait` would close it: the peer exits when it closes.
	pub stdin: ChildStdin,
}

impl PeerProcess {
	pub async fn spawn(args: &[String]) -> PeerProcess {
		let mut child = Command::new(env!("CARGO_BIN_EXE_cess-dht-peer"))
			.args(args)
			.stdin(Stdio::piped())
			.stdout(Stdio::piped())
			.stderr(Stdio::inherit())
			.kill_on_drop(true)
			.spawn()
			.expect("cess-dht-peer starts");
		let stdin = child.stdin.take().expect("piped stdin");
		let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
		let mut peer_id = None;
		let mut address = None;
		let ready = async {
			while let Some(line) = stdout.next_line().await.expect("stdout readable") {
				if let Some(id) = line.strip_prefix("PEER ") {
					peer_id = Some(id.parse::<PeerId>().expect("a peer id"));
				} else if let Some(a) = line.strip_prefix("LISTEN ") {
					address.get_or_insert(a.parse::<Multiaddr>().expect("an address"));
				} else if line == "READY" {
					return;
				}
			}
			panic!("cess-dht-peer exited before it was ready");
		};
		tokio::time::timeout(Duration::from_secs(20), ready)
			.await
			.expect("cess-dht-peer ready in time");
		PeerProcess {
			child,
			peer_id: peer_id.expect("PEER line"),
			address: address.expect("LISTEN line"),
			stdout,
			stdin,
		}
	}

	/// The `tcp` port of its listen address.
	pub fn port(&self) -> u16 {
		self.address
			.iter()
			.find_map(|p| match p {
				cess_dht::libp2p::multiaddr::Protocol::Tcp(port) => Some(port),
				_ => None,
			})
			.expect("a tcp address")
	}

	/// Waits for the next `STORED <root> <size>` line.
	pub async fn next_stored(&mut self) -> (String, u64) {
		let wait = async {
			while let Some(line) = self.stdout.next_line().await.expect("stdout readable") {
				if let Some(rest) = line.strip_prefix("STORED ") {
					let (root, size) = rest.split_once(' ').expect("root and size");
					return (root.to_string(), size.parse().expect("a size"));
				}
			}
			panic!("cess-dht-peer exited before storing");
		};
		tokio::time::timeout(Duration::from_secs(20), wait).await.expect("STORED in time")
	}
}
