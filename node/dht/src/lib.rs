//! # cess-dht: the CESS storage network
//!
//! Storage miners and file clients form a libp2p network in which every miner both requests and
//! serves fragments (the erasure-coded 8 MiB pieces of users' files, each named by its 32-byte
//! Merkle root). One swarm per node runs:
//!
//! - **Kademlia** (`/cess/kad/1.0.0`, server mode set explicitly on miners) for discovery: a
//!   miner's addresses are found by its PeerId starting from the bootstrap peers
//!   ([`Client::find_peer`]); provider records are available too ([`Client::start_providing`]);
//! - **identify** (`/cess/id/1.0.0`), whose reports of peers' listen addresses and protocols feed
//!   Kademlia's routing table;
//! - **ping**, to find dead connections;
//! - the **fragment protocol** (`/cess/fragment/2.0.0`): one stream per PUT or GET, each
//!   request carrying an opaque [`Authorization`] that the responder's [`AuthorizationPolicy`]
//!   checks before reserving anything; data in bounded chunks under yamux flow control,
//!   resumable; the wire format is in [`protocol`].
//!
//! Transport: TCP + TLS 1.3 ([`tls`]: the libp2p TLS handshake with the cipher suite this CPU is
//! fastest at) or Noise + yamux, with Tokio; [`Config::security`].
//!
//! ## Using it
//!
//! ```no_run
//! use cess_dht::{
//!     AllowAll, Authorization, Blake2Verifier, Config, DiskStore, Event, FragmentVerifier,
//!     Keypair, Params,
//! };
//! use std::sync::Arc;
//! # async fn example(miner: cess_dht::PeerId, root: [u8; 32], bytes: Vec<u8>, proof: Vec<u8>)
//! #     -> Result<(), Box<dyn std::error::Error>> {
//! // The node passes the Merkle-root check of cess-primitives and a chain-backed policy here.
//! let verifier: Arc<dyn FragmentVerifier> = Arc::new(Blake2Verifier);
//! let store = Arc::new(DiskStore::open("/var/lib/cess/fragments", verifier.clone())?);
//! let (client, service, mut events) = cess_dht::new(Params {
//!     config: Config::default(),
//!     keypair: Keypair::generate_ed25519(),
//!     store,
//!     policy: Arc::new(AllowAll),
//!     verifier,
//!     registry: None, // the node: its Prometheus registry
//! })?;
//! tokio::spawn(service.run()); // the node: an essential task
//!
//! // A file client pushes and fetches fragments, proving its right to (for a CESS miner: an
//! // encoded `AccessProof`; the bytes are opaque here and checked by the miner's policy):
//! let auth = Authorization::new(proof)?;
//! let report = client.put_fragment(miner, root, bytes, auth.clone(), None).await?;
//! let fetched = client.get_fragment(miner, root, auth, None).await?;
//!
//! // A miner confirms each stored fragment on chain:
//! while let Some(event) = events.recv().await {
//!     if let Event::FragmentStored { peer, root, size } = event { /* submit the confirmation */ }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! ## Seams the node fills in
//!
//! - [`FragmentVerifier`]: whether bytes are the fragment of a root. The node passes the
//!   Merkle-root check of `cess-primitives` (256-byte leaves, blake2-256); [`Blake2Verifier`]
//!   (hash of the whole fragment) is for tests and tools. The same verifier goes to the store
//!   (checked before a PUT is accepted) and to [`Params::verifier`] (checked before a GET is
//!   returned).
//! - [`AuthorizationPolicy`]: whether a peer may PUT or GET a root here, given the
//!   authorization its request carried, from the chain's placement of fragments on miners and
//!   the access proofs it accepts. Asked before anything is reserved for the request.
//! - [`FragmentStore`]: where fragments live; [`DiskStore`] is the node's, [`MemoryStore`] for
//!   tests.
//!
//! ## Guarantees
//!
//! - A fragment becomes visible in the store only complete and checked against its root,
//!   written atomically (temp file, fsync, rename, directory fsync); a crash at any point leaves
//!   it complete or absent. Interrupted uploads are kept as invisible partial uploads and resumed.
//! - Every inbound request is authorized by the [`AuthorizationPolicy`], from the PeerId the
//!   channel authenticated and the [`Authorization`] the request carried, before anything is
//!   reserved for it; a refused request never takes a transfer slot nor touches the store.
//! - Oversized, malformed or unexpected input gets an error status and a closed stream; memory
//!   per transfer is one chunk (plus the fragment once, when it is checked against its root).
//! - Every per-peer resource is bounded ([`Limits`]): streams in admission and in transfer per
//!   peer, separate pools of PUT and GET slots, a minimum transfer rate, connections per peer,
//!   incoming and in handshake, and address-book entries (the least recently seen evicted,
//!   chain-registered miners pinned: [`Client::pin_peer`]); [`Client::stats`] reports them.
//! - Metrics (bytes in/out, transfers, failures, durations, active transfers, peers) go to the
//!   node's Prometheus registry; see the `metrics` module docs for their names.

#![warn(missing_docs)]

mod behaviour;
mod book;
mod client;
mod config;
mod connection_limits;
mod error;
mod inbound;
mod metrics;
mod mux;
mod outbound;
mod outbound_gate;
mod pipeline;
pub mod policy;
pub mod protocol;
mod rate;
mod root;
mod service;
mod shares;
pub mod store;
mod streams;
pub mod tls;
mod verify;

pub use client::{Client, NetworkStats};
pub use config::{Config, KademliaMode, Limits, RetryPolicy, Security, Timeouts};
pub use error::{Error, TransferError};
pub use outbound::{Direction, FetchedFragment, Progress, ProgressFn, TransferReport};
pub use policy::{AllowAll, AuthorizationPolicy, Decision, PeerAllowList, Principal};
pub use protocol::{Authorization, AuthorizationTooLong, ErrorCode};
pub use root::{root_from_hex, root_to_hex, FragmentRoot};
pub use service::{Params, Service};
pub use store::{DiskStore, FragmentStore, MemoryStore, StoreError};
pub use verify::{Blake2Verifier, FragmentHasher, FragmentVerifier};

/// The libp2p crate this network is built on (0.54.1, the version sc-network uses), so the node
/// can name keys, PeerIds and addresses without depending on it separately.
pub use libp2p;
pub use libp2p::{identity::Keypair, Multiaddr, PeerId};

/// What the network tells the node about inbound transfers.
///
/// Delivered through the channel returned by [`new`]; a node that keeps the receiver must read
/// it, since a full channel holds up the transfers that report into it. Dropping the receiver
/// is fine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
	/// `peer` stored fragment `root` here (checked and durable), or PUT one already held.
	FragmentStored {
		/// The uploader.
		peer: PeerId,
		/// The fragment.
		root: FragmentRoot,
		/// Its size in bytes.
		size: u64,
	},
	/// `peer` fetched fragment `root` from here (the bandwidth a miner contributed).
	FragmentServed {
		/// The fetcher.
		peer: PeerId,
		/// The fragment.
		root: FragmentRoot,
		/// Bytes sent (less than the size when the fetch resumed).
		bytes: u64,
	},
}

/// Builds the storage network: returns the [`Client`] handle, the [`Service`] event loop to
/// spawn, and the receiver of [`Event`]s. Starts listening on the configured addresses; the
/// bootstrap peers are dialed when the service starts running.
///
/// Must be called within a Tokio runtime.
pub fn new(params: Params) -> Result<(Client, Service, tokio::sync::mpsc::Receiver<Event>), Error> {
	Service::new(params)
}
