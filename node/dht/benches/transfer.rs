//! Fragment transfer throughput on loopback, beside a plain TCP copy of the same bytes.
//!
//! `cargo bench -p cess-dht --bench transfer [-- --fragments N --rounds R --chunk-kib K --only M]`:
//! moves N 8 MiB fragments (default 16, i.e. 128 MiB) R times (default 3) each way and prints the
//! best round of each mode as MiB/s and as a share of the plain TCP copy measured in the same run.
//! `--only M` runs mode M (from 1, in the printed order) alone, e.g. under `perf`. Rows are TLS
//! (the default) unless they say Noise; the memory and disk stores check the blake2-256 of the
//! whole fragment unless they say "the node's Merkle check" (what a miner and the file client
//! run).

use bytes::Bytes;
use cess_dht::{
	store::{FragmentSource, Hooked, StoreHooks},
	AllowAll, Authorization, Blake2Verifier, Client, Config, DiskStore, FragmentHasher,
	FragmentRoot, FragmentStore, FragmentVerifier, Keypair, Limits, MemoryStore, Params, Security,
};
use cess_primitives::merkle::{merkle_root, MerkleBuilder};
use std::{
	sync::Arc,
	time::{Duration, Instant},
};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::{TcpListener, TcpStream},
};

const FRAGMENT_SIZE: usize = 8 * 1024 * 1024;

/// The chain's Merkle leaf size.
const LEAF_SIZE: u32 = 256;

/// The node's check (node/src/fragment_verifier.rs, which this crate cannot depend on): the
/// Merkle root of the fragment's 256-byte leaves, hashed chunk by chunk as the bytes arrive.
struct MerkleVerifier;

impl FragmentVerifier for MerkleVerifier {
	fn verify(&self, root: &FragmentRoot, bytes: &[u8]) -> bool {
		merkle_root(LEAF_SIZE, bytes).is_ok_and(|computed| computed == *root)
	}

	fn incremental(&self, _size: u64) -> Option<Box<dyn FragmentHasher>> {
		Some(Box::new(IncrementalMerkle(MerkleBuilder::new(LEAF_SIZE).ok()?)))
	}
}

/// Hooks that make a store's fragment reads take as long as a disk reading `DISK_READ_MIB_S`
/// would (sleeping on the blocking thread): shows whether a GET overlaps reading with sending.
struct SlowReads;

/// The read rate of [`SlowReads`]: a hard disk's or a SATA SSD's sequential rate.
const DISK_READ_MIB_S: f64 = 250.0;

/// A fragment reader throttled to [`DISK_READ_MIB_S`].
struct Throttled(Box<dyn FragmentSource>);

impl std::io::Read for Throttled {
	fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
		let n = self.0.read(buf)?;
		std::thread::sleep(Duration::from_secs_f64(n as f64 / (DISK_READ_MIB_S * 1048576.0)));
		Ok(n)
	}
}

impl std::io::Seek for Throttled {
	fn seek(&mut self, position: std::io::SeekFrom) -> std::io::Result<u64> {
		self.0.seek(position)
	}
}

impl StoreHooks for SlowReads {
	fn reader(&self, reader: Box<dyn FragmentSource>) -> Box<dyn FragmentSource> {
		Box::new(Throttled(reader))
	}
}

/// [`MerkleVerifier`]'s check of a fragment fed chunk by chunk.
struct IncrementalMerkle(MerkleBuilder);

impl FragmentHasher for IncrementalMerkle {
	fn update(&mut self, bytes: &[u8]) {
		self.0.update(bytes);
	}

	fn matches(self: Box<Self>, root: &FragmentRoot) -> bool {
		self.0.finish().is_ok_and(|computed| computed == *root)
	}
}

struct Options {
	fragments: usize,
	rounds: usize,
	/// Run only the mode with this number (from 1), e.g. for profiling.
	only: Option<usize>,
	/// `Limits::chunk_size` in KiB.
	chunk_kib: usize,
}

impl Options {
	fn parse() -> Self {
		let mut options = Options {
			fragments: 16,
			rounds: 3,
			only: None,
			chunk_kib: Limits::default().chunk_size / 1024,
		};
		let mut args = std::env::args().skip(1);
		while let Some(arg) = args.next() {
			let value = |args: &mut dyn Iterator<Item = String>| {
				args.next().and_then(|v| v.parse().ok()).filter(|v: &usize| *v > 0)
			};
			match arg.as_str() {
				"--fragments" => options.fragments = value(&mut args).unwrap_or(options.fragments),
				"--rounds" => options.rounds = value(&mut args).unwrap_or(options.rounds),
				"--only" => options.only = value(&mut args),
				"--chunk-kib" => options.chunk_kib = value(&mut args).unwrap_or(options.chunk_kib),
				// `cargo bench` passes `--bench`; anything else is ignored too.
				_ => {}
			}
		}
		options
	}
}

fn fragments(count: usize) -> Vec<(FragmentRoot, Bytes)> {
	(0..count as u64)
		.map(|seed| {
			let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
			let mut bytes = Vec::with_capacity(FRAGMENT_SIZE);
			while bytes.len() < FRAGMENT_SIZE {
				state ^= state << 13;
				state ^= state >> 7;
				state ^= state << 17;
				bytes.extend_from_slice(&state.to_le_bytes());
			}
			(Blake2Verifier::root_of(&bytes), Bytes::from(bytes))
		})
		.collect()
}

/// Writes every fragment over one TCP connection; the reader drains it into a chunk buffer or,
/// with `check`, collects each fragment and checks it against its root as the DHT does.
async fn tcp_copy(fragments: &[(FragmentRoot, Bytes)], check: bool) -> Duration {
	let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
	let address = listener.local_addr().expect("address");
	let expected: usize = fragments.iter().map(|(_, bytes)| bytes.len()).sum();
	let roots: Vec<FragmentRoot> = fragments.iter().map(|(root, _)| *root).collect();
	let reader = tokio::spawn(async move {
		let (mut socket, _) = listener.accept().await.expect("accept");
		let mut buffer = vec![0u8; 256 * 1024];
		let mut fragment = Vec::with_capacity(FRAGMENT_SIZE);
		let mut roots = roots.into_iter();
		let mut total = 0;
		loop {
			let n = socket.read(&mut buffer).await.expect("read");
			if n == 0 {
				break total;
			}
			total += n;
			if check {
				let mut rest = &buffer[..n];
				while !rest.is_empty() {
					let take = rest.len().min(FRAGMENT_SIZE - fragment.len());
					fragment.extend_from_slice(&rest[..take]);
					rest = &rest[take..];
					if fragment.len() == FRAGMENT_SIZE {
						let root = roots.next().expect("a root per fragment");
						assert!(Blake2Verifier.verify(&root, &fragment));
						fragment.clear();
					}
				}
			}
		}
	});
	let start = Instant::now();
	let mut socket = TcpStream::connect(address).await.expect("connect");
	socket.set_nodelay(true).expect("nodelay");
	for (_, bytes) in fragments {
		socket.write_all(bytes).await.expect("write");
	}
	socket.shutdown().await.expect("shutdown");
	let received = reader.await.expect("reader");
	let elapsed = start.elapsed();
	assert_eq!(received, expected);
	elapsed
}

/// A plain TCP copy whose reader thread hands each 256 KiB chunk to a hasher thread that appends
/// it to the fragment and feeds the node's Merkle-root check (`MerkleBuilder`), as the DHT's
/// chunk pipeline does: the ceiling, on this machine, of any transfer that checks what it
/// receives. Blocking std threads, buffers reused: no async runtime in the way.
async fn tcp_copy_merkle(fragments: &[(FragmentRoot, Bytes)]) -> Duration {
	use std::io::{Read, Write};
	const BUFFERS: usize = 8;
	let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
	let address = listener.local_addr().expect("address");
	let expected: usize = fragments.iter().map(|(_, bytes)| bytes.len()).sum();
	let roots: Vec<[u8; 32]> =
		fragments.iter().map(|(_, bytes)| merkle_root(LEAF_SIZE, bytes).expect("root")).collect();
	let payload: Vec<Bytes> = fragments.iter().map(|(_, bytes)| bytes.clone()).collect();
	let reader = std::thread::spawn(move || {
		let (mut socket, _) = listener.accept().expect("accept");
		let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<(Vec<u8>, usize)>(BUFFERS);
		let (empty_tx, empty_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(BUFFERS);
		for _ in 0..BUFFERS {
			empty_tx.send(vec![0u8; 256 * 1024]).expect("buffer");
		}
		let hasher = std::thread::spawn(move || {
			let mut roots = roots.into_iter();
			let mut fragment = Vec::with_capacity(FRAGMENT_SIZE);
			let new_builder = || MerkleBuilder::new(LEAF_SIZE).expect("builder");
			let mut builder = new_builder();
			while let Ok((buffer, n)) = full_rx.recv() {
				let mut rest = &buffer[..n];
				while !rest.is_empty() {
					let take = rest.len().min(FRAGMENT_SIZE - fragment.len());
					fragment.extend_from_slice(&rest[..take]);
					builder.update(&rest[..take]);
					rest = &rest[take..];
					if fragment.len() == FRAGMENT_SIZE {
						let done = std::mem::replace(&mut builder, new_builder());
						assert_eq!(done.finish().expect("root"), roots.next().expect("root"));
						fragment.clear();
					}
				}
				let _ = empty_tx.send(buffer);
			}
		});
		let mut total = 0;
		loop {
			let mut buffer = empty_rx.recv().expect("buffer");
			let mut filled = 0;
			while filled < buffer.len() {
				let n = socket.read(&mut buffer[filled..]).expect("read");
				if n == 0 {
					break;
				}
				filled += n;
			}
			if filled == 0 {
				break;
			}
			total += filled;
			full_tx.send((buffer, filled)).expect("hasher");
		}
		drop(full_tx);
		hasher.join().expect("hasher");
		total
	});
	let start = Instant::now();
	let writer = std::thread::spawn(move || {
		let mut socket = std::net::TcpStream::connect(address).expect("connect");
		socket.set_nodelay(true).expect("nodelay");
		for bytes in &payload {
			socket.write_all(bytes).expect("write");
		}
	});
	let (writer, received) =
		tokio::task::spawn_blocking(move || (writer.join(), reader.join().expect("reader")))
			.await
			.expect("join");
	writer.expect("writer");
	let elapsed = start.elapsed();
	assert_eq!(received, expected);
	elapsed
}

async fn node(
	store: Arc<dyn FragmentStore>,
	verifier: Arc<dyn FragmentVerifier>,
	chunk_size: usize,
	security: Security,
) -> (Client, cess_dht::Multiaddr) {
	let config = Config {
		listen_addresses: vec!["/ip4/127.0.0.1/tcp/0".parse().expect("address")],
		limits: Limits { chunk_size, ..Limits::default() },
		security,
		..Config::default()
	};
	let (client, service, events) = cess_dht::new(Params {
		config,
		keypair: Keypair::generate_ed25519(),
		store,
		policy: Arc::new(AllowAll),
		verifier,
		registry: None,
	})
	.expect("network");
	drop(events);
	tokio::spawn(service.run());
	let address = client.listen_addresses().await.expect("listening")[0].clone();
	let address = address.with_p2p(client.local_peer_id()).expect("p2p suffix");
	(client, address)
}

/// What every request carries: as many bytes as an ECDSA-signed access ticket encodes to (206),
/// so the header is as long as a real node's; the server's `AllowAll` ignores them.
fn ticket_sized_authorization() -> Authorization {
	Authorization::new(vec![0xa5; 206]).expect("within the limit")
}

/// Fragments moved between two nodes, `parallel` at a time.
struct Transfer<'a> {
	client: &'a Client,
	server: &'a Client,
	fragments: &'a [(FragmentRoot, Bytes)],
	parallel: usize,
}

impl Transfer<'_> {
	/// PUTs the fragments to the server, which first drops them; returns the time taken.
	async fn put_all(&self) -> Duration {
		for (root, _) in self.fragments {
			self.server.store().remove(root).expect("remove");
		}
		let peer = self.server.local_peer_id();
		let start = Instant::now();
		for batch in self.fragments.chunks(self.parallel) {
			let puts = batch.iter().map(|(root, bytes)| {
				let client = self.client.clone();
				let (root, bytes, auth) = (*root, bytes.clone(), ticket_sized_authorization());
				tokio::spawn(
					async move { client.put_fragment(peer, root, bytes, auth, None).await },
				)
			});
			for put in futures::future::join_all(puts).await {
				put.expect("task").expect("put");
			}
		}
		start.elapsed()
	}

	/// GETs the fragments from the server; returns the time taken.
	async fn get_all(&self) -> Duration {
		// Self-contained when run alone (`--only`): the server must hold the fragments.
		for (root, bytes) in self.fragments {
			if !self.server.store().contains(root).expect("store") {
				self.server.store().put(root, bytes).expect("put");
			}
		}
		let peer = self.server.local_peer_id();
		let start = Instant::now();
		for batch in self.fragments.chunks(self.parallel) {
			let gets = batch.iter().map(|(root, _)| {
				let client = self.client.clone();
				let (root, auth) = (*root, ticket_sized_authorization());
				tokio::spawn(async move { client.get_fragment(peer, root, auth, None).await })
			});
			for get in futures::future::join_all(gets).await {
				assert_eq!(get.expect("task").expect("get").data.len(), FRAGMENT_SIZE);
			}
		}
		start.elapsed()
	}
}

/// What a mode measures, once a round.
enum Work<'a> {
	/// [`tcp_copy`], with or without the blake2 check.
	TcpCopy { check: bool },
	/// [`tcp_copy_merkle`].
	TcpCopyMerkle,
	/// [`Transfer::put_all`].
	Put(Transfer<'a>),
	/// [`Transfer::get_all`].
	Get(Transfer<'a>),
	/// The verifier's check of each fragment, on this thread.
	CheckAlone(&'a dyn FragmentVerifier),
	/// The Merkle root of each fragment fed in 256 KiB chunks, on this thread.
	MerkleAlone,
}

impl Work<'_> {
	/// Runs the mode once over `fragments` (a transfer over its own); returns the time taken.
	async fn measure(&self, fragments: &[(FragmentRoot, Bytes)]) -> Duration {
		match self {
			Work::TcpCopy { check } => tcp_copy(fragments, *check).await,
			Work::TcpCopyMerkle => tcp_copy_merkle(fragments).await,
			Work::Put(transfer) => transfer.put_all().await,
			Work::Get(transfer) => transfer.get_all().await,
			Work::CheckAlone(verifier) => {
				let start = Instant::now();
				for (root, bytes) in fragments {
					assert!(verifier.verify(root, bytes));
				}
				start.elapsed()
			}
			Work::MerkleAlone => {
				let start = Instant::now();
				for (_, bytes) in fragments {
					let mut builder = MerkleBuilder::new(LEAF_SIZE).expect("builder");
					for chunk in bytes.chunks(256 * 1024) {
						builder.update(chunk);
					}
					std::hint::black_box(builder.finish().expect("root"));
				}
				start.elapsed()
			}
		}
	}
}

/// The order the modes (0-based, as printed) run in each round: the hashing-alone modes last,
/// as they always ran, so figures stay comparable with earlier runs.
const RUN_ORDER: [usize; 22] =
	[0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 11, 9];

fn mib_per_s(bytes: usize, elapsed: Duration) -> f64 {
	bytes as f64 / (1024.0 * 1024.0) / elapsed.as_secs_f64()
}

fn main() {
	let options = Options::parse();
	let runtime =
		tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
	runtime.block_on(async {
		let fragments = fragments(options.fragments);
		let total = fragments.len() * FRAGMENT_SIZE;
		let chunk = options.chunk_kib * 1024;
		let verifier: Arc<dyn FragmentVerifier> = Arc::new(Blake2Verifier);
		// Accepts anything: isolates the network stack from the root check.
		let unchecked: Arc<dyn FragmentVerifier> = Arc::new(|_: &FragmentRoot, _: &[u8]| true);
		let memory = |verifier: &Arc<dyn FragmentVerifier>| -> Arc<dyn FragmentStore> {
			Arc::new(MemoryStore::new(verifier.clone()))
		};
		let tls = Security::TlsThenNoise;
		let memory_server = node(memory(&verifier), verifier.clone(), chunk, tls).await;
		let unchecked_server = node(memory(&unchecked), unchecked.clone(), chunk, tls).await;
		let dir = tempfile::tempdir().expect("tempdir");
		let disk = DiskStore::open(dir.path(), verifier.clone()).expect("disk store");
		let disk_server = node(Arc::new(disk), verifier.clone(), chunk, tls).await;
		let slow_store = Arc::new(Hooked::new(MemoryStore::new(verifier.clone()), SlowReads));
		let slow_server = node(slow_store, verifier.clone(), chunk, tls).await;
		let (client, _) = node(memory(&verifier), verifier.clone(), chunk, tls).await;
		let (unchecked_client, _) = node(memory(&unchecked), unchecked.clone(), chunk, tls).await;
		for server in [&memory_server, &unchecked_server, &disk_server, &slow_server] {
			client.add_peer_address(&server.1).await.expect("address");
			unchecked_client.add_peer_address(&server.1).await.expect("address");
		}
		// The same over Noise only (ChaCha20-Poly1305), the transport before TLS.
		let noise = Security::Noise;
		let noise_server = node(memory(&verifier), verifier.clone(), chunk, noise).await;
		let noise_unchecked_server =
			node(memory(&unchecked), unchecked.clone(), chunk, noise).await;
		let (noise_client, _) = node(memory(&verifier), verifier.clone(), chunk, noise).await;
		let (noise_unchecked_client, _) =
			node(memory(&unchecked), unchecked.clone(), chunk, noise).await;
		noise_client.add_peer_address(&noise_server.1).await.expect("address");
		noise_unchecked_client.add_peer_address(&noise_unchecked_server.1).await.expect("address");
		// The node's own check, the Merkle root, on fragments named by it.
		let merkle: Arc<dyn FragmentVerifier> = Arc::new(MerkleVerifier);
		let merkle_fragments: Vec<(FragmentRoot, Bytes)> = fragments
			.iter()
			.map(|(_, bytes)| (merkle_root(LEAF_SIZE, bytes).expect("root"), bytes.clone()))
			.collect();
		let merkle_server = node(memory(&merkle), merkle.clone(), chunk, tls).await;
		let (merkle_client, _) = node(memory(&merkle), merkle.clone(), chunk, tls).await;
		merkle_client.add_peer_address(&merkle_server.1).await.expect("address");
		let noise_merkle_server = node(memory(&merkle), merkle.clone(), chunk, noise).await;
		let (noise_merkle_client, _) = node(memory(&merkle), merkle.clone(), chunk, noise).await;
		noise_merkle_client.add_peer_address(&noise_merkle_server.1).await.expect("address");

		let transfer =
			|client, server, fragments, parallel| Transfer { client, server, fragments, parallel };
		let (all, merkle_all) = (&fragments[..], &merkle_fragments[..]);
		let modes: Vec<(&str, Work)> = vec![
			("plain TCP copy (no encryption, no root check)", Work::TcpCopy { check: false }),
			("plain TCP copy + blake2 root check per fragment", Work::TcpCopy { check: true }),
			(
				"DHT PUT, root check skipped (network stack only), TLS",
				Work::Put(transfer(&unchecked_client, &unchecked_server.0, all, 1)),
			),
			(
				"DHT GET, root check skipped (network stack only), TLS",
				Work::Get(transfer(&unchecked_client, &unchecked_server.0, all, 1)),
			),
			(
				"DHT PUT -> memory store, 1 at a time, TLS",
				Work::Put(transfer(&client, &memory_server.0, all, 1)),
			),
			(
				"DHT PUT -> memory store, 4 in parallel, TLS",
				Work::Put(transfer(&client, &memory_server.0, all, 4)),
			),
			(
				"DHT GET <- memory store, 1 at a time, TLS",
				Work::Get(transfer(&client, &memory_server.0, all, 1)),
			),
			(
				"DHT GET <- memory store, 4 in parallel, TLS",
				Work::Get(transfer(&client, &memory_server.0, all, 4)),
			),
			(
				"DHT PUT -> disk store (fsync), 1 at a time, TLS",
				Work::Put(transfer(&client, &disk_server.0, all, 1)),
			),
			("blake2-256 of the same bytes alone (one core)", Work::CheckAlone(&*verifier)),
			("plain TCP copy + Merkle root check beside, pipelined", Work::TcpCopyMerkle),
			("Merkle root (256-byte leaves) of the same bytes alone (one core)", Work::MerkleAlone),
			(
				"DHT PUT, root check skipped (network stack only), Noise",
				Work::Put(transfer(&noise_unchecked_client, &noise_unchecked_server.0, all, 1)),
			),
			(
				"DHT GET, root check skipped (network stack only), Noise",
				Work::Get(transfer(&noise_unchecked_client, &noise_unchecked_server.0, all, 1)),
			),
			(
				"DHT PUT -> memory store, 1 at a time, Noise",
				Work::Put(transfer(&noise_client, &noise_server.0, all, 1)),
			),
			(
				"DHT GET <- memory store, 1 at a time, Noise",
				Work::Get(transfer(&noise_client, &noise_server.0, all, 1)),
			),
			(
				"DHT PUT -> memory store, 1 at a time, TLS, the node's Merkle check",
				Work::Put(transfer(&merkle_client, &merkle_server.0, merkle_all, 1)),
			),
			(
				"DHT GET <- memory store, 1 at a time, TLS, the node's Merkle check",
				Work::Get(transfer(&merkle_client, &merkle_server.0, merkle_all, 1)),
			),
			(
				"DHT PUT -> memory store, 1 at a time, Noise, the node's Merkle check",
				Work::Put(transfer(&noise_merkle_client, &noise_merkle_server.0, merkle_all, 1)),
			),
			(
				"DHT GET <- memory store, 1 at a time, Noise, the node's Merkle check",
				Work::Get(transfer(&noise_merkle_client, &noise_merkle_server.0, merkle_all, 1)),
			),
			(
				"DHT GET <- disk store, 1 at a time, TLS",
				Work::Get(transfer(&client, &disk_server.0, all, 1)),
			),
			(
				"DHT GET <- store reading at 250 MiB/s (a disk), 1 at a time, TLS",
				Work::Get(transfer(&client, &slow_server.0, all, 1)),
			),
		];
		// Warm up connections and allocators.
		for (client, server, fragments) in [
			(&client, &memory_server.0, all),
			(&unchecked_client, &unchecked_server.0, all),
			(&noise_client, &noise_server.0, all),
			(&noise_unchecked_client, &noise_unchecked_server.0, all),
			(&merkle_client, &merkle_server.0, merkle_all),
			(&noise_merkle_client, &noise_merkle_server.0, merkle_all),
		] {
			transfer(client, server, &fragments[..1], 1).put_all().await;
		}
		let mut times = vec![Vec::new(); modes.len()];
		for _ in 0..options.rounds {
			for mode in RUN_ORDER {
				if options.only.is_none_or(|only| only == mode + 1) {
					times[mode].push(modes[mode].1.measure(&fragments).await);
				}
			}
		}

		let best = |times: &[Duration]| times.iter().min().copied().unwrap_or_default();
		let tcp = mib_per_s(total, best(&times[0]));
		println!(
			"\n{} fragments of 8 MiB ({} MiB) per round, best of {} rounds, {} KiB chunks, {} CPU cores\n",
			fragments.len(),
			total / (1024 * 1024),
			options.rounds,
			options.chunk_kib,
			std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
		);
		println!("| mode | best round | MiB/s | of plain TCP |");
		println!("|---|---:|---:|---:|");
		for ((name, _), times) in modes.iter().zip(&times).filter(|(_, times)| !times.is_empty()) {
			let rate = mib_per_s(total, best(times));
			println!(
				"| {name} | {:.3} s | {rate:.0} | {:.0} % |",
				best(times).as_secs_f64(),
				100.0 * rate / tcp
			);
		}
	});
}
