//! Who may store or read a file's fragments on a storage miner: access tickets and the proof a
//! storage-network request carries.
//!
//! A storage miner serves a fragment only to peers the chain entitles (DESIGN §9: every request
//! is authorized against chain state before any resource is reserved):
//! - **the file's owners**, through an [`AccessTicket`]: a statement signed by an owner's account
//!   that one libp2p peer may store ([`Rights::PUT`]) or read ([`Rights::GET`]) the fragments of
//!   one file until a block. The transport authenticates the requesting PeerId (TLS or Noise), and
//!   the ticket names it, so a ticket seen on the wire is useless to any other peer. The signed
//!   payload starts with a domain tag and the chain's genesis hash, so a ticket signed for one
//!   chain or for any other purpose is not a ticket here.
//! - **miners the chain assigned to rebuild a fragment of the same segment**
//!   ([`AccessProof::Repair`]): no signature; the miner checks on chain that the requesting
//!   PeerId is the one bound to the repairing miner's account (pallet-sminer).
//!
//! What a ticket cannot prove by itself — that its signer owns the file, that the fragment
//! belongs to the file, that this miner holds or was assigned it — the miner reads from the chain.
//! [`AccessTicket::check`] does every check that needs no chain state, the cheap ones first.

use crate::{
	chain::{AccountId, BlockNumber, Signature},
	FileHash,
};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use sp_runtime::traits::Verify;

/// Domain tag at the start of every signed ticket payload.
pub const TICKET_DOMAIN: &[u8] = b"cess/access-ticket/v1";

/// Longest a ticket may be valid, counted from the block a miner checks it at: one day of
/// blocks. A leaked ticket (its peer's key leaked with it) is useful for a day at most.
pub const MAX_TICKET_LIFETIME: BlockNumber = crate::chain::DAYS;

/// Longest libp2p PeerId a ticket may name, in bytes (an identity-hashed Ed25519 key is 38).
pub const MAX_PEER_ID_LEN: usize = 64;

/// Longest encoded [`AccessProof`] a request may carry. A ticket with a 64-byte PeerId and an
/// ECDSA signature encodes to 206 bytes.
pub const MAX_ACCESS_PROOF_LEN: usize = 256;

/// What a ticket allows, as a set of bits.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Rights(u8);

impl Rights {
	/// Store fragments of the file (the upload).
	pub const PUT: Rights = Rights(0b01);
	/// Read fragments of the file (the download).
	pub const GET: Rights = Rights(0b10);
	/// Both.
	pub const ALL: Rights = Rights(0b11);

	/// Whether every right in `other` is in `self`.
	pub fn contains(self, other: Rights) -> bool {
		self.0 & other.0 == other.0
	}

	/// The rights in `self` or in `other`.
	pub fn union(self, other: Rights) -> Rights {
		Rights(self.0 | other.0)
	}
}

/// An owner's signed permission for one peer to store or read the fragments of one file.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct AccessTicket {
	/// The file whose fragments the ticket covers.
	pub file: FileHash,
	/// The bytes of the libp2p PeerId that may use the ticket.
	pub peer: Vec<u8>,
	/// What the peer may do.
	pub rights: Rights,
	/// The last block at which the ticket is valid.
	pub expires: BlockNumber,
	/// The account that signed; the miner checks on chain that it owns `file`.
	pub signer: AccountId,
	/// `signer`'s signature of [`AccessTicket::signing_payload`].
	pub signature: Signature,
}

/// Why a ticket or an access proof was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AccessError {
	/// The proof is longer than [`MAX_ACCESS_PROOF_LEN`] or not a well-formed encoding.
	Malformed,
	/// The ticket names another peer than the one asking.
	WrongPeer,
	/// The ticket is for another file than the fragment's.
	WrongFile,
	/// The ticket does not grant the right the request needs.
	MissingRight,
	/// The ticket expired before the block the miner is at.
	Expired,
	/// The ticket is valid for longer than [`MAX_TICKET_LIFETIME`] from the block the miner is at.
	LifetimeTooLong,
	/// The signature is not the signer's signature of this ticket on this chain.
	BadSignature,
	/// A repair proof where a ticket is required (only reads serve repairs).
	TicketRequired,
}

impl core::fmt::Display for AccessError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(match self {
			AccessError::Malformed => "malformed access proof",
			AccessError::WrongPeer => "the ticket is for another peer",
			AccessError::WrongFile => "the ticket is for another file",
			AccessError::MissingRight => "the ticket does not grant this operation",
			AccessError::Expired => "the ticket has expired",
			AccessError::LifetimeTooLong => "the ticket is valid for longer than a day",
			AccessError::BadSignature => "the ticket's signature does not verify",
			AccessError::TicketRequired => "this operation needs an owner's ticket",
		})
	}
}

impl AccessTicket {
	/// The bytes an owner signs: the domain tag, the chain's genesis hash, then the SCALE
	/// encoding of every field but the signature.
	pub fn signing_payload(
		genesis: &[u8; 32],
		file: &FileHash,
		peer: &[u8],
		rights: Rights,
		expires: BlockNumber,
		signer: &AccountId,
	) -> Vec<u8> {
		let mut payload = Vec::with_capacity(TICKET_DOMAIN.len() + 32 + 32 + peer.len() + 48);
		payload.extend_from_slice(TICKET_DOMAIN);
		payload.extend_from_slice(genesis);
		(file, peer, rights, expires, signer).encode_to(&mut payload);
		payload
	}

	/// Whether `signature` is `signer`'s signature of this ticket on the chain of `genesis`.
	pub fn verify_signature(&self, genesis: &[u8; 32]) -> bool {
		let payload = Self::signing_payload(
			genesis,
			&self.file,
			&self.peer,
			self.rights,
			self.expires,
			&self.signer,
		);
		self.signature.verify(&payload[..], &self.signer)
	}

	/// Every check that needs no chain state: the ticket is for `peer`, for `file`, grants
	/// `needed`, has not expired at block `now` nor lives longer than [`MAX_TICKET_LIFETIME`]
	/// from it, and is signed by its signer for this chain.
	/// The signature, the one costly check, comes last. The caller still checks on chain that
	/// the signer owns `file`.
	pub fn check(
		&self,
		genesis: &[u8; 32],
		peer: &[u8],
		file: &FileHash,
		needed: Rights,
		now: BlockNumber,
	) -> Result<(), AccessError> {
		if self.peer != peer {
			return Err(AccessError::WrongPeer);
		}
		if &self.file != file {
			return Err(AccessError::WrongFile);
		}
		if !self.rights.contains(needed) {
			return Err(AccessError::MissingRight);
		}
		if self.expires < now {
			return Err(AccessError::Expired);
		}
		if self.expires - now > MAX_TICKET_LIFETIME {
			return Err(AccessError::LifetimeTooLong);
		}
		if !self.verify_signature(genesis) {
			return Err(AccessError::BadSignature);
		}
		Ok(())
	}

	/// A ticket signed with an sr25519 key (the account is its public key).
	#[cfg(feature = "std")]
	pub fn sign_sr25519(
		pair: &sp_core::sr25519::Pair,
		genesis: &[u8; 32],
		file: FileHash,
		peer: Vec<u8>,
		rights: Rights,
		expires: BlockNumber,
	) -> Self {
		use sp_core::Pair;
		let signer = AccountId::from(pair.public());
		let payload = Self::signing_payload(genesis, &file, &peer, rights, expires, &signer);
		let signature = Signature::Sr25519(pair.sign(&payload));
		Self { file, peer, rights, expires, signer, signature }
	}
}

/// What a request to a storage miner carries to be authorized, SCALE-encoded in the request.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum AccessProof {
	/// An owner's ticket.
	#[codec(index = 0)]
	Ticket(AccessTicket),
	/// The requester is a miner the chain assigned to rebuild a fragment of the same segment
	/// of `file`; the miner looks the assignment up by the file.
	#[codec(index = 1)]
	Repair {
		/// The file the repaired fragment belongs to.
		file: FileHash,
	},
}

impl AccessProof {
	/// The file the proof is about.
	pub fn file(&self) -> &FileHash {
		match self {
			AccessProof::Ticket(ticket) => &ticket.file,
			AccessProof::Repair { file } => file,
		}
	}

	/// The wire form; at most [`MAX_ACCESS_PROOF_LEN`] bytes for a ticket naming a PeerId of
	/// at most [`MAX_PEER_ID_LEN`] bytes.
	pub fn to_bytes(&self) -> Vec<u8> {
		self.encode()
	}

	/// Parses the wire form: bounded, and every byte must belong to the proof.
	pub fn from_bytes(bytes: &[u8]) -> Result<Self, AccessError> {
		if bytes.len() > MAX_ACCESS_PROOF_LEN {
			return Err(AccessError::Malformed);
		}
		let proof = <Self as codec::DecodeAll>::decode_all(&mut &bytes[..])
			.map_err(|_| AccessError::Malformed)?;
		match &proof {
			AccessProof::Ticket(ticket) if ticket.peer.len() > MAX_PEER_ID_LEN => {
				Err(AccessError::Malformed)
			}
			_ => Ok(proof),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{ecdsa, ed25519, sr25519, Pair};

	const GENESIS: [u8; 32] = [7; 32];
	const NOW: BlockNumber = 100_000;

	fn file() -> FileHash {
		FileHash::from([1; 32])
	}

	fn peer() -> Vec<u8> {
		vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20, 9, 9, 9]
	}

	fn ticket(rights: Rights) -> AccessTicket {
		let pair = sr25519::Pair::from_string("//Alice", None).unwrap();
		AccessTicket::sign_sr25519(&pair, &GENESIS, file(), peer(), rights, NOW + 10)
	}

	#[test]
	fn an_owners_ticket_passes_every_check() {
		assert_eq!(ticket(Rights::ALL).check(&GENESIS, &peer(), &file(), Rights::GET, NOW), Ok(()));
		assert_eq!(ticket(Rights::PUT).check(&GENESIS, &peer(), &file(), Rights::PUT, NOW), Ok(()));
		// Valid through its last block.
		assert_eq!(
			ticket(Rights::GET).check(&GENESIS, &peer(), &file(), Rights::GET, NOW + 10),
			Ok(())
		);
	}

	#[test]
	fn each_check_refuses_what_it_names() {
		let t = ticket(Rights::GET);
		assert_eq!(
			t.check(&GENESIS, &[1, 2, 3], &file(), Rights::GET, NOW),
			Err(AccessError::WrongPeer)
		);
		let other = FileHash::from([2; 32]);
		assert_eq!(
			t.check(&GENESIS, &peer(), &other, Rights::GET, NOW),
			Err(AccessError::WrongFile)
		);
		assert_eq!(
			t.check(&GENESIS, &peer(), &file(), Rights::PUT, NOW),
			Err(AccessError::MissingRight)
		);
		assert_eq!(
			t.check(&GENESIS, &peer(), &file(), Rights::GET, NOW + 11),
			Err(AccessError::Expired)
		);
		// Valid for longer than a day from the miner's block (10 blocks ahead of `NOW`).
		let far = NOW + 10 - MAX_TICKET_LIFETIME - 1;
		assert_eq!(
			t.check(&GENESIS, &peer(), &file(), Rights::GET, far),
			Err(AccessError::LifetimeTooLong)
		);
		assert_eq!(t.check(&GENESIS, &peer(), &file(), Rights::GET, far + 1), Ok(()));
		// Another chain's ticket.
		assert_eq!(
			t.check(&[8; 32], &peer(), &file(), Rights::GET, NOW),
			Err(AccessError::BadSignature)
		);
	}

	#[test]
	fn a_changed_field_breaks_the_signature() {
		let good = ticket(Rights::GET);
		let mut more_rights = good.clone();
		more_rights.rights = Rights::ALL;
		let mut later = good.clone();
		later.expires += 1_000;
		let mut other_signer = good.clone();
		other_signer.signer =
			AccountId::from(sr25519::Pair::from_string("//Bob", None).unwrap().public());
		for forged in [more_rights, later, other_signer] {
			assert!(!forged.verify_signature(&GENESIS));
		}
		assert!(good.verify_signature(&GENESIS));
	}

	/// A ticket of `signer`, signed by `sign` over its payload.
	fn signed_by(signer: AccountId, sign: impl Fn(&[u8]) -> Signature) -> AccessTicket {
		let payload =
			AccessTicket::signing_payload(&GENESIS, &file(), &peer(), Rights::GET, NOW, &signer);
		AccessTicket {
			file: file(),
			peer: peer(),
			rights: Rights::GET,
			expires: NOW,
			signer,
			signature: sign(&payload),
		}
	}

	#[test]
	fn ed25519_and_ecdsa_accounts_sign_tickets_too() {
		use sp_runtime::traits::IdentifyAccount;
		let ed = ed25519::Pair::from_string("//Alice", None).unwrap();
		let t = signed_by(AccountId::from(ed.public()), |m| Signature::Ed25519(ed.sign(m)));
		assert_eq!(t.check(&GENESIS, &peer(), &file(), Rights::GET, NOW), Ok(()));

		let ec = ecdsa::Pair::from_string("//Alice", None).unwrap();
		let ec_account = sp_runtime::MultiSigner::from(ec.public()).into_account();
		let t = signed_by(ec_account, |m| Signature::Ecdsa(ec.sign(m)));
		assert_eq!(t.check(&GENESIS, &peer(), &file(), Rights::GET, NOW), Ok(()));
		assert!(AccessProof::Ticket(t).to_bytes().len() <= MAX_ACCESS_PROOF_LEN);

		// A signature by another key than the named account's.
		let t = signed_by(AccountId::from(ed.public()), |m| {
			Signature::Sr25519(sr25519::Pair::from_string("//Alice", None).unwrap().sign(m))
		});
		assert_eq!(
			t.check(&GENESIS, &peer(), &file(), Rights::GET, NOW),
			Err(AccessError::BadSignature)
		);
	}

	#[test]
	fn the_wire_form_is_bounded_and_exact() {
		let proof = AccessProof::Ticket(ticket(Rights::ALL));
		let bytes = proof.to_bytes();
		assert_eq!(AccessProof::from_bytes(&bytes), Ok(proof.clone()));
		assert_eq!(proof.file(), &file());
		// Trailing bytes, truncation, an unknown variant and garbage are refused.
		let mut trailing = bytes.clone();
		trailing.push(0);
		assert_eq!(AccessProof::from_bytes(&trailing), Err(AccessError::Malformed));
		assert_eq!(AccessProof::from_bytes(&bytes[..bytes.len() - 1]), Err(AccessError::Malformed));
		assert_eq!(AccessProof::from_bytes(&[9]), Err(AccessError::Malformed));
		assert_eq!(AccessProof::from_bytes(&[0xff; 300]), Err(AccessError::Malformed));
		// A PeerId longer than any real one.
		let mut long = ticket(Rights::GET);
		long.peer = vec![1; MAX_PEER_ID_LEN + 1];
		let bytes = AccessProof::Ticket(long).to_bytes();
		assert!(bytes.len() <= MAX_ACCESS_PROOF_LEN);
		assert_eq!(AccessProof::from_bytes(&bytes), Err(AccessError::Malformed));

		let repair = AccessProof::Repair { file: file() };
		assert_eq!(AccessProof::from_bytes(&repair.to_bytes()), Ok(repair));
	}

	#[test]
	fn rights_combine() {
		assert!(Rights::ALL.contains(Rights::PUT) && Rights::ALL.contains(Rights::GET));
		assert!(!Rights::PUT.contains(Rights::GET));
		assert_eq!(Rights::PUT.union(Rights::GET), Rights::ALL);
	}
}
