//! [`StorageMiners`] for the pallet: what the file bank, the audit and the incentive pallets call.

use crate::{
	weights::WeightInfo, BalanceOf, Config, Error, Event, MinerInfoOf, MinerSpace, MinerState,
	Miners, MinersPage, Pallet, PeerId, PeerOwners, Peers, SlashReason, SpaceTotals, StorageMiners,
	Totals,
};
use alloc::vec::Vec;
use frame_support::{ensure, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{DispatchError, DispatchResult, Perbill};

impl<T: Config> StorageMiners<T::AccountId> for Pallet<T> {
	type Balance = BalanceOf<T>;
	type BlockNumber = BlockNumberFor<T>;

	fn state(who: &T::AccountId) -> Option<MinerState<BlockNumberFor<T>>> {
		Miners::<T>::get(who).map(|info| info.state)
	}

	fn space(who: &T::AccountId) -> Option<MinerSpace> {
		Miners::<T>::get(who).map(|info| info.space())
	}

	fn totals() -> SpaceTotals {
		Totals::<T>::get()
	}

	fn lock_space(who: &T::AccountId, bytes: u64) -> DispatchResult {
		let event = Event::SpaceLocked { miner: who.clone(), bytes };
		Self::change_space(
			who,
			bytes,
			|miner| {
				ensure!(miner.is_active(), Error::<T>::MinerNotActive);
				ensure!(bytes <= miner.free_space(), Error::<T>::InsufficientFreeSpace);
				miner.locked_space = miner.locked_space.saturating_add(bytes);
				Ok(())
			},
			event,
		)
	}

	fn unlock_space(who: &T::AccountId, bytes: u64) -> DispatchResult {
		let event = Event::SpaceUnlocked { miner: who.clone(), bytes };
		Self::change_space(who, bytes, |miner| take_locked::<T>(miner, bytes), event)
	}

	fn commit_space(who: &T::AccountId, bytes: u64) -> DispatchResult {
		let event = Event::SpaceCommitted { miner: who.clone(), bytes };
		Self::change_space(
			who,
			bytes,
			|miner| {
				take_locked::<T>(miner, bytes)?;
				// Cannot saturate: used + locked <= declared before and after.
				miner.used_space = miner.used_space.saturating_add(bytes);
				Ok(())
			},
			event,
		)
	}

	fn release_space(who: &T::AccountId, bytes: u64) -> DispatchResult {
		let event = Event::SpaceReleased { miner: who.clone(), bytes };
		Self::change_space(
			who,
			bytes,
			|miner| {
				miner.used_space =
					miner.used_space.checked_sub(bytes).ok_or(Error::<T>::InsufficientUsedSpace)?;
				Ok(())
			},
			event,
		)
	}

	fn slash(
		who: &T::AccountId,
		fraction: Perbill,
		reason: SlashReason,
	) -> Result<BalanceOf<T>, DispatchError> {
		Self::do_slash(who, fraction, reason)
	}

	fn slash_weight() -> Weight {
		T::WeightInfo::slash()
	}

	fn peer_id(who: &T::AccountId) -> Option<PeerId> {
		Peers::<T>::get(who).map(|peer| peer.peer_id)
	}

	fn miner_of_peer(peer_id: &PeerId) -> Option<T::AccountId> {
		PeerOwners::<T>::get(peer_id)
	}

	fn beneficiary(who: &T::AccountId) -> Option<T::AccountId> {
		Miners::<T>::get(who).map(|info| info.beneficiary)
	}

	fn active_miner_count() -> u32 {
		Totals::<T>::get().active_miners
	}

	fn active_miners_page(
		start_after: Option<&T::AccountId>,
		max_records: u32,
	) -> MinersPage<T::AccountId> {
		if max_records == 0 {
			return MinersPage { active: Vec::new(), next: start_after.cloned() };
		}
		let records = match start_after {
			Some(cursor) => Miners::<T>::iter_from(Miners::<T>::hashed_key_for(cursor)),
			None => Miners::<T>::iter(),
		};
		let mut active = Vec::new();
		let mut last = None;
		let mut read = 0u32;
		for (who, info) in records.take(max_records as usize) {
			read = read.saturating_add(1);
			if info.is_active() {
				active.push(who.clone());
			}
			last = Some(who);
		}
		// A short page means the registry ended.
		let next = if read == max_records { last } else { None };
		MinersPage { active, next }
	}

	fn sample_miners(
		seed: &[u8; 32],
		count: u32,
		min_free: u64,
		exclude: &[T::AccountId],
	) -> Vec<T::AccountId> {
		Self::do_sample_miners(seed, count, min_free, exclude)
	}
}

/// Takes `bytes` off a record's locked space; refused when it has less locked.
fn take_locked<T: Config>(miner: &mut MinerInfoOf<T>, bytes: u64) -> DispatchResult {
	miner.locked_space =
		miner.locked_space.checked_sub(bytes).ok_or(Error::<T>::InsufficientLockedSpace)?;
	Ok(())
}
