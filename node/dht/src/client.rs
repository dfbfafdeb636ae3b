//! The handle the node and the file client use: transfers, discovery and provider records.

use crate::{
	outbound::{self, FetchedFragment, ProgressFn, TransferReport},
	service::{split_peer_address, Command, Shared},
	streams::OpenError,
	Authorization, Error, FragmentRoot, FragmentStore, TransferError,
};
use bytes::Bytes;
use futures::channel::oneshot;
use libp2p::{Multiaddr, PeerId, Stream};
use std::{collections::HashSet, sync::Arc, time::Duration};
use tokio::sync::mpsc;

/// How much of its bounded resources the network uses now ([`Client::stats`]); each is kept
/// within its [`crate::Limits`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkStats {
	/// Peers with at least one established connection.
	pub connected_peers: usize,
	/// Established connections the peers opened
	/// (≤ [`crate::Limits::max_incoming_connections`]).
	pub incoming_connections: usize,
	/// Established connections this node opened.
	pub outgoing_connections: usize,
	/// Incoming connections in their handshake
	/// (≤ [`crate::Limits::max_pending_incoming_connections`]).
	pub pending_incoming_connections: usize,
	/// The most connections one peer has (≤ [`crate::Limits::max_connections_per_peer`]).
	pub max_connections_of_a_peer: usize,
	/// Unpinned peers in the address book (≤ [`crate::Limits::max_book_peers`]).
	pub book_peers: usize,
	/// Pinned peers in the address book (≤ [`crate::Limits::max_pinned_peers`]).
	pub pinned_peers: usize,
	/// Peers in Kademlia's routing table.
	pub routing_table_peers: usize,
	/// Inbound streams in admission (≤ [`crate::Limits::max_pending_requests`]).
	pub pending_requests: usize,
	/// Inbound PUTs in progress (≤ [`crate::Limits::max_inbound_puts`]).
	pub inbound_puts: usize,
	/// Inbound GETs in progress (≤ [`crate::Limits::max_inbound_gets`]).
	pub inbound_gets: usize,
	/// Peers with at least one inbound stream being served.
	pub peers_served: usize,
}

/// A cheap, cloneable handle to the storage network. The event loop ([`crate::Service`]) stops
/// once every handle has been dropped.
#[derive(Clone)]
pub struct Client {
	local_peer_id: PeerId,
	commands: mpsc::Sender<Command>,
	pub(crate) shared: Arc<Shared>,
}

impl Client {
	pub(crate) fn new(
		local_peer_id: PeerId,
		commands: mpsc::Sender<Command>,
		shared: Arc<Shared>,
	) -> Self {
		Self { local_peer_id, commands, shared }
	}

	/// This node's PeerId.
	pub fn local_peer_id(&self) -> PeerId {
		self.local_peer_id
	}

	/// The local fragment store (the one inbound PUTs go to and GETs are served from).
	pub fn store(&self) -> &Arc<dyn FragmentStore> {
		&self.shared.store
	}

	async fn request<T>(
		&self,
		make: impl FnOnce(oneshot::Sender<T>) -> Command,
	) -> Result<T, Error> {
		let (reply, response) = oneshot::channel();
		self.commands.send(make(reply)).await.map_err(|_| Error::ServiceStopped)?;
		response.await.map_err(|_| Error::ServiceStopped)
	}

	/// The addresses this node listens on; waits until every configured listener has reported
	/// at least one (or failed).
	pub async fn listen_addresses(&self) -> Result<Vec<Multiaddr>, Error> {
		self.request(|reply| Command::ListenAddresses { reply }).await
	}

	async fn send(&self, command: Command) -> Result<(), Error> {
		self.commands.send(command).await.map_err(|_| Error::ServiceStopped)
	}

	/// Tells the network that `peer` can be reached at `address`, as an ordinary entry of the
	/// address book: the least recently seen or used of these is forgotten when the book is full
	/// ([`crate::Limits::max_book_peers`]). For chain-registered miners use
	/// [`Client::pin_peer`] or [`Client::set_pinned_peers`] instead.
	pub async fn add_address(&self, peer: PeerId, address: Multiaddr) -> Result<(), Error> {
		self.send(Command::AddAddress { peer, address }).await
	}

	/// Pins `peer` at `addresses` (those the chain's miner registry holds for it; a trailing
	/// `/p2p/<peer>` is dropped), replacing what was pinned for it before. A pinned peer is never
	/// evicted from the address book by other peers' activity, and its pinned addresses are
	/// dialed first; only [`Client::unpin_peer`], [`Client::set_pinned_peers`] or pinning more
	/// than [`crate::Limits::max_pinned_peers`] peers (the least recently seen or used goes)
	/// unpin it. At most 8 addresses per peer are kept; an empty list unpins the peer. The
	/// addresses are also offered to Kademlia.
	pub async fn pin_peer(&self, peer: PeerId, addresses: Vec<Multiaddr>) -> Result<(), Error> {
		self.send(Command::PinPeer { peer, addresses }).await
	}

	/// Unpins `peer`: its pinned addresses are forgotten; addresses it had otherwise stay as an
	/// ordinary, evictable entry.
	pub async fn unpin_peer(&self, peer: PeerId) -> Result<(), Error> {
		self.send(Command::UnpinPeer { peer }).await
	}

	/// Makes the pinned set exactly `peers`, each at its addresses (as [`Client::pin_peer`]):
	/// peers pinned before and not listed are unpinned. Beyond
	/// [`crate::Limits::max_pinned_peers`] the rest of the list is ignored. For a node that
	/// reads the whole miner registry at once.
	pub async fn set_pinned_peers(
		&self,
		peers: Vec<(PeerId, Vec<Multiaddr>)>,
	) -> Result<(), Error> {
		self.send(Command::SetPinned { peers }).await
	}

	/// The addresses the address book holds for `peer`, pinned ones first (bare, without
	/// `/p2p/<peer>`); empty if it holds none. Kademlia may know others.
	pub async fn known_addresses(&self, peer: PeerId) -> Result<Vec<Multiaddr>, Error> {
		self.request(|reply| Command::KnownAddresses { peer, reply }).await
	}

	/// A snapshot of the network's bounded resources: connections, address book, slots.
	pub async fn stats(&self) -> Result<NetworkStats, Error> {
		self.request(|reply| Command::Stats { reply }).await
	}

	/// Like [`Client::add_address`] for an address ending in `/p2p/<peer id>`; returns the peer.
	pub async fn add_peer_address(&self, address: &Multiaddr) -> Result<PeerId, Error> {
		let (peer, address) = split_peer_address(address)?;
		self.add_address(peer, address).await?;
		Ok(peer)
	}

	/// Starts a Kademlia bootstrap (refreshing the routing table from the known peers).
	pub async fn bootstrap(&self) -> Result<(), Error> {
		self.request(|reply| Command::Bootstrap { reply }).await?
	}

	/// Finds the addresses of `peer` through Kademlia (asking the peers closest to it, starting
	/// from the bootstrap peers) and remembers them for dialing. The addresses are bare transport
	/// addresses, without a `/p2p/<peer>` suffix.
	pub async fn find_peer(&self, peer: PeerId) -> Result<Vec<Multiaddr>, Error> {
		let deadline = self.shared.config.timeouts.kademlia_query + Duration::from_secs(5);
		tokio::time::timeout(deadline, self.request(|reply| Command::FindPeer { peer, reply }))
			.await
			.map_err(|_| Error::Kademlia("discovery timed out".into()))??
	}

	/// Peers with an open connection.
	pub async fn connected_peers(&self) -> Result<Vec<PeerId>, Error> {
		self.request(|reply| Command::ConnectedPeers { reply }).await
	}

	/// Announces in the DHT that this node provides the fragment `root`.
	pub async fn start_providing(&self, root: FragmentRoot) -> Result<(), Error> {
		self.request(|reply| Command::StartProviding { root, reply }).await?
	}

	/// Peers announcing that they provide the fragment `root`.
	pub async fn get_providers(&self, root: FragmentRoot) -> Result<HashSet<PeerId>, Error> {
		self.request(|reply| Command::GetProviders { root, reply }).await?
	}

	/// Stores `data` as fragment `root` on `peer`, proving the right to with `auth`.
	///
	/// `auth` is opaque here and checked by `peer`'s [`crate::AuthorizationPolicy`] before it
	/// reserves anything (a CESS miner expects an encoded `AccessProof`); a refusal is
	/// [`TransferError::Rejected`] with [`crate::ErrorCode::Unauthorized`] and is not retried.
	/// The data moves in chunks under flow control; interrupted attempts are retried per the
	/// [`crate::RetryPolicy`], each with the same `auth`, and resume where the peer's partial
	/// upload ends. Returns once the peer has checked the fragment against `root` and stored it
	/// durably.
	pub async fn put_fragment(
		&self,
		peer: PeerId,
		root: FragmentRoot,
		data: impl Into<Bytes>,
		auth: Authorization,
		progress: Option<ProgressFn>,
	) -> Result<TransferReport, TransferError> {
		outbound::put(self, peer, root, data.into(), auth, progress).await
	}

	/// Fetches fragment `root` from `peer`, proving the right to with `auth`, and checks it
	/// against `root`.
	///
	/// `auth` is opaque here and checked by `peer`'s [`crate::AuthorizationPolicy`], as for
	/// [`Client::put_fragment`]. Interrupted attempts are retried, each with the same `auth`,
	/// and resume after the bytes already received.
	pub async fn get_fragment(
		&self,
		peer: PeerId,
		root: FragmentRoot,
		auth: Authorization,
		progress: Option<ProgressFn>,
	) -> Result<FetchedFragment, TransferError> {
		outbound::get(self, peer, root, auth, progress).await
	}

	/// Opens a raw `/cess/fragment/2.0.0` stream to `peer` (dialing it if needed).
	///
	/// Low level: for tools and protocol tests; [`crate::protocol`] has the framing.
	pub async fn open_stream(&self, peer: PeerId) -> Result<Stream, TransferError> {
		let open = async {
			let (reply, response) = oneshot::channel();
			self.commands
				.send(Command::OpenStream { peer, reply })
				.await
				.map_err(|_| TransferError::ServiceStopped)?;
			match response.await {
				Ok(Ok(stream)) => Ok(stream),
				Ok(Err(OpenError::Timeout)) => Err(TransferError::Timeout("opening a stream")),
				Ok(Err(e)) => Err(TransferError::Unreachable(e.to_string())),
				// The connection chosen for the stream closed before it could open one.
				Err(_) => Err(TransferError::Unreachable("connection closed".into())),
			}
		};
		tokio::time::timeout(self.shared.config.timeouts.open_stream, open)
			.await
			.map_err(|_| TransferError::Timeout("connecting to the peer"))?
	}
}
