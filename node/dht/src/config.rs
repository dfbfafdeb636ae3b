//! Configuration of the storage network: addresses, protocol names, limits, timeouts, retries.

use libp2p::Multiaddr;
use std::time::Duration;

/// Whether this node answers Kademlia queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KademliaMode {
	/// Answer queries and be added to other peers' routing tables (storage miners, bootnodes).
	///
	/// Set explicitly: libp2p's automatic mode would keep a node in client mode until it has a
	/// confirmed external address, which a miner on a LAN or on 127.0.0.1 never gets.
	Server,
	/// Only issue queries (file clients that never serve fragments).
	Client,
}

/// Which channel security connections offer (both authenticate the remote's PeerId).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Security {
	/// TLS 1.3 with this CPU's fastest cipher suite ([`crate::tls`]: AES-128-GCM where AES is
	/// in hardware), Noise offered as well for peers without TLS.
	#[default]
	TlsThenNoise,
	/// Noise (ChaCha20-Poly1305) only.
	Noise,
}

/// Bounds on what one transfer may cost.
#[derive(Clone, Debug)]
pub struct Limits {
	/// Largest fragment accepted or fetched, in bytes.
	pub max_fragment_size: u64,
	/// Size of the chunks data is written and read in; also the per-transfer buffer.
	pub chunk_size: usize,
	/// Inbound transfers served at once; further authorized requests are answered `Busy`
	/// (unauthorized ones are refused before they would take a slot).
	pub max_inbound_transfers: usize,
}

impl Default for Limits {
	fn default() -> Self {
		Self {
			// Production fragments are 8 MiB; leave room for a larger erasure-code setting.
			max_fragment_size: 16 * 1024 * 1024,
			chunk_size: 256 * 1024,
			max_inbound_transfers: 32,
		}
	}
}

/// Deadlines of the network's operations.
#[derive(Clone, Debug)]
pub struct Timeouts {
	/// Dialing the peer (if needed) and opening and negotiating a stream.
	pub open_stream: Duration,
	/// Longest wait for any single read or write to make progress.
	pub idle: Duration,
	/// Longest one transfer attempt may take, start to finish.
	pub transfer: Duration,
	/// Longest a Kademlia query (discovery, providers) may take.
	pub kademlia_query: Duration,
	/// How long a connection without open streams is kept.
	pub idle_connection: Duration,
}

impl Default for Timeouts {
	fn default() -> Self {
		Self {
			open_stream: Duration::from_secs(10),
			idle: Duration::from_secs(20),
			transfer: Duration::from_secs(300),
			kademlia_query: Duration::from_secs(30),
			idle_connection: Duration::from_secs(60),
		}
	}
}

/// How failed outbound transfers are retried.
///
/// Only transient failures are retried: the peer unreachable, the stream broken or timed out,
/// the peer answering `Busy`, `Internal` or `Timeout`, or a resumed transfer failing its root
/// check. Refusals (unauthorized, not found, too large, a fresh transfer failing its root check)
/// are returned at once.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
	/// Attempts in total, the first included (at least 1).
	pub attempts: u32,
	/// Pause before the second attempt; doubled for every further one.
	pub initial_backoff: Duration,
	/// Longest pause between attempts.
	pub max_backoff: Duration,
}

impl Default for RetryPolicy {
	fn default() -> Self {
		Self {
			attempts: 5,
			initial_backoff: Duration::from_millis(500),
			max_backoff: Duration::from_secs(10),
		}
	}
}

/// Everything the storage network is configured with.
#[derive(Clone, Debug)]
pub struct Config {
	/// Addresses to listen on, e.g. `/ip4/0.0.0.0/tcp/15001`.
	pub listen_addresses: Vec<Multiaddr>,
	/// Addresses to announce in addition to the listen addresses (e.g. a public address).
	pub external_addresses: Vec<Multiaddr>,
	/// Peers to bootstrap the DHT from; each address must end in `/p2p/<peer id>`.
	pub bootstrap_peers: Vec<Multiaddr>,
	/// Kademlia's protocol name; peers only talk to peers using the same one.
	pub kademlia_protocol: String,
	/// Whether to answer Kademlia queries.
	pub kademlia_mode: KademliaMode,
	/// Identify's protocol version string.
	pub identify_protocol: String,
	/// Identify's agent version string.
	pub agent_version: String,
	/// Size limits.
	pub limits: Limits,
	/// Deadlines.
	pub timeouts: Timeouts,
	/// Retries of outbound transfers.
	pub retry: RetryPolicy,
	/// Capacity of the channel of [`crate::Event`]s to the node.
	pub event_buffer: usize,
	/// Channel security of connections.
	pub security: Security,
}

impl Default for Config {
	fn default() -> Self {
		Self {
			listen_addresses: Vec::new(),
			external_addresses: Vec::new(),
			bootstrap_peers: Vec::new(),
			kademlia_protocol: "/cess/kad/1.0.0".into(),
			kademlia_mode: KademliaMode::Server,
			identify_protocol: "/cess/id/1.0.0".into(),
			agent_version: concat!("cess-dht/", env!("CARGO_PKG_VERSION")).into(),
			limits: Limits::default(),
			timeouts: Timeouts::default(),
			retry: RetryPolicy::default(),
			event_buffer: 1024,
			security: Security::default(),
		}
	}
}
