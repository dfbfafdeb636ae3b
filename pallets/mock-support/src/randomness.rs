//! A randomness double for placement and challenge seeds.

use codec::Encode;
use core::marker::PhantomData;
use frame_support::traits::Randomness;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;

/// Randomness that changes with the subject and the block: `blake2_256(subject, block)`, known at
/// the block it is read in.
pub struct BlockRandomness<T>(PhantomData<T>);

impl<T: frame_system::Config> Randomness<H256, BlockNumberFor<T>> for BlockRandomness<T> {
	fn random(subject: &[u8]) -> (H256, BlockNumberFor<T>) {
		let now = frame_system::Pallet::<T>::block_number();
		(H256(sp_io::hashing::blake2_256(&(subject, now).encode())), now)
	}
}
