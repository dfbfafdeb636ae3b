//! Typed reads of the storage chain over RPC: the file bank's and the audit pallet's runtime
//! APIs (paged lists fetched whole), miners' records and addresses, and account balances.
//!
//! Shared by the storage-miner role and the file client; everything here is a read.

use crate::chain_client::{ChainClient, ChainError};
use cess_primitives::{FileHash, FileLayout};
use cess_runtime::{AccountId, Balance, BlockNumber, Runtime};
use pallet_audit::ChallengeView;
use pallet_file_bank::{
	AssignmentView, FileView, FragmentIndex, FragmentRef, OwnedFileView, PlacementEntry, MAX_PAGE,
};

/// A file as the chain shows it.
pub type File = FileView<AccountId, BlockNumber>;
/// One fragment of a file's placement.
pub type Placement = PlacementEntry<AccountId, BlockNumber>;
/// A fragment waiting for a miner's confirmation.
pub type Assignment = AssignmentView<BlockNumber>;
/// A miner's open audit challenge.
pub type Challenge = ChallengeView<BlockNumber>;
/// A miner's accounting record.
pub type MinerInfo = pallet_sminer::MinerInfo<AccountId, Balance, BlockNumber>;
/// A miner's PeerId and addresses.
pub type PeerInfo = pallet_sminer::PeerInfoOf<Runtime>;

impl ChainClient {
	/// The chain's file layout, checked: every division by its shard counts is safe.
	pub async fn layout(&self) -> Result<FileLayout, ChainError> {
		let layout: FileLayout = self.runtime_call("FileBankApi_layout", (), "FileLayout").await?;
		checked_layout(layout)
	}

	/// The fee of declaring `size` bytes for `periods` periods.
	pub async fn storage_fee(
		&self,
		size: u64,
		periods: u32,
	) -> Result<Option<Balance>, ChainError> {
		self.runtime_call("FileBankApi_storage_fee", (size, periods), "storage fee").await
	}

	/// A file's state; `None` if the chain has no such file.
	pub async fn file(&self, file: FileHash) -> Result<Option<File>, ChainError> {
		self.runtime_call("FileBankApi_file", file, "FileView").await
	}

	/// Fragments `start..end` of a file's placement, fetched page by page. Every page must
	/// move forward through `start..end`, so a wrong answer ends the walk with an error.
	pub async fn placement(
		&self,
		file: FileHash,
		start: FragmentIndex,
		end: FragmentIndex,
	) -> Result<Vec<Placement>, ChainError> {
		let mut all = Vec::new();
		let mut next = start;
		while next < end {
			let limit = (end - next).min(MAX_PAGE);
			let page: Vec<Placement> = self
				.runtime_call("FileBankApi_placement", (file, next, limit), "placement")
				.await?;
			let step =
				next_placement(next, end, limit, &page).map_err(|why| bad("placement", why))?;
			all.extend(page);
			match step {
				Next::Done => break,
				Next::From(from) => next = from,
			}
		}
		Ok(all)
	}

	/// Every fragment waiting for `miner`'s confirmation (at most [`MAX_LISTED`]).
	pub async fn miner_assignments(
		&self,
		miner: &AccountId,
	) -> Result<Vec<Assignment>, ChainError> {
		let mut all: Vec<Assignment> = Vec::new();
		let mut after: Option<(FileHash, FragmentIndex)> = None;
		loop {
			let page: Vec<Assignment> = self
				.runtime_call(
					"FileBankApi_miner_assignments",
					(miner, after, MAX_PAGE),
					"assignments",
				)
				.await?;
			let step = next_assignment(after, &page).map_err(|why| bad("assignments", why))?;
			extend_capped(&mut all, page, MAX_LISTED).map_err(|why| bad("assignments", why))?;
			match step {
				Next::Done => return Ok(all),
				Next::From(from) => after = Some(from),
			}
		}
	}

	/// Every fragment `miner` stores, with its position in the miner's audited list (at most
	/// [`MAX_LISTED`]).
	pub async fn miner_fragments(
		&self,
		miner: &AccountId,
	) -> Result<Vec<(u32, FragmentRef)>, ChainError> {
		let mut all: Vec<(u32, FragmentRef)> = Vec::new();
		let mut start = 0u32;
		loop {
			let page: Vec<(u32, FragmentRef)> = self
				.runtime_call("FileBankApi_miner_fragments", (miner, start, MAX_PAGE), "fragments")
				.await?;
			let step = next_position(start, &page).map_err(|why| bad("fragments", why))?;
			extend_capped(&mut all, page, MAX_LISTED).map_err(|why| bad("fragments", why))?;
			match step {
				Next::Done => return Ok(all),
				Next::From(from) => start = from,
			}
		}
	}

	/// Up to `limit` files `owner` owns (after `start_after`).
	pub async fn owned_files(
		&self,
		owner: &AccountId,
		start_after: Option<FileHash>,
		limit: u32,
	) -> Result<Vec<OwnedFileView<Balance, BlockNumber>>, ChainError> {
		self.runtime_call("FileBankApi_owned_files", (owner, start_after, limit), "owned files")
			.await
	}

	/// `miner`'s open audit challenge, if any.
	pub async fn challenge(&self, miner: &AccountId) -> Result<Option<Challenge>, ChainError> {
		self.runtime_call("AuditApi_challenge", miner, "ChallengeView").await
	}

	/// `miner`'s audit record.
	pub async fn audit_record(
		&self,
		miner: &AccountId,
	) -> Result<pallet_audit::AuditRecord, ChainError> {
		self.runtime_call("AuditApi_record", miner, "AuditRecord").await
	}

	/// `who`'s miner record, if it is a registered miner.
	pub async fn miner_info(&self, who: &AccountId) -> Result<Option<MinerInfo>, ChainError> {
		let key = pallet_sminer::Miners::<Runtime>::hashed_key_for(who);
		self.storage(&key, None, "Sminer::Miners").await
	}

	/// `who`'s PeerId and addresses, if it is a registered miner.
	pub async fn peer_info(&self, who: &AccountId) -> Result<Option<PeerInfo>, ChainError> {
		let key = pallet_sminer::Peers::<Runtime>::hashed_key_for(who);
		self.storage(&key, None, "Sminer::Peers").await
	}

	/// `who`'s free balance.
	pub async fn free_balance(&self, who: &AccountId) -> Result<Balance, ChainError> {
		let key = frame_system::Account::<Runtime>::hashed_key_for(who);
		let info: Option<
			frame_system::AccountInfo<
				cess_runtime::Nonce,
				<Runtime as frame_system::Config>::AccountData,
			>,
		> = self.storage(&key, None, "System::Account").await?;
		Ok(info.map(|info| info.data.free).unwrap_or_default())
	}
}

/// Most entries a miner's list (assignments, stored fragments) may hold before the node's
/// answer is taken for a wrong one: 4 Mi fragments, 32 PiB at the production fragment size.
pub const MAX_LISTED: usize = 1 << 22;

/// `layout` if it is usable (non-zero shard counts and sizes, at most 256 shards).
pub fn checked_layout(layout: FileLayout) -> Result<FileLayout, ChainError> {
	layout.validate().map_err(|_| bad("FileLayout", "a layout that fails its checks"))?;
	Ok(layout)
}

/// A node's answer that decodes but cannot be right (a page that does not advance, a list
/// without end).
fn bad(what: &'static str, why: &'static str) -> ChainError {
	ChainError::Decode { what, error: codec::Error::from(why) }
}

/// Where a paged walk goes after a page.
#[derive(Debug, PartialEq, Eq)]
enum Next<C> {
	/// The list is complete.
	Done,
	/// Ask for the page starting at (or after) this cursor.
	From(C),
}

/// Checks a page of a file's placement asked from `next` (at most `limit` entries, `next <
/// end`): indices strictly increasing within `next..end`. A short or empty page is the end.
fn next_placement(
	next: FragmentIndex,
	end: FragmentIndex,
	limit: u32,
	page: &[Placement],
) -> Result<Next<FragmentIndex>, &'static str> {
	if page.len() > limit as usize {
		return Err("a page longer than asked");
	}
	let mut floor = next;
	for entry in page {
		if entry.index < floor || entry.index >= end {
			return Err("fragments out of order or outside the range asked");
		}
		// `entry.index < end`, so this does not overflow.
		floor = entry.index + 1;
	}
	Ok(if page.is_empty() || floor >= end { Next::Done } else { Next::From(floor) })
}

/// Checks a page of a miner's stored-fragment list asked from position `start`: positions
/// strictly increasing from `start`. A page shorter than [`MAX_PAGE`] is the last.
fn next_position(start: u32, page: &[(u32, FragmentRef)]) -> Result<Next<u32>, &'static str> {
	if page.len() > MAX_PAGE as usize {
		return Err("a page longer than asked");
	}
	let mut floor = Some(start);
	for (position, _) in page {
		match floor {
			Some(min) if *position >= min => floor = position.checked_add(1),
			_ => return Err("positions out of order"),
		}
	}
	if page.len() < MAX_PAGE as usize {
		return Ok(Next::Done);
	}
	floor.map(Next::From).ok_or("positions out of order")
}

/// Checks a page of a miner's assignments asked after `after`: it must not hold `after`
/// itself (the runtime starts past it). A page shorter than [`MAX_PAGE`] is the last.
fn next_assignment(
	after: Option<(FileHash, FragmentIndex)>,
	page: &[Assignment],
) -> Result<Next<(FileHash, FragmentIndex)>, &'static str> {
	if page.len() > MAX_PAGE as usize {
		return Err("a page longer than asked");
	}
	if after.is_some_and(|after| page.iter().any(|a| (a.file, a.index) == after)) {
		return Err("a page that does not move past the last one");
	}
	match page.last() {
		Some(last) if page.len() == MAX_PAGE as usize => Ok(Next::From((last.file, last.index))),
		_ => Ok(Next::Done),
	}
}

/// Appends `page` to `all` unless that makes the list longer than `cap`, which only a wrong
/// answer does (pages going round in circles, or always full).
fn extend_capped<T>(all: &mut Vec<T>, page: Vec<T>, cap: usize) -> Result<(), &'static str> {
	if all.len().saturating_add(page.len()) > cap {
		return Err("a list longer than any miner's");
	}
	all.extend(page);
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use cess_primitives::FragmentHash;
	use pallet_file_bank::{AssignmentKind, FragmentStatus};

	fn entry(index: u32) -> Placement {
		Placement {
			index,
			segment: index / 4,
			shard: index % 4,
			hash: FragmentHash([index as u8; 32]),
			miner: AccountId::new([1; 32]),
			peer_id: None,
			status: FragmentStatus::Stored { position: index },
		}
	}

	fn stored(position: u32) -> (u32, FragmentRef) {
		(
			position,
			FragmentRef { file: FileHash([7; 32]), index: position, hash: FragmentHash([0; 32]) },
		)
	}

	fn assignment(file: u8, index: u32) -> Assignment {
		Assignment {
			file: FileHash([file; 32]),
			index,
			hash: FragmentHash([0; 32]),
			deadline: 10,
			kind: AssignmentKind::Upload,
		}
	}

	#[test]
	fn placement_pages_must_move_forward_within_the_range() {
		let page: Vec<_> = (0..4).map(entry).collect();
		assert_eq!(next_placement(0, 8, 8, &page), Ok(Next::From(4)));
		assert_eq!(next_placement(4, 8, 4, &(4..8).map(entry).collect::<Vec<_>>()), Ok(Next::Done));
		// Holes (entries the runtime skipped) still move the walk on.
		assert_eq!(next_placement(0, 8, 8, &[entry(0), entry(2)]), Ok(Next::From(3)));
		assert_eq!(next_placement(0, 8, 8, &[]), Ok(Next::Done));
		// A page that repeats the one before, goes backwards, or leaves the range.
		assert!(next_placement(4, 8, 4, &page).is_err(), "the previous page again");
		assert!(next_placement(0, 8, 8, &[entry(2), entry(1)]).is_err(), "backwards");
		assert!(next_placement(0, 8, 8, &[entry(1), entry(1)]).is_err(), "a repeated index");
		assert!(next_placement(0, 4, 4, &[entry(u32::MAX)]).is_err(), "outside the range");
		assert!(next_placement(0, 8, 2, &page).is_err(), "longer than asked");
		// The last index of the whole range ends the walk without overflowing.
		assert_eq!(
			next_placement(u32::MAX - 1, u32::MAX, 1, &[entry(u32::MAX - 1)]),
			Ok(Next::Done)
		);
	}

	#[test]
	fn fragment_pages_must_advance_and_end() {
		let full: Vec<_> = (0..MAX_PAGE).map(stored).collect();
		assert_eq!(next_position(0, &full), Ok(Next::From(MAX_PAGE)));
		assert_eq!(next_position(0, &full[..3]), Ok(Next::Done));
		assert!(next_position(MAX_PAGE, &full).is_err(), "the same full page again");
		let top: Vec<_> = (u32::MAX - MAX_PAGE + 1..=u32::MAX).map(stored).collect();
		assert!(
			next_position(u32::MAX - MAX_PAGE + 1, &top).is_err(),
			"no position after u32::MAX"
		);
		let mut too_long = full.clone();
		too_long.push(stored(MAX_PAGE));
		assert!(next_position(0, &too_long).is_err());
	}

	#[test]
	fn assignment_pages_must_move_past_the_cursor() {
		let full: Vec<_> = (0..MAX_PAGE).map(|i| assignment(1, i)).collect();
		let cursor = (FileHash([1; 32]), MAX_PAGE - 1);
		assert_eq!(next_assignment(None, &full), Ok(Next::From(cursor)));
		assert_eq!(next_assignment(Some(cursor), &full[..1]), Ok(Next::Done));
		assert!(next_assignment(Some(cursor), &full).is_err(), "the same page again");
		assert_eq!(next_assignment(None, &[]), Ok(Next::Done));
	}

	#[test]
	fn a_list_that_never_ends_is_cut_at_the_cap() {
		// Pages that always come back full and always advance (a node making them up): the
		// walk stops with an error after `cap` entries instead of running forever.
		let cap = 4 * MAX_PAGE as usize;
		let mut all = Vec::new();
		let mut start = 0;
		let error = loop {
			let page: Vec<_> = (start..start + MAX_PAGE).map(stored).collect();
			let Next::From(next) = next_position(start, &page).unwrap() else {
				panic!("a full page is never the last")
			};
			if let Err(e) = extend_capped(&mut all, page, cap) {
				break e;
			}
			start = next;
		};
		assert_eq!(all.len(), cap);
		assert!(error.contains("longer"), "{error}");
	}

	#[test]
	fn unusable_layouts_are_refused() {
		let good =
			FileLayout { segment_size: 1 << 24, data_shards: 2, parity_shards: 2, leaf_size: 256 };
		assert_eq!(checked_layout(good).ok(), Some(good));
		for bad in [
			FileLayout { data_shards: 0, ..good },
			FileLayout { parity_shards: 0, ..good },
			FileLayout { segment_size: 0, ..good },
			FileLayout { data_shards: u32::MAX, ..good },
		] {
			assert!(checked_layout(bad).is_err(), "{bad:?}");
		}
	}
}
