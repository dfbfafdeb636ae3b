//! The stream multiplexer: yamux 0.13 with frames sized for fragments.
//!
//! libp2p's `yamux::Config` cuts every write into 16 KiB frames and gives no way to change it;
//! an 8 MiB fragment then costs 512 frames, each a heap copy, a channel message and a task
//! wake-up on both sides. This upgrade speaks the same `/yamux/1.0.0` protocol (any yamux peer
//! understands it: a frame's size is bounded only by the receiver's window) with
//! [`FRAME_SIZE`] frames.

use futures::{future, AsyncRead, AsyncWrite};
use libp2p::core::{
	muxing::{StreamMuxer, StreamMuxerEvent},
	upgrade::{InboundConnectionUpgrade, OutboundConnectionUpgrade, UpgradeInfo},
};
use std::{
	collections::VecDeque,
	io, iter,
	pin::Pin,
	task::{Context, Poll, Waker},
};

/// Largest data frame sent: a write of a fragment chunk goes out in frames of this size.
pub const FRAME_SIZE: usize = 256 * 1024;

/// Inbound streams accepted by the muxer but not yet taken by the swarm; beyond this many a new
/// one is dropped (the peer sees it reset), so a flood of streams cannot grow memory.
const MAX_PENDING_INBOUND: usize = 256;

/// The multiplexer upgrade; see the module docs.
#[derive(Clone, Debug)]
pub struct Config(yamux::Config);

impl Default for Config {
	fn default() -> Self {
		let mut config = yamux::Config::default();
		// As libp2p's yamux: no reading from a stream after the connection closed.
		config.set_read_after_close(false);
		config.set_split_send_size(FRAME_SIZE);
		Self(config)
	}
}

impl UpgradeInfo for Config {
	type Info = &'static str;
	type InfoIter = iter::Once<Self::Info>;

	fn protocol_info(&self) -> Self::InfoIter {
		iter::once("/yamux/1.0.0")
	}
}

impl<C> InboundConnectionUpgrade<C> for Config
where
	C: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
	type Output = Muxer<C>;
	type Error = io::Error;
	type Future = future::Ready<Result<Self::Output, Self::Error>>;

	fn upgrade_inbound(self, io: C, _: Self::Info) -> Self::Future {
		future::ready(Ok(Muxer::new(yamux::Connection::new(io, self.0, yamux::Mode::Server))))
	}
}

impl<C> OutboundConnectionUpgrade<C> for Config
where
	C: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
	type Output = Muxer<C>;
	type Error = io::Error;
	type Future = future::Ready<Result<Self::Output, Self::Error>>;

	fn upgrade_outbound(self, io: C, _: Self::Info) -> Self::Future {
		future::ready(Ok(Muxer::new(yamux::Connection::new(io, self.0, yamux::Mode::Client))))
	}
}

/// A yamux connection as a libp2p [`StreamMuxer`].
pub struct Muxer<C> {
	connection: yamux::Connection<C>,
	/// Inbound streams the connection produced while the swarm polled for something else.
	pending_inbound: VecDeque<yamux::Stream>,
	inbound_waker: Option<Waker>,
}

impl<C> Muxer<C> {
	fn new(connection: yamux::Connection<C>) -> Self {
		Self { connection, pending_inbound: VecDeque::new(), inbound_waker: None }
	}
}

fn to_io(error: yamux::ConnectionError) -> io::Error {
	match error {
		yamux::ConnectionError::Io(e) => e,
		e => io::Error::other(e),
	}
}

impl<C> Muxer<C>
where
	C: AsyncRead + AsyncWrite + Unpin + 'static,
{
	/// Drives the connection until it yields an inbound stream.
	fn poll_next_inbound(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<yamux::Stream>> {
		match self.connection.poll_next_inbound(cx) {
			Poll::Ready(Some(Ok(stream))) => Poll::Ready(Ok(stream)),
			Poll::Ready(Some(Err(e))) => Poll::Ready(Err(to_io(e))),
			Poll::Ready(None) => Poll::Ready(Err(to_io(yamux::ConnectionError::Closed))),
			Poll::Pending => Poll::Pending,
		}
	}
}

impl<C> StreamMuxer for Muxer<C>
where
	C: AsyncRead + AsyncWrite + Unpin + 'static,
{
	type Substream = yamux::Stream;
	type Error = io::Error;

	fn poll_inbound(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
	) -> Poll<Result<Self::Substream, Self::Error>> {
		let this = self.get_mut();
		if let Some(stream) = this.pending_inbound.pop_front() {
			return Poll::Ready(Ok(stream));
		}
		if let Poll::Ready(result) = this.poll_next_inbound(cx) {
			return Poll::Ready(result);
		}
		this.inbound_waker = Some(cx.waker().clone());
		Poll::Pending
	}

	fn poll_outbound(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
	) -> Poll<Result<Self::Substream, Self::Error>> {
		self.get_mut().connection.poll_new_outbound(cx).map_err(to_io)
	}

	fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
		self.get_mut().connection.poll_close(cx).map_err(to_io)
	}

	fn poll(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
	) -> Poll<Result<StreamMuxerEvent, Self::Error>> {
		let this = self.get_mut();
		// The connection only makes progress (reads frames, flushes writes) while polled; the
		// swarm calls this continuously, so inbound streams found here are parked for
		// `poll_inbound`.
		let stream = match this.poll_next_inbound(cx) {
			Poll::Ready(Ok(stream)) => stream,
			Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
			Poll::Pending => return Poll::Pending,
		};
		if this.pending_inbound.len() >= MAX_PENDING_INBOUND {
			log::debug!(target: "cess-dht", "dropping an inbound stream: too many pending");
			drop(stream);
		} else {
			this.pending_inbound.push_back(stream);
			if let Some(waker) = this.inbound_waker.take() {
				waker.wake();
			}
		}
		// Come back at once: the connection may have more to do.
		cx.waker().wake_by_ref();
		Poll::Pending
	}
}
