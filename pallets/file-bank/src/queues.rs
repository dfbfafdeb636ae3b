//! The per-block hook: confirmation deadlines, repairs, removals and expiries, and the entries
//! into the deadline and repair queues ([`RepairScheduler`] for the rest of the chain).
//!
//! Each queue has its own per-block cap and carries what is left over to the next block, so the
//! hook's work is bounded by the four caps whatever the number of files, fragments or miners.
//! Every step counts against its queue's cap, and every storage access is charged: to the
//! step's benchmarked weight, or, for the queue bookkeeping around the steps (the heads read,
//! the bounds and the file records written, a removal's last step), in database weights.
//! [`Pallet::max_queue_weight`] is the most the hook can charge.

use crate::{
	weights::WeightInfo, AssignmentKind, Config, DeadlineBounds, DeadlineEntry, DeadlineQueue,
	DropReason, Event, Expiries, ExpiryCursor, FileState, Files, FragmentIndex, FragmentStatus,
	Fragments, Layout, MinerAssignments, MinerFragmentCount, MinerFragments, MinerPool,
	OutgoingCopies, Ownerships, Pallet, Params, QueueBounds, RemovalBounds, RemovalQueue,
	RepairBounds, RepairCause, RepairCursors, RepairQueue, RepairScheduled, RepairScheduler,
	LOG_TARGET,
};
use alloc::vec::Vec;
use cess_primitives::FileHash;
use codec::Encode;
use frame_support::{
	defensive,
	traits::{Get, Randomness},
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{CheckedAdd, Saturating};

/// What checking one fragment's confirmation deadline did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DeadlineOutcome {
	/// Nothing to do: confirmed, or moved since (another entry covers it).
	Skipped,
	/// Moved to another miner with a new deadline.
	Reassigned,
	/// A repaired fragment of an active file was given up.
	Lost,
	/// A fragment moved away from an exiting miner went back to it, whose repair is queued
	/// again.
	GivenBack,
	/// The pending file's deal was cancelled (the rest of the range needs no check).
	Cancelled,
	/// The file is gone or being removed (the rest of the range needs no check).
	FileGone,
}

/// What one repair step did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RepairOutcome {
	/// The miner has no fragment left.
	Done,
	/// The miner's fragment was assigned to another miner.
	Moved,
	/// The miner's fragment needed no repair (its file is being removed, or a punished miner's
	/// copy was already being moved) and was released.
	Dropped,
	/// The exiting miner's fragment is already being moved away (an outgoing copy): nothing to
	/// do but move on.
	Skipped,
	/// No other miner has room for the fragment now; try again later.
	NoReplacement,
}

impl<T: Config> Pallet<T> {
	/// Runs the four queues, each up to its cap; returns the weight used, at most
	/// [`Pallet::max_queue_weight`].
	pub(crate) fn process_queues(now: BlockNumberFor<T>) -> Weight {
		T::WeightInfo::on_initialize_idle()
			.saturating_add(Self::process_deadlines(now))
			.saturating_add(Self::process_repairs(now))
			.saturating_add(Self::process_removals())
			.saturating_add(Self::process_expiries(now))
	}

	/// The most weight the per-block hook charges: every queue at its cap, every step at its
	/// dearest outcome, plus the queue bookkeeping around the steps (heads read, bounds and
	/// file records written, a removal's last step) in database weights.
	pub fn max_queue_weight() -> Weight {
		let db = T::DbWeight::get();
		let deadline_step = T::WeightInfo::deadline_confirmed()
			.max(Self::deadline_give_back_weight())
			.max(T::WeightInfo::deadline_cancel())
			// A defensive visit (a hole or an empty range in the queue).
			.max(db.reads_writes(1, 1));
		// Each step, one more head read that finds nothing due, and the bounds written.
		let deadlines = deadline_step
			.saturating_mul(T::DeadlineChecksPerBlock::get().into())
			.saturating_add(db.reads_writes(1, 1));
		let repairs = T::WeightInfo::repair_step()
			.saturating_add(Self::repair_bookkeeping_weight())
			.saturating_mul(T::RepairsPerBlock::get().into())
			.saturating_add(db.writes(1));
		// A file visited costs at least one step; charging the visit to every step covers any
		// number of files per block.
		let removal_step = Self::removal_release_weight(true)
			.max(T::WeightInfo::removal_refund_step())
			.max(Self::removal_final_weight())
			.saturating_add(Self::removal_visit_weight());
		let removals = removal_step
			.saturating_mul(T::RemovalsPerBlock::get().into())
			.saturating_add(db.writes(1));
		let expiries = T::WeightInfo::expiry_step()
			.saturating_mul(T::ExpiriesPerBlock::get().into())
			.saturating_add(db.writes(1));
		T::WeightInfo::on_initialize_idle()
			.saturating_add(deadlines)
			.saturating_add(repairs)
			.saturating_add(removals)
			.saturating_add(expiries)
	}

	/// Bookkeeping of one repair step beyond its benchmark (measured on a punished miner's
	/// fragment, which leaves the list at once): the queue's head and the repair's cause read;
	/// for an exiting miner, the cursor read and written, the outgoing copy looked up and
	/// written, and a list entry moved by a swap-remove relinked to its outgoing copy.
	pub(crate) fn repair_bookkeeping_weight() -> Weight {
		T::DbWeight::get().reads_writes(5, 3)
	}

	/// A missed deadline at its dearest: a reassignment (benchmarked), or a fragment given back
	/// to its exiting miner, whose repair is queued again (the outgoing copy read and removed,
	/// and a repair scheduled, on top of the reassignment's records).
	pub(crate) fn deadline_give_back_weight() -> Weight {
		T::WeightInfo::deadline_reassign()
			.saturating_add(T::WeightInfo::schedule_repair())
			.saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}

	/// One fragment of a removed file released: the benchmarked step (a stored fragment), or a
	/// pending one whose outgoing copy is dropped too (a hand-over without a new holder), with
	/// the copy looked up either way.
	pub(crate) fn removal_release_weight(dropped_copy: bool) -> Weight {
		let step =
			T::WeightInfo::removal_step().saturating_add(T::DbWeight::get().reads_writes(1, 1));
		if dropped_copy {
			step.saturating_add(T::WeightInfo::hand_over())
		} else {
			step
		}
	}

	/// Bookkeeping of a file visited by the removal queue: the queue's head and the file record
	/// read, the record written back or removed.
	pub(crate) fn removal_visit_weight() -> Weight {
		T::DbWeight::get().reads_writes(2, 1)
	}

	/// The last step of a removal: the queue entry removed and the event (the event count read
	/// and written, the event appended).
	pub(crate) fn removal_final_weight() -> Weight {
		T::DbWeight::get().reads_writes(1, 3)
	}

	/// Checks fragments whose deadline passed (deadline `< now`), first due first.
	pub(crate) fn process_deadlines(now: BlockNumberFor<T>) -> Weight {
		let mut weight = Weight::zero();
		let mut budget = T::DeadlineChecksPerBlock::get();
		let initial = DeadlineBounds::<T>::get();
		let mut bounds = initial;
		while budget > 0 && !bounds.is_empty() {
			let Some(mut entry) = DeadlineQueue::<T>::get(bounds.head) else {
				defensive!("hole in the deadline queue");
				budget = budget.saturating_sub(1);
				weight.saturating_accrue(T::DbWeight::get().reads(1));
				bounds.head = bounds.head.saturating_add(1);
				continue;
			};
			if entry.due >= now {
				// The head was read for nothing: the step weights only cover the entries they
				// check.
				weight.saturating_accrue(T::DbWeight::get().reads(1));
				break;
			}
			if entry.start >= entry.end {
				defensive!("empty range in the deadline queue");
				budget = budget.saturating_sub(1);
				weight.saturating_accrue(T::DbWeight::get().reads_writes(1, 1));
			}
			while budget > 0 && entry.start < entry.end {
				budget = budget.saturating_sub(1);
				let outcome =
					Self::check_deadline(entry.file, entry.start, entry.due, now, &mut bounds);
				weight.saturating_accrue(match outcome {
					DeadlineOutcome::Skipped | DeadlineOutcome::FileGone => {
						T::WeightInfo::deadline_confirmed()
					}
					DeadlineOutcome::Reassigned | DeadlineOutcome::Lost => {
						// The outgoing copy looked up (and taken).
						T::WeightInfo::deadline_reassign()
							.saturating_add(T::DbWeight::get().reads_writes(1, 1))
					}
					DeadlineOutcome::GivenBack => Self::deadline_give_back_weight(),
					DeadlineOutcome::Cancelled => T::WeightInfo::deadline_cancel(),
				});
				entry.start = entry.start.saturating_add(1);
				if matches!(outcome, DeadlineOutcome::Cancelled | DeadlineOutcome::FileGone) {
					entry.start = entry.end;
				}
			}
			if entry.start >= entry.end {
				DeadlineQueue::<T>::remove(bounds.head);
				bounds.head = bounds.head.saturating_add(1);
			} else {
				DeadlineQueue::<T>::insert(bounds.head, entry);
			}
		}
		if bounds != initial {
			weight.saturating_accrue(T::DbWeight::get().writes(1));
			DeadlineBounds::<T>::put(bounds);
		}
		weight
	}

	/// The deadline `due` of fragment `index` of `file_hash` passed: if it is still pending with
	/// that deadline, move it to another miner or give up (cancel the deal of a pending file,
	/// mark a repaired fragment of an active file lost). New deadlines go to `bounds`.
	pub(crate) fn check_deadline(
		file_hash: FileHash,
		index: FragmentIndex,
		due: BlockNumberFor<T>,
		now: BlockNumberFor<T>,
		bounds: &mut QueueBounds,
	) -> DeadlineOutcome {
		let Some(mut file) = Files::<T>::get(file_hash) else { return DeadlineOutcome::FileGone };
		if matches!(file.state, FileState::Removing { .. }) {
			return DeadlineOutcome::FileGone;
		}
		let Some(mut info) = Fragments::<T>::get(file_hash, index) else {
			return DeadlineOutcome::Skipped;
		};
		let FragmentStatus::Pending { deadline, reassignments, kind } = info.status else {
			return DeadlineOutcome::Skipped;
		};
		if deadline != due {
			return DeadlineOutcome::Skipped;
		}
		let params = Params::<T>::get();
		let bytes = u64::from(Layout::<T>::get().fragment_size());
		let old = info.miner.clone();
		if reassignments < params.max_reassignments {
			if let Some(new) = Self::find_replacement(file_hash, index, &old, reassignments) {
				Self::unlock(&old, bytes);
				MinerAssignments::<T>::remove(&old, (file_hash, index));
				MinerAssignments::<T>::insert(&new, (file_hash, index), ());
				let deadline = now.saturating_add(params.confirm_window);
				info.miner = new.clone();
				info.status = FragmentStatus::Pending {
					deadline,
					reassignments: reassignments.saturating_add(1),
					kind,
				};
				Fragments::<T>::insert(file_hash, index, info);
				Self::enqueue_deadline(
					bounds,
					DeadlineEntry {
						file: file_hash,
						start: index,
						end: index.saturating_add(1),
						due: deadline,
					},
				);
				Self::deposit_event(Event::FragmentReassigned {
					file: file_hash,
					index,
					from: old,
					to: new,
					deadline,
				});
				return DeadlineOutcome::Reassigned;
			}
		}
		if file.state == FileState::Pending {
			Self::cancel_deal(file_hash, file);
			return DeadlineOutcome::Cancelled;
		}
		Self::unlock(&old, bytes);
		MinerAssignments::<T>::remove(&old, (file_hash, index));
		if let Some((leaving, position)) = OutgoingCopies::<T>::take(file_hash, index) {
			// Nobody took over the copy of an exiting miner: the copy is still the fragment.
			// The miner holds it again, and its repair goes on later.
			info.miner = leaving.clone();
			info.status = FragmentStatus::Stored { position };
			Fragments::<T>::insert(file_hash, index, info);
			file.unconfirmed = file.unconfirmed.saturating_sub(1);
			Files::<T>::insert(file_hash, file);
			Self::repair_again(&leaving, position);
			Self::deposit_event(Event::RepairGivenBack { file: file_hash, index, miner: leaving });
			return DeadlineOutcome::GivenBack;
		}
		info.status = FragmentStatus::Lost;
		Fragments::<T>::insert(file_hash, index, info);
		file.unconfirmed = file.unconfirmed.saturating_sub(1);
		file.lost = file.lost.saturating_add(1);
		Files::<T>::insert(file_hash, file);
		Self::deposit_event(Event::FragmentLost { file: file_hash, index, miner: old });
		DeadlineOutcome::Lost
	}

	/// Queues a confirmation deadline.
	pub(crate) fn push_deadline(entry: DeadlineEntry<BlockNumberFor<T>>) {
		let mut bounds = DeadlineBounds::<T>::get();
		Self::enqueue_deadline(&mut bounds, entry);
		DeadlineBounds::<T>::put(bounds);
	}

	/// Appends a deadline entry to the queue whose bounds the caller holds.
	fn enqueue_deadline(bounds: &mut QueueBounds, entry: DeadlineEntry<BlockNumberFor<T>>) {
		DeadlineQueue::<T>::insert(bounds.push_back(), entry);
	}

	/// Draws a miner for fragment `index` of `file_hash` instead of `old`, and locks its space:
	/// preferably one that holds no other fragment of the segment, otherwise any but `old`.
	/// Reads the segment's fragments (at most `MaxShards`) and samples at most twice.
	pub(crate) fn find_replacement(
		file_hash: FileHash,
		index: FragmentIndex,
		old: &T::AccountId,
		nonce: u32,
	) -> Option<T::AccountId> {
		let layout = Layout::<T>::get();
		let shards = layout.total_shards();
		let bytes = u64::from(layout.fragment_size());
		let first = index.checked_div(shards)?.saturating_mul(shards);
		let mut exclude = Vec::with_capacity(shards as usize);
		exclude.push(old.clone());
		for other in first..first.saturating_add(shards) {
			if other == index {
				continue;
			}
			if let Some(info) = Fragments::<T>::get(file_hash, other) {
				if !exclude.contains(&info.miner) {
					exclude.push(info.miner);
				}
			}
		}
		let (random, _) = T::Randomness::random(b"cess/file-bank/replacement");
		let parent = frame_system::Pallet::<T>::parent_hash();
		let seed = sp_io::hashing::blake2_256(&(random, parent, file_hash, index, nonce).encode());
		let miner =
			T::Miners::sample(&seed, 1, bytes, &exclude).into_iter().next().or_else(|| {
				let seed = sp_io::hashing::blake2_256(&(seed, 1u8).encode());
				T::Miners::sample(&seed, 1, bytes, core::slice::from_ref(old)).into_iter().next()
			})?;
		T::Miners::lock_space(&miner, bytes).ok()?;
		Some(miner)
	}

	/// Queues the repair of `miner`'s stored fragments (see [`RepairScheduler`]).
	pub fn schedule_repair(miner: &T::AccountId, cause: RepairCause) -> bool {
		if RepairScheduled::<T>::contains_key(miner) {
			return false;
		}
		RepairScheduled::<T>::insert(miner, cause);
		if cause == RepairCause::MinerExit {
			// The exiting miner's list is walked from its end; its copies stay in it.
			RepairCursors::<T>::insert(miner, MinerFragmentCount::<T>::get(miner));
		}
		let mut bounds = RepairBounds::<T>::get();
		RepairQueue::<T>::insert(bounds.push_back(), miner);
		RepairBounds::<T>::put(bounds);
		Self::deposit_event(Event::RepairScheduled {
			miner: miner.clone(),
			cause,
			fragments: MinerFragmentCount::<T>::get(miner),
		});
		true
	}

	/// Visits `position` of exiting `miner`'s list again: queues its repair if it is not queued,
	/// or moves its cursor back over `position` if its walk passed it.
	pub(crate) fn repair_again(miner: &T::AccountId, position: u32) {
		match RepairScheduled::<T>::get(miner) {
			None => {
				Self::schedule_repair(miner, RepairCause::MinerExit);
			}
			Some(RepairCause::MinerExit) => RepairCursors::<T>::mutate(miner, |cursor| {
				let at_least = position.saturating_add(1);
				*cursor = Some(cursor.map_or(at_least, |cursor| cursor.max(at_least)));
			}),
			// A punished miner's list is emptied whatever it holds.
			Some(RepairCause::Punished) => {}
		}
	}

	/// Moves the fragments of queued miners away, one fragment per step.
	pub(crate) fn process_repairs(now: BlockNumberFor<T>) -> Weight {
		let mut weight = Weight::zero();
		let mut budget = T::RepairsPerBlock::get();
		let initial = RepairBounds::<T>::get();
		let mut bounds = initial;
		while budget > 0 && !bounds.is_empty() {
			budget = budget.saturating_sub(1);
			// The head and the cause read here, and an exiting miner's bookkeeping; the step's
			// benchmark covers the queue writes below.
			weight.saturating_accrue(Self::repair_bookkeeping_weight());
			let Some(miner) = RepairQueue::<T>::get(bounds.head) else {
				defensive!("hole in the repair queue");
				bounds.head = bounds.head.saturating_add(1);
				continue;
			};
			weight.saturating_accrue(T::WeightInfo::repair_step());
			match Self::repair_next(&miner, now) {
				RepairOutcome::Done => {
					RepairQueue::<T>::remove(bounds.head);
					bounds.head = bounds.head.saturating_add(1);
					RepairScheduled::<T>::remove(&miner);
					RepairCursors::<T>::remove(&miner);
					Self::deposit_event(Event::MinerRepaired { miner });
				}
				RepairOutcome::Moved | RepairOutcome::Dropped | RepairOutcome::Skipped => {}
				RepairOutcome::NoReplacement => {
					// Nobody has room now: to the back of the queue, and no more repairs in this
					// block (the others would likely find no room either).
					RepairQueue::<T>::remove(bounds.head);
					bounds.head = bounds.head.saturating_add(1);
					RepairQueue::<T>::insert(bounds.push_back(), miner);
					break;
				}
			}
		}
		if bounds != initial {
			weight.saturating_accrue(T::DbWeight::get().writes(1));
			RepairBounds::<T>::put(bounds);
		}
		weight
	}

	/// One repair step of `miner`: the next fragment of its list goes to another miner, who
	/// must rebuild and confirm it.
	///
	/// - An exiting miner ([`RepairCause::MinerExit`]) keeps each copy until the new holder
	///   confirms it: the copy stays in its list (audited) and its space used, recorded in
	///   [`OutgoingCopies`]. Its list is walked from the end with a cursor ([`RepairCursors`]):
	///   the positions at and above the cursor hold outgoing copies, so an entry a swap-remove
	///   brings below the cursor is one already moving and is skipped.
	/// - A punished miner is presumed to have lost its fragments: each leaves its list and its
	///   used space at once (the last entry each time, until the list is empty).
	pub(crate) fn repair_next(miner: &T::AccountId, now: BlockNumberFor<T>) -> RepairOutcome {
		let count = MinerFragmentCount::<T>::get(miner);
		let exiting = RepairScheduled::<T>::get(miner) == Some(RepairCause::MinerExit);
		let cursor = if exiting {
			RepairCursors::<T>::get(miner).unwrap_or(count).min(count)
		} else {
			count
		};
		let Some(position) = cursor.checked_sub(1) else { return RepairOutcome::Done };
		let bytes = u64::from(Layout::<T>::get().fragment_size());
		// The positions at and above `position` are done once this step ends, whatever it does
		// (but find no replacement).
		let advance = || {
			if exiting {
				RepairCursors::<T>::insert(miner, position);
			}
		};
		let Some(entry) = MinerFragments::<T>::get(miner, position) else {
			defensive!("fragment list shorter than its count");
			Self::remove_stored(miner, position);
			advance();
			return RepairOutcome::Dropped;
		};
		if let Some((from, at)) = OutgoingCopies::<T>::get(entry.file, entry.index) {
			if from == *miner && at == position {
				if exiting {
					advance();
					return RepairOutcome::Skipped;
				}
				// A punished miner's copy: presumed lost, it leaves at once (the new holder
				// rebuilds it from the others).
				OutgoingCopies::<T>::remove(entry.file, entry.index);
				Self::remove_stored(miner, position);
				Self::release(miner, bytes);
				return RepairOutcome::Dropped;
			}
		}
		let file = Files::<T>::get(entry.file);
		let info = Fragments::<T>::get(entry.file, entry.index);
		let (Some(mut file), Some(mut info)) = (file, info) else {
			defensive!("listed fragment without a record");
			Self::remove_stored(miner, position);
			advance();
			return RepairOutcome::Dropped;
		};
		if info.miner != *miner || info.status != (FragmentStatus::Stored { position }) {
			defensive!("listed fragment records another miner or position");
			Self::remove_stored(miner, position);
			advance();
			return RepairOutcome::Dropped;
		}
		if matches!(file.state, FileState::Removing { .. }) {
			// Its removal would release it anyway: release it now.
			Self::remove_stored(miner, position);
			Self::release(miner, bytes);
			Fragments::<T>::remove(entry.file, entry.index);
			advance();
			return RepairOutcome::Dropped;
		}
		let Some(new) = Self::find_replacement(entry.file, entry.index, miner, 0) else {
			return RepairOutcome::NoReplacement;
		};
		if exiting {
			// The copy stays, listed and audited, until the new holder confirms.
			OutgoingCopies::<T>::insert(entry.file, entry.index, (miner.clone(), position));
			advance();
		} else {
			Self::remove_stored(miner, position);
			Self::release(miner, bytes);
		}
		let deadline = now.saturating_add(Params::<T>::get().confirm_window);
		info.miner = new.clone();
		info.status =
			FragmentStatus::Pending { deadline, reassignments: 0, kind: AssignmentKind::Repair };
		Fragments::<T>::insert(entry.file, entry.index, info);
		MinerAssignments::<T>::insert(&new, (entry.file, entry.index), ());
		file.unconfirmed = file.unconfirmed.saturating_add(1);
		Files::<T>::insert(entry.file, file);
		Self::push_deadline(DeadlineEntry {
			file: entry.file,
			start: entry.index,
			end: entry.index.saturating_add(1),
			due: deadline,
		});
		Self::deposit_event(Event::RepairAssigned {
			file: entry.file,
			index: entry.index,
			from: miner.clone(),
			to: new,
			deadline,
		});
		RepairOutcome::Moved
	}

	/// Releases fragments of removed files, one fragment per step, and drops the records.
	pub(crate) fn process_removals() -> Weight {
		let mut weight = Weight::zero();
		let mut budget = T::RemovalsPerBlock::get();
		let initial = RemovalBounds::<T>::get();
		let mut bounds = initial;
		let bytes = u64::from(Layout::<T>::get().fragment_size());
		while budget > 0 && !bounds.is_empty() {
			// Every visit takes at least one step of the budget: the defensive ones below, or
			// a refund, a release or the final step (the loop only starts with budget left).
			weight.saturating_accrue(Self::removal_visit_weight());
			let Some(file_hash) = RemovalQueue::<T>::get(bounds.head) else {
				defensive!("hole in the removal queue");
				budget = budget.saturating_sub(1);
				bounds.head = bounds.head.saturating_add(1);
				continue;
			};
			let removing = Files::<T>::get(file_hash).and_then(|file| match file.state {
				FileState::Removing { next } => Some((file, next)),
				_ => None,
			});
			let Some((mut file, mut next)) = removing else {
				defensive!("queued file is not being removed");
				budget = budget.saturating_sub(1);
				RemovalQueue::<T>::remove(bounds.head);
				bounds.head = bounds.head.saturating_add(1);
				continue;
			};
			// The owners of a cancelled deal first (refunds), then the fragments.
			while budget > 0 && !file.owners.is_empty() {
				budget = budget.saturating_sub(1);
				weight.saturating_accrue(T::WeightInfo::removal_refund_step());
				Self::drop_next_owner(file_hash, &mut file);
			}
			while budget > 0 && next < file.fragments {
				budget = budget.saturating_sub(1);
				let dropped_copy = Self::release_fragment(file_hash, next, bytes);
				weight.saturating_accrue(Self::removal_release_weight(dropped_copy));
				next = next.saturating_add(1);
			}
			// The final step needs budget of its own; without it the file waits for the next
			// block.
			if budget > 0 && next >= file.fragments && file.owners.is_empty() {
				budget = budget.saturating_sub(1);
				weight.saturating_accrue(Self::removal_final_weight());
				Files::<T>::remove(file_hash);
				RemovalQueue::<T>::remove(bounds.head);
				bounds.head = bounds.head.saturating_add(1);
				Self::deposit_event(Event::FileRemoved { file: file_hash });
			} else {
				file.state = FileState::Removing { next };
				Files::<T>::insert(file_hash, file);
			}
		}
		if bounds != initial {
			weight.saturating_accrue(T::DbWeight::get().writes(1));
			RemovalBounds::<T>::put(bounds);
		}
		weight
	}

	/// Releases one fragment of a removed file: its miner's lock or used space, and its records,
	/// and the copy of the exiting miner it was moving away from. Returns whether there was
	/// such a copy.
	pub(crate) fn release_fragment(file_hash: FileHash, index: FragmentIndex, bytes: u64) -> bool {
		let Some(info) = Fragments::<T>::take(file_hash, index) else { return false };
		match info.status {
			FragmentStatus::Pending { .. } => {
				Self::unlock(&info.miner, bytes);
				MinerAssignments::<T>::remove(&info.miner, (file_hash, index));
				// A fragment moving away from an exiting miner: its copy goes too.
				Self::drop_outgoing(file_hash, index, bytes)
			}
			FragmentStatus::Stored { position } => {
				Self::remove_stored(&info.miner, position);
				Self::release(&info.miner, bytes);
				false
			}
			FragmentStatus::Lost => false,
		}
	}

	/// Ends the ownerships whose slot came, slot by slot.
	pub(crate) fn process_expiries(now: BlockNumberFor<T>) -> Weight {
		let mut weight = Weight::zero();
		let mut budget = T::ExpiriesPerBlock::get();
		let initial = ExpiryCursor::<T>::get();
		let mut cursor = initial;
		while budget > 0 && cursor <= now {
			budget = budget.saturating_sub(1);
			weight.saturating_accrue(T::WeightInfo::expiry_step());
			match Self::expire_next(cursor) {
				Some(next) => cursor = next,
				None => break,
			}
		}
		if cursor != initial {
			weight.saturating_accrue(T::DbWeight::get().writes(1));
			ExpiryCursor::<T>::put(cursor);
		}
		weight
	}

	/// One expiry step in slot `cursor`: ends one ownership of the slot and stays on it, or,
	/// when the slot is empty, moves to the next slot. Returns the cursor to go on with (`None`
	/// when the block number type runs out).
	pub(crate) fn expire_next(cursor: BlockNumberFor<T>) -> Option<BlockNumberFor<T>> {
		match Expiries::<T>::iter_key_prefix(cursor).next() {
			Some((owner, file_hash)) => {
				Expiries::<T>::remove(cursor, (&owner, file_hash));
				let expires = Ownerships::<T>::get(&owner, file_hash).map(|o| o.expires_at);
				match Files::<T>::get(file_hash) {
					Some(file) if expires == Some(cursor) => {
						Self::drop_ownership(file_hash, file, &owner, DropReason::Expired);
					}
					_ => {
						defensive!("stale expiry entry");
					}
				}
				Some(cursor)
			}
			None => cursor.checked_add(&T::ExpiryGranularity::get()).filter(|next| *next > cursor),
		}
	}

	/// Returns locked space to a miner, logging a failure (accounting must never stop a block).
	pub(crate) fn unlock(miner: &T::AccountId, bytes: u64) {
		if let Err(e) = T::Miners::unlock_space(miner, bytes) {
			log::warn!(target: LOG_TARGET, "unlock of {bytes} bytes on {miner:?} failed: {e:?}");
		}
	}

	/// Returns used space to a miner, logging a failure.
	pub(crate) fn release(miner: &T::AccountId, bytes: u64) {
		if let Err(e) = T::Miners::release_space(miner, bytes) {
			log::warn!(target: LOG_TARGET, "release of {bytes} bytes on {miner:?} failed: {e:?}");
		}
	}
}

impl<T: Config> RepairScheduler<T::AccountId> for Pallet<T> {
	fn schedule_repair(miner: &T::AccountId, cause: RepairCause) -> bool {
		Pallet::<T>::schedule_repair(miner, cause)
	}

	fn weight() -> Weight {
		T::WeightInfo::schedule_repair()
	}
}
