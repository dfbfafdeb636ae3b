//! Which fragments and leaves a miner must prove in an audit round.
//!
//! A [`Challenge`] is derived from the round's random seed (on-chain randomness), the miner's
//! identity and the length of the miner's fragment list, so the runtime and the miner derive the
//! same one independently and the miner cannot predict it before the seed is known:
//!
//! - `key = H("cess/challenge" ‖ H(seed) ‖ H(miner))`;
//! - fragment draw `j`: `u64_le(H(key ‖ 0x00 ‖ j_le32)) mod n`, moved to the next free position
//!   while it repeats one already drawn, so the positions are distinct (all `n` of them when the
//!   miner holds no more than the round asks for);
//! - leaf draw `j` of a fragment: `u64_le(H(key ‖ 0x01 ‖ fragment ‖ j_le32)) mod leaves`.
//!
//! Derivation allocates nothing and does a bounded amount of work:
//! [`MAX_CHALLENGED_FRAGMENTS`] and [`MAX_CHALLENGED_LEAVES`] cap a round. Positions index into
//! the miner's fragment list as the chain orders it, so the runtime reads only the challenged
//! entries, never the whole list.

use crate::{
	hashing::blake2_256,
	types::{FragmentHash, HASH_LEN},
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;

/// Most fragments challenged per miner and round.
pub const MAX_CHALLENGED_FRAGMENTS: u32 = 64;

/// Most leaves challenged per fragment.
pub const MAX_CHALLENGED_LEAVES: u32 = 16;

/// Prefix of a challenge key's preimage.
pub const CHALLENGE_DOMAIN: &[u8; 14] = b"cess/challenge";

const POSITION_TAG: u8 = 0x00;
const LEAF_TAG: u8 = 0x01;

/// How much a round asks of each miner.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", deny_unknown_fields))]
pub struct ChallengeParams {
	/// Fragments to prove (all of them if the miner holds fewer), `1..=MAX_CHALLENGED_FRAGMENTS`.
	pub fragments: u32,
	/// Leaves to prove per fragment, `1..=MAX_CHALLENGED_LEAVES`.
	pub leaves: u32,
}

/// Why [`ChallengeParams`] are unusable.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ChallengeError {
	/// `fragments` is zero or above [`MAX_CHALLENGED_FRAGMENTS`].
	InvalidFragmentCount,
	/// `leaves` is zero or above [`MAX_CHALLENGED_LEAVES`].
	InvalidLeafCount,
}

impl fmt::Display for ChallengeError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(match self {
			Self::InvalidFragmentCount => "challenged fragments must be between 1 and 64",
			Self::InvalidLeafCount => "challenged leaves must be between 1 and 16",
		})
	}
}

#[cfg(feature = "std")]
impl std::error::Error for ChallengeError {}

impl ChallengeParams {
	/// Checks both counts against their bounds.
	pub const fn validate(&self) -> Result<(), ChallengeError> {
		if self.fragments == 0 || self.fragments > MAX_CHALLENGED_FRAGMENTS {
			return Err(ChallengeError::InvalidFragmentCount);
		}
		if self.leaves == 0 || self.leaves > MAX_CHALLENGED_LEAVES {
			return Err(ChallengeError::InvalidLeafCount);
		}
		Ok(())
	}
}

/// One miner's challenge in one round.
///
/// SCALE-encodable so the runtime can keep it until the response arrives: the miner's fragment
/// list may grow in between, and the challenge stays the one derived for the old length.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct Challenge {
	key: [u8; HASH_LEN],
	fragment_count: u32,
	params: ChallengeParams,
}

impl Challenge {
	/// Derives the challenge for `miner` (its SCALE-encoded account id) holding `fragment_count`
	/// fragments, from the round's `seed`.
	pub fn new(
		seed: &[u8],
		miner: &[u8],
		fragment_count: u32,
		params: ChallengeParams,
	) -> Result<Self, ChallengeError> {
		params.validate()?;
		let mut preimage = [0u8; CHALLENGE_DOMAIN.len() + 2 * HASH_LEN];
		let (domain, rest) = preimage.split_at_mut(CHALLENGE_DOMAIN.len());
		let (seed_hash, miner_hash) = rest.split_at_mut(HASH_LEN);
		domain.copy_from_slice(CHALLENGE_DOMAIN);
		seed_hash.copy_from_slice(&blake2_256(seed));
		miner_hash.copy_from_slice(&blake2_256(miner));
		Ok(Self { key: blake2_256(&preimage), fragment_count, params })
	}

	/// The round's parameters.
	pub fn params(&self) -> ChallengeParams {
		self.params
	}

	/// Length of the miner's fragment list the challenge was derived for.
	pub fn fragment_count(&self) -> u32 {
		self.fragment_count
	}

	/// Fragments the miner must prove: `min(params.fragments, fragment_count)`.
	pub fn challenged_fragments(&self) -> u32 {
		// The bound matters only for a challenge decoded from storage with unchecked params.
		self.params.fragments.min(self.fragment_count).min(MAX_CHALLENGED_FRAGMENTS)
	}

	/// Distinct positions in the miner's fragment list to prove, in the order proofs are given.
	pub fn fragment_positions(&self) -> FragmentPositions {
		FragmentPositions {
			key: self.key,
			total: self.fragment_count,
			wanted: self.challenged_fragments(),
			drawn: [0; MAX_CHALLENGED_FRAGMENTS as usize],
			len: 0,
		}
	}

	/// The challenged fragments themselves, with their positions, from the miner's fragment
	/// list (which must be the list the challenge was derived for).
	pub fn select<'a>(
		&self,
		fragments: &'a [FragmentHash],
	) -> impl Iterator<Item = (u32, &'a FragmentHash)> + 'a {
		self.fragment_positions()
			.filter_map(move |pos| fragments.get(pos as usize).map(|fragment| (pos, fragment)))
	}

	/// Indices of the leaves to prove in `fragment`, which has `leaves_per_fragment` leaves.
	pub fn leaf_indices(&self, fragment: &FragmentHash, leaves_per_fragment: u32) -> LeafIndices {
		LeafIndices {
			key: self.key,
			fragment: fragment.0,
			leaves: leaves_per_fragment,
			wanted: if leaves_per_fragment == 0 {
				0
			} else {
				self.params.leaves.min(MAX_CHALLENGED_LEAVES)
			},
			next: 0,
		}
	}
}

/// A draw: the first 8 bytes of a hash, little-endian.
fn draw(preimage: &[u8]) -> u64 {
	let hash = blake2_256(preimage);
	let mut word = [0u8; 8];
	word.copy_from_slice(hash.split_at(8).0);
	u64::from_le_bytes(word)
}

/// Iterator over the challenged positions in a miner's fragment list; see
/// [`Challenge::fragment_positions`].
#[derive(Clone, Debug)]
pub struct FragmentPositions {
	key: [u8; HASH_LEN],
	total: u32,
	wanted: u32,
	drawn: [u32; MAX_CHALLENGED_FRAGMENTS as usize],
	len: u32,
}

impl Iterator for FragmentPositions {
	type Item = u32;

	fn next(&mut self) -> Option<u32> {
		if self.len >= self.wanted {
			return None;
		}
		let j = self.len;
		let position = if self.wanted == self.total {
			// Every fragment is challenged.
			j
		} else {
			let mut preimage = [0u8; HASH_LEN + 1 + 4];
			let (key, rest) = preimage.split_at_mut(HASH_LEN);
			let (tag, counter) = rest.split_at_mut(1);
			key.copy_from_slice(&self.key);
			tag.copy_from_slice(&[POSITION_TAG]);
			counter.copy_from_slice(&j.to_le_bytes());
			// wanted < total here, so total > 0 and a free position exists: the probe ends
			// within `wanted` steps.
			let mut position = (draw(&preimage) % u64::from(self.total)) as u32;
			let drawn = self.drawn.get(..j as usize).unwrap_or(&[]);
			while drawn.contains(&position) {
				position = (position + 1) % self.total;
			}
			position
		};
		*self.drawn.get_mut(j as usize)? = position;
		self.len += 1;
		Some(position)
	}

	fn size_hint(&self) -> (usize, Option<usize>) {
		let left = self.wanted.saturating_sub(self.len) as usize;
		(left, Some(left))
	}
}

impl ExactSizeIterator for FragmentPositions {}

/// Iterator over the challenged leaf indices of one fragment; see [`Challenge::leaf_indices`].
#[derive(Clone, Debug)]
pub struct LeafIndices {
	key: [u8; HASH_LEN],
	fragment: [u8; HASH_LEN],
	leaves: u32,
	wanted: u32,
	next: u32,
}

impl Iterator for LeafIndices {
	type Item = u32;

	fn next(&mut self) -> Option<u32> {
		if self.next >= self.wanted || self.leaves == 0 {
			return None;
		}
		let mut preimage = [0u8; 2 * HASH_LEN + 1 + 4];
		let (key, rest) = preimage.split_at_mut(HASH_LEN);
		let (tag, rest) = rest.split_at_mut(1);
		let (fragment, counter) = rest.split_at_mut(HASH_LEN);
		key.copy_from_slice(&self.key);
		tag.copy_from_slice(&[LEAF_TAG]);
		fragment.copy_from_slice(&self.fragment);
		counter.copy_from_slice(&self.next.to_le_bytes());
		self.next += 1;
		Some((draw(&preimage) % u64::from(self.leaves)) as u32)
	}

	fn size_hint(&self) -> (usize, Option<usize>) {
		let left = self.wanted.saturating_sub(self.next) as usize;
		(left, Some(left))
	}
}

impl ExactSizeIterator for LeafIndices {}

#[cfg(test)]
mod tests {
	use super::*;
	use std::collections::BTreeSet;

	const PARAMS: ChallengeParams = ChallengeParams { fragments: 8, leaves: 4 };

	fn challenge(seed: &[u8], miner: &[u8], count: u32) -> Challenge {
		Challenge::new(seed, miner, count, PARAMS).unwrap()
	}

	#[test]
	fn params_are_bounded() {
		let p = |fragments, leaves| ChallengeParams { fragments, leaves }.validate();
		assert_eq!(p(0, 1), Err(ChallengeError::InvalidFragmentCount));
		assert_eq!(p(65, 1), Err(ChallengeError::InvalidFragmentCount));
		assert_eq!(p(1, 0), Err(ChallengeError::InvalidLeafCount));
		assert_eq!(p(1, 17), Err(ChallengeError::InvalidLeafCount));
		assert_eq!(p(64, 16), Ok(()));
		assert!(
			Challenge::new(b"s", b"m", 10, ChallengeParams { fragments: 0, leaves: 1 }).is_err()
		);
	}

	#[test]
	fn derivation_is_deterministic_and_depends_on_every_input() {
		let base: Vec<_> = challenge(b"seed", b"alice", 1000).fragment_positions().collect();
		assert_eq!(
			base,
			challenge(b"seed", b"alice", 1000).fragment_positions().collect::<Vec<_>>()
		);
		for other in [
			challenge(b"seed2", b"alice", 1000),
			challenge(b"seed", b"bob", 1000),
			challenge(b"seed", b"alice", 999),
		] {
			assert_ne!(base, other.fragment_positions().collect::<Vec<_>>());
		}
	}

	#[test]
	fn positions_are_distinct_in_range_and_exactly_as_many_as_asked() {
		for count in [1u32, 2, 7, 8, 9, 10, 50, 1_000_000] {
			for seed in 0u8..20 {
				let c = challenge(&[seed], b"miner", count);
				let positions: Vec<_> = c.fragment_positions().collect();
				assert_eq!(positions.len() as u32, PARAMS.fragments.min(count));
				assert_eq!(c.fragment_positions().len(), positions.len());
				let set: BTreeSet<_> = positions.iter().copied().collect();
				assert_eq!(set.len(), positions.len(), "duplicates in {positions:?}");
				assert!(positions.iter().all(|&p| p < count));
			}
		}
		assert_eq!(challenge(b"s", b"m", 0).fragment_positions().count(), 0);
	}

	#[test]
	fn positions_cover_the_list_evenly() {
		// 4000 draws of 8 out of 16: each position should be drawn about 2000 times.
		let mut hits = [0u32; 16];
		for seed in 0u32..4000 {
			for p in challenge(&seed.to_le_bytes(), b"m", 16).fragment_positions() {
				hits[p as usize] += 1;
			}
		}
		assert!(hits.iter().all(|&h| (1700..2300).contains(&h)), "{hits:?}");
	}

	#[test]
	fn select_returns_the_listed_fragments() {
		let list: Vec<_> = (0..20u8).map(|i| FragmentHash([i; 32])).collect();
		let c = challenge(b"seed", b"m", list.len() as u32);
		let selected: Vec<_> = c.select(&list).collect();
		let positions: Vec<_> = c.fragment_positions().collect();
		assert_eq!(selected.len(), positions.len());
		for ((pos, frag), p) in selected.iter().zip(positions) {
			assert_eq!(*pos, p);
			assert_eq!(**frag, list[p as usize]);
		}
	}

	#[test]
	fn a_decoded_challenge_with_unchecked_params_stays_bounded() {
		let mut raw = challenge(b"s", b"m", 1000).encode();
		// The params are encoded last: fragments, then leaves, u32 LE each.
		let len = raw.len();
		raw[len - 8..len - 4].copy_from_slice(&1000u32.to_le_bytes());
		raw[len - 4..].copy_from_slice(&1000u32.to_le_bytes());
		let c = Challenge::decode(&mut &raw[..]).unwrap();
		assert_eq!(c.params(), ChallengeParams { fragments: 1000, leaves: 1000 });
		assert_eq!(c.fragment_positions().count(), MAX_CHALLENGED_FRAGMENTS as usize);
		assert_eq!(c.fragment_positions().len(), MAX_CHALLENGED_FRAGMENTS as usize);
		let leaves = c.leaf_indices(&FragmentHash([0; 32]), 10);
		assert_eq!(leaves.count(), MAX_CHALLENGED_LEAVES as usize);
	}

	#[test]
	fn leaf_indices_are_in_range_and_depend_on_the_fragment() {
		let c = challenge(b"seed", b"m", 5);
		let a: Vec<_> = c.leaf_indices(&FragmentHash([1; 32]), 32_768).collect();
		let b: Vec<_> = c.leaf_indices(&FragmentHash([2; 32]), 32_768).collect();
		assert_eq!(a.len(), PARAMS.leaves as usize);
		assert!(a.iter().chain(&b).all(|&i| i < 32_768));
		assert_ne!(a, b);
		assert!(c.leaf_indices(&FragmentHash([1; 32]), 1).all(|i| i == 0));
		assert_eq!(c.leaf_indices(&FragmentHash([1; 32]), 0).count(), 0);
	}
}
