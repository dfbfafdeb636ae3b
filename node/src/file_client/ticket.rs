//! Access tickets: the owner's signed permission for this client's storage-network identity
//! (a throw-away PeerId) to store or read one file's fragments. Miners serve a file's
//! fragments only on a ticket of one of its owners naming the requesting peer
//! ([`cess_primitives::access`]).

use super::FileError;
use crate::chain_client::ChainClient;
use cess_dht::{Authorization, PeerId};
use cess_primitives::{
	access::{AccessProof, AccessTicket, Rights},
	chain::{BlockNumber, HOURS},
	FileHash,
};
use sp_core::sr25519;

/// Blocks past the best block a ticket the client signs stays valid: one hour, longer than
/// the transfers of one `put` or `get` take, short enough that a leaked ticket soon expires
/// (and within the [`MAX_TICKET_LIFETIME`](cess_primitives::access::MAX_TICKET_LIFETIME) miners
/// accept at most).
pub const TICKET_LIFETIME: BlockNumber = HOURS;

/// `owner`'s ticket for `peer` to do `rights` on `file` until [`TICKET_LIFETIME`] blocks past
/// the best block, as the bytes every request to a miner carries.
pub async fn sign(
	chain: &ChainClient,
	owner: &sr25519::Pair,
	file: FileHash,
	peer: PeerId,
	rights: Rights,
) -> Result<Authorization, FileError> {
	let (_, best) = chain.best().await?;
	let ticket = AccessTicket::sign_sr25519(
		owner,
		&chain.genesis().to_fixed_bytes(),
		file,
		peer.to_bytes(),
		rights,
		best.saturating_add(TICKET_LIFETIME),
	);
	// At most `MAX_ACCESS_PROOF_LEN` bytes (a libp2p Ed25519 PeerId is 38), what a request may
	// carry: the error is for a PeerId no miner would accept anyway.
	Authorization::new(AccessProof::Ticket(ticket).to_bytes())
		.map_err(|e| FileError::Other(format!("cannot send the access ticket: {e}")))
}
