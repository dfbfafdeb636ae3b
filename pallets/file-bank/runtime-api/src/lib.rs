//! Runtime API of the CESS file bank.
//!
//! What a client and a storage miner read from the chain without scanning storage:
//!
//! - a client: a file's state ([`FileBankApi::file`]), its placement with each miner's PeerId
//!   ([`FileBankApi::placement`]), its own files ([`FileBankApi::owned_files`]) and the fee of a
//!   declaration ([`FileBankApi::storage_fee`]);
//! - a miner: the fragments it stores, in the order audits index them
//!   ([`FileBankApi::miner_fragments`]), and the fragments waiting for its confirmation
//!   ([`FileBankApi::miner_assignments`]).
//!
//! Every list is a page of at most [`MAX_PAGE`] entries, whatever `limit` asks.
//!
//! The runtime implements it by calling the pallet's view functions:
//!
//! ```ignore
//! impl pallet_file_bank_runtime_api::FileBankApi<Block, AccountId, Balance, BlockNumber> for Runtime {
//!     fn layout() -> FileLayout { FileBank::layout() }
//!     fn file(file: FileHash) -> Option<FileView<AccountId, BlockNumber>> { FileBank::file_view(file) }
//!     fn placement(file: FileHash, start: u32, limit: u32) -> Vec<PlacementEntry<AccountId, BlockNumber>> {
//!         FileBank::placement(file, start, limit)
//!     }
//!     // …
//! }
//! ```

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;

pub use cess_primitives::{FileHash, FileLayout};
pub use pallet_file_bank::{
	AssignmentView, FileState, FileView, FragmentIndex, FragmentRef, FragmentStatus, OwnedFileView,
	PlacementEntry, StorageParams, MAX_PAGE,
};

sp_api::decl_runtime_apis! {
	/// Files, placement and miners' fragments of the file bank.
	pub trait FileBankApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The chain's file layout.
		fn layout() -> FileLayout;

		/// The chain's price, storage period and deadlines.
		fn params() -> StorageParams<Balance, BlockNumber>;

		/// The fee of declaring a file of `size` plaintext bytes for `periods` periods; `None`
		/// if it overflows.
		fn storage_fee(size: u64, periods: u32) -> Option<Balance>;

		/// A file's state, size and owners; `None` if there is no such file.
		fn file(file: FileHash) -> Option<FileView<AccountId, BlockNumber>>;

		/// Fragments `start..start + limit` of a file's placement, with each miner's PeerId.
		fn placement(file: FileHash, start: u32, limit: u32) -> Vec<PlacementEntry<AccountId, BlockNumber>>;

		/// Entries `start..start + limit` of a miner's list of stored fragments, with their
		/// positions (the positions audit challenges name).
		fn miner_fragments(miner: AccountId, start: u32, limit: u32) -> Vec<(u32, FragmentRef)>;

		/// Up to `limit` fragments waiting for the miner's confirmation, after `start_after`.
		fn miner_assignments(
			miner: AccountId,
			start_after: Option<(FileHash, FragmentIndex)>,
			limit: u32,
		) -> Vec<AssignmentView<BlockNumber>>;

		/// Up to `limit` files `owner` owns, after `start_after`.
		fn owned_files(
			owner: AccountId,
			start_after: Option<FileHash>,
			limit: u32,
		) -> Vec<OwnedFileView<Balance, BlockNumber>>;
	}
}
