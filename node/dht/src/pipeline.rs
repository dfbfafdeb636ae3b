//! Overlapping the network with the work done on each received chunk.
//!
//! A transfer used to receive a chunk, then wait while a blocking thread stored it, and hash the
//! whole fragment once the last chunk was in; the stream stood still meanwhile. A
//! [`ChunkPipeline`] hands each filled chunk buffer to one blocking worker (which stores and
//! hashes it) and lets the receiving task fill the next buffer at once. A small fixed pool of
//! buffers circulates between the two: receiving waits for a free buffer when the worker falls
//! behind, so memory stays bounded and a slow disk slows the sender through flow control.
//!
//! [`ReadAhead`] is the same for the sending side of a GET: one blocking worker reads the next
//! chunks from the store while the task sends the previous one, so a disk read and a network
//! write overlap instead of taking turns (one thread hop per chunk before).

use std::io::{self, Read};
use tokio::{sync::mpsc, task::JoinHandle};

/// Chunk buffers circulating per transfer: one being filled, one being worked on, one spare.
const BUFFERS: usize = 3;

/// See the module docs. `S` is the worker's state, `E` the error that stops it.
pub(crate) struct ChunkPipeline<S, E> {
	full: mpsc::Sender<(Vec<u8>, usize)>,
	empty: mpsc::Receiver<Vec<u8>>,
	worker: JoinHandle<(S, Result<(), E>)>,
}

impl<S: Send + 'static, E: Send + 'static> ChunkPipeline<S, E> {
	/// Starts a worker that calls `work(&mut state, chunk)` for each chunk, in order, until one
	/// call fails; buffers hold `chunk_size` bytes.
	pub(crate) fn start(
		chunk_size: usize,
		state: S,
		mut work: impl FnMut(&mut S, &[u8]) -> Result<(), E> + Send + 'static,
	) -> Self {
		let (full, mut full_rx) = mpsc::channel::<(Vec<u8>, usize)>(BUFFERS);
		let (empty_tx, empty) = mpsc::channel(BUFFERS);
		for _ in 0..BUFFERS {
			// Cannot fail: the channel has room for every buffer and its receiver is alive.
			let _ = empty_tx.try_send(vec![0u8; chunk_size.max(1)]);
		}
		let worker = tokio::task::spawn_blocking(move || {
			let mut state = state;
			while let Some((buffer, len)) = full_rx.blocking_recv() {
				if let Err(e) = work(&mut state, &buffer[..len.min(buffer.len())]) {
					return (state, Err(e));
				}
				// Never blocks: at most `BUFFERS` buffers exist.
				let _ = empty_tx.try_send(buffer);
			}
			(state, Ok(()))
		});
		Self { full, empty, worker }
	}

	/// A free buffer to fill; `None` when the worker has stopped (its error comes from
	/// [`Self::finish`]).
	pub(crate) async fn buffer(&mut self) -> Option<Vec<u8>> {
		self.empty.recv().await
	}

	/// Hands the first `len` bytes of `buffer` to the worker; `false` when it has stopped.
	pub(crate) async fn submit(&mut self, buffer: Vec<u8>, len: usize) -> bool {
		self.full.send((buffer, len)).await.is_ok()
	}

	/// Waits until the worker has processed everything submitted; returns its state and
	/// whether every call succeeded. `None` if the worker panicked.
	pub(crate) async fn finish(self) -> Option<(S, Result<(), E>)> {
		drop(self.full);
		self.worker.await.ok()
	}
}

/// See the module docs: chunks read ahead from a source on a blocking worker.
pub(crate) struct ReadAhead {
	full: mpsc::Receiver<io::Result<(Vec<u8>, usize)>>,
	empty: mpsc::Sender<Vec<u8>>,
}

impl ReadAhead {
	/// Starts reading the next `len` bytes of `source` in chunks of `chunk_size` bytes. The
	/// worker stops after them, after a failed read, or when this is dropped.
	pub(crate) fn start(
		mut source: impl Read + Send + 'static,
		chunk_size: usize,
		len: u64,
	) -> Self {
		let (full_tx, full) = mpsc::channel(BUFFERS);
		let (empty, mut empty_rx) = mpsc::channel::<Vec<u8>>(BUFFERS);
		for _ in 0..BUFFERS {
			// Cannot fail: the channel has room for every buffer and its receiver is alive.
			let _ = empty.try_send(vec![0u8; chunk_size.max(1)]);
		}
		tokio::task::spawn_blocking(move || {
			let mut remaining = len;
			while remaining > 0 {
				// `None`: the reader is gone, nobody wants the rest.
				let Some(mut buffer) = empty_rx.blocking_recv() else { return };
				let want = buffer.len().min(usize::try_from(remaining).unwrap_or(usize::MAX));
				let read = source.read_exact(&mut buffer[..want]).map(|()| (buffer, want));
				let failed = read.is_err();
				if full_tx.blocking_send(read).is_err() || failed {
					return;
				}
				remaining -= want as u64;
			}
		});
		Self { full, empty }
	}

	/// The next chunk, in order: the buffer and how many of its bytes were read. `None` after
	/// the last one, or if the worker died (the caller counts the bytes it got).
	pub(crate) async fn next(&mut self) -> Option<io::Result<(Vec<u8>, usize)>> {
		self.full.recv().await
	}

	/// Hands a chunk's buffer back, once sent, for a later read.
	pub(crate) fn recycle(&self, buffer: Vec<u8>) {
		// Never fails while the worker may still need it: at most `BUFFERS` buffers exist.
		let _ = self.empty.try_send(buffer);
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn chunks_are_processed_in_order_with_bounded_buffers() {
		let mut pipeline = ChunkPipeline::start(4, Vec::new(), |seen: &mut Vec<u8>, chunk| {
			seen.extend_from_slice(chunk);
			Ok::<(), ()>(())
		});
		let mut expected = Vec::new();
		for i in 0..100u8 {
			let mut buffer = pipeline.buffer().await.expect("worker alive");
			assert_eq!(buffer.len(), 4);
			let len = usize::from(i % 5).min(4);
			buffer[..len].fill(i);
			expected.extend(std::iter::repeat_n(i, len));
			assert!(pipeline.submit(buffer, len).await);
		}
		let (seen, result) = pipeline.finish().await.expect("no panic");
		assert_eq!(result, Ok(()));
		assert_eq!(seen, expected);
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn a_failing_worker_stops_the_pipeline_and_reports_why() {
		let mut pipeline = ChunkPipeline::start(8, 0u32, |calls: &mut u32, _chunk| {
			*calls += 1;
			if *calls == 3 {
				Err("disk full")
			} else {
				Ok(())
			}
		});
		let mut submitted = 0;
		while let Some(buffer) = pipeline.buffer().await {
			if !pipeline.submit(buffer, 8).await {
				break;
			}
			submitted += 1;
			assert!(submitted < 100, "the pipeline must stop after the failure");
		}
		let (calls, result) = pipeline.finish().await.expect("no panic");
		assert_eq!((calls, result), (3, Err("disk full")));
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn read_ahead_yields_the_bytes_in_order_then_ends() {
		let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
		// Read 998 of 1000 bytes in chunks of 64: 15 full chunks and one of 38.
		let mut ahead = ReadAhead::start(io::Cursor::new(data.clone()), 64, 998);
		let mut got = Vec::new();
		while let Some(chunk) = ahead.next().await {
			let (buffer, len) = chunk.expect("read");
			assert!(len == 64 || got.len() == 960, "only the last chunk is short");
			got.extend_from_slice(&buffer[..len]);
			ahead.recycle(buffer);
		}
		assert_eq!(got, data[..998]);
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn read_ahead_reports_a_short_source_and_stops() {
		// The store promised 100 bytes but holds 70: two chunks, then the error, then the end.
		let mut ahead = ReadAhead::start(io::Cursor::new(vec![1u8; 70]), 32, 100);
		for _ in 0..2 {
			let (buffer, len) = ahead.next().await.expect("a chunk").expect("read");
			assert_eq!(len, 32);
			ahead.recycle(buffer);
		}
		let error = ahead.next().await.expect("the failure").expect_err("short source");
		assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
		assert!(ahead.next().await.is_none());
	}

	#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
	async fn dropping_read_ahead_stops_its_worker() {
		use std::sync::{
			atomic::{AtomicBool, Ordering},
			Arc,
		};
		/// An endless source that records when the worker lets go of it.
		struct Endless(Arc<AtomicBool>);
		impl Read for Endless {
			fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
				buf.fill(9);
				Ok(buf.len())
			}
		}
		impl Drop for Endless {
			fn drop(&mut self) {
				self.0.store(true, Ordering::SeqCst);
			}
		}
		let dropped = Arc::new(AtomicBool::new(false));
		let mut ahead = ReadAhead::start(Endless(dropped.clone()), 16, u64::MAX);
		let (_, len) = ahead.next().await.expect("a chunk").expect("read");
		assert_eq!(len, 16);
		drop(ahead);
		for _ in 0..200 {
			if dropped.load(Ordering::SeqCst) {
				return;
			}
			tokio::time::sleep(std::time::Duration::from_millis(5)).await;
		}
		panic!("the worker kept reading after the reader was dropped");
	}
}
