//! Errors of the storage network's API.

use crate::protocol::ErrorCode;
use libp2p::PeerId;
use std::io;

/// Errors of setting up the network and of its non-transfer operations.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// A configuration value is unusable.
	#[error("invalid configuration: {0}")]
	InvalidConfig(String),
	/// An address is unusable (e.g. a bootstrap address without `/p2p/<peer id>`).
	#[error("invalid address: {0}")]
	InvalidAddress(String),
	/// The transport could not be built or could not listen.
	#[error("transport: {0}")]
	Transport(String),
	/// The metrics could not be registered.
	#[error("metrics: {0}")]
	Metrics(#[from] prometheus::Error),
	/// Discovery found no address for the peer.
	#[error("no address found for peer {0}")]
	PeerNotFound(PeerId),
	/// A Kademlia operation failed.
	#[error("kademlia: {0}")]
	Kademlia(String),
	/// The network's event loop has stopped.
	#[error("the network service has stopped")]
	ServiceStopped,
}

/// Why a PUT or GET of a fragment failed (after any retries).
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
	/// The remote refused or failed the request.
	#[error("the peer refused: {code}: {message}")]
	Rejected {
		/// The remote's reason.
		code: ErrorCode,
		/// The remote's explanation.
		message: String,
	},
	/// The fetched bytes do not match the root.
	#[error("the fragment received does not match its root")]
	Integrity,
	/// The fragment is larger than [`crate::Limits::max_fragment_size`].
	#[error("fragment of {size} bytes exceeds the limit of {limit} bytes")]
	TooLarge {
		/// The fragment's size.
		size: u64,
		/// The configured limit.
		limit: u64,
	},
	/// A step took longer than its timeout.
	#[error("timed out while {0}")]
	Timeout(&'static str),
	/// No stream to the peer could be opened.
	#[error("peer unreachable: {0}")]
	Unreachable(String),
	/// The stream failed mid-transfer.
	#[error("stream failed: {0}")]
	Io(#[from] io::Error),
	/// The remote broke the protocol.
	#[error("protocol violation: {0}")]
	Protocol(String),
	/// The network's event loop has stopped.
	#[error("the network service has stopped")]
	ServiceStopped,
}

impl TransferError {
	/// Whether a later attempt may succeed. `resumed` tells whether the failed attempt continued
	/// an earlier one: a root mismatch then may come from the earlier part, so it is worth one
	/// fresh attempt (the remote discarded its partial upload; a GET starts over).
	pub fn is_transient(&self, resumed: bool) -> bool {
		match self {
			TransferError::Rejected { code: ErrorCode::IntegrityFailed, .. }
			| TransferError::Integrity => resumed,
			TransferError::Rejected { code, .. } => code.is_transient(),
			TransferError::Timeout(_) | TransferError::Unreachable(_) | TransferError::Io(_) => {
				true
			}
			TransferError::TooLarge { .. }
			| TransferError::Protocol(_)
			| TransferError::ServiceStopped => false,
		}
	}

	/// A stable lower-case name, used in metrics labels.
	pub fn reason(&self) -> &'static str {
		match self {
			TransferError::Rejected { code, .. } => code.as_str(),
			TransferError::Integrity => "integrity",
			TransferError::TooLarge { .. } => "too_large",
			TransferError::Timeout(_) => "timeout",
			TransferError::Unreachable(_) => "unreachable",
			TransferError::Io(_) => "io",
			TransferError::Protocol(_) => "protocol",
			TransferError::ServiceStopped => "stopped",
		}
	}
}
