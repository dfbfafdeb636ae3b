//! `file get`: reads the placement, fetches the fastest `data_shards` fragments of each segment
//! in parallel, checks each against its root, decodes and decrypts into the output (written to
//! a temporary file beside it and renamed when complete).

use super::{
	file_view::checked_view,
	keys::file_key,
	network::network_client,
	output::{mib_per_s, progress_bar},
	ticket, FileError,
};
use crate::{
	chain_api::Placement,
	chain_client::ChainClient,
	storage_net::{fetch_segment, MinerDirectory},
};
use cess_primitives::{
	access::Rights,
	codec::{decode_to_writer, CodecError, FileKey},
	FileHash, FileManifest, SegmentManifest,
};
use pallet_file_bank::FileState;
use std::{io::BufWriter, path::Path, sync::Arc, time::Instant};

/// Segments fetched ahead of the decoder.
const PREFETCH: usize = 2;

/// Runs `file get`: `file` into `output`, with the key given (`--key`) or the one saved in
/// `key_dir`, reading the fragments on a ticket signed by `owner`.
pub async fn run(
	chain: &Arc<ChainClient>,
	owner: &sp_core::sr25519::Pair,
	file: FileHash,
	key: Option<&str>,
	key_dir: &Path,
	output: &Path,
) -> Result<(), FileError> {
	if chain.file(file).await?.is_none() {
		return Err(FileError::NoSuchFile(file));
	}
	let key = file_key(key, key_dir, &file)?;
	get(chain, owner, file, &key, output).await
}

/// Downloads, checks, decodes and decrypts `file` into `output`, on `owner`'s ticket.
async fn get(
	chain: &Arc<ChainClient>,
	owner: &sp_core::sr25519::Pair,
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
	// Miners serve the fragments to the PeerId an owner's ticket names: this client's.
	let auth = ticket::sign(chain, owner, file, dht.local_peer_id(), Rights::GET).await?;
	let bar = progress_bar(view.size, "downloading");
	// An async fetcher runs ahead of the decoder (on a blocking thread) by `PREFETCH` segments.
	let (sender, mut receiver) = tokio::sync::mpsc::channel(PREFETCH);
	let fetcher = {
		let (chain, dht) = (chain.clone(), dht.clone());
		let needed = layout.data_shards as usize;
		tokio::spawn(async move {
			let directory = MinerDirectory::default();
			for entries in segments {
				let fetched =
					fetch_segment(&dht, &chain, &directory, &entries, needed, auth.clone(), None)
						.await;
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

/// Where `get` writes `output` until it is complete: `<output>.part` beside it.
fn partial_path(output: &Path) -> std::path::PathBuf {
	let mut name = output.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "file".into());
	name.push(".part");
	output.with_file_name(name)
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
