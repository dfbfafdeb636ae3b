//! The composed libp2p behaviour: connection limits, Kademlia, identify, ping and the fragment
//! streams.

use crate::{
	book::AddressBook, config::KademliaMode, connection_limits, protocol::PROTOCOL_NAME, streams,
	Config,
};
use libp2p::{identify, identity::Keypair, kad, ping, swarm::NetworkBehaviour, StreamProtocol};

/// Everything the storage network's swarm runs.
#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
	/// Connections per peer, incoming and in handshake. First: the swarm asks the behaviours in
	/// field order whether to accept a connection, and one refused here is seen by no other
	/// (which would otherwise have set up state for it before the refusal).
	pub(crate) limits: connection_limits::Behaviour,
	/// Discovery: peers' addresses by PeerId, provider records.
	pub(crate) kademlia: kad::Behaviour<kad::store::MemoryStore>,
	/// Learns peers' listen addresses and protocols (which feed Kademlia).
	pub(crate) identify: identify::Behaviour,
	/// Keeps idle connections measured and detects dead ones.
	pub(crate) ping: ping::Behaviour,
	/// Raw streams of the fragment protocol.
	pub(crate) fragments: streams::Behaviour,
}

impl Behaviour {
	pub(crate) fn new(key: &Keypair, config: &Config) -> Result<Self, crate::Error> {
		let local_peer_id = key.public().to_peer_id();
		let kademlia_protocol = StreamProtocol::try_from_owned(config.kademlia_protocol.clone())
			.map_err(|e| crate::Error::InvalidConfig(format!("kademlia protocol: {e}")))?;
		let mut kad_config = kad::Config::new(kademlia_protocol);
		kad_config.set_query_timeout(config.timeouts.kademlia_query);
		let mut kademlia = kad::Behaviour::with_config(
			local_peer_id,
			kad::store::MemoryStore::new(local_peer_id),
			kad_config,
		);
		kademlia.set_mode(Some(match config.kademlia_mode {
			KademliaMode::Server => kad::Mode::Server,
			KademliaMode::Client => kad::Mode::Client,
		}));
		let identify = identify::Behaviour::new(
			identify::Config::new(config.identify_protocol.clone(), key.public())
				.with_agent_version(config.agent_version.clone()),
		);
		let limits = &config.limits;
		Ok(Self {
			limits: connection_limits::Behaviour::new(limits),
			kademlia,
			identify,
			ping: ping::Behaviour::new(ping::Config::new()),
			fragments: streams::Behaviour::new(
				StreamProtocol::new(PROTOCOL_NAME),
				config.timeouts.open_stream,
				AddressBook::new(limits.max_book_peers, limits.max_pinned_peers),
			),
		})
	}
}
