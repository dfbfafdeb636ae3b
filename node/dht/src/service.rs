//! The event loop: owns the swarm, executes the [`Client`]'s commands, hands inbound streams to
//! the fragment server and feeds identify's findings into Kademlia.

use crate::{
	behaviour::{Behaviour, BehaviourEvent},
	book::MAX_ADDRESSES_PER_PEER,
	config::Security,
	inbound,
	metrics::Metrics,
	mux,
	outbound_gate::OutboundGate,
	protocol::PROTOCOL_NAME,
	shares::{PeerShares, PrincipalShares},
	streams::{self, OpenReply},
	tls, AuthorizationPolicy, Client, Config, Error, Event, FragmentRoot, FragmentStore,
	FragmentVerifier, NetworkStats,
};
use futures::{channel::oneshot, StreamExt};
use libp2p::{
	identify,
	identity::Keypair,
	kad::{self, GetClosestPeersError, GetProvidersOk, QueryId, QueryResult},
	multiaddr::Protocol,
	noise,
	swarm::SwarmEvent,
	tcp, Multiaddr, PeerId, StreamProtocol, Swarm, SwarmBuilder,
};
use std::{
	collections::{HashMap, HashSet},
	sync::{Arc, Mutex},
};
use tokio::sync::{mpsc, Semaphore};

/// Capacity of the command channel from the [`Client`]s.
const COMMAND_BUFFER: usize = 256;

/// What the node supplies to start the storage network.
pub struct Params {
	/// Addresses, limits, timeouts and retries.
	pub config: Config,
	/// The node's libp2p identity (its PeerId is the miner's network identity on chain).
	pub keypair: Keypair,
	/// Where received fragments are stored and served from.
	pub store: Arc<dyn FragmentStore>,
	/// Who may store and fetch fragments here.
	pub policy: Arc<dyn AuthorizationPolicy>,
	/// How fetched fragments are checked against their root (give the store the same one).
	pub verifier: Arc<dyn FragmentVerifier>,
	/// The node's Prometheus registry; `None` keeps the metrics unexported.
	pub registry: Option<prometheus::Registry>,
}

/// State shared by the event loop, the clients and the transfer tasks.
pub(crate) struct Shared {
	pub(crate) config: Config,
	pub(crate) store: Arc<dyn FragmentStore>,
	pub(crate) policy: Arc<dyn AuthorizationPolicy>,
	pub(crate) verifier: Arc<dyn FragmentVerifier>,
	pub(crate) metrics: Metrics,
	pub(crate) events: mpsc::Sender<Event>,
	/// Inbound PUTs in progress (authorized requests only).
	pub(crate) put_slots: Arc<Semaphore>,
	/// Inbound GETs in progress (authorized requests only), apart from the PUTs.
	pub(crate) get_slots: Arc<Semaphore>,
	/// Inbound streams whose request is being read, authorized or refused.
	pub(crate) pending_slots: Arc<Semaphore>,
	/// Each peer's streams in admission and in transfer.
	pub(crate) shares: Arc<PeerShares>,
	/// Each principal's transfers (requests the policy allowed on its behalf).
	pub(crate) principal_shares: Arc<PrincipalShares>,
	/// This node's outbound transfers per remote, kept within the remote's per-peer share.
	pub(crate) outbound: OutboundGate,
	/// Roots with an inbound upload in progress: one writer per partial upload.
	pub(crate) uploads: Mutex<HashSet<FragmentRoot>>,
}

/// Where the event loop sends a command's outcome.
pub(crate) type Reply<T> = oneshot::Sender<Result<T, Error>>;

/// Requests from a [`Client`] to the event loop.
pub(crate) enum Command {
	OpenStream { peer: PeerId, reply: OpenReply },
	AddAddress { peer: PeerId, address: Multiaddr },
	PinPeer { peer: PeerId, addresses: Vec<Multiaddr> },
	UnpinPeer { peer: PeerId },
	SetPinned { peers: Vec<(PeerId, Vec<Multiaddr>)> },
	KnownAddresses { peer: PeerId, reply: oneshot::Sender<Vec<Multiaddr>> },
	Stats { reply: oneshot::Sender<NetworkStats> },
	FindPeer { peer: PeerId, reply: Reply<Vec<Multiaddr>> },
	Bootstrap { reply: Reply<()> },
	StartProviding { root: FragmentRoot, reply: Reply<()> },
	GetProviders { root: FragmentRoot, reply: Reply<HashSet<PeerId>> },
	ListenAddresses { reply: oneshot::Sender<Vec<Multiaddr>> },
	ConnectedPeers { reply: oneshot::Sender<Vec<PeerId>> },
}

struct ProvidersQuery {
	found: HashSet<PeerId>,
	reply: Reply<HashSet<PeerId>>,
}

/// The storage network's event loop. Spawn [`Service::run`] on the Tokio runtime.
pub struct Service {
	swarm: Swarm<Behaviour>,
	commands: mpsc::Receiver<Command>,
	shared: Arc<Shared>,
	kademlia_protocol: StreamProtocol,
	fragment_protocol: StreamProtocol,
	bootstrap_peers: Vec<(PeerId, Multiaddr)>,
	listen_addresses: Vec<Multiaddr>,
	/// Listeners that have not reported an address yet; `ListenAddresses` waits for them.
	pending_listeners: HashSet<libp2p::core::transport::ListenerId>,
	listen_waiters: Vec<oneshot::Sender<Vec<Multiaddr>>>,
	find_peer: HashMap<QueryId, (PeerId, Reply<Vec<Multiaddr>>)>,
	start_providing: HashMap<QueryId, Reply<()>>,
	get_providers: HashMap<QueryId, ProvidersQuery>,
}

/// Gives Kademlia `addresses` of `peer`, as many as keep it within [`MAX_ADDRESSES_PER_PEER`]
/// for the peer: its routing table bounds the peers (k-buckets), not their addresses, which a
/// peer could otherwise grow without end by announcing new ones.
fn add_to_kademlia(
	kademlia: &mut kad::Behaviour<kad::store::MemoryStore>,
	peer: &PeerId,
	addresses: &[Multiaddr],
) {
	let known = kademlia
		.kbucket(*peer)
		.and_then(|bucket| {
			bucket
				.iter()
				.find(|entry| entry.node.key.preimage() == peer)
				.map(|e| e.node.value.len())
		})
		.unwrap_or(0);
	for address in addresses.iter().take(MAX_ADDRESSES_PER_PEER.saturating_sub(known)) {
		kademlia.add_address(peer, address.clone());
	}
}

/// Splits `/…/p2p/<peer id>` into the peer and the address without its `/p2p` suffix.
pub(crate) fn split_peer_address(address: &Multiaddr) -> Result<(PeerId, Multiaddr), Error> {
	let mut address = address.clone();
	match address.pop() {
		Some(Protocol::P2p(peer)) => Ok((peer, address)),
		_ => Err(Error::InvalidAddress(format!("{address} does not end in /p2p/<peer id>"))),
	}
}

/// `address` without a trailing `/p2p/<peer>`: the address book and discovery results hold
/// bare transport addresses, whichever source (identify, Kademlia, a dial) reported them.
pub(crate) fn bare_address(address: Multiaddr, peer: &PeerId) -> Multiaddr {
	let mut bare = address.clone();
	match bare.pop() {
		Some(Protocol::P2p(suffix)) if suffix == *peer => bare,
		_ => address,
	}
}

impl Service {
	/// Builds the swarm and starts listening. Must be called within a Tokio runtime.
	pub(crate) fn new(params: Params) -> Result<(Client, Service, mpsc::Receiver<Event>), Error> {
		let Params { config, keypair, store, policy, verifier, registry } = params;
		config.limits.validate().map_err(Error::InvalidConfig)?;
		let local_peer_id = keypair.public().to_peer_id();
		let behaviour = Behaviour::new(&keypair, &config)?;
		let tcp = || tcp::Config::new().nodelay(true);
		let swarm_config = |c: libp2p::swarm::Config| {
			c.with_idle_connection_timeout(config.timeouts.idle_connection)
		};
		let builder = SwarmBuilder::with_existing_identity(keypair).with_tokio();
		let transport_error = |e: &dyn std::fmt::Display| Error::Transport(e.to_string());
		let infallible = |never: std::convert::Infallible| -> Error { match never {} };
		// Two arms because the two security upgrades are different types; the swarm is one.
		let mut swarm = match config.security {
			Security::TlsThenNoise => builder
				.with_tcp(tcp(), (tls::Config::new, noise::Config::new), mux::Config::default)
				.map_err(|e| transport_error(&e))?
				.with_behaviour(|_| behaviour)
				.map_err(infallible)?
				.with_swarm_config(swarm_config)
				.build(),
			Security::Noise => builder
				.with_tcp(tcp(), noise::Config::new, mux::Config::default)
				.map_err(|e| transport_error(&e))?
				.with_behaviour(|_| behaviour)
				.map_err(infallible)?
				.with_swarm_config(swarm_config)
				.build(),
		};
		log::info!(
			target: "cess-dht",
			"channel security: {:?} (TLS prefers {:?})",
			config.security,
			tls::preferred_cipher_suites()[0].suite()
		);

		let mut pending_listeners = HashSet::new();
		for address in &config.listen_addresses {
			let id = swarm
				.listen_on(address.clone())
				.map_err(|e| Error::Transport(format!("listen on {address}: {e}")))?;
			pending_listeners.insert(id);
		}
		for address in &config.external_addresses {
			swarm.add_external_address(address.clone());
		}
		let mut bootstrap_peers = Vec::new();
		for address in &config.bootstrap_peers {
			let (peer, address) = split_peer_address(address)?;
			swarm.behaviour_mut().kademlia.add_address(&peer, address.clone());
			swarm.behaviour_mut().fragments.add_address(peer, address.clone());
			bootstrap_peers.push((peer, address));
		}

		let kademlia_protocol = StreamProtocol::try_from_owned(config.kademlia_protocol.clone())
			.map_err(|e| Error::InvalidConfig(format!("kademlia protocol: {e}")))?;
		let metrics = Metrics::new(registry.as_ref())?;
		let (events_tx, events_rx) = mpsc::channel(config.event_buffer.max(1));
		let (commands_tx, commands_rx) = mpsc::channel(COMMAND_BUFFER);
		let shared = Arc::new(Shared {
			put_slots: Arc::new(Semaphore::new(config.limits.max_inbound_puts)),
			get_slots: Arc::new(Semaphore::new(config.limits.max_inbound_gets)),
			pending_slots: Arc::new(Semaphore::new(config.limits.max_pending_requests)),
			shares: Arc::new(PeerShares::default()),
			principal_shares: Arc::new(PrincipalShares::default()),
			outbound: OutboundGate::default(),
			config,
			store,
			policy,
			verifier,
			metrics,
			events: events_tx,
			uploads: Mutex::new(HashSet::new()),
		});
		let client = Client::new(local_peer_id, commands_tx, shared.clone());
		let service = Service {
			swarm,
			commands: commands_rx,
			shared,
			kademlia_protocol,
			fragment_protocol: StreamProtocol::new(PROTOCOL_NAME),
			bootstrap_peers,
			listen_addresses: Vec::new(),
			pending_listeners,
			listen_waiters: Vec::new(),
			find_peer: HashMap::new(),
			start_providing: HashMap::new(),
			get_providers: HashMap::new(),
		};
		Ok((client, service, events_rx))
	}

	/// Runs the network until every [`Client`] handle has been dropped.
	pub async fn run(mut self) {
		for (peer, address) in std::mem::take(&mut self.bootstrap_peers) {
			if let Err(e) = self.swarm.dial(address.with(Protocol::P2p(peer))) {
				log::warn!(target: "cess-dht", "cannot dial bootstrap peer {peer}: {e}");
			}
		}
		if let Err(e) = self.swarm.behaviour_mut().kademlia.bootstrap() {
			log::debug!(target: "cess-dht", "no Kademlia bootstrap: {e}");
		}
		loop {
			tokio::select! {
				command = self.commands.recv() => match command {
					Some(command) => self.on_command(command),
					None => break,
				},
				event = self.swarm.select_next_some() => self.on_swarm_event(event),
			}
		}
		log::debug!(target: "cess-dht", "storage network stopped");
	}

	fn on_command(&mut self, command: Command) {
		let behaviour = self.swarm.behaviour_mut();
		match command {
			Command::OpenStream { peer, reply } => behaviour.fragments.open(peer, reply),
			Command::AddAddress { peer, address } => {
				let address = bare_address(address, &peer);
				add_to_kademlia(&mut behaviour.kademlia, &peer, std::slice::from_ref(&address));
				behaviour.fragments.add_address(peer, address);
			}
			Command::PinPeer { peer, addresses } => {
				let addresses: Vec<Multiaddr> =
					addresses.into_iter().map(|address| bare_address(address, &peer)).collect();
				add_to_kademlia(&mut behaviour.kademlia, &peer, &addresses);
				behaviour.fragments.book().pin(peer, addresses);
			}
			Command::UnpinPeer { peer } => behaviour.fragments.book().unpin(&peer),
			Command::SetPinned { peers } => {
				let peers: Vec<(PeerId, Vec<Multiaddr>)> = peers
					.into_iter()
					.map(|(peer, addresses)| {
						let addresses: Vec<Multiaddr> =
							addresses.into_iter().map(|a| bare_address(a, &peer)).collect();
						add_to_kademlia(&mut behaviour.kademlia, &peer, &addresses);
						(peer, addresses)
					})
					.collect();
				behaviour.fragments.book().set_pinned(peers);
			}
			Command::KnownAddresses { peer, reply } => {
				let _ = reply.send(behaviour.fragments.addresses_of(&peer));
			}
			Command::Stats { reply } => {
				let _ = reply.send(self.stats());
			}
			Command::FindPeer { peer, reply } => {
				let id = behaviour.kademlia.get_closest_peers(peer);
				self.find_peer.insert(id, (peer, reply));
			}
			Command::Bootstrap { reply } => {
				let result = behaviour
					.kademlia
					.bootstrap()
					.map(|_| ())
					.map_err(|e| Error::Kademlia(e.to_string()));
				let _ = reply.send(result);
			}
			Command::StartProviding { root, reply } => {
				match behaviour.kademlia.start_providing(kad::RecordKey::new(&root)) {
					Ok(id) => {
						self.start_providing.insert(id, reply);
					}
					Err(e) => {
						let _ = reply.send(Err(Error::Kademlia(e.to_string())));
					}
				}
			}
			Command::GetProviders { root, reply } => {
				let id = behaviour.kademlia.get_providers(kad::RecordKey::new(&root));
				self.get_providers.insert(id, ProvidersQuery { found: HashSet::new(), reply });
			}
			Command::ListenAddresses { reply } => {
				if self.listen_addresses.is_empty() && !self.pending_listeners.is_empty() {
					self.listen_waiters.push(reply);
				} else {
					let _ = reply.send(self.listen_addresses.clone());
				}
			}
			Command::ConnectedPeers { reply } => {
				let _ = reply.send(behaviour.fragments.connected_peers().copied().collect());
			}
		}
	}

	fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
		match event {
			SwarmEvent::Behaviour(BehaviourEvent::Fragments(streams::Event::Inbound {
				peer,
				stream,
			})) => inbound::accept(&self.shared, peer, stream),
			SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
				peer_id,
				info,
				..
			})) => self.on_identified(peer_id, info),
			SwarmEvent::Behaviour(BehaviourEvent::Kademlia(
				kad::Event::OutboundQueryProgressed { id, result, step, .. },
			)) => self.on_query_progressed(id, result, step.last),
			SwarmEvent::NewListenAddr { listener_id, address } => {
				log::info!(target: "cess-dht", "listening on {address}");
				self.pending_listeners.remove(&listener_id);
				self.listen_addresses.push(address);
				self.answer_listen_waiters();
			}
			SwarmEvent::ExpiredListenAddr { address, .. } => {
				self.listen_addresses.retain(|a| a != &address)
			}
			SwarmEvent::ListenerClosed { listener_id, .. }
			| SwarmEvent::ListenerError { listener_id, .. } => {
				self.pending_listeners.remove(&listener_id);
				self.answer_listen_waiters();
			}
			SwarmEvent::ConnectionEstablished { peer_id, num_established, .. } => {
				log::trace!(target: "cess-dht", "connected to {peer_id}");
				if num_established.get() == 1 {
					self.shared.metrics.peer_connected();
				}
			}
			SwarmEvent::ConnectionClosed { peer_id, num_established, cause, .. } => {
				log::trace!(target: "cess-dht", "connection to {peer_id} closed: {cause:?}");
				if num_established == 0 {
					self.shared.metrics.peer_disconnected();
				}
			}
			_ => {}
		}
	}

	fn answer_listen_waiters(&mut self) {
		if self.listen_addresses.is_empty() && !self.pending_listeners.is_empty() {
			return;
		}
		for waiter in self.listen_waiters.drain(..) {
			let _ = waiter.send(self.listen_addresses.clone());
		}
	}

	/// What identify reported of a connected peer: its self-declared listen addresses and
	/// protocols, so nothing here is trusted to create state of its own.
	fn on_identified(&mut self, peer: PeerId, info: identify::Info) {
		let behaviour = self.swarm.behaviour_mut();
		let addresses: Vec<Multiaddr> =
			info.listen_addrs.into_iter().take(MAX_ADDRESSES_PER_PEER).collect();
		// Only storage-network peers that answer Kademlia queries belong in the routing table
		// (k-buckets bound its peers; `add_to_kademlia` their addresses).
		if info.protocols.contains(&self.kademlia_protocol)
			&& info.protocols.contains(&self.fragment_protocol)
		{
			add_to_kademlia(&mut behaviour.kademlia, &peer, &addresses);
		}
		// The address book takes them only for a peer it holds already.
		behaviour.fragments.identified(&peer, &addresses);
	}

	fn stats(&mut self) -> NetworkStats {
		let info = self.swarm.network_info();
		let counters = info.connection_counters();
		let shared = &self.shared;
		let limits = &shared.config.limits;
		let behaviour = self.swarm.behaviour_mut();
		NetworkStats {
			connected_peers: info.num_peers(),
			incoming_connections: counters.num_established_incoming() as usize,
			outgoing_connections: counters.num_established_outgoing() as usize,
			pending_incoming_connections: counters.num_pending_incoming() as usize,
			max_connections_of_a_peer: behaviour.limits.max_connections_of_a_peer(),
			book_peers: behaviour.fragments.book().other_len(),
			pinned_peers: behaviour.fragments.book().pinned_len(),
			routing_table_peers: behaviour.kademlia.kbuckets().map(|b| b.num_entries()).sum(),
			pending_requests: limits.max_pending_requests
				- shared.pending_slots.available_permits(),
			inbound_puts: limits.max_inbound_puts - shared.put_slots.available_permits(),
			inbound_gets: limits.max_inbound_gets - shared.get_slots.available_permits(),
			peers_served: shared.shares.peers(),
		}
	}

	fn on_query_progressed(&mut self, id: QueryId, result: QueryResult, last: bool) {
		match result {
			QueryResult::GetClosestPeers(result) => {
				let Some((target, reply)) = self.find_peer.remove(&id) else { return };
				let peers = match result {
					Ok(ok) => ok.peers,
					Err(GetClosestPeersError::Timeout { peers, .. }) => peers,
				};
				let found = peers
					.into_iter()
					.find(|info| info.peer_id == target)
					.map(|info| info.addrs)
					.unwrap_or_default();
				let behaviour = self.swarm.behaviour_mut();
				let mut addresses: Vec<Multiaddr> = Vec::new();
				for address in found.into_iter().chain(behaviour.fragments.addresses_of(&target)) {
					let address = bare_address(address, &target);
					if !addresses.contains(&address) {
						addresses.push(address);
					}
				}
				let result = if addresses.is_empty() {
					Err(Error::PeerNotFound(target))
				} else {
					for address in &addresses {
						behaviour.fragments.add_address(target, address.clone());
					}
					Ok(addresses)
				};
				let _ = reply.send(result);
			}
			QueryResult::StartProviding(result) => {
				if let Some(reply) = self.start_providing.remove(&id) {
					let _ =
						reply.send(result.map(|_| ()).map_err(|e| Error::Kademlia(e.to_string())));
				}
			}
			QueryResult::GetProviders(result) => {
				let Some(query) = self.get_providers.get_mut(&id) else { return };
				if let Ok(GetProvidersOk::FoundProviders { providers, .. }) = result {
					query.found.extend(providers);
				}
				if last {
					if let Some(query) = self.get_providers.remove(&id) {
						let _ = query.reply.send(Ok(query.found));
					}
				}
			}
			_ => {}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn bare_address_drops_only_the_peers_own_suffix() {
		let peer = libp2p::identity::Keypair::generate_ed25519().public().to_peer_id();
		let other = libp2p::identity::Keypair::generate_ed25519().public().to_peer_id();
		let tcp: Multiaddr = "/ip4/127.0.0.1/tcp/4001".parse().unwrap();
		assert_eq!(bare_address(tcp.clone().with(Protocol::P2p(peer)), &peer), tcp);
		assert_eq!(bare_address(tcp.clone(), &peer), tcp);
		let relayed = tcp.clone().with(Protocol::P2p(other));
		assert_eq!(bare_address(relayed.clone(), &peer), relayed);
	}
}
