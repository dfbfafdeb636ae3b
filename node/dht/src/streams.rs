//! A minimal libp2p behaviour that hands out raw streams of one protocol.
//!
//! request-response would buffer whole messages (and caps them at 1 MiB / 10 MiB); fragments
//! are streamed instead, so this behaviour only negotiates streams of the fragment protocol and
//! passes them on: inbound ones as [`Event::Inbound`], outbound ones to the one-shot channel of
//! [`Behaviour::open`]. The transfer logic then runs in its own task, reading and writing the
//! stream directly, with yamux flow control as backpressure. It also keeps the address book
//! ([`crate::book`]: bounded, pinned chain-registered peers, least recently seen evicted) so
//! that peers whose addresses were given or pinned can be dialed even when Kademlia has dropped
//! them from its routing table.

use crate::book::AddressBook;
use futures::channel::oneshot;
use libp2p::{
	core::{transport::PortUse, upgrade::ReadyUpgrade, Endpoint},
	swarm::{
		dial_opts::{DialOpts, PeerCondition},
		handler::{
			ConnectionEvent, DialUpgradeError, FullyNegotiatedInbound, FullyNegotiatedOutbound,
		},
		ConnectionDenied, ConnectionHandler, ConnectionHandlerEvent, ConnectionId, DialError,
		FromSwarm, NetworkBehaviour, NotifyHandler, Stream, StreamProtocol, StreamUpgradeError,
		SubstreamProtocol, THandler, THandlerInEvent, THandlerOutEvent, ToSwarm,
	},
	Multiaddr, PeerId,
};
use std::{
	collections::{hash_map::Entry, HashMap, HashSet, VecDeque},
	task::{Context, Poll, Waker},
	time::Duration,
};

/// Why a stream could not be opened.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum OpenError {
	/// No connection to the peer could be established.
	#[error("cannot connect: {0}")]
	Dial(String),
	/// The peer does not speak the fragment protocol.
	#[error("the peer does not support the fragment protocol")]
	Unsupported,
	/// Negotiating the stream took too long.
	#[error("stream negotiation timed out")]
	Timeout,
	/// The connection failed while negotiating.
	#[error("stream negotiation failed: {0}")]
	Io(String),
}

/// Where the opened stream (or why not) is sent.
pub(crate) type OpenReply = oneshot::Sender<Result<Stream, OpenError>>;

/// What the behaviour reports to the swarm's owner.
#[derive(Debug)]
pub(crate) enum Event {
	/// A remote peer opened a fragment-protocol stream.
	Inbound { peer: PeerId, stream: Stream },
}

/// Hands out raw streams of one protocol; see the module docs.
pub(crate) struct Behaviour {
	protocol: StreamProtocol,
	negotiation_timeout: Duration,
	connections: HashMap<PeerId, HashSet<ConnectionId>>,
	waiting_for_connection: HashMap<PeerId, Vec<OpenReply>>,
	book: AddressBook,
	events: VecDeque<ToSwarm<Event, OpenReply>>,
	waker: Option<Waker>,
}

impl Behaviour {
	pub(crate) fn new(
		protocol: StreamProtocol,
		negotiation_timeout: Duration,
		book: AddressBook,
	) -> Self {
		Self {
			protocol,
			negotiation_timeout,
			connections: HashMap::new(),
			waiting_for_connection: HashMap::new(),
			book,
			events: VecDeque::new(),
			waker: None,
		}
	}

	/// Opens a stream to `peer`, dialing it first if not connected; the result goes to `reply`.
	pub(crate) fn open(&mut self, peer: PeerId, reply: OpenReply) {
		// Callers that gave up (timed out) leave cancelled senders behind: drop them.
		self.waiting_for_connection.retain(|_, replies| {
			replies.retain(|reply| !reply.is_canceled());
			!replies.is_empty()
		});
		self.book.touch(&peer);
		if self.connections.contains_key(&peer) {
			self.push(ToSwarm::NotifyHandler {
				peer_id: peer,
				handler: NotifyHandler::Any,
				event: reply,
			});
		} else {
			self.waiting_for_connection.entry(peer).or_default().push(reply);
			self.push(ToSwarm::Dial {
				opts: DialOpts::peer_id(peer)
					.condition(PeerCondition::DisconnectedAndNotDialing)
					.build(),
			});
		}
	}

	/// Remembers `address` as a way to reach `peer` (an ordinary, evictable entry).
	pub(crate) fn add_address(&mut self, peer: PeerId, address: Multiaddr) {
		self.book.add(peer, crate::service::bare_address(address, &peer));
	}

	/// What identify reported `peer` listens on: kept only if `peer` is in the book already.
	pub(crate) fn identified(&mut self, peer: &PeerId, addresses: &[Multiaddr]) {
		let bare: Vec<Multiaddr> =
			addresses.iter().map(|a| crate::service::bare_address(a.clone(), peer)).collect();
		self.book.update_known(peer, &bare);
	}

	/// The address book, to pin and unpin peers and to count its entries.
	pub(crate) fn book(&mut self) -> &mut AddressBook {
		&mut self.book
	}

	/// The addresses remembered for `peer`, pinned ones first.
	pub(crate) fn addresses_of(&self, peer: &PeerId) -> Vec<Multiaddr> {
		self.book.addresses(peer)
	}

	/// Peers with at least one open connection.
	pub(crate) fn connected_peers(&self) -> impl Iterator<Item = &PeerId> {
		self.connections.keys()
	}

	fn push(&mut self, event: ToSwarm<Event, OpenReply>) {
		self.events.push_back(event);
		if let Some(waker) = self.waker.take() {
			waker.wake();
		}
	}

	fn handler(&self) -> Handler {
		Handler::new(self.protocol.clone(), self.negotiation_timeout)
	}
}

impl NetworkBehaviour for Behaviour {
	type ConnectionHandler = Handler;
	type ToSwarm = Event;

	fn handle_established_inbound_connection(
		&mut self,
		_: ConnectionId,
		_: PeerId,
		_: &Multiaddr,
		_: &Multiaddr,
	) -> Result<THandler<Self>, ConnectionDenied> {
		Ok(self.handler())
	}

	fn handle_pending_outbound_connection(
		&mut self,
		_: ConnectionId,
		maybe_peer: Option<PeerId>,
		_: &[Multiaddr],
		_: Endpoint,
	) -> Result<Vec<Multiaddr>, ConnectionDenied> {
		Ok(maybe_peer.map(|peer| self.addresses_of(&peer)).unwrap_or_default())
	}

	fn handle_established_outbound_connection(
		&mut self,
		_: ConnectionId,
		_: PeerId,
		_: &Multiaddr,
		_: Endpoint,
		_: PortUse,
	) -> Result<THandler<Self>, ConnectionDenied> {
		Ok(self.handler())
	}

	fn on_swarm_event(&mut self, event: FromSwarm) {
		match event {
			FromSwarm::ConnectionEstablished(established) => {
				let peer = established.peer_id;
				self.book.touch(&peer);
				self.connections.entry(peer).or_default().insert(established.connection_id);
				for reply in self.waiting_for_connection.remove(&peer).unwrap_or_default() {
					self.push(ToSwarm::NotifyHandler {
						peer_id: peer,
						handler: NotifyHandler::One(established.connection_id),
						event: reply,
					});
				}
			}
			FromSwarm::ConnectionClosed(closed) => {
				if let Entry::Occupied(mut entry) = self.connections.entry(closed.peer_id) {
					entry.get_mut().remove(&closed.connection_id);
					if entry.get().is_empty() {
						entry.remove();
					}
				}
			}
			FromSwarm::DialFailure(failure) => {
				let Some(peer) = failure.peer_id else { return };
				// The condition is false when a dial is already under way or a connection was
				// just made; the requests keep waiting for that one.
				if matches!(failure.error, DialError::DialPeerConditionFalse(_))
					|| self.connections.contains_key(&peer)
				{
					return;
				}
				let reason = failure.error.to_string();
				for reply in self.waiting_for_connection.remove(&peer).unwrap_or_default() {
					let _ = reply.send(Err(OpenError::Dial(reason.clone())));
				}
			}
			_ => {}
		}
	}

	fn on_connection_handler_event(
		&mut self,
		peer: PeerId,
		_: ConnectionId,
		stream: THandlerOutEvent<Self>,
	) {
		self.push(ToSwarm::GenerateEvent(Event::Inbound { peer, stream }));
	}

	fn poll(
		&mut self,
		cx: &mut Context<'_>,
	) -> Poll<ToSwarm<Self::ToSwarm, THandlerInEvent<Self>>> {
		match self.events.pop_front() {
			Some(event) => Poll::Ready(event),
			None => {
				self.waker = Some(cx.waker().clone());
				Poll::Pending
			}
		}
	}
}

/// The per-connection half: opens requested streams and passes on inbound ones.
pub(crate) struct Handler {
	protocol: StreamProtocol,
	negotiation_timeout: Duration,
	to_open: VecDeque<OpenReply>,
	inbound: VecDeque<Stream>,
	waker: Option<Waker>,
}

impl Handler {
	fn new(protocol: StreamProtocol, negotiation_timeout: Duration) -> Self {
		Self {
			protocol,
			negotiation_timeout,
			to_open: VecDeque::new(),
			inbound: VecDeque::new(),
			waker: None,
		}
	}

	fn wake(&mut self) {
		if let Some(waker) = self.waker.take() {
			waker.wake();
		}
	}
}

impl ConnectionHandler for Handler {
	type FromBehaviour = OpenReply;
	type ToBehaviour = Stream;
	type InboundProtocol = ReadyUpgrade<StreamProtocol>;
	type OutboundProtocol = ReadyUpgrade<StreamProtocol>;
	type InboundOpenInfo = ();
	type OutboundOpenInfo = OpenReply;

	fn listen_protocol(&self) -> SubstreamProtocol<Self::InboundProtocol, Self::InboundOpenInfo> {
		SubstreamProtocol::new(ReadyUpgrade::new(self.protocol.clone()), ())
			.with_timeout(self.negotiation_timeout)
	}

	fn connection_keep_alive(&self) -> bool {
		// Open streams keep the connection alive by themselves; this covers the requested ones.
		!self.to_open.is_empty()
	}

	fn poll(
		&mut self,
		cx: &mut Context<'_>,
	) -> Poll<
		ConnectionHandlerEvent<Self::OutboundProtocol, Self::OutboundOpenInfo, Self::ToBehaviour>,
	> {
		if let Some(stream) = self.inbound.pop_front() {
			return Poll::Ready(ConnectionHandlerEvent::NotifyBehaviour(stream));
		}
		if let Some(reply) = self.to_open.pop_front() {
			return Poll::Ready(ConnectionHandlerEvent::OutboundSubstreamRequest {
				protocol: SubstreamProtocol::new(ReadyUpgrade::new(self.protocol.clone()), reply)
					.with_timeout(self.negotiation_timeout),
			});
		}
		self.waker = Some(cx.waker().clone());
		Poll::Pending
	}

	fn on_behaviour_event(&mut self, reply: OpenReply) {
		self.to_open.push_back(reply);
		self.wake();
	}

	fn on_connection_event(
		&mut self,
		event: ConnectionEvent<
			Self::InboundProtocol,
			Self::OutboundProtocol,
			Self::InboundOpenInfo,
			Self::OutboundOpenInfo,
		>,
	) {
		match event {
			ConnectionEvent::FullyNegotiatedInbound(FullyNegotiatedInbound {
				protocol: stream,
				..
			}) => {
				self.inbound.push_back(stream);
				self.wake();
			}
			ConnectionEvent::FullyNegotiatedOutbound(FullyNegotiatedOutbound {
				protocol: stream,
				info: reply,
			}) => {
				let _ = reply.send(Ok(stream));
			}
			ConnectionEvent::DialUpgradeError(DialUpgradeError { info: reply, error }) => {
				let error = match error {
					StreamUpgradeError::Timeout => OpenError::Timeout,
					StreamUpgradeError::NegotiationFailed | StreamUpgradeError::Apply(_) => {
						OpenError::Unsupported
					}
					StreamUpgradeError::Io(e) => OpenError::Io(e.to_string()),
				};
				let _ = reply.send(Err(error));
			}
			_ => {}
		}
	}
}
