//! Contributions: the work the rest of the chain reports through [`ContributionSink`], counted
//! towards the era in progress.

use crate::{
	Config, Contribution, ContributionSink, Contributions, CurrentEra, CurrentTotals, EraIndex,
	EraTotals, Event, MinerSpace, Pallet, WeightInfo, MAX_CREDIT,
};
use frame_support::weights::Weight;

impl<T: Config> Pallet<T> {
	/// Adds to the record of `who` in the era in progress, unless it failed an audit this era.
	/// `f` updates the record and the totals. Returns the era.
	fn note(who: &T::AccountId, f: impl FnOnce(&mut Contribution, &mut EraTotals)) -> EraIndex {
		let era = CurrentEra::<T>::get();
		Contributions::<T>::mutate(era, who, |record| {
			let record = record.get_or_insert_with(Default::default);
			if record.audit_failed {
				return;
			}
			CurrentTotals::<T>::mutate(|totals| f(record, totals));
		});
		era
	}
}

impl<T: Config> ContributionSink<T::AccountId> for Pallet<T> {
	fn note_audit(miner: &T::AccountId, passed: bool) {
		let mut forfeited = false;
		let era = Self::note(miner, |record, totals| {
			if passed {
				let space = T::MinerSpace::space(miner).unwrap_or_default();
				record.service = record.service.saturating_add(u128::from(space.service));
				record.idle = record.idle.saturating_add(u128::from(space.idle));
				record.audits_passed = record.audits_passed.saturating_add(1);
				totals.max_audits_passed = totals.max_audits_passed.max(record.audits_passed);
				totals.service = totals.service.saturating_add(u128::from(space.service));
				totals.idle = totals.idle.saturating_add(u128::from(space.idle));
			} else {
				totals.service = totals.service.saturating_sub(record.service);
				totals.idle = totals.idle.saturating_sub(record.idle);
				totals.bandwidth = totals.bandwidth.saturating_sub(record.bandwidth);
				record.audit_failed = true;
				forfeited = true;
			}
		});
		if forfeited {
			Self::deposit_event(Event::MinerForfeited { era, miner: miner.clone() });
		}
	}

	fn note_bandwidth(miner: &T::AccountId, bytes: u64) {
		if bytes == 0 {
			return;
		}
		Self::note(miner, |record, totals| {
			record.bandwidth = record.bandwidth.saturating_add(u128::from(bytes));
			totals.bandwidth = totals.bandwidth.saturating_add(u128::from(bytes));
		});
	}

	fn note_block_authored(validator: &T::AccountId, credit: u32) {
		let points = u128::from(credit.min(MAX_CREDIT));
		let era = CurrentEra::<T>::get();
		Contributions::<T>::mutate(era, validator, |record| {
			let record = record.get_or_insert_with(Default::default);
			record.blocks = record.blocks.saturating_add(1);
			record.validator_points = record.validator_points.saturating_add(points);
		});
		CurrentTotals::<T>::mutate(|totals| {
			totals.validator_points = totals.validator_points.saturating_add(points);
		});
	}

	fn note_weight() -> Weight {
		T::WeightInfo::note_audit()
			.max(T::WeightInfo::note_bandwidth())
			.max(T::WeightInfo::note_block_authored())
	}
}
