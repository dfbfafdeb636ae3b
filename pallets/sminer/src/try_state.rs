//! The pallet's invariants, checked by `try-runtime`, the benchmarks and after every test.

use crate::{
	BucketLens, BucketMembers, Config, HoldReason, Miners, Pallet, PeerOwners, Peers,
	PendingBeneficiaries, SamplingSlots, SpaceTotals, Totals,
};
use frame_support::{ensure, traits::fungible::InspectHold};

impl<T: Config> Pallet<T> {
	/// Checks every invariant of the pallet's storage (iterates over everything: for tests
	/// and `try-runtime` only).
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use sp_runtime::TryRuntimeError;
		let mut sums = SpaceTotals::default();
		let mut indexed = 0u64;
		for (who, info) in Miners::<T>::iter() {
			ensure!(
				info.used_space.saturating_add(info.locked_space) <= info.declared_space,
				TryRuntimeError::Other("used + locked space exceeds declared space")
			);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::MinerCollateral.into(), &who)
					== info.collateral,
				TryRuntimeError::Other("recorded collateral differs from the hold")
			);
			if info.is_active() {
				ensure!(
					info.collateral >= Self::required_collateral(info.declared_space),
					TryRuntimeError::Other("active miner below its collateral requirement")
				);
			}
			let peer =
				Peers::<T>::get(&who).ok_or(TryRuntimeError::Other("miner without peer info"))?;
			ensure!(
				PeerOwners::<T>::get(peer.peer_id).as_ref() == Some(&who),
				TryRuntimeError::Other("peer id not bound back to its miner")
			);
			let slot = SamplingSlots::<T>::get(&who);
			match Self::sampling_bucket(&info) {
				Some(bucket) => {
					let (slot_bucket, position) =
						slot.ok_or(TryRuntimeError::Other("sampled miner without a slot"))?;
					ensure!(
						slot_bucket == bucket,
						TryRuntimeError::Other("miner in the wrong sampling bucket")
					);
					ensure!(
						BucketMembers::<T>::get(bucket, position).as_ref() == Some(&who),
						TryRuntimeError::Other("sampling slot points elsewhere")
					);
					indexed += 1;
				}
				None => ensure!(
					slot.is_none(),
					TryRuntimeError::Other("unsampled miner in the sampling index")
				),
			}
			sums.miners += 1;
			sums.active_miners += u32::from(info.is_active());
			sums.declared += u128::from(info.declared_space);
			sums.used += u128::from(info.used_space);
			sums.locked += u128::from(info.locked_space);
		}
		ensure!(sums == Totals::<T>::get(), TryRuntimeError::Other("totals out of step"));
		ensure!(
			Peers::<T>::iter_keys().count() as u32 == sums.miners
				&& PeerOwners::<T>::iter_keys().count() as u32 == sums.miners,
			TryRuntimeError::Other("peer indexes out of step with miners")
		);
		let lens = BucketLens::<T>::get();
		ensure!(lens.total() == indexed, TryRuntimeError::Other("bucket lengths out of step"));
		ensure!(
			BucketMembers::<T>::iter().count() as u64 == indexed
				&& SamplingSlots::<T>::iter().count() as u64 == indexed,
			TryRuntimeError::Other("sampling index has stale entries")
		);
		for (miner, proposed) in PendingBeneficiaries::<T>::iter() {
			let info = Miners::<T>::get(&miner)
				.ok_or(TryRuntimeError::Other("beneficiary proposed by an unregistered miner"))?;
			ensure!(
				proposed != miner && proposed != info.beneficiary,
				TryRuntimeError::Other("a proposal that needed no consent")
			);
		}
		for (bucket, position, _) in BucketMembers::<T>::iter() {
			ensure!(
				position < lens.get(bucket),
				TryRuntimeError::Other("sampling bucket is not dense")
			);
		}
		Ok(())
	}
}
