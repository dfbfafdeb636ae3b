//! The serving side of the fragment protocol: answers PUTs and GETs opened by remote peers.
//!
//! Each inbound stream runs in its own task through two stages:
//! 1. **admission**, holding one of [`crate::Limits::max_pending_requests`] pending slots and one
//!    of its peer's [`crate::Limits::max_pending_per_peer`] (beyond either a new stream is dropped
//!    unanswered): the request header is read (bounded in bytes, and in time by the idle
//!    timeout), checked, and the [`crate::AuthorizationPolicy`] asked with the authorization it
//!    carries. A refused request is answered and closed here, having reserved nothing: it neither
//!    takes a transfer slot nor touches the store, so it cannot hold up or be answered `Busy`
//!    because of someone else's transfer, nor make an authorized one wait.
//! 2. **the transfer**, taken only by an authorized request: one of its peer's
//!    [`crate::Limits::max_transfers_per_peer`] and a slot of its operation's pool
//!    ([`crate::Limits::max_inbound_puts`] or [`crate::Limits::max_inbound_gets`]); beyond
//!    either it is answered `Busy`. Every read and write has the idle timeout, the data the
//!    minimum rate ([`crate::rate`]), and the whole exchange the transfer timeout, so a stalled,
//!    trickling or malicious peer holds a slot for a bounded time and at a cost in bandwidth.

use crate::{
	metrics::{Op, Side},
	pipeline::{ChunkPipeline, ReadAhead},
	policy::{Decision, Principal},
	protocol::{self, ErrorCode, ProtocolError, Request, Status},
	rate::RateMeter,
	service::Shared,
	shares::{Share, Stage},
	store::StoreError,
	Authorization, Event, FragmentHasher, FragmentRoot,
};
use futures::{AsyncReadExt, AsyncWriteExt};
use libp2p::{PeerId, Stream};
use std::{
	io::{Seek, SeekFrom},
	sync::Arc,
	time::{Duration, Instant},
};
use tokio::{sync::OwnedSemaphorePermit, time::timeout};

/// What a stream being served holds: a slot of the stage it is in (admission, then transfer)
/// and its place in its peer's share of that stage; both given back when dropped.
struct Held {
	_slot: OwnedSemaphorePermit,
	_share: Share<PeerId>,
	_principal: Option<Share<Principal>>,
}

/// Takes an inbound fragment-protocol stream from `peer` and serves it in its own task. A
/// pending stream holds a task and at most [`protocol::MAX_REQUEST_LEN`] bytes, for at most an
/// idle timeout while its header arrives.
pub(crate) fn accept(shared: &Arc<Shared>, peer: PeerId, stream: Stream) {
	let per_peer = shared.config.limits.max_pending_per_peer;
	let Some(share) = shared.shares.try_take(peer, Stage::Admission, per_peer) else {
		log::debug!(target: "cess-dht", "dropping a stream from {peer}: {per_peer} of its own pending");
		shared.metrics.failed(Op::Unknown, Side::Inbound, "overloaded");
		return;
	};
	let Ok(slot) = shared.pending_slots.clone().try_acquire_owned() else {
		log::debug!(target: "cess-dht", "dropping a stream from {peer}: overloaded");
		shared.metrics.failed(Op::Unknown, Side::Inbound, "overloaded");
		return;
	};
	let shared = shared.clone();
	let held = Held { _slot: slot, _share: share, _principal: None };
	tokio::spawn(async move { serve(&shared, peer, stream, held).await });
}

/// Why serving a stream ended early.
struct Failure {
	/// Metrics label.
	reason: &'static str,
	/// What to tell the peer, when the stream is still in a state to carry a status.
	reply: Option<Status>,
	/// For the log.
	detail: String,
}

impl Failure {
	/// A failure the peer is told about.
	fn reply(code: ErrorCode, message: impl Into<String>) -> Self {
		let message = message.into();
		Self {
			reason: code.as_str(),
			reply: Some(Status::error(code, message.clone())),
			detail: message,
		}
	}

	/// The stream broke or timed out mid-data; nothing more can be said on it.
	fn stream(reason: &'static str, detail: impl Into<String>) -> Self {
		Self { reason, reply: None, detail: detail.into() }
	}
}

/// Runs `f` on the blocking pool (store and policy calls may touch the disk or the chain).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Failure> {
	tokio::task::spawn_blocking(f)
		.await
		.map_err(|e| Failure::reply(ErrorCode::Internal, format!("storage task failed: {e}")))
}

/// The refusal of an upload the store cannot hold.
fn store_full(needed: u64, free: u64) -> Failure {
	Failure::reply(
		ErrorCode::StoreFull,
		format!("the store is full: the upload needs {needed} bytes, {free} are free"),
	)
}

fn internal(e: impl std::fmt::Display) -> Failure {
	Failure::reply(ErrorCode::Internal, format!("storage: {e}"))
}

async fn send_status(stream: &mut Stream, idle: Duration, status: Status) -> Result<(), Failure> {
	match timeout(idle, protocol::write_status(stream, &status)).await {
		Ok(Ok(())) => Ok(()),
		Ok(Err(e)) => Err(Failure::stream("io", format!("sending status: {e}"))),
		Err(_) => Err(Failure::stream("timeout", "sending status")),
	}
}

/// Serves one stream. `held` is its admission slot, traded for a transfer slot once the request
/// is authorized, and held until the stream is closed (the final reply included).
async fn serve(shared: &Arc<Shared>, peer: PeerId, mut stream: Stream, mut held: Held) {
	let idle = shared.config.timeouts.idle;
	// The whole header (at most MAX_REQUEST_LEN bytes) must arrive within one idle timeout.
	let (request, auth) = match timeout(idle, protocol::read_request(&mut stream)).await {
		Ok(Ok(header)) => header,
		Ok(Err(ProtocolError::Io(e))) => {
			log::debug!(target: "cess-dht", "{peer} closed a stream before its request: {e}");
			return;
		}
		Ok(Err(e)) => {
			log::debug!(target: "cess-dht", "malformed request from {peer}: {e}");
			shared.metrics.failed(Op::Unknown, Side::Inbound, ErrorCode::Malformed.as_str());
			let status = Status::error(ErrorCode::Malformed, e.to_string());
			let _ = send_status(&mut stream, idle, status).await;
			let _ = timeout(idle, stream.close()).await;
			return;
		}
		Err(_) => {
			let status = Status::error(ErrorCode::Timeout, "no request received");
			let _ = send_status(&mut stream, idle, status).await;
			return;
		}
	};
	let (op, root) = match request {
		Request::Put { root, .. } => (Op::Put, root),
		Request::Get { root, .. } => (Op::Get, root),
	};
	let started = Instant::now();
	let work = async {
		admit(shared, peer, request, auth, &mut held).await?;
		let _active = shared.metrics.active(Side::Inbound);
		match request {
			Request::Put { root, size } => serve_put(shared, peer, &mut stream, root, size).await,
			Request::Get { root, offset } => {
				serve_get(shared, peer, &mut stream, root, offset).await
			}
		}
	};
	let outcome = match timeout(shared.config.timeouts.transfer, work).await {
		Ok(outcome) => outcome,
		Err(_) => Err(Failure::reply(ErrorCode::Timeout, "transfer took too long")),
	};
	match outcome {
		Ok(()) => shared.metrics.completed(op, Side::Inbound, started.elapsed()),
		Err(failure) => {
			log::debug!(
				target: "cess-dht",
				"{op:?} of {} from {peer} failed: {}",
				crate::root_to_hex(&root),
				failure.detail,
			);
			shared.metrics.failed(op, Side::Inbound, failure.reason);
			if let Some(status) = failure.reply {
				let _ = send_status(&mut stream, idle, status).await;
			}
		}
	}
	let _ = timeout(idle, stream.close()).await;
}

/// Decides whether `request` may proceed, before anything is reserved for it: checks of the
/// header alone, then the authorization policy, and only then the peer's share of transfers and
/// a slot of the operation's pool (`Busy` when either is exhausted), which replace the admission
/// slot in `held`.
async fn admit(
	shared: &Arc<Shared>,
	peer: PeerId,
	request: Request,
	auth: Authorization,
	held: &mut Held,
) -> Result<(), Failure> {
	if let Request::Put { size, .. } = request {
		let limit = shared.config.limits.max_fragment_size;
		if size == 0 {
			return Err(Failure::reply(ErrorCode::Malformed, "empty fragment"));
		}
		if size > limit {
			return Err(Failure::reply(
				ErrorCode::TooLarge,
				format!("{size} bytes exceed the limit of {limit} bytes"),
			));
		}
	}
	let policy = shared.policy.clone();
	let decision = blocking(move || match request {
		Request::Put { root, size } => policy.may_put(&peer, &root, size, auth.as_bytes()),
		Request::Get { root, .. } => policy.may_get(&peer, &root, auth.as_bytes()),
	})
	.await?;
	let principal = match decision {
		Decision::Deny(reason) => return Err(Failure::reply(ErrorCode::Unauthorized, reason)),
		Decision::Allow => None,
		Decision::AllowFor(principal) => {
			let limit = shared.config.limits.max_transfers_per_principal;
			let share = shared.principal_shares.try_take(principal, Stage::Transfer, limit);
			Some(share.ok_or_else(|| Failure {
				// A principal's Sybils over their common share.
				reason: "busy_principal",
				..Failure::reply(
					ErrorCode::Busy,
					format!("{limit} transfers on behalf of your account are in progress"),
				)
			})?)
		}
	};
	let per_peer = shared.config.limits.max_transfers_per_peer;
	let share = shared.shares.try_take(peer, Stage::Transfer, per_peer).ok_or_else(|| Failure {
		// Apart from `busy` in the metrics: a peer over its share, not a miner at capacity.
		reason: "busy_peer",
		..Failure::reply(ErrorCode::Busy, format!("{per_peer} transfers of yours are in progress"))
	})?;
	let (pool, what) = match request {
		Request::Put { .. } => (&shared.put_slots, "uploads"),
		Request::Get { .. } => (&shared.get_slots, "reads"),
	};
	let slot = pool
		.clone()
		.try_acquire_owned()
		.map_err(|_| Failure::reply(ErrorCode::Busy, format!("too many {what} in progress")))?;
	*held = Held { _slot: slot, _share: share, _principal: principal };
	Ok(())
}

/// Marks a root as being uploaded, so that two streams never append to one partial upload.
struct UploadGuard<'a> {
	shared: &'a Shared,
	root: FragmentRoot,
}

impl<'a> UploadGuard<'a> {
	fn acquire(shared: &'a Shared, root: FragmentRoot) -> Option<Self> {
		let mut uploads = shared.uploads.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		uploads.insert(root).then_some(Self { shared, root })
	}
}

impl Drop for UploadGuard<'_> {
	fn drop(&mut self) {
		let mut uploads =
			self.shared.uploads.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		uploads.remove(&self.root);
	}
}

async fn serve_put(
	shared: &Arc<Shared>,
	peer: PeerId,
	stream: &mut Stream,
	root: FragmentRoot,
	size: u64,
) -> Result<(), Failure> {
	let idle = shared.config.timeouts.idle;
	let limits = &shared.config.limits;
	// Admitted: the size is within the limits and the policy allowed the upload.
	let store = shared.store.clone();
	if let Some(held) = blocking(move || store.size(&root)).await?.map_err(internal)? {
		// Idempotent: the fragment is here already, nothing needs to be sent.
		if held != size {
			return Err(Failure::reply(
				ErrorCode::Malformed,
				format!("fragment is held with {held} bytes, not {size}"),
			));
		}
		send_status(stream, idle, Status::Ok(size)).await?;
		send_status(stream, idle, Status::Ok(size)).await?;
		let _ = shared.events.send(Event::FragmentStored { peer, root, size }).await;
		return Ok(());
	}

	let _upload = UploadGuard::acquire(shared, root)
		.ok_or_else(|| Failure::reply(ErrorCode::Busy, "the fragment is being uploaded already"))?;
	let store = shared.store.clone();
	let mut offset = blocking(move || store.partial_size(&root)).await?.map_err(internal)?;
	if offset > size {
		let store = shared.store.clone();
		blocking(move || store.discard_partial(&root)).await?.map_err(internal)?;
		offset = 0;
	}
	// Refused before the first byte if it cannot fit, rather than after a transfer that fails.
	if let Some(free) = shared.store.free_space() {
		if size - offset > free {
			return Err(store_full(size - offset, free));
		}
	}
	send_status(stream, idle, Status::Ok(offset)).await?;
	let mut meter = rate_meter(shared);

	// A fresh upload is hashed chunk by chunk as it is stored, beside the transfer; a resumed
	// one is checked as a whole at commit (its first part arrived over an earlier stream).
	let hasher = if offset == 0 { shared.verifier.incremental(size) } else { None };
	let remaining = usize::try_from(size - offset).unwrap_or(usize::MAX);
	let store = shared.store.clone();
	let mut pipeline = ChunkPipeline::start(
		limits.chunk_size.min(remaining).max(1),
		(offset, hasher),
		move |(offset, hasher): &mut (u64, Option<Box<dyn FragmentHasher>>), chunk: &[u8]| {
			store.append_partial(&root, *offset, chunk)?;
			*offset += chunk.len() as u64;
			if let Some(hasher) = hasher {
				hasher.update(chunk);
			}
			Ok::<(), StoreError>(())
		},
	);
	let mut received = offset;
	let mut ended = None;
	while received < size {
		let Some(mut buffer) = pipeline.buffer().await else { break };
		let want = buffer.len().min(usize::try_from(size - received).unwrap_or(usize::MAX));
		let (filled, broken) = fill(stream, &mut buffer[..want], idle, &mut meter).await;
		// Bytes read before a failure are still stored, so a retry can resume after them.
		if filled > 0 {
			if !pipeline.submit(buffer, filled).await {
				break;
			}
			received += filled as u64;
			shared.metrics.bytes_in(filled);
		}
		if let Some(failure) = broken {
			ended = Some(failure);
			break;
		}
		if filled < want {
			ended = Some(Failure::stream(
				"io",
				format!(
					"stream ended after {received} of {size} bytes; the partial upload is kept"
				),
			));
			break;
		}
	}
	let Some(((stored, hasher), appended)) = pipeline.finish().await else {
		return Err(Failure::reply(ErrorCode::Internal, "storage task failed"));
	};
	match appended {
		Ok(()) => {}
		// Uploads running side by side filled the store; the bytes stored are kept to resume.
		Err(StoreError::Full { needed, free }) => return Err(store_full(needed, free)),
		Err(e) => return Err(internal(e)),
	}
	if let Some(failure) = ended {
		return Err(failure);
	}
	if stored != size {
		return Err(Failure::reply(ErrorCode::Internal, "storage stopped before the end"));
	}

	let store = shared.store.clone();
	let committed = blocking(move || match hasher.map(|hasher| hasher.matches(&root)) {
		Some(true) => store.commit_checked_partial(&root, size),
		Some(false) => {
			store.discard_partial(&root)?;
			Err(StoreError::Integrity)
		}
		None => store.commit_partial(&root, size),
	})
	.await?;
	match committed {
		Ok(()) => {}
		Err(StoreError::Integrity) => {
			return Err(Failure::reply(
				ErrorCode::IntegrityFailed,
				"the fragment does not match its root; the upload was discarded",
			))
		}
		Err(e @ StoreError::SizeMismatch { .. }) => {
			return Err(Failure::reply(ErrorCode::IntegrityFailed, e.to_string()))
		}
		Err(e) => return Err(internal(e)),
	}
	send_status(stream, idle, Status::Ok(size)).await?;
	let _ = shared.events.send(Event::FragmentStored { peer, root, size }).await;
	Ok(())
}

/// A meter of the minimum rate for a data phase starting now, paused until [`paced`] waits.
fn rate_meter(shared: &Shared) -> RateMeter {
	let limits = &shared.config.limits;
	let now = Instant::now();
	let mut meter =
		RateMeter::new(limits.min_rate, limits.min_rate_window, limits.min_rate_grace, now);
	meter.pause(now);
	meter
}

/// Which way [`paced`] moves bytes.
enum Io<'a> {
	Read(&'a mut [u8]),
	Write(&'a [u8]),
}

/// One read or write on `stream`, under the idle timeout and the minimum rate: while it waits,
/// and whenever it returns, the rate is checked (every [`RateMeter::check_interval`]). Both
/// are restarted after such a check, which loses nothing: a read or write that has not
/// completed has moved no bytes. The meter runs only in here: time between calls is this
/// node's (storing, hashing, reading its disk), not the peer's.
async fn paced(
	stream: &mut Stream,
	io: Io<'_>,
	idle: Duration,
	meter: &mut RateMeter,
) -> Result<usize, Failure> {
	let started = Instant::now();
	meter.resume(started);
	let result = paced_io(stream, io, idle, meter, started).await;
	meter.pause(Instant::now());
	result
}

async fn paced_io(
	stream: &mut Stream,
	mut io: Io<'_>,
	idle: Duration,
	meter: &mut RateMeter,
	started: Instant,
) -> Result<usize, Failure> {
	loop {
		let idle_left = idle.saturating_sub(started.elapsed());
		if idle_left.is_zero() {
			let what = if matches!(io, Io::Read(_)) { "waiting for data" } else { "sending data" };
			return Err(Failure::stream("timeout", what));
		}
		let wait = meter.check_interval().min(idle_left);
		let moved = match &mut io {
			Io::Read(buffer) => timeout(wait, stream.read(buffer)).await,
			Io::Write(buffer) => timeout(wait, stream.write(buffer)).await,
		};
		let now = Instant::now();
		match moved {
			Ok(Ok(n)) => {
				meter.record(n, now);
				meter.check(now).map_err(|slow| Failure::stream("too_slow", slow.to_string()))?;
				return Ok(n);
			}
			Ok(Err(e)) => return Err(Failure::stream("io", format!("moving data: {e}"))),
			Err(_) => {
				meter.check(now).map_err(|slow| Failure::stream("too_slow", slow.to_string()))?
			}
		}
	}
}

/// Reads into `buffer` until it is full or the stream ends; returns the bytes read and, if the
/// stream failed, stalled or trickled below the minimum rate, why. Bytes read before a failure
/// are still returned, so they can be kept for resumption.
async fn fill(
	stream: &mut Stream,
	buffer: &mut [u8],
	idle: Duration,
	meter: &mut RateMeter,
) -> (usize, Option<Failure>) {
	let mut filled = 0;
	while filled < buffer.len() {
		match paced(stream, Io::Read(&mut buffer[filled..]), idle, meter).await {
			Ok(0) => break,
			Ok(n) => filled += n,
			Err(failure) => return (filled, Some(failure)),
		}
	}
	(filled, None)
}

async fn serve_get(
	shared: &Arc<Shared>,
	peer: PeerId,
	stream: &mut Stream,
	root: FragmentRoot,
	offset: u64,
) -> Result<(), Failure> {
	let idle = shared.config.timeouts.idle;
	// Admitted: the policy allowed the fetch.
	let store = shared.store.clone();
	let Some(fragment) = blocking(move || store.open(&root)).await?.map_err(internal)? else {
		return Err(Failure::reply(ErrorCode::NotFound, "fragment not held here"));
	};
	let size = fragment.size;
	if offset > size {
		return Err(Failure::reply(
			ErrorCode::Malformed,
			format!("offset {offset} is beyond the fragment's {size} bytes"),
		));
	}
	let mut reader = fragment.reader;
	if offset > 0 {
		let (returned, seeked) = blocking(move || {
			let result = reader.seek(SeekFrom::Start(offset));
			(reader, result)
		})
		.await?;
		reader = returned;
		seeked.map_err(internal)?;
	}
	send_status(stream, idle, Status::Ok(size)).await?;
	let mut meter = rate_meter(shared);

	let remaining = size - offset;
	let chunk_size =
		shared.config.limits.chunk_size.min(usize::try_from(remaining).unwrap_or(usize::MAX));
	let mut ahead = ReadAhead::start(reader, chunk_size, remaining);
	let mut sent = offset;
	while sent < size {
		// The status promised `size` bytes; a failing disk can only end the stream now.
		let (buffer, len) = match ahead.next().await {
			Some(Ok(chunk)) => chunk,
			Some(Err(e)) => {
				return Err(Failure::stream("internal", format!("reading the fragment: {e}")))
			}
			None => return Err(Failure::stream("internal", "the storage task stopped")),
		};
		// A reader slower than the minimum rate holds the write back; it is dropped then.
		let mut written = 0;
		while written < len {
			match paced(stream, Io::Write(&buffer[written..len]), idle, &mut meter).await? {
				0 => return Err(Failure::stream("io", "the stream accepts no more data")),
				n => written += n,
			}
		}
		ahead.recycle(buffer);
		sent += len as u64;
		shared.metrics.bytes_out(len);
	}
	match timeout(idle, stream.flush()).await {
		Ok(Ok(())) => {}
		Ok(Err(e)) => return Err(Failure::stream("io", format!("flushing data: {e}"))),
		Err(_) => return Err(Failure::stream("timeout", "flushing data")),
	}
	let _ = shared.events.send(Event::FragmentServed { peer, root, bytes: size - offset }).await;
	Ok(())
}
