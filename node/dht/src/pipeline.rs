//! Overlapping the network with the work done on each received chunk.
//!
//! A transfer used to receive a chunk, then wait while a blocking thread stored it, and hash the
//! whole fragment once the last chunk was in; the stream stood still meanwhile. A
//! [`ChunkPipeline`] hands each filled chunk buffer to one blocking worker (which stores and
//! hashes it) and lets the receiving task fill the next buffer at once. A small fixed pool of
//! buffers circulates between the two: receiving waits for a free buffer when the worker falls
//! behind, so memory stays bounded and a slow disk slows the sender through flow control.

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
}
