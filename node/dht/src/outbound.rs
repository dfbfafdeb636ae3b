//! The requesting side of the fragment protocol: PUT and GET to a remote peer, with progress
//! reporting, timeouts, retries and resumption. Every attempt of a transfer sends the same
//! authorization.

use crate::{
	metrics::{Op, Side},
	pipeline::ChunkPipeline,
	protocol::{self, ProtocolError, Request, Status},
	Authorization, Client, FragmentHasher, FragmentRoot, TransferError,
};
use bytes::Bytes;
use futures::{AsyncReadExt, AsyncWriteExt, Future};
use libp2p::{PeerId, Stream};
use std::{
	io,
	sync::Arc,
	time::{Duration, Instant},
};
use tokio::time::timeout;

/// Which way a fragment moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
	/// From this node to the peer.
	Put,
	/// From the peer to this node.
	Get,
}

/// A progress report of one transfer, sent after every chunk.
#[derive(Clone, Debug)]
pub struct Progress {
	/// The remote peer.
	pub peer: PeerId,
	/// The fragment.
	pub root: FragmentRoot,
	/// Which way it moves.
	pub direction: Direction,
	/// Bytes of the fragment now at the destination (or in flight to it), resumed part included.
	pub transferred: u64,
	/// The fragment's size.
	pub total: u64,
	/// The attempt this report belongs to, from 1.
	pub attempt: u32,
}

/// Receives [`Progress`] reports; called on the transferring task, so keep it cheap.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How a successful transfer went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferReport {
	/// Attempts made, the successful one included.
	pub attempts: u32,
	/// Bytes the successful attempt did not have to move because an earlier one had.
	pub resumed_from: u64,
	/// The fragment's size.
	pub size: u64,
	/// Time from the call to its success, retries and pauses included.
	pub elapsed: Duration,
}

/// A fragment fetched and checked against its root.
#[derive(Clone, Debug)]
pub struct FetchedFragment {
	/// The fragment's bytes.
	pub data: Vec<u8>,
	/// How the transfer went.
	pub report: TransferReport,
}

fn report(progress: &Option<ProgressFn>, make: impl FnOnce() -> Progress) {
	if let Some(progress) = progress {
		progress(&make());
	}
}

/// Awaits an I/O step under the idle timeout.
async fn step<T>(
	idle: Duration,
	what: &'static str,
	future: impl Future<Output = io::Result<T>>,
) -> Result<T, TransferError> {
	match timeout(idle, future).await {
		Ok(result) => result.map_err(TransferError::Io),
		Err(_) => Err(TransferError::Timeout(what)),
	}
}

/// Reads a status under the idle timeout; an error status becomes [`TransferError::Rejected`].
async fn expect_ok(
	stream: &mut Stream,
	idle: Duration,
	what: &'static str,
) -> Result<u64, TransferError> {
	match timeout(idle, protocol::read_status(stream)).await {
		Ok(Ok(Status::Ok(value))) => Ok(value),
		Ok(Ok(Status::Error { code, message })) => Err(TransferError::Rejected { code, message }),
		Ok(Err(ProtocolError::Io(e))) => Err(TransferError::Io(e)),
		Ok(Err(e)) => Err(TransferError::Protocol(e.to_string())),
		Err(_) => Err(TransferError::Timeout(what)),
	}
}

/// Attempt bookkeeping of one transfer: decides, after a failed attempt, whether to try again.
struct Retries<'a> {
	client: &'a Client,
	op: Op,
	attempts: u32,
	number: u32,
	backoff: Duration,
}

impl<'a> Retries<'a> {
	fn new(client: &'a Client, op: Op) -> Self {
		let retry = &client.shared.config.retry;
		Self {
			client,
			op,
			attempts: retry.attempts.max(1),
			number: 0,
			backoff: retry.initial_backoff,
		}
	}

	/// Starts the next attempt; returns its number (from 1).
	fn next(&mut self) -> u32 {
		self.number += 1;
		self.number
	}

	/// After a failed attempt: `Ok` after the backoff pause if another attempt is due, else the
	/// error. `resumed` tells whether the attempt continued an earlier one.
	async fn after_failure(
		&mut self,
		error: TransferError,
		resumed: bool,
	) -> Result<(), TransferError> {
		self.client.shared.metrics.failed(self.op, Side::Outbound, error.reason());
		if self.number >= self.attempts || !error.is_transient(resumed) {
			return Err(error);
		}
		log::debug!(
			target: "cess-dht",
			"{:?} attempt {}/{} failed ({error}); retrying in {:?}",
			self.op,
			self.number,
			self.attempts,
			self.backoff,
		);
		tokio::time::sleep(self.backoff).await;
		self.backoff = (self.backoff * 2).min(self.client.shared.config.retry.max_backoff);
		Ok(())
	}
}

/// What every attempt of one transfer names: the peer, the fragment and the authorization.
#[derive(Clone, Copy)]
struct Target<'a> {
	peer: PeerId,
	root: FragmentRoot,
	auth: &'a Authorization,
}

/// Runs one attempt under the transfer timeout.
async fn attempt_within<T>(
	client: &Client,
	attempt: impl Future<Output = Result<T, TransferError>>,
) -> Result<T, TransferError> {
	match timeout(client.shared.config.timeouts.transfer, attempt).await {
		Ok(result) => result,
		Err(_) => Err(TransferError::Timeout("transferring the fragment")),
	}
}

/// Opens a stream to `peer`, sends `request` carrying `auth` and reads the first status
/// (`answer` says what it is, for a timeout): the stream to go on with and the status's value.
async fn send_request(
	client: &Client,
	peer: PeerId,
	request: Request,
	auth: &Authorization,
	answer: &'static str,
) -> Result<(Stream, u64), TransferError> {
	let idle = client.shared.config.timeouts.idle;
	let mut stream = client.open_stream(peer).await?;
	let sent = protocol::write_request(&mut stream, &request, auth);
	step(idle, "sending the request", sent).await?;
	let value = expect_ok(&mut stream, idle, answer).await?;
	Ok((stream, value))
}

/// PUT `data` as fragment `root` on `peer`.
pub(crate) async fn put(
	client: &Client,
	peer: PeerId,
	root: FragmentRoot,
	data: Bytes,
	auth: Authorization,
	progress: Option<ProgressFn>,
) -> Result<TransferReport, TransferError> {
	let shared = &client.shared;
	let size = data.len() as u64;
	let limit = shared.config.limits.max_fragment_size;
	if size > limit {
		shared.metrics.failed(Op::Put, Side::Outbound, "too_large");
		return Err(TransferError::TooLarge { size, limit });
	}
	let _turn = shared.outbound.turn(peer, shared.config.limits.max_transfers_per_peer).await;
	let _active = shared.metrics.active(Side::Outbound);
	let started = Instant::now();
	let mut retries = Retries::new(client, Op::Put);
	loop {
		let attempt = retries.next();
		let mut resumed_from = 0;
		let target = Target { peer, root, auth: &auth };
		let attempt_future =
			put_attempt(client, target, &data, attempt, &progress, &mut resumed_from);
		match attempt_within(client, attempt_future).await {
			Ok(()) => {
				let elapsed = started.elapsed();
				shared.metrics.completed(Op::Put, Side::Outbound, elapsed);
				return Ok(TransferReport { attempts: attempt, resumed_from, size, elapsed });
			}
			Err(error) => retries.after_failure(error, resumed_from > 0).await?,
		}
	}
}

async fn put_attempt(
	client: &Client,
	Target { peer, root, auth }: Target<'_>,
	data: &Bytes,
	attempt: u32,
	progress: &Option<ProgressFn>,
	resumed_from: &mut u64,
) -> Result<(), TransferError> {
	let shared = &client.shared;
	let idle = shared.config.timeouts.idle;
	let size = data.len() as u64;
	let request = Request::Put { root, size };
	let (mut stream, offset) =
		send_request(client, peer, request, auth, "waiting for the peer to accept").await?;
	let Ok(mut sent) = usize::try_from(offset) else {
		return Err(TransferError::Protocol(format!("resume offset {offset} out of range")));
	};
	if offset > size {
		return Err(TransferError::Protocol(format!(
			"the peer asked to resume at byte {offset} of {size}"
		)));
	}
	*resumed_from = offset;
	let progress_at = |transferred: usize| Progress {
		peer,
		root,
		direction: Direction::Put,
		transferred: transferred as u64,
		total: size,
		attempt,
	};
	report(progress, || progress_at(sent));
	let chunk = shared.config.limits.chunk_size.max(1);
	while sent < data.len() {
		let end = (sent + chunk).min(data.len());
		step(idle, "sending fragment data", stream.write_all(&data[sent..end])).await?;
		shared.metrics.bytes_out(end - sent);
		sent = end;
		report(progress, || progress_at(sent));
	}
	step(idle, "sending fragment data", stream.flush()).await?;
	let stored = expect_ok(&mut stream, idle, "waiting for the peer to store").await?;
	if stored != size {
		return Err(TransferError::Protocol(format!(
			"the peer confirmed {stored} bytes instead of {size}"
		)));
	}
	let _ = timeout(idle, stream.close()).await;
	Ok(())
}

/// GET fragment `root` from `peer` and check it against the root.
pub(crate) async fn get(
	client: &Client,
	peer: PeerId,
	root: FragmentRoot,
	auth: Authorization,
	progress: Option<ProgressFn>,
) -> Result<FetchedFragment, TransferError> {
	let shared = &client.shared;
	let _turn = shared.outbound.turn(peer, shared.config.limits.max_transfers_per_peer).await;
	let _active = shared.metrics.active(Side::Outbound);
	let started = Instant::now();
	// Bytes received so far survive failed attempts, so the next one resumes after them.
	let mut data = Vec::new();
	let mut expected_size = None;
	let mut retries = Retries::new(client, Op::Get);
	loop {
		let attempt = retries.next();
		let resumed_from = data.len() as u64;
		let target = Target { peer, root, auth: &auth };
		let attempt_future =
			get_attempt(client, target, &mut data, &mut expected_size, attempt, &progress);
		match attempt_within(client, attempt_future).await {
			Ok(()) => {
				let elapsed = started.elapsed();
				shared.metrics.completed(Op::Get, Side::Outbound, elapsed);
				let size = data.len() as u64;
				let report = TransferReport { attempts: attempt, resumed_from, size, elapsed };
				return Ok(FetchedFragment { data, report });
			}
			Err(error) => retries.after_failure(error, resumed_from > 0).await?,
		}
	}
}

async fn get_attempt(
	client: &Client,
	Target { peer, root, auth }: Target<'_>,
	data: &mut Vec<u8>,
	expected_size: &mut Option<u64>,
	attempt: u32,
	progress: &Option<ProgressFn>,
) -> Result<(), TransferError> {
	let shared = &client.shared;
	let idle = shared.config.timeouts.idle;
	let limit = shared.config.limits.max_fragment_size;
	let offset = data.len() as u64;
	let request = Request::Get { root, offset };
	let (mut stream, size) =
		send_request(client, peer, request, auth, "waiting for the peer to answer").await?;
	if size > limit {
		return Err(TransferError::TooLarge { size, limit });
	}
	if expected_size.is_some_and(|expected| expected != size) || offset > size {
		// The peer's copy changed under us: start over.
		data.clear();
		*expected_size = None;
		return Err(TransferError::Protocol(format!(
			"the peer's fragment changed size to {size} bytes between attempts"
		)));
	}
	*expected_size = Some(size);
	let Ok(total) = usize::try_from(size) else {
		return Err(TransferError::TooLarge { size, limit });
	};
	let progress_at = |transferred: usize| Progress {
		peer,
		root,
		direction: Direction::Get,
		transferred: transferred as u64,
		total: size,
		attempt,
	};
	report(progress, || progress_at(data.len()));
	data.reserve_exact(total - data.len());
	// A fetch from byte 0 is hashed chunk by chunk on a blocking thread while the next chunk
	// arrives; a resumed one is checked as a whole at the end.
	let hasher = if data.is_empty() { shared.verifier.incremental(size) } else { None };
	let mut pipeline = ChunkPipeline::start(
		shared.config.limits.chunk_size.clamp(1, (total - data.len()).max(1)),
		hasher,
		|hasher: &mut Option<Box<dyn FragmentHasher>>, chunk: &[u8]| {
			if let Some(hasher) = hasher {
				hasher.update(chunk);
			}
			Ok::<(), std::convert::Infallible>(())
		},
	);
	let lost = || TransferError::Io(io::Error::other("the verification task stopped"));
	// Read through chunk buffers so that `data` only ever holds bytes really received, even
	// when this attempt is cancelled by its timeout.
	while data.len() < total {
		let mut chunk = pipeline.buffer().await.ok_or_else(lost)?;
		let want = chunk.len().min(total - data.len());
		let n = step(idle, "receiving fragment data", stream.read(&mut chunk[..want])).await?;
		if n == 0 {
			return Err(TransferError::Io(io::Error::new(
				io::ErrorKind::UnexpectedEof,
				format!("the peer closed the stream after {} of {total} bytes", data.len()),
			)));
		}
		data.extend_from_slice(&chunk[..n]);
		if !pipeline.submit(chunk, n).await {
			return Err(lost());
		}
		shared.metrics.bytes_in(n);
		report(progress, || progress_at(data.len()));
	}
	let _ = timeout(idle, stream.close()).await;

	let (hasher, _) = pipeline.finish().await.ok_or_else(lost)?;
	let valid = match hasher {
		Some(hasher) => hasher.matches(&root),
		None => {
			let verifier = shared.verifier.clone();
			let bytes = std::mem::take(data);
			let (bytes, valid) = tokio::task::spawn_blocking(move || {
				let valid = verifier.verify(&root, &bytes);
				(bytes, valid)
			})
			.await
			.map_err(|e| {
				TransferError::Io(io::Error::other(format!("verification task failed: {e}")))
			})?;
			*data = bytes;
			valid
		}
	};
	if !valid {
		data.clear();
		*expected_size = None;
		return Err(TransferError::Integrity);
	}
	Ok(())
}
