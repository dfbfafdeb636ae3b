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
	/// The chain's file layout.
	pub async fn layout(&self) -> Result<FileLayout, ChainError> {
		self.runtime_call("FileBankApi_layout", (), "FileLayout").await
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

	/// Fragments `start..end` of a file's placement, fetched page by page.
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
			if page.is_empty() {
				break;
			}
			next = page.last().map_or(end, |entry| entry.index + 1);
			all.extend(page);
		}
		Ok(all)
	}

	/// Every fragment waiting for `miner`'s confirmation.
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
			let full = page.len() as u32 >= MAX_PAGE;
			after = page.last().map(|a| (a.file, a.index));
			all.extend(page);
			if !full {
				return Ok(all);
			}
		}
	}

	/// Every fragment `miner` stores, with its position in the miner's audited list.
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
			let full = page.len() as u32 >= MAX_PAGE;
			start = page.last().map_or(start, |(position, _)| position + 1);
			all.extend(page);
			if !full {
				return Ok(all);
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
