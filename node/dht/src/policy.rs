//! The authorization seam: who may store which fragment here, and who may read it back.
//!
//! The node supplies an [`AuthorizationPolicy`] built from chain state: a storage miner accepts a
//! PUT of root `R` from peer `P` only when the chain has placed `R` on this miner and `P` is the
//! uploader (or the repairer) of that deal. The policy is asked before a single data byte is read,
//! so an unauthorized peer costs a 41-byte header and an error reply.

use crate::FragmentRoot;
use libp2p::PeerId;
use std::collections::HashSet;

/// The outcome of a policy check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
	/// The request may proceed.
	Allow,
	/// The request is refused; the reason is sent to the remote in the error reply.
	Deny(String),
}

impl Decision {
	/// `true` for [`Decision::Allow`].
	pub fn is_allowed(&self) -> bool {
		matches!(self, Decision::Allow)
	}
}

/// Decides whether a remote peer may store or fetch a fragment on this node.
///
/// Called from a blocking thread for every inbound request, so an implementation may read the
/// chain's state (a runtime API call) directly.
pub trait AuthorizationPolicy: Send + Sync + 'static {
	/// May `peer` store the fragment `root` of `size` bytes here?
	fn may_put(&self, peer: &PeerId, root: &FragmentRoot, size: u64) -> Decision;

	/// May `peer` fetch the fragment `root` from here? Everyone may, unless overridden.
	fn may_get(&self, peer: &PeerId, root: &FragmentRoot) -> Decision {
		let _ = (peer, root);
		Decision::Allow
	}
}

/// Accepts every PUT and GET. For tests and open development networks only.
#[derive(Clone, Copy, Debug, Default)]
pub struct AllowAll;

impl AuthorizationPolicy for AllowAll {
	fn may_put(&self, _: &PeerId, _: &FragmentRoot, _: u64) -> Decision {
		Decision::Allow
	}
}

/// Accepts PUTs only from listed peers; GETs from everyone, or only from a second list.
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
	fn may_put(&self, peer: &PeerId, _: &FragmentRoot, _: u64) -> Decision {
		if self.put.contains(peer) {
			Decision::Allow
		} else {
			Decision::Deny(format!("peer {peer} may not store fragments here"))
		}
	}

	fn may_get(&self, peer: &PeerId, _: &FragmentRoot) -> Decision {
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
		assert!(policy.may_put(&allowed, &[0; 32], 1).is_allowed());
		assert!(!policy.may_put(&stranger, &[0; 32], 1).is_allowed());
		assert!(policy.may_get(&stranger, &[0; 32]).is_allowed());

		let restricted = PeerAllowList { get: Some([allowed].into()), ..policy };
		assert!(restricted.may_get(&allowed, &[0; 32]).is_allowed());
		assert!(!restricted.may_get(&stranger, &[0; 32]).is_allowed());
	}
}
