//! One pallet's events among the runtime's.

/// The events of the pallet whose event type is `E`, deposited so far, in order.
pub fn events<T, E>() -> Vec<E>
where
	T: frame_system::Config,
	T::RuntimeEvent: TryInto<E>,
{
	frame_system::Pallet::<T>::events()
		.into_iter()
		.filter_map(|record| record.event.try_into().ok())
		.collect()
}
