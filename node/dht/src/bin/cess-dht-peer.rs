//! A stand-alone storage-network peer: the multi-process integration tests spawn it, and it is
//! handy for trying the network by hand.
//!
//! ```text
//! cess-dht-peer [--listen ADDR] [--seed N] [--store DIR] [--bootstrap ADDR/p2p/ID]...
//!               [--allow-put PEER_ID]... [--exit-after-bytes N]
//! ```
//!
//! - `--listen`: default `/ip4/127.0.0.1/tcp/0`;
//! - `--seed`: a number 0–255 whose repetition is the ed25519 secret key, so a restarted peer
//!   keeps its PeerId (default: a random key);
//! - `--store`: keep fragments in a [`DiskStore`] there (default: in memory); fragments are
//!   checked with [`Blake2Verifier`];
//! - `--allow-put`: accept PUTs only from these peers (default: from everyone); requests'
//!   authorization bytes are ignored either way ([`PeerAllowList`], [`AllowAll`]);
//! - `--exit-after-bytes`: fault injection — the process exits abruptly (status 3) as soon as
//!   that many bytes of uploads have been written to the store.
//!
//! On start it prints `PEER <peer id>`, one `LISTEN <address>/p2p/<peer id>` line per listen
//! address, then `READY`; afterwards one `STORED <root hex> <size>` line per fragment stored.
//! It exits when its standard input closes, so it never outlives the process that spawned it.

use cess_dht::{
	libp2p::identity::Keypair,
	store::{Append, Hooked, StoreHooks},
	AllowAll, AuthorizationPolicy, Blake2Verifier, Config, DiskStore, Event, FragmentStore,
	FragmentVerifier, MemoryStore, Multiaddr, Params, PeerAllowList, PeerId, StoreError,
};
use std::{
	io::{self, Read, Write},
	path::PathBuf,
	process::ExitCode,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
};

#[derive(Default)]
struct Args {
	listen: Option<Multiaddr>,
	seed: Option<u8>,
	store: Option<PathBuf>,
	bootstrap: Vec<Multiaddr>,
	allow_put: Vec<PeerId>,
	exit_after_bytes: Option<u64>,
}

impl Args {
	fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
		let mut parsed = Args::default();
		while let Some(flag) = args.next() {
			let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
			match flag.as_str() {
				"--listen" => parsed.listen = Some(parse(&value()?)?),
				"--seed" => parsed.seed = Some(parse(&value()?)?),
				"--store" => parsed.store = Some(PathBuf::from(value()?)),
				"--bootstrap" => parsed.bootstrap.push(parse(&value()?)?),
				"--allow-put" => parsed.allow_put.push(parse(&value()?)?),
				"--exit-after-bytes" => parsed.exit_after_bytes = Some(parse(&value()?)?),
				other => return Err(format!("unknown argument {other}")),
			}
		}
		Ok(parsed)
	}
}

fn parse<T: std::str::FromStr>(value: &str) -> Result<T, String>
where
	T::Err: std::fmt::Display,
{
	value.parse().map_err(|e| format!("invalid value {value}: {e}"))
}

/// Hooks that make the process die once enough upload bytes were written: a crash in the
/// middle of a transfer, with the bytes already received on disk as a real crash leaves them.
struct ExitAfter {
	limit: u64,
	written: AtomicU64,
}

impl StoreHooks for ExitAfter {
	fn append_partial(&self, append: Append<'_>) -> Result<(), StoreError> {
		append.forward()?;
		let len = append.bytes.len() as u64;
		if self.written.fetch_add(len, Ordering::SeqCst) + len >= self.limit {
			let written = append.offset + len;
			eprintln!("cess-dht-peer: exiting after {written} bytes of upload, as asked");
			std::process::exit(3);
		}
		Ok(())
	}
}

/// `store`, made to exit the process after `exit_after` bytes of uploads if that is set.
fn exiting_after<S: FragmentStore>(store: S, exit_after: Option<u64>) -> Arc<dyn FragmentStore> {
	match exit_after {
		Some(limit) => {
			Arc::new(Hooked::new(store, ExitAfter { limit, written: AtomicU64::new(0) }))
		}
		None => Arc::new(store),
	}
}

fn main() -> ExitCode {
	let args = match Args::parse(std::env::args().skip(1)) {
		Ok(args) => args,
		Err(e) => {
			eprintln!("cess-dht-peer: {e}");
			return ExitCode::from(2);
		}
	};
	let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
		Ok(runtime) => runtime,
		Err(e) => {
			eprintln!("cess-dht-peer: cannot start the runtime: {e}");
			return ExitCode::FAILURE;
		}
	};
	// Never outlive the parent: exit when standard input closes.
	std::thread::spawn(|| {
		let mut buffer = [0u8; 64];
		loop {
			match io::stdin().read(&mut buffer) {
				Ok(0) | Err(_) => std::process::exit(0),
				Ok(_) => {}
			}
		}
	});
	match runtime.block_on(run(args)) {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("cess-dht-peer: {e}");
			ExitCode::FAILURE
		}
	}
}

async fn run(args: Args) -> Result<(), String> {
	let keypair = match args.seed {
		Some(seed) => Keypair::ed25519_from_bytes([seed; 32]).map_err(|e| e.to_string())?,
		None => Keypair::generate_ed25519(),
	};
	let verifier: Arc<dyn FragmentVerifier> = Arc::new(Blake2Verifier);
	let store = match &args.store {
		Some(dir) => {
			let disk = DiskStore::open(dir, verifier.clone()).map_err(|e| e.to_string())?;
			exiting_after(disk, args.exit_after_bytes)
		}
		None => exiting_after(MemoryStore::new(verifier.clone()), args.exit_after_bytes),
	};
	let policy: Arc<dyn AuthorizationPolicy> = if args.allow_put.is_empty() {
		Arc::new(AllowAll)
	} else {
		Arc::new(PeerAllowList::put_only(args.allow_put))
	};
	let listen = match args.listen {
		Some(address) => address,
		None => parse("/ip4/127.0.0.1/tcp/0")?,
	};
	let config = Config {
		listen_addresses: vec![listen],
		bootstrap_peers: args.bootstrap,
		..Config::default()
	};
	let (client, service, mut events) =
		cess_dht::new(Params { config, keypair, store, policy, verifier, registry: None })
			.map_err(|e| e.to_string())?;
	let service = tokio::spawn(service.run());

	let peer = client.local_peer_id();
	let mut out = io::stdout().lock();
	writeln!(out, "PEER {peer}").map_err(|e| e.to_string())?;
	for address in client.listen_addresses().await.map_err(|e| e.to_string())? {
		writeln!(out, "LISTEN {address}/p2p/{peer}").map_err(|e| e.to_string())?;
	}
	writeln!(out, "READY").map_err(|e| e.to_string())?;
	out.flush().map_err(|e| e.to_string())?;
	drop(out);

	while let Some(event) = events.recv().await {
		if let Event::FragmentStored { root, size, .. } = event {
			println!("STORED {} {size}", cess_dht::root_to_hex(&root));
		}
	}
	drop(client);
	service.await.map_err(|e| e.to_string())
}
