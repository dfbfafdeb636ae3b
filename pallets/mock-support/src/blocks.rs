//! Genesis storage and the block loop of a mock runtime.

use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::One, BuildStorage, Storage};

/// The genesis storage of frame-system alone (default configuration).
pub fn genesis<T: frame_system::Config>() -> Storage {
	frame_system::GenesisConfig::<T>::default()
		.build_storage()
		.expect("the default frame-system genesis builds")
}

/// The genesis storage of frame-system and pallet-balances, with `balances` endowed.
pub fn genesis_with_balances<T: pallet_balances::Config>(
	balances: Vec<(T::AccountId, T::Balance)>,
) -> Storage {
	let mut storage = genesis::<T>();
	pallet_balances::GenesisConfig::<T> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.expect("the endowments are valid");
	storage
}

/// Externalities over `storage`, at block 1 (events are only kept from block 1 on).
pub fn start_at_block_one<T: frame_system::Config>(storage: Storage) -> sp_io::TestExternalities {
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| frame_system::Pallet::<T>::set_block_number(One::one()));
	ext
}

/// Runs the blocks after the current one up to and including `n`: each block number is set,
/// then `hooks` runs the pallets' hooks for it.
pub fn run_to_block<T: frame_system::Config>(
	n: BlockNumberFor<T>,
	mut hooks: impl FnMut(BlockNumberFor<T>),
) {
	while frame_system::Pallet::<T>::block_number() < n {
		let next = frame_system::Pallet::<T>::block_number() + One::one();
		frame_system::Pallet::<T>::set_block_number(next);
		hooks(next);
	}
}
