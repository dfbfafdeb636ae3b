//! [`Capacity`]: the byte budget a store's fragments and partial uploads share.

use super::StoreError;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes a store holds against the most it may hold.
///
/// Every byte is taken from the budget *before* it is written and given back when it is
/// deleted, so concurrent uploads cannot together overrun it: the last one to ask is refused
/// with [`StoreError::Full`].
pub(super) struct Capacity {
	/// The most bytes the store may hold; `u64::MAX` for no bound.
	limit: AtomicU64,
	/// The bytes held (complete fragments and partial uploads).
	used: AtomicU64,
}

impl Capacity {
	/// No bound, nothing held.
	pub(super) fn unbounded() -> Self {
		Self { limit: AtomicU64::new(u64::MAX), used: AtomicU64::new(0) }
	}

	/// Sets the most bytes the store may hold (`None`: no bound). Lowering it below what is
	/// held deletes nothing; it only refuses new bytes until enough is deleted.
	pub(super) fn set_limit(&self, limit: Option<u64>) {
		self.limit.store(limit.unwrap_or(u64::MAX), Ordering::SeqCst);
	}

	/// The bound, if any.
	pub(super) fn limit(&self) -> Option<u64> {
		Some(self.limit.load(Ordering::SeqCst)).filter(|limit| *limit != u64::MAX)
	}

	/// The bytes held.
	pub(super) fn used(&self) -> u64 {
		self.used.load(Ordering::SeqCst)
	}

	/// Sets the bytes held (after counting them on disk).
	pub(super) fn set_used(&self, used: u64) {
		self.used.store(used, Ordering::SeqCst);
	}

	/// The bytes the store may still take, if bounded.
	pub(super) fn free(&self) -> Option<u64> {
		self.limit().map(|limit| limit.saturating_sub(self.used()))
	}

	/// Takes `bytes` from the budget, or refuses without taking anything.
	pub(super) fn take(&self, bytes: u64) -> Result<(), StoreError> {
		let limit = self.limit.load(Ordering::SeqCst);
		self.used
			.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
				used.checked_add(bytes).filter(|after| *after <= limit)
			})
			.map(|_| ())
			.map_err(|used| StoreError::Full { needed: bytes, free: limit.saturating_sub(used) })
	}

	/// Gives `bytes` back to the budget (deleted, or taken for a write that failed).
	pub(super) fn give_back(&self, bytes: u64) {
		let _ = self.used.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
			Some(used.saturating_sub(bytes))
		});
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn takes_up_to_the_limit_and_refuses_beyond_it_without_taking() {
		let capacity = Capacity::unbounded();
		assert_eq!(capacity.free(), None);
		capacity.take(u64::MAX - 1).unwrap();
		capacity.give_back(u64::MAX - 1);

		capacity.set_limit(Some(100));
		capacity.take(60).unwrap();
		match capacity.take(41) {
			Err(StoreError::Full { needed: 41, free: 40 }) => {}
			other => panic!("refused as full: {other:?}"),
		}
		assert_eq!(capacity.used(), 60);
		capacity.take(40).unwrap();
		assert_eq!(capacity.free(), Some(0));
		capacity.give_back(100);
		assert_eq!(capacity.free(), Some(100));

		// A bound below what is held refuses everything and deletes nothing.
		capacity.take(80).unwrap();
		capacity.set_limit(Some(50));
		assert_eq!(capacity.free(), Some(0));
		assert!(capacity.take(1).is_err());
		assert_eq!(capacity.used(), 80);
	}
}
