//! Types stored by the pallet and shared with the pallets that use storage miners.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::ed25519;

/// One tebibyte (2^40 bytes): the unit in which collateral is charged.
pub const TIB: u64 = 1 << 40;

/// Domain tag in front of the message that a miner's libp2p key signs to bind itself to an
/// account. The tag keeps that signature from being valid for any other purpose.
pub const PEER_BINDING_CONTEXT: &[u8] = b"cess/sminer/bind-peer";

/// Bytes in front of an ed25519 public key in its libp2p PeerId.
///
/// A libp2p PeerId of a key whose protobuf encoding is at most 42 bytes is the *identity*
/// multihash of that encoding: `0x00` (identity code), `0x24` (length 36), then the protobuf
/// `PublicKey { Type = Ed25519 (field 1: 0x08 0x01), Data (field 2: 0x12, length 0x20) }`.
pub const ED25519_PEER_ID_PREFIX: [u8; 6] = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20];

/// Length of the PeerId of an ed25519 key: the 6-byte prefix and the 32-byte key.
pub const PEER_ID_LEN: usize = 38;

/// The libp2p PeerId of a miner's storage node, in its binary (multihash) form.
///
/// Only ed25519 node keys are accepted, so every PeerId is [`ED25519_PEER_ID_PREFIX`] followed by
/// the public key; `PeerId::from_bytes` of rust-libp2p reads these bytes, and their base58 text is
/// the familiar `12D3KooW…` form.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct PeerId(pub [u8; PEER_ID_LEN]);

impl PeerId {
	/// The PeerId that libp2p derives from an ed25519 public key.
	pub fn from_ed25519(public: &ed25519::Public) -> Self {
		let mut bytes = [0u8; PEER_ID_LEN];
		for (byte, value) in
			bytes.iter_mut().zip(ED25519_PEER_ID_PREFIX.iter().chain(public.0.iter()))
		{
			*byte = *value;
		}
		PeerId(bytes)
	}

	/// The multihash bytes of the PeerId.
	pub fn as_bytes(&self) -> &[u8; PEER_ID_LEN] {
		&self.0
	}

	/// The ed25519 public key inside the PeerId.
	pub fn ed25519_public(&self) -> ed25519::Public {
		let mut key = [0u8; 32];
		for (byte, value) in key.iter_mut().zip(self.0.iter().skip(ED25519_PEER_ID_PREFIX.len())) {
			*byte = *value;
		}
		ed25519::Public::from_raw(key)
	}
}

/// The message a miner's libp2p ed25519 key signs to bind itself to `account`:
/// `PEER_BINDING_CONTEXT ‖ SCALE(account)`.
pub fn peer_binding_message<AccountId: Encode>(account: &AccountId) -> Vec<u8> {
	let mut message = PEER_BINDING_CONTEXT.to_vec();
	account.encode_to(&mut message);
	message
}

/// Where a miner is in its lifecycle.
///
/// A miner that has withdrawn has no record at all: `Exited` is the absence of a record.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum MinerState<BlockNumber> {
	/// Collateral covers the declared space; the miner takes new fragments.
	#[codec(index = 0)]
	Active,
	/// A slash left the collateral below the requirement: the miner keeps and serves its
	/// fragments (and is audited on them) but takes no new ones until collateral is topped up.
	#[codec(index = 1)]
	Frozen,
	/// The miner announced its exit: it takes no new fragments, its fragments are being moved
	/// to other miners, and it may withdraw its collateral from block `unlock_at` on.
	#[codec(index = 2)]
	Exiting {
		/// First block at which `withdraw` is allowed.
		unlock_at: BlockNumber,
	},
}

/// The accounting record of a miner: collateral, space and state. Small and of fixed size, so
/// that reading it (placement, sampling, audits) is cheap; addresses live in [`PeerInfo`].
///
/// Invariant: `used_space + locked_space <= declared_space`.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct MinerInfo<AccountId, Balance, BlockNumber> {
	/// Account that receives the miner's rewards.
	pub beneficiary: AccountId,
	/// Lifecycle state.
	pub state: MinerState<BlockNumber>,
	/// Collateral held on the miner's account under `HoldReason::MinerCollateral`.
	pub collateral: Balance,
	/// Space the miner offers, in bytes.
	pub declared_space: u64,
	/// Bytes of fragments the miner confirmed it stores.
	pub used_space: u64,
	/// Bytes reserved for fragments assigned to the miner but not yet confirmed.
	pub locked_space: u64,
	/// Block of registration.
	pub registered_at: BlockNumber,
}

impl<AccountId, Balance, BlockNumber> MinerInfo<AccountId, Balance, BlockNumber> {
	/// Declared space neither used nor locked.
	pub fn free_space(&self) -> u64 {
		self.declared_space.saturating_sub(self.used_space).saturating_sub(self.locked_space)
	}

	/// Whether the miner takes new fragments.
	pub fn is_active(&self) -> bool {
		matches!(self.state, MinerState::Active)
	}

	/// Whether the miner has announced its exit.
	pub fn is_exiting(&self) -> bool {
		matches!(self.state, MinerState::Exiting { .. })
	}

	/// The space figures of the record.
	pub fn space(&self) -> MinerSpace {
		MinerSpace {
			declared: self.declared_space,
			used: self.used_space,
			locked: self.locked_space,
			free: self.free_space(),
		}
	}
}

/// How other nodes reach a miner: its PeerId and the multiaddresses it announces (hints; the
/// DHT finds the miner by PeerId as well).
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct PeerInfo<Multiaddrs> {
	/// The libp2p PeerId, bound by a signature of its key.
	pub peer_id: PeerId,
	/// Multiaddresses, each in its binary form (`Multiaddr::to_vec`, what `cess-node
	/// --storage-miner` registers) or as UTF-8 text (`/ip4/203.0.113.7/tcp/15001`, what a
	/// person types into polkadot.js). The chain stores the bytes as given (only an empty
	/// address is refused); the node reads both forms, binary first (no binary multiaddress
	/// starts with `/`).
	pub multiaddrs: Multiaddrs,
}

/// Space figures of one miner, in bytes.
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct MinerSpace {
	/// Space the miner offers.
	pub declared: u64,
	/// Space taken by confirmed fragments.
	pub used: u64,
	/// Space reserved for assigned, unconfirmed fragments.
	pub locked: u64,
	/// `declared - used - locked`.
	pub free: u64,
}

/// Counters over every registered miner (any state), kept in step with each record.
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct SpaceTotals {
	/// Registered miners.
	pub miners: u32,
	/// Miners in the `Active` state.
	pub active_miners: u32,
	/// Sum of declared space, in bytes.
	pub declared: u128,
	/// Sum of used space, in bytes.
	pub used: u128,
	/// Sum of locked space, in bytes.
	pub locked: u128,
}

/// Why a miner is slashed; recorded in the `Slashed` event.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum SlashReason {
	/// No storage proof before the challenge deadline.
	#[codec(index = 0)]
	MissedProof,
	/// A storage proof that did not verify.
	#[codec(index = 1)]
	InvalidProof,
	/// Fragments the miner was responsible for were lost and had to be repaired.
	#[codec(index = 2)]
	LostData,
	/// Fragments assigned to the miner were not confirmed before the deal's deadline.
	#[codec(index = 3)]
	UnconfirmedDeal,
	/// The miner withdrew with strikes it earned while leaving: their share of the punishment.
	#[codec(index = 4)]
	StrikesAtExit,
}

/// Number of free-space buckets of the sampling index: one per bit of a `u64`.
pub const SAMPLING_BUCKETS: usize = 64;

/// Number of active miners in each free-space bucket of the sampling index. Bucket `b` holds the
/// active miners whose free space lies in `[2^b, 2^(b+1))` bytes.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct BucketLengths(pub [u32; SAMPLING_BUCKETS]);

impl Default for BucketLengths {
	fn default() -> Self {
		BucketLengths([0; SAMPLING_BUCKETS])
	}
}

impl BucketLengths {
	/// Number of miners in `bucket` (zero for a bucket out of range).
	pub fn get(&self, bucket: u8) -> u32 {
		self.0.get(usize::from(bucket)).copied().unwrap_or(0)
	}

	/// Sets the number of miners in `bucket`; ignores a bucket out of range.
	pub fn set(&mut self, bucket: u8, len: u32) {
		if let Some(slot) = self.0.get_mut(usize::from(bucket)) {
			*slot = len;
		}
	}

	/// Miners in all buckets.
	pub fn total(&self) -> u64 {
		self.0.iter().map(|len| u64::from(*len)).sum()
	}
}

/// The sampling bucket of a free space: `floor(log2(free))`, or `None` for zero.
pub fn bucket_of(free: u64) -> Option<u8> {
	// `63 - leading_zeros` is at most 63, so the cast cannot truncate.
	(free > 0).then(|| (63 - free.leading_zeros()) as u8)
}
