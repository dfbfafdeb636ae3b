//! The self-dealing bound: the reward parameters checked against the storage price, at genesis
//! and on every change by governance.

use crate::types::StorageTerms;
use crate::{BalanceOf, Config, Error, Pallet, Params, ParamsError, ParamsOf, StoragePrice};
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> Pallet<T> {
	/// Checks `params` on their own and against the storage price now
	/// ([`RewardParams::check_self_dealing`](crate::RewardParams::check_self_dealing)).
	pub fn check_params(params: &ParamsOf<T>) -> Result<(), Error<T>> {
		params.validate().map_err(Error::<T>::from)?;
		params.check_self_dealing(&T::StoragePrice::terms()).map_err(Error::<T>::from)
	}

	/// Checks new storage `terms` against the reward parameters in force. The runtime calls it
	/// when the file bank's price is set (its genesis), so that neither side of the inequality
	/// changes without the other being checked.
	pub fn check_storage_terms(
		terms: &StorageTerms<BalanceOf<T>, BlockNumberFor<T>>,
	) -> Result<(), ParamsError> {
		Params::<T>::get().check_self_dealing(terms)
	}
}
