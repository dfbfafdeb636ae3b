//! Benchmarks of the calls and of each step of the per-block queues, each on its most expensive
//! path, with the production layout (`FileLayout::PRODUCTION`, 12 fragments of 8 MiB per
//! segment) when the runtime's `MaxShards` allows it.

use super::*;
use crate::{traits::BenchmarkHelper, Pallet as FileBank};
use alloc::vec;
use cess_primitives::hashing::{file_hash as compute_file_hash, segment_hash};
use codec::Encode;
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::{Inspect, Mutate};
use frame_system::RawOrigin;
use sp_runtime::traits::Saturating;

/// Free space of every benchmark miner: 1 PiB.
const MINER_SPACE: u64 = 1 << 50;

fn assert_last_event<T: Config>(event: Event<T>) {
	let event: <T as frame_system::Config>::RuntimeEvent = event.into();
	frame_system::Pallet::<T>::assert_last_event(event);
}

/// Uses the production layout (when `MaxShards` allows) and returns the layout in force.
fn set_up_layout<T: Config>() -> FileLayout {
	if FileLayout::PRODUCTION.total_shards() <= T::MaxShards::get() {
		Layout::<T>::put(FileLayout::PRODUCTION);
	}
	Layout::<T>::get()
}

/// Registers `count` miners with plenty of space.
fn miners<T: Config>(count: u32) -> Vec<T::AccountId> {
	(0..count).map(|i| T::BenchmarkHelper::register_miner(i, MINER_SPACE)).collect()
}

/// A declaration of `segments` segments whose roots are derived from `salt`.
fn declaration<T: Config>(salt: u32, segments: u32) -> (FileHash, SegmentsOf<T>, u64) {
	let layout = Layout::<T>::get();
	let shards = layout.total_shards();
	let mut all = Vec::new();
	let mut hashes = Vec::new();
	for s in 0..segments {
		let roots: Vec<FragmentHash> = (0..shards)
			.map(|i| FragmentHash(sp_io::hashing::blake2_256(&(salt, s, i).encode())))
			.collect();
		hashes.push(segment_hash(&roots));
		all.push(SegmentRootsOf::<T>::truncate_from(roots));
	}
	let size =
		u64::from(layout.segment_capacity()).saturating_mul(u64::from(segments)).saturating_sub(1);
	(compute_file_hash(&layout, size, &hashes), SegmentsOf::<T>::truncate_from(all), size)
}

/// An account that can pay for many files of `segments` segments.
fn funded<T: Config>(name: &'static str, index: u32, segments: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let size = u64::from(Layout::<T>::get().segment_capacity()).saturating_mul(segments.into());
	let fee = FileBank::<T>::storage_fee(size, T::MaxPeriods::get()).unwrap_or_default();
	let unit = T::Currency::minimum_balance().max(1u32.into());
	T::Currency::set_balance(&who, fee.saturating_add(unit).saturating_mul(100u32.into()));
	who
}

/// A file of `segments` segments declared by `owner`.
fn declare<T: Config>(owner: &T::AccountId, salt: u32, segments: u32) -> FileHash {
	let (file, roots, size) = declaration::<T>(salt, segments);
	FileBank::<T>::upload_declaration(
		RawOrigin::Signed(owner.clone()).into(),
		file,
		roots,
		size,
		Default::default(),
		1,
	)
	.expect("funded owner, miners with room");
	file
}

/// The assigned miners confirm every pending fragment of `file` except those in `skip`.
fn confirm_all_but<T: Config>(file: FileHash, skip: u32) {
	let pending: Vec<_> = Fragments::<T>::iter_prefix(file)
		.filter(|(index, info)| {
			*index >= skip && matches!(info.status, FragmentStatus::Pending { .. })
		})
		.collect();
	for (index, info) in pending {
		let list = ConfirmationsOf::<T>::truncate_from(vec![(index, info.hash)]);
		FileBank::<T>::confirm_stored(RawOrigin::Signed(info.miner).into(), file, list)
			.expect("the assigned miner confirms");
	}
}

/// `count - 1` more owners join `file`.
fn more_owners<T: Config>(file: FileHash, count: u32, segments: u32) {
	for i in 1..count {
		let who = funded::<T>("owner", i, segments);
		FileBank::<T>::upload_declaration(
			RawOrigin::Signed(who).into(),
			file,
			Default::default(),
			0,
			Default::default(),
			1,
		)
		.expect("a funded owner joins");
	}
}

/// Empties the deadline queue and queues one entry: fragment `index` of `file`, due `due`.
fn only_deadline<T: Config>(file: FileHash, index: FragmentIndex, due: BlockNumberFor<T>) {
	let bounds = DeadlineBounds::<T>::get();
	for seq in bounds.head..bounds.tail {
		DeadlineQueue::<T>::remove(seq);
	}
	DeadlineBounds::<T>::put(QueueBounds { head: bounds.tail, tail: bounds.tail });
	FileBank::<T>::push_deadline(DeadlineEntry {
		file,
		start: index,
		end: index.saturating_add(1),
		due,
	});
}

/// A pending fragment of `file`: its miner and deadline.
fn pending<T: Config>(file: FileHash, index: FragmentIndex) -> (T::AccountId, BlockNumberFor<T>) {
	let info = Fragments::<T>::get(file, index).expect("declared");
	match info.status {
		FragmentStatus::Pending { deadline, .. } => (info.miner, deadline),
		_ => (info.miner, Zero::zero()),
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A new file of `s` segments, every fragment on a distinct miner of its segment.
	///
	/// The pool holds two miners per fragment of the file, so that every segment's sampling
	/// mostly meets miners no earlier segment read: with a small pool, the first segment would
	/// bring every miner into the overlay and the later segments' reads would be free, which
	/// undercharges a declaration on a chain with many miners. Every miner's free space is
	/// exactly a power of two, so the sampler accepts a drawn miner only half the time — the
	/// least likely acceptance a miner can have — and about two attempts are spent per miner.
	#[benchmark]
	fn upload_declaration(s: Linear<1, { T::MaxSegments::get() }>) {
		let shards = set_up_layout::<T>().total_shards();
		miners::<T>(shards.saturating_mul(2).saturating_mul(s));
		let caller = funded::<T>("caller", 0, s);
		let (file, roots, size) = declaration::<T>(0, s);
		let name = FileNameOf::<T>::truncate_from(vec![b'n'; T::MaxNameLen::get() as usize]);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), file, roots, size, name, T::MaxPeriods::get());

		let info = Files::<T>::get(file).expect("declared");
		assert_eq!(info.fragments, s.saturating_mul(shards));
		assert_eq!(info.owners.to_vec(), vec![caller]);
	}

	/// An owner joins an active file and pays the miners' pot at once.
	#[benchmark]
	fn upload_dedup() {
		set_up_layout::<T>();
		miners::<T>(1);
		let owner = funded::<T>("owner", 0, 1);
		let file = declare::<T>(&owner, 0, 1);
		confirm_all_but::<T>(file, 0);
		more_owners::<T>(file, T::MaxOwners::get().saturating_sub(1), 1);
		let caller = funded::<T>("caller", 0, 1);
		let name = FileNameOf::<T>::truncate_from(vec![b'n'; T::MaxNameLen::get() as usize]);

		#[extrinsic_call]
		upload_declaration(
			RawOrigin::Signed(caller.clone()),
			file,
			Default::default(),
			0,
			name,
			T::MaxPeriods::get(),
		);

		assert!(Ownerships::<T>::contains_key(&caller, file));
	}

	/// `n` fragments confirmed by one miner, the last ones of a file whose activation pays
	/// `MaxOwners` held fees.
	#[benchmark]
	fn confirm_stored(n: Linear<1, { T::MaxConfirmations::get() }>) {
		let shards = set_up_layout::<T>().total_shards().max(1);
		let miner = miners::<T>(1).remove(0);
		let segments = n.div_ceil(shards).min(T::MaxSegments::get());
		let owner = funded::<T>("owner", 0, segments);
		let file = declare::<T>(&owner, 0, segments);
		let total = segments.saturating_mul(shards);
		let n = n.min(total);
		// Everything but the last `n` fragments is already confirmed.
		let first = total.saturating_sub(n);
		for index in 0..first {
			let hash = Fragments::<T>::get(file, index).expect("declared").hash;
			let list = ConfirmationsOf::<T>::truncate_from(vec![(index, hash)]);
			FileBank::<T>::confirm_stored(RawOrigin::Signed(miner.clone()).into(), file, list)
				.expect("the only miner holds everything");
		}
		more_owners::<T>(file, T::MaxOwners::get(), segments);
		let list: Vec<_> = (first..total)
			.map(|index| (index, Fragments::<T>::get(file, index).expect("declared").hash))
			.collect();
		let list = ConfirmationsOf::<T>::truncate_from(list);

		#[extrinsic_call]
		_(RawOrigin::Signed(miner), file, list);

		assert_eq!(Files::<T>::get(file).map(|f| f.state), Some(FileState::Active));
	}

	/// The last owner of a pending file deletes it: refund and removal.
	#[benchmark]
	fn delete_file() {
		set_up_layout::<T>();
		miners::<T>(1);
		let caller = funded::<T>("caller", 0, 1);
		let file = declare::<T>(&caller, 0, 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), file);

		assert_last_event::<T>(Event::RemovalStarted { file });
	}

	/// An owner of an active file pays for more periods.
	#[benchmark]
	fn renew_file() {
		set_up_layout::<T>();
		miners::<T>(1);
		let caller = funded::<T>("caller", 0, 1);
		let file = declare::<T>(&caller, 0, 1);
		confirm_all_but::<T>(file, 0);
		let before = Ownerships::<T>::get(&caller, file).map(|o| o.expires_at);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), file, T::MaxPeriods::get());

		assert!(Ownerships::<T>::get(&caller, file).map(|o| o.expires_at) > before);
	}

	/// The hook with every queue empty.
	#[benchmark]
	fn on_initialize_idle() {
		let now = frame_system::Pallet::<T>::block_number();
		ExpiryCursor::<T>::put(now.saturating_add(1u32.into()));

		#[block]
		{
			FileBank::<T>::process_queues(now);
		}

		assert!(DeadlineBounds::<T>::get().is_empty());
	}

	/// A deadline check that finds the fragment confirmed.
	#[benchmark]
	fn deadline_confirmed() {
		set_up_layout::<T>();
		miners::<T>(1);
		let owner = funded::<T>("owner", 0, 1);
		let file = declare::<T>(&owner, 0, 1);
		let (_, due) = pending::<T>(file, 0);
		confirm_all_but::<T>(file, 0);
		only_deadline::<T>(file, 0, due);
		let now = due.saturating_add(1u32.into());

		#[block]
		{
			FileBank::<T>::process_deadlines(now);
		}

		assert!(DeadlineBounds::<T>::get().is_empty());
	}

	/// A missed deadline: the fragment moves to a miner outside its segment.
	#[benchmark]
	fn deadline_reassign() {
		let shards = set_up_layout::<T>().total_shards();
		miners::<T>(shards.saturating_mul(2));
		let owner = funded::<T>("owner", 0, 1);
		let file = declare::<T>(&owner, 0, 1);
		let (old, due) = pending::<T>(file, 0);
		only_deadline::<T>(file, 0, due);
		let now = due.saturating_add(1u32.into());

		#[block]
		{
			FileBank::<T>::process_deadlines(now);
		}

		assert!(pending::<T>(file, 0).0 != old);
	}

	/// A missed deadline with no reassignment left: the deal is cancelled (its owners are
	/// refunded by the removal's steps).
	#[benchmark]
	fn deadline_cancel() {
		set_up_layout::<T>();
		miners::<T>(1);
		let owner = funded::<T>("owner", 0, 1);
		let file = declare::<T>(&owner, 0, 1);
		let (_, due) = pending::<T>(file, 0);
		Fragments::<T>::mutate(file, 0, |info| {
			if let Some(info) = info {
				if let FragmentStatus::Pending { reassignments, .. } = &mut info.status {
					*reassignments = u32::MAX;
				}
			}
		});
		only_deadline::<T>(file, 0, due);
		let now = due.saturating_add(1u32.into());

		#[block]
		{
			FileBank::<T>::process_deadlines(now);
		}

		assert!(matches!(Files::<T>::get(file).map(|f| f.state), Some(FileState::Removing { .. })));
	}

	/// One fragment of a repaired miner moves to a miner outside its segment.
	#[benchmark]
	fn repair_step() {
		let shards = set_up_layout::<T>().total_shards();
		miners::<T>(shards.saturating_mul(2));
		let owner = funded::<T>("owner", 0, 1);
		let file = declare::<T>(&owner, 0, 1);
		confirm_all_but::<T>(file, 0);
		let (leaving, _) = pending::<T>(file, 0);
		let now = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			FileBank::<T>::repair_next(&leaving, now);
		}

		assert_eq!(MinerFragmentCount::<T>::get(&leaving), 0);
	}

	/// One stored fragment of a removed file is released, and the miner's last fragment moves
	/// into its position.
	#[benchmark]
	fn removal_step() {
		set_up_layout::<T>();
		let miner = miners::<T>(1).remove(0);
		let owner = funded::<T>("owner", 0, 1);
		let file = declare::<T>(&owner, 0, 1);
		confirm_all_but::<T>(file, 0);
		let bytes = u64::from(Layout::<T>::get().fragment_size());
		let count = MinerFragmentCount::<T>::get(&miner);

		#[block]
		{
			FileBank::<T>::release_fragment(file, 0, bytes);
		}

		assert_eq!(MinerFragmentCount::<T>::get(&miner), count.saturating_sub(1));
	}

	/// One owner of a cancelled deal is refunded and dropped.
	#[benchmark]
	fn removal_refund_step() {
		set_up_layout::<T>();
		miners::<T>(1);
		let owner = funded::<T>("owner", 0, 1);
		let file = declare::<T>(&owner, 0, 1);
		let mut info = Files::<T>::get(file).expect("declared");
		info.state = FileState::Removing { next: 0 };

		#[block]
		{
			FileBank::<T>::drop_next_owner(file, &mut info);
		}

		assert!(info.owners.is_empty());
		assert!(!Ownerships::<T>::contains_key(&owner, file));
	}

	/// One ownership expires: the last owner of a pending file, refunded, and the removal
	/// starts.
	#[benchmark]
	fn expiry_step() {
		set_up_layout::<T>();
		miners::<T>(1);
		let owner = funded::<T>("owner", 0, 1);
		let file = declare::<T>(&owner, 0, 1);
		let slot = Ownerships::<T>::get(&owner, file).map(|o| o.expires_at).unwrap_or_default();

		#[block]
		{
			FileBank::<T>::expire_next(slot);
		}

		assert!(matches!(Files::<T>::get(file).map(|f| f.state), Some(FileState::Removing { .. })));
	}

	/// A miner is queued for repair.
	#[benchmark]
	fn schedule_repair() {
		set_up_layout::<T>();
		let miner = miners::<T>(1).remove(0);
		let owner = funded::<T>("owner", 0, 1);
		let file = declare::<T>(&owner, 0, 1);
		confirm_all_but::<T>(file, 0);

		#[block]
		{
			FileBank::<T>::schedule_repair(&miner, RepairCause::MinerExit);
		}

		assert!(RepairScheduled::<T>::contains_key(&miner));
	}

	/// The new holder of a fragment moved away from an exiting miner confirmed it: the exiting
	/// miner's copy leaves its list (swap-removed) and its used space.
	#[benchmark]
	fn hand_over() {
		// One miner more than a segment has fragments: the leaving miner holds a fragment of
		// each segment, most likely.
		let shards = set_up_layout::<T>().total_shards();
		miners::<T>(shards.saturating_add(1));
		let owner = funded::<T>("owner", 0, 2);
		let file = declare::<T>(&owner, 0, 2);
		confirm_all_but::<T>(file, 0);
		let (leaving, _) = pending::<T>(file, 0);
		FileBank::<T>::schedule_repair(&leaving, RepairCause::MinerExit);
		let now = frame_system::Pallet::<T>::block_number();
		let count = MinerFragmentCount::<T>::get(&leaving);
		// Every fragment of the list moves away (its copy stays); the copy handed over is the
		// first of the list, so that the last one is swapped into its place (and relinked).
		while FileBank::<T>::repair_next(&leaving, now) == crate::queues::RepairOutcome::Moved
			&& RepairCursors::<T>::get(&leaving).unwrap_or_default() > 0
		{}
		let (index, _) = OutgoingCopies::<T>::iter_prefix(file)
			.min_by_key(|(_, (_, position))| *position)
			.expect("a fragment moved away");
		let (new, _) = pending::<T>(file, index);
		let bytes = u64::from(Layout::<T>::get().fragment_size());

		#[block]
		{
			FileBank::<T>::hand_over(file, index, &new, bytes);
		}

		assert!(!OutgoingCopies::<T>::contains_key(file, index));
		assert_eq!(MinerFragmentCount::<T>::get(&leaving), count.saturating_sub(1));
	}

	impl_benchmark_test_suite!(FileBank, crate::mock::new_test_ext(), crate::mock::Test);
}
