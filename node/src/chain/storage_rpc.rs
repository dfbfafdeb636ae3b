//! JSON-RPC over the storage layer's runtime APIs, for clients that do not decode SCALE
//! (`curl`, scripts, dashboards). Every method reads the best block unless `at` names another.
//!
//! | method | answer |
//! |---|---|
//! | `fileBank_layout` | the chain's file layout |
//! | `fileBank_params` | price per GiB and period, period, deadlines |
//! | `fileBank_storageFee(size, periods)` | the fee in plancks, as a decimal string |
//! | `fileBank_file(file)` | state, size, owners, deadlines; `null` when there is no such file |
//! | `fileBank_placement(file, start?, limit?)` | a page of fragments with their miners and PeerIds |
//! | `fileBank_minerFragments(miner, start?, limit?)` | a page of a miner's stored fragments, with the positions audits name |
//! | `fileBank_minerAssignments(miner, startAfter?, limit?)` | fragments waiting for the miner's confirmation |
//! | `fileBank_ownedFiles(owner, startAfter?, limit?)` | a page of an account's files |
//! | `audit_challenge(miner)` | the miner's open challenge: round, fragments and leaves, deadline |
//! | `audit_round` | the round in progress |
//! | `audit_record(miner)` | passed, failed and missed rounds, strikes, punishments |
//! | `audit_params` | round length, window, sample sizes, strikes |
//!
//! Pages hold at most `pallet_file_bank::MAX_PAGE` entries whatever `limit` asks; accounts are
//! SS58 addresses and hashes `0x`-prefixed hex.

use cess_primitives::{FileHash, FileLayout};
use cess_runtime::{opaque::Block, AccountId, Balance, BlockNumber};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{ErrorObject, ErrorObjectOwned},
};
use pallet_audit_runtime_api::{
	AuditApi, AuditParams, AuditRecord, ChallengedFragmentView, RoundView,
};
use pallet_file_bank_runtime_api::{
	AssignmentView, FileBankApi, FileView, FragmentIndex, FragmentRef, OwnedFileView,
	PlacementEntry, StorageParams, MAX_PAGE,
};
use sp_api::{ApiError, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use std::sync::Arc;

/// Block hash of the chain.
type Hash = <Block as sp_runtime::traits::Block>::Hash;

/// Error code of a runtime API call that failed (e.g. a block whose state was pruned).
pub const RUNTIME_ERROR: i32 = 9000;

/// A miner's open challenge, as JSON.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeJson {
	/// The round (the first argument of `audit.submitProof`).
	pub round: u32,
	/// The chain's layout (leaf size for the proofs).
	pub layout: FileLayout,
	/// The challenged fragments and leaves, in proof order.
	pub fragments: Vec<ChallengedFragmentView>,
	/// Block of issue.
	pub issued_at: BlockNumber,
	/// Last block a proof is accepted in.
	pub deadline: BlockNumber,
}

/// The file bank's reads.
#[rpc(server, namespace = "fileBank")]
pub trait FileBankRpc {
	/// The chain's file layout.
	#[method(name = "layout")]
	fn layout(&self, at: Option<Hash>) -> RpcResult<FileLayout>;

	/// Price, storage period and deadlines.
	#[method(name = "params")]
	fn storage_params(&self, at: Option<Hash>) -> RpcResult<StorageParams<Balance, BlockNumber>>;

	/// The fee of declaring `size` plaintext bytes for `periods` periods, in plancks as a
	/// decimal string (JavaScript numbers cannot hold it); `null` if it overflows.
	#[method(name = "storageFee")]
	fn storage_fee(&self, size: u64, periods: u32, at: Option<Hash>) -> RpcResult<Option<String>>;

	/// A file's state, size and owners; `null` when there is no such file.
	#[method(name = "file")]
	fn file(
		&self,
		file: FileHash,
		at: Option<Hash>,
	) -> RpcResult<Option<FileView<AccountId, BlockNumber>>>;

	/// Fragments `start..start + limit` of a file's placement.
	#[method(name = "placement")]
	fn placement(
		&self,
		file: FileHash,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<PlacementEntry<AccountId, BlockNumber>>>;

	/// Entries `start..start + limit` of a miner's stored fragments, with their positions.
	#[method(name = "minerFragments")]
	fn miner_fragments(
		&self,
		miner: AccountId,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<(u32, FragmentRef)>>;

	/// Up to `limit` fragments waiting for the miner's confirmation, after `start_after`.
	#[method(name = "minerAssignments")]
	fn miner_assignments(
		&self,
		miner: AccountId,
		start_after: Option<(FileHash, FragmentIndex)>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<AssignmentView<BlockNumber>>>;

	/// Up to `limit` files `owner` owns, after `start_after`.
	#[method(name = "ownedFiles")]
	fn owned_files(
		&self,
		owner: AccountId,
		start_after: Option<FileHash>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<OwnedFileView<Balance, BlockNumber>>>;
}

/// The audit pallet's reads.
#[rpc(server, namespace = "audit")]
pub trait AuditRpc {
	/// The miner's open challenge; `null` when it has none.
	#[method(name = "challenge")]
	fn challenge(&self, miner: AccountId, at: Option<Hash>) -> RpcResult<Option<ChallengeJson>>;

	/// The round in progress (or the last one); `null` before the first round.
	#[method(name = "round")]
	fn round(&self, at: Option<Hash>) -> RpcResult<Option<RoundView<BlockNumber>>>;

	/// The audit history of `miner`.
	#[method(name = "record")]
	fn record(&self, miner: AccountId, at: Option<Hash>) -> RpcResult<AuditRecord>;

	/// The audit parameters.
	#[method(name = "params")]
	fn audit_params(&self, at: Option<Hash>) -> RpcResult<AuditParams<BlockNumber>>;
}

/// Both APIs over one client.
pub struct StorageRpc<C> {
	client: Arc<C>,
}

impl<C> StorageRpc<C> {
	/// Answers from `client`'s state.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C: HeaderBackend<Block>> StorageRpc<C> {
	fn at(&self, at: Option<Hash>) -> Hash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}
}

fn runtime_error(e: ApiError) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, "runtime API call failed", Some(e.to_string()))
}

fn page(limit: Option<u32>) -> u32 {
	limit.unwrap_or(MAX_PAGE).min(MAX_PAGE)
}

impl<C> FileBankRpcServer for StorageRpc<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: FileBankApi<Block, AccountId, Balance, BlockNumber>,
{
	fn layout(&self, at: Option<Hash>) -> RpcResult<FileLayout> {
		self.client.runtime_api().layout(self.at(at)).map_err(runtime_error)
	}

	fn storage_params(&self, at: Option<Hash>) -> RpcResult<StorageParams<Balance, BlockNumber>> {
		FileBankApi::<Block, AccountId, Balance, BlockNumber>::params(
			&*self.client.runtime_api(),
			self.at(at),
		)
		.map_err(runtime_error)
	}

	fn storage_fee(&self, size: u64, periods: u32, at: Option<Hash>) -> RpcResult<Option<String>> {
		let fee = self
			.client
			.runtime_api()
			.storage_fee(self.at(at), size, periods)
			.map_err(runtime_error)?;
		Ok(fee.map(|fee| fee.to_string()))
	}

	fn file(
		&self,
		file: FileHash,
		at: Option<Hash>,
	) -> RpcResult<Option<FileView<AccountId, BlockNumber>>> {
		self.client.runtime_api().file(self.at(at), file).map_err(runtime_error)
	}

	fn placement(
		&self,
		file: FileHash,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<PlacementEntry<AccountId, BlockNumber>>> {
		self.client
			.runtime_api()
			.placement(self.at(at), file, start.unwrap_or(0), page(limit))
			.map_err(runtime_error)
	}

	fn miner_fragments(
		&self,
		miner: AccountId,
		start: Option<u32>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<(u32, FragmentRef)>> {
		self.client
			.runtime_api()
			.miner_fragments(self.at(at), miner, start.unwrap_or(0), page(limit))
			.map_err(runtime_error)
	}

	fn miner_assignments(
		&self,
		miner: AccountId,
		start_after: Option<(FileHash, FragmentIndex)>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<AssignmentView<BlockNumber>>> {
		self.client
			.runtime_api()
			.miner_assignments(self.at(at), miner, start_after, page(limit))
			.map_err(runtime_error)
	}

	fn owned_files(
		&self,
		owner: AccountId,
		start_after: Option<FileHash>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Vec<OwnedFileView<Balance, BlockNumber>>> {
		self.client
			.runtime_api()
			.owned_files(self.at(at), owner, start_after, page(limit))
			.map_err(runtime_error)
	}
}

impl<C> AuditRpcServer for StorageRpc<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: AuditApi<Block, AccountId, BlockNumber>,
{
	fn challenge(&self, miner: AccountId, at: Option<Hash>) -> RpcResult<Option<ChallengeJson>> {
		let view =
			self.client.runtime_api().challenge(self.at(at), miner).map_err(runtime_error)?;
		Ok(view.map(|view| ChallengeJson {
			round: view.round,
			layout: view.layout,
			fragments: view.fragments,
			issued_at: view.issued_at,
			deadline: view.deadline,
		}))
	}

	fn round(&self, at: Option<Hash>) -> RpcResult<Option<RoundView<BlockNumber>>> {
		self.client.runtime_api().round(self.at(at)).map_err(runtime_error)
	}

	fn record(&self, miner: AccountId, at: Option<Hash>) -> RpcResult<AuditRecord> {
		self.client.runtime_api().record(self.at(at), miner).map_err(runtime_error)
	}

	fn audit_params(&self, at: Option<Hash>) -> RpcResult<AuditParams<BlockNumber>> {
		AuditApi::<Block, AccountId, BlockNumber>::params(&*self.client.runtime_api(), self.at(at))
			.map_err(runtime_error)
	}
}
