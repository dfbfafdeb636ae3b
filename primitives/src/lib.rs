//! Types, constants and algorithms shared by every layer of CESS.
//!
//! Runtime-facing (`no_std`, used inside the WASM runtime):
//! - [`chain`]: the chain's basic types (accounts, balances, blocks) and token units;
//! - [`types`]: [`FileHash`], [`SegmentHash`], [`FragmentHash`];
//! - [`layout`]: [`FileLayout`], how files are cut into segments, fragments and proof leaves;
//! - [`hashing`]: blake2-256 and what each hash commits to (domain separation);
//! - [`merkle`]: the fragment Merkle tree's shape and path verification;
//! - [`manifest`]: [`FileManifest`], a file's layout, size and every fragment root;
//! - [`challenge`]: which fragments and leaves a miner must prove in an audit round;
//! - [`proof`]: storage proofs and their verification (generation with `std`);
//! - [`access`]: access tickets, an owner's signed permission for a storage-network peer to
//!   store or read a file's fragments, and the proof a request to a miner carries;
//! - [`stored_fragments`]: the fragments each miner stores, as the file bank shows them to the
//!   audit pallet, and their repair ([`StoredFragments`], [`RepairScheduler`]).
//!
//! Client-side (`std` feature):
//! - [`codec`]: encryption, segmentation, Reed-Solomon fragments and roots, decoding, streaming
//!   and repair.
//!
//! With the `serde` feature (on with `std`, and usable without it) hashes serialize as `0x` hex
//! and layouts, challenge parameters and manifests as camelCase objects, for chain specs and RPC.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod access;
pub mod chain;
pub mod challenge;
pub mod hashing;
pub mod layout;
pub mod manifest;
pub mod merkle;
pub mod proof;
pub mod stored_fragments;
pub mod types;

#[cfg(feature = "std")]
pub mod codec;

pub use challenge::{Challenge, ChallengeParams};
pub use layout::{FileLayout, LayoutError};
pub use manifest::{FileManifest, SegmentManifest};
pub use proof::{ChallengeResponse, FragmentProof, LeafProof, ProofError};
pub use stored_fragments::{
	FragmentIndex, FragmentRef, Page, RepairCause, RepairScheduler, StoredFragments,
};
pub use types::{FileHash, FragmentHash, SegmentHash};
