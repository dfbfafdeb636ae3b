//! The authorization seam: who may store which fragment here, and who may read it back.
//!
//! The node supplies an [`AuthorizationPolicy`] built from chain state: a storage miner accepts a
//! PUT of root `R` from peer `P` only when the chain has placed `R` on this miner and the proof
//! the request carries (an owner's access ticket naming `P`, or `P`'s repair assignment) holds.
//! The policy is asked before anything is reserved for the request — a transfer slot, a partial
//! upload, an open fragment — so an unauthorized peer costs a request header (at most
//! [`crate::protocol::MAX_REQUEST_LEN`] bytes) and an error reply, and never delays or displaces
//! an authorized transfer.

use crate::FragmentRoot;
use libp2p::PeerId;
use std::collections::HashSet;

/// Who vouches for an allowed request, beyond the peer that sent it: 32 bytes a policy chooses
/// (a CESS miner: the account that signed the owner's ticket). PeerIds cost nothing to make;
/// a principal is what a peer must prove, so shares counted per principal hold against Sybils.
pub type Principal = [u8; 32];

/// The outcome of a policy check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
	/// The request may proceed.
	Allow,
	/// The request may proceed on behalf of a principal: its transfer counts against the
	/// principal's share ([`crate::Limits::max_transfers_per_principal`]) as well as the peer's,
	/// so that any number of identities under one principal share one principal's slots.
	AllowFor(Principal),
	/// The request is refused; the reason is sent to the remote in the error reply.
	Deny(String),
}

impl Decision {
	/// `true` for [`Decision::Allow`] and [`Decision::AllowFor`].
	pub fn is_allowed(&self) -> bool {
		matches!(self, Decision::Allow | Decision::AllowFor(_))
	}
}

/// Decides whether a remote peer may store or fetch a fragment on this node.
///
/// `peer` is authenticated by the channel (TLS or Noise); `auth` is the authorization the
/// request carried ([`crate::Authorization`]), exactly as received: untrusted bytes from the
/// peer, at most [`crate::protocol::MAX_AUTH_LEN`] long and possibly empty, to be parsed
/// defensively. Both methods are required, so that no policy is open by accident.
///
/// Called from a blocking thread for every inbound request, so an implementation may read the
/// chain's state (a runtime API call) directly.
pub trait AuthorizationPolicy: Send + Sync + 'static {
	/// May `peer`, proving it with `auth`, store the fragment `root` of `size` bytes here?
	fn may_put(&self, peer: &PeerId, root: &FragmentRoot, size: u64, auth: &[u8]) -> Decision;

	/// May `peer`, proving it with `auth`, fetch the fragment `root` from here?
	fn may_get(&self, peer: &PeerId, root: &FragmentRoot, auth: &[u8]) -> Decision;
}

/// Accepts every PUT and GET, whatever authorization they carry. For tests and open
/// development networks only.
#[derive(Clone, Copy, Debug, Default)]
pub struct AllowAll;

impl AuthorizationPolicy for AllowAll {
	fn may_put(&self, _: &PeerId, _: &FragmentRoot, _: u64, _: &[u8]) -> Decision {
		Decision::Allow
	}

	fn may_get(&self, _: &PeerId, _: &FragmentRoot, _: &[u8]) -> Decision {
		Decision::Allow
	}
}

/// Accepts PUTs only from listed peers; GETs from everyone, or only from a second list. Decides
/// by PeerId alone and ignores the authorization bytes.
#[derive(Clone, Debug, Default)]
pub struct PeerAllowList {
	/// Peers that may store fragments here.
	pub put: HashSet<PeerId>,
	/// Peers that may fetch fragments from here; `None` lets everyone fetch.
	pub get: Option<HashSet<PeerId>>,
}

impl PeerAllowList {
	/// PUTs from `peers` only, GETs from everyone.
	pub fn put_only(peers: impl IntoIterator<Item = PeerId>) -> Self {
		Self { put: peers.into_iter().collect(), get: None }
	}
}

impl AuthorizationPolicy for PeerAllowList {
	fn may_put(&self, peer: &PeerId, _: &FragmentRoot, _: u64, _: &[u8]) -> Decision {
		if self.put.contains(peer) {
			Decision::Allow
		} else {
			Decision::Deny(format!("peer {peer} may not store fragments here"))
		}
	}

	fn may_get(&self, peer: &PeerId, _: &FragmentRoot, _: &[u8]) -> Decision {
		match &self.get {
			Some(allowed) if !allowed.contains(peer) => {
				Decision::Deny(format!("peer {peer} may not fetch fragments here"))
			}
			_ => Decision::Allow,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn allow_list_discriminates() {
		let allowed = PeerId::random();
		let stranger = PeerId::random();
		let policy = PeerAllowList::put_only([allowed]);
		assert!(policy.may_put(&allowed, &[0; 32], 1, &[]).is_allowed());
		assert!(!policy.may_put(&stranger, &[0; 32], 1, &[]).is_allowed());
		// The authorization bytes do not matter to it.
		assert!(!policy.may_put(&stranger, &[0; 32], 1, b"any proof").is_allowed());
		assert!(policy.may_get(&stranger, &[0; 32], &[]).is_allowed());

		let restricted = PeerAllowList { get: Some([allowed].into()), ..policy };
		assert!(restricted.may_get(&allowed, &[0; 32], &[]).is_allowed());
		assert!(!restricted.may_get(&stranger, &[0; 32], b"any proof").is_allowed());
	}

	#[test]
	fn allow_all_allows_whatever_the_authorization() {
		let peer = PeerId::random();
		for auth in [&[][..], b"garbage"] {
			assert!(AllowAll.may_put(&peer, &[1; 32], 8 << 20, auth).is_allowed());
			assert!(AllowAll.may_get(&peer, &[1; 32], auth).is_allowed());
		}
	}
}
