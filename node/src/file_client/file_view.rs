//! A file as the chain shows it, checked before a command walks its placement.

use super::FileError;
use crate::chain_api::{checked_layout, File};
use cess_primitives::{FileHash, FileLayout};
use cess_runtime::Runtime;
use frame_support::traits::Get;

/// The layout of a file the chain shows, after checking that the view holds together (a usable
/// layout, `segments × shards` fragments, no more segments than a declaration may have), so
/// that nothing below divides by zero or walks a placement without end.
pub fn checked_view(file: FileHash, view: &File) -> Result<FileLayout, FileError> {
	let layout = checked_layout(view.layout).map_err(|_| {
		FileError::Other(format!(
			"the chain shows {file} with an unusable layout {:?}",
			view.layout
		))
	})?;
	let max_segments: u32 = <Runtime as pallet_file_bank::Config>::MaxSegments::get();
	let shards = layout.total_shards();
	if view.segments > max_segments
		|| u64::from(view.fragments) != u64::from(view.segments) * u64::from(shards)
	{
		return Err(FileError::Other(format!(
			"the chain shows {file} with {} fragments in {} segments of {shards}",
			view.fragments, view.segments
		)));
	}
	Ok(layout)
}
