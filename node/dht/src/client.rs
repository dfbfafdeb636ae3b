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

	/// Tells the network that `peer` can be reached at `address` (e.g. from the chain's miner
	/// registry).
	pub async fn add_address(&self, peer: PeerId, address: Multiaddr) -> Result<(), Error> {
		self.commands
			.send(Command::AddAddress { peer, address })
			.await
			.map_err(|_| Error::ServiceStopped)
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
