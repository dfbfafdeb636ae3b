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

/// Bounds on what transfers, peers and connections may cost; every per-peer resource of the
/// network has one (DESIGN.md §9: every peer may be hostile).
///
/// Inbound requests go through two stages, each with its own slots: *admission* (the header is
/// read and the policy asked; [`Limits::max_pending_requests`] in all,
/// [`Limits::max_pending_per_peer`] per peer, beyond which a new stream is dropped unanswered)
/// and *transfer*, for authorized requests only: PUTs and GETs have separate pools
/// ([`Limits::max_inbound_puts`], [`Limits::max_inbound_gets`]), so a flood of one cannot stop
/// the other, and one peer holds at most [`Limits::max_transfers_per_peer`] of them, PUTs and
/// GETs together, and the peers a policy allows on behalf of one principal
/// ([`crate::Decision::AllowFor`]: for CESS, one owner's account) at most
/// [`Limits::max_transfers_per_principal`]; beyond any of these an authorized request is
/// answered `Busy`. A transfer that
/// moves less than [`Limits::min_rate`] bytes/s over [`Limits::min_rate_window`], once
/// [`Limits::min_rate_grace`] has passed, is dropped, so a slot costs its holder bandwidth.
#[derive(Clone, Debug)]
pub struct Limits {
	/// Largest fragment accepted or fetched, in bytes.
	pub max_fragment_size: u64,
	/// Size of the chunks data is written and read in; also the per-transfer buffer.
	pub chunk_size: usize,
	/// Inbound PUTs served at once; a further authorized PUT is answered `Busy` (unauthorized
	/// ones are refused before they would take a slot).
	pub max_inbound_puts: usize,
	/// Inbound GETs served at once, in a pool apart from the PUTs'.
	pub max_inbound_gets: usize,
	/// Inbound transfers (PUTs and GETs together) one peer may hold at once; a further
	/// authorized request of that peer is answered `Busy`.
	pub max_transfers_per_peer: usize,
	/// Inbound transfers the peers allowed on behalf of one principal may hold at once, all of
	/// them together (Sybil identities of one ticket signer share it).
	pub max_transfers_per_principal: usize,
	/// Inbound streams whose request is being read or authorized, from all peers; beyond this
	/// many a new stream is dropped unanswered. At least `max_incoming_connections ×
	/// max_pending_per_peer`, so that peers within the connection limit cannot exhaust it.
	pub max_pending_requests: usize,
	/// Inbound streams one peer may have in admission at once; beyond this many its new streams
	/// are dropped unanswered.
	pub max_pending_per_peer: usize,
	/// Slowest average rate, in bytes/s, an inbound transfer may move its data at, measured over
	/// [`Limits::min_rate_window`]; slower ones are dropped. 0 disables the check (the idle and
	/// transfer timeouts still apply).
	pub min_rate: u64,
	/// The sliding window [`Limits::min_rate`] is measured over.
	pub min_rate_window: Duration,
	/// How long a transfer's data phase runs before its rate is first checked (slow start,
	/// a first disk write).
	pub min_rate_grace: Duration,
	/// Established connections one peer may have with this node (both directions together);
	/// further ones are refused. Two allow a simultaneous dial from both sides.
	pub max_connections_per_peer: u32,
	/// Established incoming connections, from all peers; further ones are refused.
	pub max_incoming_connections: u32,
	/// Incoming connections still in their handshake; further ones are refused.
	pub max_pending_incoming_connections: u32,
	/// Incoming connections (in handshake or established) from one IP address; further ones
	/// are refused, so that one host cycling identities cannot hold every incoming slot.
	/// Loopback addresses are exempt (a local net shares 127.0.0.1).
	pub max_incoming_per_ip: u32,
	/// Peers the address book remembers besides the pinned ones; beyond them the least
	/// recently seen or used is forgotten.
	pub max_book_peers: usize,
	/// Pinned peers the address book holds ([`crate::Client::pin_peer`]); pinning one more
	/// unpins the least recently seen or used pinned peer.
	pub max_pinned_peers: usize,
}

impl Default for Limits {
	fn default() -> Self {
		Self {
			// Production fragments are 8 MiB; leave room for a larger erasure-code setting.
			max_fragment_size: 16 * 1024 * 1024,
			chunk_size: 256 * 1024,
			// Three chunk buffers per transfer: 64 transfers hold at most 48 MiB.
			max_inbound_puts: 32,
			max_inbound_gets: 32,
			max_transfers_per_peer: 4,
			// Two clients of one owner at full share each; a quarter of a pool.
			max_transfers_per_principal: 8,
			max_pending_requests: 1024,
			max_pending_per_peer: 4,
			// A trickle of 1 byte every 19 s passed the idle timeout for 300 s. An 8 MiB
			// fragment at this rate takes 512 s, beyond the transfer timeout: it only catches
			// streams far slower than any usable link.
			min_rate: 16 * 1024,
			min_rate_window: Duration::from_secs(5),
			min_rate_grace: Duration::from_secs(10),
			max_connections_per_peer: 2,
			max_incoming_connections: 256,
			max_pending_incoming_connections: 64,
			// A NAT of a few users each running a client and a miner's repairs, not a host
			// holding the 256 slots.
			max_incoming_per_ip: 16,
			max_book_peers: 1024,
			max_pinned_peers: 4096,
		}
	}
}

impl Limits {
	/// Checks that every limit lets something through.
	pub(crate) fn validate(&self) -> Result<(), String> {
		let positive = [
			("chunk_size", self.chunk_size),
			("max_inbound_puts", self.max_inbound_puts),
			("max_inbound_gets", self.max_inbound_gets),
			("max_transfers_per_peer", self.max_transfers_per_peer),
			("max_transfers_per_principal", self.max_transfers_per_principal),
			("max_pending_requests", self.max_pending_requests),
			("max_pending_per_peer", self.max_pending_per_peer),
			("max_connections_per_peer", self.max_connections_per_peer as usize),
			("max_incoming_connections", self.max_incoming_connections as usize),
			("max_pending_incoming_connections", self.max_pending_incoming_connections as usize),
			("max_incoming_per_ip", self.max_incoming_per_ip as usize),
			("max_book_peers", self.max_book_peers),
			("max_pinned_peers", self.max_pinned_peers),
		];
		if let Some((name, _)) = positive.iter().find(|(_, value)| *value == 0) {
			return Err(format!("limits: {name} must be positive"));
		}
		let pools = [
			("max_inbound_puts", self.max_inbound_puts),
			("max_inbound_gets", self.max_inbound_gets),
			("max_pending_requests", self.max_pending_requests),
		];
		let most = tokio::sync::Semaphore::MAX_PERMITS;
		if let Some((name, _)) = pools.iter().find(|(_, value)| *value > most) {
			return Err(format!("limits: {name} must be at most {most}"));
		}
		if self.min_rate > 0 && self.min_rate_window.is_zero() {
			return Err("limits: min_rate_window must be positive when min_rate is".into());
		}
		Ok(())
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

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn limits_that_let_nothing_through_are_refused() {
		assert_eq!(Limits::default().validate(), Ok(()));
		let none = Limits { max_transfers_per_peer: 0, ..Limits::default() };
		assert!(none.validate().unwrap_err().contains("max_transfers_per_peer"));
		let no_window = Limits { min_rate_window: Duration::ZERO, ..Limits::default() };
		assert!(no_window.validate().is_err());
		let unchecked =
			Limits { min_rate: 0, min_rate_window: Duration::ZERO, ..Limits::default() };
		assert_eq!(unchecked.validate(), Ok(()));
		let huge = Limits { max_pending_requests: usize::MAX, ..Limits::default() };
		assert!(huge.validate().is_err());
	}
}
