//! Owners of a file: joining an existing file, renewing, and dropping an ownership (deleted,
//! expired or cancelled), which starts the file's removal when no owner is left.

use crate::{
	Config, DropReason, Error, Event, Expiries, FileInfoOf, FileNameOf, FileState, Files,
	Ownership, OwnershipOf, Ownerships, Pallet, Params, RemovalBounds, RemovalQueue,
};
use cess_primitives::FileHash;
use frame_support::{ensure, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

impl<T: Config> Pallet<T> {
	/// The block an ownership paid from `from` for `periods` periods ends at: rounded up to a
	/// multiple of [`Config::ExpiryGranularity`].
	pub(crate) fn expiry_slot(from: BlockNumberFor<T>, periods: u32) -> BlockNumberFor<T> {
		let period = Params::<T>::get().period;
		let end = from.saturating_add(period.saturating_mul(periods.into()));
		let granularity = T::ExpiryGranularity::get();
		if granularity.is_zero() {
			return end;
		}
		let rest = end % granularity;
		if rest.is_zero() {
			end
		} else {
			end.saturating_add(granularity.saturating_sub(rest))
		}
	}

	/// One more owner of an existing file.
	pub(crate) fn add_owner(
		who: &T::AccountId,
		file_hash: FileHash,
		name: FileNameOf<T>,
		periods: u32,
	) -> DispatchResult {
		let mut file = Files::<T>::get(file_hash).ok_or(Error::<T>::FileNotFound)?;
		ensure!(!matches!(file.state, FileState::Removing { .. }), Error::<T>::FileBeingRemoved);
		ensure!(!Ownerships::<T>::contains_key(who, file_hash), Error::<T>::AlreadyOwner);
		file.owners.try_push(who.clone()).map_err(|_| Error::<T>::TooManyOwners)?;
		let fee = Self::storage_fee(file.size, periods).ok_or(Error::<T>::FeeOverflow)?;
		let fee_held = Self::charge(who, fee, file.state)?;
		let now = frame_system::Pallet::<T>::block_number();
		let expires_at = Self::expiry_slot(now, periods);
		Self::insert_ownership(who, file_hash, Ownership { name, expires_at, fee_held });
		Files::<T>::insert(file_hash, file);
		Self::deposit_event(Event::OwnerAdded {
			file: file_hash,
			owner: who.clone(),
			fee,
			expires_at,
		});
		Ok(())
	}

	/// `renew_file`.
	pub(crate) fn do_renew(
		who: &T::AccountId,
		file_hash: FileHash,
		periods: u32,
	) -> DispatchResult {
		let file = Files::<T>::get(file_hash).ok_or(Error::<T>::FileNotFound)?;
		ensure!(!matches!(file.state, FileState::Removing { .. }), Error::<T>::FileBeingRemoved);
		let mut ownership = Ownerships::<T>::get(who, file_hash).ok_or(Error::<T>::NotOwner)?;
		let fee = Self::storage_fee(file.size, periods).ok_or(Error::<T>::FeeOverflow)?;
		let held = Self::charge(who, fee, file.state)?;
		Expiries::<T>::remove(ownership.expires_at, (who, file_hash));
		ownership.expires_at = Self::expiry_slot(ownership.expires_at, periods);
		ownership.fee_held = ownership.fee_held.saturating_add(held);
		let expires_at = ownership.expires_at;
		Self::insert_ownership(who, file_hash, ownership);
		Self::deposit_event(Event::FileRenewed {
			file: file_hash,
			owner: who.clone(),
			fee,
			expires_at,
		});
		Ok(())
	}

	/// Writes an ownership and its expiry index entry.
	pub(crate) fn insert_ownership(
		who: &T::AccountId,
		file_hash: FileHash,
		ownership: OwnershipOf<T>,
	) {
		Expiries::<T>::insert(ownership.expires_at, (who, file_hash), ());
		Ownerships::<T>::insert(who, file_hash, ownership);
	}

	/// Drops `owner`'s hold on `file` (refunding a held fee) and starts the removal when no
	/// owner is left. Writes the file record.
	pub(crate) fn drop_ownership(
		file_hash: FileHash,
		mut file: FileInfoOf<T>,
		owner: &T::AccountId,
		reason: DropReason,
	) {
		if Self::end_ownership(file_hash, owner, reason) {
			file.owners.retain(|o| o != owner);
		}
		if file.owners.is_empty() && !matches!(file.state, FileState::Removing { .. }) {
			Self::start_removal(file_hash, &mut file);
		}
		Files::<T>::insert(file_hash, file);
	}

	/// Cancels a pending deal: starts the removal, whose first steps refund and drop the owners
	/// one by one (see [`Pallet::drop_next_owner`]). Writes the file record.
	pub(crate) fn cancel_deal(file_hash: FileHash, mut file: FileInfoOf<T>) {
		Self::deposit_event(Event::DealCancelled { file: file_hash });
		Self::start_removal(file_hash, &mut file);
		Files::<T>::insert(file_hash, file);
	}

	/// One owner of a cancelled deal is refunded and dropped; the caller writes the record.
	/// Returns whether there was one.
	pub(crate) fn drop_next_owner(file_hash: FileHash, file: &mut FileInfoOf<T>) -> bool {
		let Some(owner) = file.owners.pop() else { return false };
		Self::end_ownership(file_hash, &owner, DropReason::DealCancelled);
		true
	}

	/// Removes `owner`'s ownership record of a file, if any, with its expiry entry, and refunds a
	/// fee still held; the caller updates the owner list. Returns whether there was a record.
	fn end_ownership(file_hash: FileHash, owner: &T::AccountId, reason: DropReason) -> bool {
		let Some(ownership) = Ownerships::<T>::take(owner, file_hash) else { return false };
		Expiries::<T>::remove(ownership.expires_at, (owner, file_hash));
		let refund = Self::refund(owner, ownership.fee_held);
		Self::deposit_event(Event::OwnershipDropped {
			file: file_hash,
			owner: owner.clone(),
			refund,
			reason,
		});
		true
	}

	/// Marks a file `Removing` and queues it; the caller writes the record.
	pub(crate) fn start_removal(file_hash: FileHash, file: &mut FileInfoOf<T>) {
		file.state = FileState::Removing { next: 0 };
		let mut bounds = RemovalBounds::<T>::get();
		RemovalQueue::<T>::insert(bounds.push_back(), file_hash);
		RemovalBounds::<T>::put(bounds);
		Self::deposit_event(Event::RemovalStarted { file: file_hash });
	}
}
