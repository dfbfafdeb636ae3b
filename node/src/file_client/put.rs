//! `file put`: encode, declare, push, wait until active.

use super::{
	keys::save_key,
	network::network_client,
	output::{format_cess, mib_per_s, progress_bar},
	ticket, FileError,
};
use crate::{
	chain_api::Placement,
	chain_client::{ChainClient, ChainError, TxSigner, WaitFor},
	storage_net::{describe_failure, MinerDirectory},
};
use bytes::Bytes;
use cess_dht::Authorization;
use cess_primitives::{
	access::Rights,
	codec::{encode_file, CodecError, FileKey},
	FileHash, FileManifest, FragmentHash,
};
use cess_runtime::{Runtime, RuntimeCall};
use frame_support::traits::Get;
use futures::{stream::FuturesUnordered, StreamExt};
use pallet_file_bank::FileState;
use sp_runtime::BoundedVec;
use std::{
	path::Path,
	sync::Arc,
	time::{Duration, Instant},
};

/// Options of `file put`.
pub struct PutOptions {
	/// Name recorded on chain.
	pub name: Option<String>,
	/// Periods paid for.
	pub periods: u32,
	/// Fragments pushed at once.
	pub parallel: usize,
	/// Longest wait for the file to become active.
	pub timeout: Duration,
	/// Where the key is saved.
	pub key_dir: std::path::PathBuf,
}

/// One fragment on its way to its miner.
struct Outgoing {
	index: u32,
	root: FragmentHash,
	bytes: Bytes,
}

/// Runs `file put`.
pub async fn run(
	chain: &Arc<ChainClient>,
	signer: &sp_core::sr25519::Pair,
	path: &Path,
	options: PutOptions,
) -> Result<(), FileError> {
	let started = Instant::now();
	let size = std::fs::metadata(path)
		.map_err(|e| FileError::Other(format!("cannot read {}: {e}", path.display())))?
		.len();
	let layout = chain.layout().await?;
	let max_segments: u32 = <Runtime as pallet_file_bank::Config>::MaxSegments::get();
	if layout.segment_count(size) > u64::from(max_segments) {
		return Err(FileError::Other(format!(
			"{} is too large for this chain: at most {max_segments} segments of {} bytes",
			path.display(),
			layout.segment_capacity()
		)));
	}
	let who = signer.account();
	let fee = chain
		.storage_fee(size, options.periods)
		.await?
		.ok_or_else(|| FileError::Other("the storage fee of this file overflows".into()))?;
	let free = chain.free_balance(&who).await?;
	if free < fee {
		return Err(FileError::Other(format!(
			"insufficient balance: storing {size} bytes for {} period(s) costs {} CESS, {who} \
			 has {} CESS",
			options.periods,
			format_cess(fee),
			format_cess(free)
		)));
	}

	// Pass 1: the manifest (every fragment root), without keeping any fragment.
	let key = FileKey::generate().map_err(|e| FileError::Other(e.to_string()))?;
	let bar = progress_bar(size, "encoding");
	let manifest = {
		let (path, key, bar) = (path.to_path_buf(), key.clone(), bar.clone());
		tokio::task::spawn_blocking(move || {
			encode_file(layout, &key, &path, |_| Ok(()), |p| bar.set_position(p.bytes_done))
		})
		.await
		.map_err(|e| FileError::Other(e.to_string()))?
		.map_err(|e| FileError::Other(format!("encoding failed: {e}")))?
	};
	bar.finish_and_clear();
	let file = manifest.hash;
	let key_file = save_key(&options.key_dir, &file, &key)?;

	declare(chain, signer, &manifest, path, &options).await?;
	let declared = Instant::now();
	let fragments = u32::try_from(manifest.segments.len())
		.ok()
		.and_then(|segments| segments.checked_mul(layout.total_shards()))
		.ok_or_else(|| FileError::Other("more fragments than the chain can index".into()))?;
	let placement = chain.placement(file, 0, fragments).await?;
	let miners = placement.iter().map(|p| &p.miner).collect::<std::collections::BTreeSet<_>>();
	eprintln!(
		"declared {file}: {} segment(s), {} fragment(s) placed on {} miner(s)",
		manifest.segments.len(),
		placement.len(),
		miners.len()
	);

	// Pass 2: encode again (same key, same bytes) and push each fragment to its miner.
	let pushed = push(chain, signer, path, &key, &manifest, placement, options.parallel).await?;
	let push_time = declared.elapsed();

	let bar = indicatif::ProgressBar::new_spinner();
	bar.set_message("waiting for the miners' confirmations");
	let deadline = Instant::now() + options.timeout;
	loop {
		bar.tick();
		let view = chain.file(file).await?.ok_or(FileError::NoSuchFile(file))?;
		match view.state {
			FileState::Active => break,
			FileState::Removing { .. } => {
				return Err(FileError::Other(format!(
					"the deal for {file} was cancelled: miners did not confirm in time"
				)))
			}
			FileState::Pending if Instant::now() > deadline => {
				return Err(FileError::Other(format!(
					"{file} is not active after {:?}: {} fragment(s) still unconfirmed",
					options.timeout, view.unconfirmed
				)))
			}
			FileState::Pending => tokio::time::sleep(Duration::from_secs(1)).await,
		}
	}
	bar.finish_and_clear();
	let total = started.elapsed();
	println!("file: {file}");
	println!("key: {}", key.to_hex());
	println!("key saved to: {}", key_file.display());
	println!(
		"stored {size} bytes in {:.1} s: pushed {pushed} fragment bytes in {:.1} s ({:.1} MiB/s of \
		 file data); active {:.1} s after its declaration",
		total.as_secs_f64(),
		push_time.as_secs_f64(),
		mib_per_s(size, push_time),
		declared.elapsed().as_secs_f64()
	);
	Ok(())
}

/// `FileBank::upload_declaration` of the manifest.
async fn declare(
	chain: &ChainClient,
	signer: &sp_core::sr25519::Pair,
	manifest: &FileManifest,
	path: &Path,
	options: &PutOptions,
) -> Result<(), FileError> {
	let name = options.name.clone().unwrap_or_else(|| {
		path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
	});
	let segments = manifest
		.segments
		.iter()
		.map(|s| BoundedVec::try_from(s.fragments.clone()))
		.collect::<Result<Vec<_>, _>>()
		.map_err(|_| FileError::Other("more fragments per segment than the chain allows".into()))?;
	let call = RuntimeCall::FileBank(pallet_file_bank::Call::upload_declaration {
		file_hash: manifest.hash,
		segments: BoundedVec::try_from(segments)
			.map_err(|_| FileError::Other("more segments than the chain allows".into()))?,
		size: manifest.size,
		name: BoundedVec::truncate_from(name.into_bytes()),
		periods: options.periods,
	});
	chain.submit(call, signer, WaitFor::InBlock, Duration::from_secs(120)).await.map_err(|e| {
		match e {
			ChainError::Invalid(text)
				if text.contains("Inability to pay") || text.contains("payment") =>
			{
				FileError::Other(format!("insufficient balance to pay the transaction fee: {text}"))
			}
			e => e.into(),
		}
	})?;
	Ok(())
}

/// Re-encodes the file and pushes each fragment to the miner the chain placed it on,
/// `parallel` at a time, each with `owner`'s ticket for this client's PeerId; returns the
/// fragment bytes pushed.
async fn push(
	chain: &Arc<ChainClient>,
	owner: &sp_core::sr25519::Pair,
	path: &Path,
	key: &FileKey,
	manifest: &FileManifest,
	placement: Vec<Placement>,
	parallel: usize,
) -> Result<u64, FileError> {
	let layout = manifest.layout;
	let dht = network_client(layout)?;
	// One ticket for the whole upload (reading back included, so the same client could check).
	let auth = ticket::sign(chain, owner, manifest.hash, dht.local_peer_id(), Rights::ALL).await?;
	let directory = MinerDirectory::default();
	let total = (manifest.segments.len() as u64)
		.saturating_mul(u64::from(layout.total_shards()))
		.saturating_mul(u64::from(layout.fragment_size()));
	let bar = progress_bar(total, "uploading");

	// The encoder runs on a blocking thread and hands fragments over a channel two segments
	// deep, so encoding overlaps the transfers and memory stays bounded.
	let depth = (layout.total_shards() as usize).saturating_mul(2).max(1);
	let (sender, mut receiver) = tokio::sync::mpsc::channel::<Outgoing>(depth);
	let encoder = {
		let (path, key, expected) = (path.to_path_buf(), key.clone(), manifest.hash);
		tokio::task::spawn_blocking(move || -> Result<FileHash, CodecError> {
			let shards = layout.total_shards();
			let again = encode_file(
				layout,
				&key,
				&path,
				|segment| {
					for (shard, root, bytes) in segment.fragments() {
						let index = u32::try_from(segment.index())
							.ok()
							.and_then(|segment| segment.checked_mul(shards))
							.and_then(|first| first.checked_add(shard))
							.ok_or("a fragment index past u32::MAX")?;
						let outgoing =
							Outgoing { index, root, bytes: Bytes::copy_from_slice(bytes) };
						sender.blocking_send(outgoing).map_err(|_| "upload stopped")?;
					}
					Ok(())
				},
				|_| {},
			)?;
			Ok(if again.hash == expected { again.hash } else { FileHash([0; 32]) })
		})
	};

	let placement = Arc::new(placement);
	let mut running = FuturesUnordered::new();
	let mut pushed = 0u64;
	let mut failure: Option<String> = None;
	let mut input_done = false;
	loop {
		let room = !input_done && running.len() < parallel && failure.is_none();
		tokio::select! {
			next = receiver.recv(), if room => match next {
				Some(outgoing) => running.push(push_one(chain, &dht, &directory, &placement, outgoing, auth.clone(), bar.clone())),
				None => input_done = true,
			},
			Some(result) = running.next(), if !running.is_empty() => match result {
				Ok(bytes) => pushed += bytes,
				Err(e) => failure = Some(e),
			},
			else => break,
		}
		if running.is_empty() && (input_done || failure.is_some()) {
			break;
		}
	}
	drop(receiver);
	bar.finish_and_clear();
	let encoded = encoder.await.map_err(|e| FileError::Other(e.to_string()))?;
	if let Some(failure) = failure {
		return Err(FileError::Other(failure));
	}
	match encoded {
		Ok(hash) if hash == manifest.hash => Ok(pushed),
		Ok(_) => Err(FileError::Other("the file changed while it was being uploaded".into())),
		Err(e) => Err(FileError::Other(format!("encoding failed: {e}"))),
	}
}

/// Pushes one fragment to its miner with the ticket `auth`, retrying a few times (a miner may
/// not have seen the declaration's block yet).
async fn push_one(
	chain: &ChainClient,
	dht: &cess_dht::Client,
	directory: &MinerDirectory,
	placement: &[Placement],
	outgoing: Outgoing,
	auth: Authorization,
	bar: indicatif::ProgressBar,
) -> Result<u64, String> {
	let entry = placement
		.get(outgoing.index as usize)
		.filter(|entry| entry.index == outgoing.index && entry.hash == outgoing.root)
		.ok_or_else(|| format!("fragment {} is not in the chain's placement", outgoing.index))?;
	let size = outgoing.bytes.len() as u64;
	let mut last_error = String::new();
	for attempt in 0..4u64 {
		if attempt > 0 {
			tokio::time::sleep(Duration::from_secs(2 * attempt)).await;
		}
		let Some(peer) = directory.reach(dht, chain, &entry.miner).await else {
			last_error = format!("miner {} has no reachable network record", entry.miner);
			continue;
		};
		match dht
			.put_fragment(peer, outgoing.root.0, outgoing.bytes.clone(), auth.clone(), None)
			.await
		{
			Ok(_) => {
				bar.inc(size);
				return Ok(size);
			}
			Err(e) => {
				directory.forget(&entry.miner);
				last_error = describe_failure(&entry.miner, outgoing.index, &e);
			}
		}
	}
	Err(last_error)
}
