//! `file get`, `file status`, `file ls`.

use super::{mib_per_s, network_client, progress_bar, FileError};
use crate::{
	chain_api::{checked_layout, File, Placement, MAX_LISTED},
	chain_client::ChainClient,
	storage_net::{fetch_segment, parse_multiaddr, MinerDirectory},
};
use cess_primitives::{
	codec::{decode_to_writer, CodecError, FileKey},
	FileHash, FileLayout, FileManifest, SegmentManifest,
};
use cess_runtime::{AccountId, Runtime};
use frame_support::traits::Get;
use pallet_file_bank::{FileState, FragmentStatus};
use std::{collections::BTreeMap, io::BufWriter, path::Path, sync::Arc, time::Instant};

/// Segments fetched ahead of the decoder.
const PREFETCH: usize = 2;

/// Runs `file get`.
pub async fn get(
	chain: &Arc<ChainClient>,
	file: FileHash,
	key: &FileKey,
	output: &Path,
) -> Result<(), FileError> {
	let started = Instant::now();
	let view = chain.file(file).await?.ok_or(FileError::NoSuchFile(file))?;
	if let FileState::Removing { .. } = view.state {
		return Err(FileError::Other(format!("{file} is being deleted")));
	}
	let layout = checked_view(file, &view)?;
	let shards = layout.total_shards();
	let placement = chain.placement(file, 0, view.fragments).await?;
	if placement.len() != view.fragments as usize {
		return Err(FileError::Other(format!("the chain's placement of {file} is incomplete")));
	}
	// Each entry where the decoder will look for it: fragment `i` is shard `i % shards` of
	// segment `i / shards` (the hashes are checked through the file hash below; `shards > 0`
	// in a checked layout).
	let in_order = (0u32..).zip(&placement).all(|(index, entry)| {
		entry.index == index && entry.segment == index / shards && entry.shard == index % shards
	});
	if !in_order {
		return Err(FileError::Other(format!("the chain's placement of {file} is out of order")));
	}
	let segments: Vec<Vec<Placement>> =
		placement.chunks(shards as usize).map(|c| c.to_vec()).collect();
	let manifest = FileManifest::new(
		layout,
		view.size,
		segments
			.iter()
			.map(|entries| SegmentManifest::new(entries.iter().map(|e| e.hash).collect()))
			.collect(),
	);
	if manifest.hash != file {
		return Err(FileError::Other(format!(
			"the chain's placement of {file} does not hash to the file"
		)));
	}

	let dht = network_client(layout)?;
	let bar = progress_bar(view.size, "downloading");
	// An async fetcher runs ahead of the decoder (on a blocking thread) by `PREFETCH` segments.
	let (sender, mut receiver) = tokio::sync::mpsc::channel(PREFETCH);
	let fetcher = {
		let (chain, dht) = (chain.clone(), dht.clone());
		let needed = layout.data_shards as usize;
		tokio::spawn(async move {
			let directory = MinerDirectory::default();
			for entries in segments {
				let fetched = fetch_segment(&dht, &chain, &directory, &entries, needed, None).await;
				let failed = fetched.is_err();
				if sender.send(fetched).await.is_err() || failed {
					return;
				}
			}
		})
	};
	let partial = partial_path(output);
	let decoded = {
		let (manifest, key, partial, bar) =
			(manifest.clone(), key.clone(), partial.clone(), bar.clone());
		tokio::task::spawn_blocking(move || -> Result<(), CodecError> {
			let out = std::fs::File::create(&partial)?;
			let mut writer = BufWriter::new(&out);
			decode_to_writer(
				&manifest,
				&key,
				|_, _| match receiver.blocking_recv() {
					Some(Ok(fragments)) => Ok(fragments),
					Some(Err(e)) => Err(e.into()),
					None => Err("the download stopped".into()),
				},
				&mut writer,
				|p| bar.set_position(p.bytes_done),
			)?;
			drop(writer);
			out.sync_all()?;
			Ok(())
		})
		.await
		.unwrap_or_else(|e| {
			Err(CodecError::Io(std::io::Error::other(format!("the decoding task failed: {e}"))))
		})
	};
	fetcher.abort();
	bar.finish_and_clear();
	if let Err(e) = decoded {
		let _ = std::fs::remove_file(&partial);
		return Err(FileError::Other(match e {
			CodecError::DecryptionFailed { .. } => format!("wrong key for {file}"),
			CodecError::Fetch { source, .. } => source.to_string(),
			e => format!("decoding {file} failed: {e}"),
		}));
	}
	std::fs::rename(&partial, output)?;
	let elapsed = started.elapsed();
	println!(
		"got {file}: {} bytes to {} in {:.1} s ({:.1} MiB/s)",
		view.size,
		output.display(),
		elapsed.as_secs_f64(),
		mib_per_s(view.size, elapsed)
	);
	Ok(())
}

/// The layout of a file the chain shows, after checking that the view holds together (a usable
/// layout, `segments × shards` fragments, no more segments than a declaration may have), so
/// that nothing below divides by zero or walks a placement without end.
fn checked_view(file: FileHash, view: &File) -> Result<FileLayout, FileError> {
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

/// Where `get` writes `output` until it is complete: `<output>.part` beside it.
fn partial_path(output: &Path) -> std::path::PathBuf {
	let mut name = output.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "file".into());
	name.push(".part");
	output.with_file_name(name)
}

/// Runs `file status`.
pub async fn status(chain: &ChainClient, file: FileHash) -> Result<(), FileError> {
	let view = chain.file(file).await?.ok_or(FileError::NoSuchFile(file))?;
	checked_view(file, &view)?;
	println!("file: {file}");
	println!("state: {:?}", view.state);
	println!("size: {} bytes", view.size);
	println!(
		"layout: {} byte segments, {} data + {} parity fragments of {} bytes",
		view.layout.segment_size,
		view.layout.data_shards,
		view.layout.parity_shards,
		view.layout.fragment_size()
	);
	println!(
		"segments: {}, fragments: {} ({} unconfirmed, {} lost)",
		view.segments, view.fragments, view.unconfirmed, view.lost
	);
	println!("declared at block: {}", view.declared_at);
	for owner in &view.owners {
		println!("owner: {owner}");
	}
	let placement = chain.placement(file, 0, view.fragments).await?;
	let mut per_miner: BTreeMap<AccountId, (u32, u32, u32)> = BTreeMap::new();
	for entry in &placement {
		let counts = per_miner.entry(entry.miner.clone()).or_default();
		match entry.status {
			FragmentStatus::Stored { .. } => counts.0 += 1,
			FragmentStatus::Pending { .. } => counts.1 += 1,
			FragmentStatus::Lost => counts.2 += 1,
		}
	}
	for (miner, (stored, pending, lost)) in per_miner {
		println!("miner {miner}: {stored} stored, {pending} pending, {lost} lost");
	}
	Ok(())
}

/// Runs `file ls`.
pub async fn list(chain: &ChainClient, owner: &AccountId) -> Result<(), FileError> {
	let mut after = None;
	let mut count = 0usize;
	loop {
		let page = chain.owned_files(owner, after, 256).await?;
		// Each page starts past the one before; a node that answers otherwise (the same page
		// again, pages without end) is stopped instead of listed forever.
		if page.len() > 256
			|| after.is_some_and(|after| page.iter().any(|f| f.file == after))
			|| count.saturating_add(page.len()) > MAX_LISTED
		{
			return Err(FileError::Other(format!(
				"the node's list of {owner}'s files does not move forward"
			)));
		}
		for file in &page {
			println!(
				"{} {:?} expires at block {} {}",
				file.file,
				file.state,
				file.expires_at,
				String::from_utf8_lossy(&file.name)
			);
		}
		count += page.len();
		match page.last() {
			Some(last) if page.len() == 256 => after = Some(last.file),
			_ => break,
		}
	}
	eprintln!("{count} file(s) owned by {owner}");
	Ok(())
}

/// Runs `file miner`.
pub async fn miner(chain: &ChainClient, account: &AccountId) -> Result<(), FileError> {
	let info = chain
		.miner_info(account)
		.await?
		.ok_or_else(|| FileError::Other(format!("{account} is not a registered storage miner")))?;
	let record = chain.audit_record(account).await?;
	println!("miner: {account}");
	println!("state: {:?}", info.state);
	println!("collateral: {}", info.collateral);
	println!(
		"space: declared {} used {} locked {}",
		info.declared_space, info.used_space, info.locked_space
	);
	if let Some(peer) = chain.peer_info(account).await? {
		if let Ok(peer_id) = cess_dht::PeerId::from_bytes(&peer.peer_id.0) {
			println!("peer id: {peer_id}");
		}
		for bytes in peer.multiaddrs.iter() {
			match parse_multiaddr(bytes) {
				Some(address) => println!("address: {address}"),
				None => println!(
					"address: unreadable (0x{})",
					sp_core::hexdisplay::HexDisplay::from(&bytes.to_vec())
				),
			}
		}
	}
	println!(
		"audits: passed {} failed {} strikes {} punished {} last round {:?}",
		record.passed, record.failed, record.strikes, record.punished, record.last_round
	);
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::partial_path;
	use std::path::Path;

	#[test]
	fn the_partial_file_sits_beside_the_output_under_another_name() {
		assert_eq!(partial_path(Path::new("/tmp/out.bin")), Path::new("/tmp/out.bin.part"));
		assert_eq!(partial_path(Path::new("photo")), Path::new("photo.part"));
		// An output that itself ends in .part is not its own partial file.
		assert_eq!(partial_path(Path::new("a.part")), Path::new("a.part.part"));
	}
}
