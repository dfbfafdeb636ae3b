//! The sampling index: active miners bucketed by free space, for weighted random draws with
//! bounded work (see the crate docs for the method and why it is exactly proportional).

use crate::{
	bucket_of, BucketLens, BucketMembers, Config, MinerInfoOf, Miners, Pallet, SamplingSlots,
	LOG_TARGET, SAMPLING_BUCKETS,
};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_support::{defensive, traits::Get};

impl<T: Config> Pallet<T> {
	/// The bucket a miner belongs in: only `Active` miners with free space are sampled.
	pub(crate) fn sampling_bucket(info: &MinerInfoOf<T>) -> Option<u8> {
		if info.is_active() {
			bucket_of(info.free_space())
		} else {
			None
		}
	}

	/// Moves `who` out of its current bucket (if `was_indexed`) and into `to` (if any).
	pub(crate) fn move_in_sampling_index(who: &T::AccountId, was_indexed: bool, to: Option<u8>) {
		let mut lens = BucketLens::<T>::get();
		if was_indexed {
			match SamplingSlots::<T>::take(who) {
				Some((bucket, position)) => {
					let last = lens.get(bucket).saturating_sub(1);
					// Swap-remove: the last member of the bucket takes the vacated position.
					match BucketMembers::<T>::take(bucket, last) {
						Some(moved) if position != last => {
							BucketMembers::<T>::insert(bucket, position, &moved);
							SamplingSlots::<T>::insert(&moved, (bucket, position));
						}
						Some(_) => {}
						None => {
							defensive!("sampling bucket shorter than its length");
						}
					}
					lens.set(bucket, last);
				}
				None => {
					defensive!("indexed miner without a sampling slot");
				}
			}
		}
		if let Some(bucket) = to {
			let position = lens.get(bucket);
			BucketMembers::<T>::insert(bucket, position, who);
			SamplingSlots::<T>::insert(who, (bucket, position));
			lens.set(bucket, position.saturating_add(1));
		}
		BucketLens::<T>::put(lens);
	}

	/// See [`crate::StorageMiners::sample_miners`].
	pub(crate) fn do_sample_miners(
		seed: &[u8; 32],
		count: u32,
		min_free: u64,
		exclude: &[T::AccountId],
	) -> Vec<T::AccountId> {
		let mut chosen = Vec::new();
		if count == 0 {
			return chosen;
		}
		// Weight of bucket b: len(b) × 2^(b+1), an upper bound of its members' free space.
		// Buckets whose every member has less than `min_free` are left out. At most
		// 2^32 × 2^64 × 64 < 2^102, so the sum cannot overflow.
		let lens = BucketLens::<T>::get();
		let mut weights = [0u128; SAMPLING_BUCKETS];
		let mut total: u128 = 0;
		for (bucket, weight) in (0u8..).zip(weights.iter_mut()) {
			let ceiling = 1u128 << (u32::from(bucket) + 1);
			if ceiling > u128::from(min_free) {
				*weight = u128::from(lens.get(bucket)) * ceiling;
				total += *weight;
			}
		}
		if total == 0 {
			return chosen;
		}

		// No more miners can come back than are indexed, so a huge `count` costs no more than
		// drawing every indexed miner.
		let wanted = u64::from(count).min(lens.total());
		let attempts = wanted.saturating_mul(u64::from(T::SamplingAttemptsPerMiner::get()));
		for nonce in 0..attempts {
			if chosen.len() as u64 >= wanted {
				break;
			}
			// Three independent numbers per attempt: bucket, member, acceptance. Reducing 128
			// random bits modulo a total below 2^102 biases the pick by less than 2^-26.
			let random = sp_io::hashing::blake2_256(&(seed, nonce).encode());
			let Ok((pick, member, accept)) = <(u128, u64, u64)>::decode(&mut &random[..]) else {
				defensive!("32 bytes always decode to (u128, u64, u64)");
				break;
			};
			let mut target = pick % total;
			let mut picked = None;
			for (bucket, weight) in (0u8..).zip(weights.iter()) {
				if target < *weight {
					picked = Some(bucket);
					break;
				}
				target -= *weight;
			}
			let Some(bucket) = picked else { continue };
			let len = lens.get(bucket);
			if len == 0 {
				continue;
			}
			let position = (member % u64::from(len)) as u32;
			let Some(candidate) = BucketMembers::<T>::get(bucket, position) else {
				log::warn!(target: LOG_TARGET, "sampling bucket {bucket} has a hole at {position}");
				continue;
			};
			let Some(info) = Miners::<T>::get(&candidate) else { continue };
			let free = info.free_space();
			let ceiling = 1u128 << (u32::from(bucket) + 1);
			// Accept with probability free / 2^(b+1), which makes the draw proportional to free.
			if u128::from(accept) % ceiling >= u128::from(free) {
				continue;
			}
			if free < min_free || exclude.contains(&candidate) || chosen.contains(&candidate) {
				continue;
			}
			chosen.push(candidate);
		}
		chosen
	}
}
