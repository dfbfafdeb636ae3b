//! Connection limits: libp2p's `connection-limits` behaviour, rebuilt now and then so that its
//! memory stays bounded.
//!
//! `libp2p-connection-limits` 0.4 counts connections per peer in a map whose entries it never
//! removes (a closed connection leaves an empty set behind), so a flood of fresh PeerIds, each
//! connecting once, would grow it without end. This wrapper delegates every decision to it and
//! keeps its own record of the connections in flight and established; once more distinct peers
//! connected since the last rebuild than [`REBUILD_AFTER_PEERS`] (or twice the peers connected
//! now, whichever is more), it replaces the inner behaviour with a fresh one and replays the
//! live connections into it, which drops the stale entries. The counts the limits are checked
//! against are the same before and after.
//!
//! It adds what `connection-limits` lacks: at most [`Limits::max_incoming_per_ip`] incoming
//! connections from one IP address (loopback exempt), so that one host cycling identities
//! cannot hold all [`Limits::max_incoming_connections`] slots.

use crate::Limits;
use libp2p::{
	connection_limits::{self, ConnectionLimits as Config},
	core::{transport::PortUse, ConnectedPoint, Endpoint},
	multiaddr::Protocol,
	swarm::{
		behaviour::{ConnectionEstablished, FromSwarm},
		ConnectionDenied, ConnectionId, NetworkBehaviour, THandler, THandlerInEvent,
		THandlerOutEvent, ToSwarm,
	},
	Multiaddr, PeerId,
};
use std::{
	collections::{HashMap, HashSet},
	net::IpAddr,
	task::{Context, Poll},
};

/// An incoming connection refused because its address has its share already.
#[derive(Debug, thiserror::Error)]
#[error("{limit} incoming connections from {ip} already")]
pub(crate) struct TooManyFromAddress {
	ip: IpAddr,
	limit: usize,
}

/// The IP address a multiaddress starts with, if any.
fn ip_of(address: &Multiaddr) -> Option<IpAddr> {
	match address.iter().next()? {
		Protocol::Ip4(ip) => Some(IpAddr::V4(ip)),
		Protocol::Ip6(ip) => Some(IpAddr::V6(ip)),
		_ => None,
	}
}

/// New peers tolerated between rebuilds (each costs the inner map one stale entry at most).
pub(crate) const REBUILD_AFTER_PEERS: usize = 1024;

/// libp2p's connection limits with bounded memory; see the module docs.
pub(crate) struct Behaviour {
	config: Config,
	inner: connection_limits::Behaviour,
	pending_inbound: HashSet<ConnectionId>,
	pending_outbound: HashSet<ConnectionId>,
	established: HashMap<ConnectionId, (PeerId, ConnectedPoint)>,
	/// Connections per peer, to know when a peer is new or gone.
	per_peer: HashMap<PeerId, usize>,
	/// Peers that connected since the inner behaviour was last rebuilt.
	new_peers: usize,
	rebuilds: u64,
	/// Most incoming connections from one (non-loopback) IP address.
	per_ip_limit: usize,
	/// The address of each incoming connection counted against its IP's share.
	inbound_ip: HashMap<ConnectionId, IpAddr>,
	/// Incoming connections per IP address; an entry lives while its address has one.
	per_ip: HashMap<IpAddr, usize>,
}

impl Behaviour {
	pub(crate) fn new(limits: &Limits) -> Self {
		let config = Config::default()
			.with_max_established_per_peer(Some(limits.max_connections_per_peer))
			.with_max_established_incoming(Some(limits.max_incoming_connections))
			.with_max_pending_incoming(Some(limits.max_pending_incoming_connections));
		Self {
			inner: connection_limits::Behaviour::new(config.clone()),
			config,
			pending_inbound: HashSet::new(),
			pending_outbound: HashSet::new(),
			established: HashMap::new(),
			per_peer: HashMap::new(),
			new_peers: 0,
			rebuilds: 0,
			per_ip_limit: limits.max_incoming_per_ip as usize,
			inbound_ip: HashMap::new(),
			per_ip: HashMap::new(),
		}
	}

	/// Counts incoming connection `id` from `remote` against its IP's share, or refuses it.
	fn take_ip_share(
		&mut self,
		id: ConnectionId,
		remote: &Multiaddr,
	) -> Result<(), ConnectionDenied> {
		let Some(ip) = ip_of(remote).filter(|ip| !ip.is_loopback()) else { return Ok(()) };
		let count = self.per_ip.entry(ip).or_default();
		if *count >= self.per_ip_limit {
			return Err(ConnectionDenied::new(TooManyFromAddress { ip, limit: self.per_ip_limit }));
		}
		*count += 1;
		self.inbound_ip.insert(id, ip);
		Ok(())
	}

	/// Gives connection `id`'s place in its IP's share back (it failed or closed).
	fn release_ip_share(&mut self, id: ConnectionId) {
		let Some(ip) = self.inbound_ip.remove(&id) else { return };
		if let Some(count) = self.per_ip.get_mut(&ip) {
			*count = count.saturating_sub(1);
			if *count == 0 {
				self.per_ip.remove(&ip);
			}
		}
	}

	/// The most connections any one peer has now.
	pub(crate) fn max_connections_of_a_peer(&self) -> usize {
		self.per_peer.values().copied().max().unwrap_or(0)
	}

	/// How often the inner behaviour was replaced.
	#[cfg(test)]
	fn rebuilds(&self) -> u64 {
		self.rebuilds
	}

	fn rebuild_if_stale(&mut self) {
		if self.new_peers <= REBUILD_AFTER_PEERS.max(2 * self.per_peer.len()) {
			return;
		}
		let mut fresh = connection_limits::Behaviour::new(self.config.clone());
		let nowhere = Multiaddr::empty();
		// Replaying what was admitted before cannot exceed the limits it was admitted under.
		for id in &self.pending_inbound {
			let _ = fresh.handle_pending_inbound_connection(*id, &nowhere, &nowhere);
		}
		for id in &self.pending_outbound {
			let _ = fresh.handle_pending_outbound_connection(*id, None, &[], Endpoint::Dialer);
		}
		for (id, (peer, endpoint)) in &self.established {
			fresh.on_swarm_event(FromSwarm::ConnectionEstablished(ConnectionEstablished {
				peer_id: *peer,
				connection_id: *id,
				endpoint,
				failed_addresses: &[],
				other_established: 0,
			}));
		}
		self.inner = fresh;
		self.new_peers = 0;
		self.rebuilds += 1;
	}
}

impl NetworkBehaviour for Behaviour {
	type ConnectionHandler = <connection_limits::Behaviour as NetworkBehaviour>::ConnectionHandler;
	type ToSwarm = <connection_limits::Behaviour as NetworkBehaviour>::ToSwarm;

	fn handle_pending_inbound_connection(
		&mut self,
		id: ConnectionId,
		local: &Multiaddr,
		remote: &Multiaddr,
	) -> Result<(), ConnectionDenied> {
		self.inner.handle_pending_inbound_connection(id, local, remote)?;
		// On a refusal the swarm reports a `ListenFailure`, which reaches the inner behaviour
		// through `on_swarm_event` and drops the pending entry it just made.
		self.take_ip_share(id, remote)?;
		self.pending_inbound.insert(id);
		Ok(())
	}

	fn handle_established_inbound_connection(
		&mut self,
		id: ConnectionId,
		peer: PeerId,
		local: &Multiaddr,
		remote: &Multiaddr,
	) -> Result<THandler<Self>, ConnectionDenied> {
		self.pending_inbound.remove(&id);
		self.inner.handle_established_inbound_connection(id, peer, local, remote)
	}

	fn handle_pending_outbound_connection(
		&mut self,
		id: ConnectionId,
		peer: Option<PeerId>,
		addresses: &[Multiaddr],
		role: Endpoint,
	) -> Result<Vec<Multiaddr>, ConnectionDenied> {
		let found = self.inner.handle_pending_outbound_connection(id, peer, addresses, role)?;
		self.pending_outbound.insert(id);
		Ok(found)
	}

	fn handle_established_outbound_connection(
		&mut self,
		id: ConnectionId,
		peer: PeerId,
		address: &Multiaddr,
		role: Endpoint,
		port_use: PortUse,
	) -> Result<THandler<Self>, ConnectionDenied> {
		self.pending_outbound.remove(&id);
		self.inner.handle_established_outbound_connection(id, peer, address, role, port_use)
	}

	fn on_swarm_event(&mut self, event: FromSwarm) {
		match &event {
			FromSwarm::ConnectionEstablished(established) => {
				self.pending_inbound.remove(&established.connection_id);
				self.pending_outbound.remove(&established.connection_id);
				self.established.insert(
					established.connection_id,
					(established.peer_id, established.endpoint.clone()),
				);
				let count = self.per_peer.entry(established.peer_id).or_default();
				if *count == 0 {
					self.new_peers += 1;
				}
				*count += 1;
			}
			FromSwarm::ConnectionClosed(closed) => {
				self.established.remove(&closed.connection_id);
				self.release_ip_share(closed.connection_id);
				if let Some(count) = self.per_peer.get_mut(&closed.peer_id) {
					*count = count.saturating_sub(1);
					if *count == 0 {
						self.per_peer.remove(&closed.peer_id);
					}
				}
			}
			FromSwarm::AddressChange(change) => {
				if let Some((_, endpoint)) = self.established.get_mut(&change.connection_id) {
					*endpoint = change.new.clone();
				}
			}
			FromSwarm::DialFailure(failure) => {
				self.pending_outbound.remove(&failure.connection_id);
			}
			FromSwarm::ListenFailure(failure) => {
				self.pending_inbound.remove(&failure.connection_id);
				self.release_ip_share(failure.connection_id);
			}
			_ => {}
		}
		self.inner.on_swarm_event(event);
		self.rebuild_if_stale();
	}

	fn on_connection_handler_event(
		&mut self,
		peer: PeerId,
		id: ConnectionId,
		event: THandlerOutEvent<Self>,
	) {
		self.inner.on_connection_handler_event(peer, id, event)
	}

	fn poll(
		&mut self,
		cx: &mut Context<'_>,
	) -> Poll<ToSwarm<Self::ToSwarm, THandlerInEvent<Self>>> {
		self.inner.poll(cx)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use libp2p::swarm::{behaviour::ConnectionClosed, ConnectionId};

	fn listener() -> ConnectedPoint {
		ConnectedPoint::Listener {
			local_addr: "/ip4/127.0.0.1/tcp/1".parse().unwrap(),
			send_back_addr: "/ip4/127.0.0.1/tcp/2".parse().unwrap(),
		}
	}

	/// Admits an inbound connection as the swarm does; `true` if the limits let it in.
	fn connect(behaviour: &mut Behaviour, id: usize, peer: PeerId) -> bool {
		connect_from(behaviour, id, peer, Multiaddr::empty())
	}

	/// [`connect`] from the address `remote`.
	fn connect_from(behaviour: &mut Behaviour, id: usize, peer: PeerId, remote: Multiaddr) -> bool {
		let id = ConnectionId::new_unchecked(id);
		let local: Multiaddr = "/ip4/127.0.0.1/tcp/1".parse().unwrap();
		if behaviour.handle_pending_inbound_connection(id, &local, &remote).is_err() {
			behaviour.on_swarm_event(FromSwarm::ListenFailure(
				libp2p::swarm::behaviour::ListenFailure {
					local_addr: &local,
					send_back_addr: &remote,
					error: &libp2p::swarm::ListenError::Aborted,
					connection_id: id,
					peer_id: None,
				},
			));
			return false;
		}
		if behaviour.handle_established_inbound_connection(id, peer, &local, &remote).is_err() {
			behaviour.on_swarm_event(FromSwarm::ListenFailure(
				libp2p::swarm::behaviour::ListenFailure {
					local_addr: &local,
					send_back_addr: &remote,
					error: &libp2p::swarm::ListenError::Aborted,
					connection_id: id,
					peer_id: Some(peer),
				},
			));
			return false;
		}
		let endpoint = listener();
		behaviour.on_swarm_event(FromSwarm::ConnectionEstablished(ConnectionEstablished {
			peer_id: peer,
			connection_id: id,
			endpoint: &endpoint,
			failed_addresses: &[],
			other_established: 0,
		}));
		true
	}

	fn disconnect(behaviour: &mut Behaviour, id: usize, peer: PeerId) {
		let endpoint = listener();
		behaviour.on_swarm_event(FromSwarm::ConnectionClosed(ConnectionClosed {
			peer_id: peer,
			connection_id: ConnectionId::new_unchecked(id),
			endpoint: &endpoint,
			cause: None,
			remaining_established: 0,
		}));
	}

	#[test]
	fn limits_hold_across_rebuilds_of_the_inner_behaviour() {
		let limits = Limits {
			max_connections_per_peer: 2,
			max_incoming_connections: 3,
			..Limits::default()
		};
		let mut behaviour = Behaviour::new(&limits);
		let steady = PeerId::random();
		assert!(connect(&mut behaviour, 0, steady));
		assert!(connect(&mut behaviour, 1, steady));
		assert!(!connect(&mut behaviour, 2, steady), "a third connection of one peer");
		assert_eq!(behaviour.max_connections_of_a_peer(), 2);

		// A flood of fresh identities, each connecting once: the inner behaviour is rebuilt
		// (dropping its stale entries) and the live connections still count.
		let mut id = 10;
		for _ in 0..3 * REBUILD_AFTER_PEERS {
			let peer = PeerId::random();
			assert!(connect(&mut behaviour, id, peer));
			disconnect(&mut behaviour, id, peer);
			id += 1;
		}
		assert!(behaviour.rebuilds() >= 2, "{} rebuilds", behaviour.rebuilds());
		assert_eq!(behaviour.per_peer.len(), 1);
		assert!(!connect(&mut behaviour, id, steady), "the per-peer limit survives a rebuild");
		assert!(connect(&mut behaviour, id + 1, PeerId::random()));
		assert!(!connect(&mut behaviour, id + 2, PeerId::random()), "3 incoming at most");
	}

	#[test]
	fn one_address_gets_its_share_of_incoming_connections_and_loopback_is_exempt() {
		let limits = Limits { max_incoming_per_ip: 2, ..Limits::default() };
		let mut behaviour = Behaviour::new(&limits);
		let from = |ip: &str, port: u16| format!("/ip4/{ip}/tcp/{port}").parse().unwrap();
		// One host cycling identities: two connections, then refused whatever the PeerId.
		assert!(connect_from(&mut behaviour, 1, PeerId::random(), from("203.0.113.5", 4001)));
		assert!(connect_from(&mut behaviour, 2, PeerId::random(), from("203.0.113.5", 4002)));
		for id in 3..10 {
			assert!(!connect_from(&mut behaviour, id, PeerId::random(), from("203.0.113.5", 4003)));
		}
		// Other hosts, and loopback, are not held up by it.
		assert!(connect_from(&mut behaviour, 10, PeerId::random(), from("198.51.100.7", 4001)));
		for id in 11..15 {
			assert!(connect_from(&mut behaviour, id, PeerId::random(), from("127.0.0.1", 4001)));
		}
		// A closed connection gives its place back; refused ones never took one.
		disconnect(&mut behaviour, 1, PeerId::random());
		assert!(connect_from(&mut behaviour, 20, PeerId::random(), from("203.0.113.5", 4004)));
		assert!(!connect_from(&mut behaviour, 21, PeerId::random(), from("203.0.113.5", 4005)));
		assert_eq!(behaviour.per_ip.len(), 2, "entries only for addresses with connections");
	}
}
