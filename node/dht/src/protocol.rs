//! The fragment protocol, `/cess/fragment/1.0.0`: framing of one PUT or GET on one stream.
//!
//! Every operation opens a fresh libp2p stream (a yamux substream over a Noise-encrypted TCP
//! connection), so one slow transfer never blocks another and a broken one is simply dropped.
//! All integers are big-endian.
//!
//! ```text
//! request  (opener → responder, 41 bytes)
//!     op: u8            0x01 = PUT, 0x02 = GET
//!     root: [u8; 32]    the fragment's root
//!     value: u64        PUT: the fragment's size; GET: the offset to start from
//!
//! status   (responder → opener)
//!     0x00, value: u64                         success; meaning depends on the step below
//!     code: u8 (1..=8), len: u16, message      error; len ≤ 512, UTF-8; the stream is closed
//!
//! PUT: request → status(resume offset R) → opener writes bytes [R, size) → status(size stored)
//! GET: request → status(size S)          → responder writes bytes [offset, S), then closes
//! ```
//!
//! **Chunks and backpressure.** Data bytes follow the status with no further framing, since both
//! sides know how many to expect. They are written and read in chunks of at most
//! [`crate::Limits::chunk_size`], and each chunk is appended to the store before the next is read,
//! so memory per transfer is one chunk; yamux's per-stream flow-control window (256 KiB) stops
//! the sender whenever the receiver (or its disk) falls behind.
//!
//! **Resumption.** The responder keeps what it received of an interrupted PUT as a partial
//! upload and answers the next PUT of the same root with the offset it already has, so only the
//! rest is sent. A GET names the offset the opener already holds. The fragment is checked
//! against its root once complete, so a resumed transfer is exactly as safe as a fresh one.
//!
//! **Limits.** The header and status have fixed or bounded sizes; a PUT larger than
//! [`crate::Limits::max_fragment_size`], an unknown op or status byte, or an over-long error
//! message is refused with an error status (or, on the opener's side, an error) and the stream
//! is closed. Every read and write has an idle timeout and every attempt an overall timeout.

use crate::FragmentRoot;
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use std::{fmt, io};

/// The libp2p protocol name of fragment transfer.
pub const PROTOCOL_NAME: &str = "/cess/fragment/1.0.0";
/// Length of the request header in bytes.
pub const REQUEST_LEN: usize = 1 + 32 + 8;
/// Longest error message a status may carry.
pub const MAX_ERROR_MESSAGE_LEN: usize = 512;

const OP_PUT: u8 = 0x01;
const OP_GET: u8 = 0x02;
const STATUS_OK: u8 = 0x00;

/// The operation a stream carries, read from its first 41 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
	/// Store the fragment `root` of `size` bytes on the responder.
	Put {
		/// The fragment's root.
		root: FragmentRoot,
		/// The fragment's total size in bytes.
		size: u64,
	},
	/// Send the fragment `root`, starting at byte `offset`.
	Get {
		/// The fragment's root.
		root: FragmentRoot,
		/// The number of bytes the opener already holds.
		offset: u64,
	},
}

impl Request {
	/// The fragment this request is about.
	pub fn root(&self) -> &FragmentRoot {
		match self {
			Request::Put { root, .. } | Request::Get { root, .. } => root,
		}
	}

	/// The 41-byte wire form.
	pub fn encode(&self) -> [u8; REQUEST_LEN] {
		let (op, root, value) = match self {
			Request::Put { root, size } => (OP_PUT, root, *size),
			Request::Get { root, offset } => (OP_GET, root, *offset),
		};
		let mut out = [0u8; REQUEST_LEN];
		out[0] = op;
		out[1..33].copy_from_slice(root);
		out[33..].copy_from_slice(&value.to_be_bytes());
		out
	}

	/// Parses the 41-byte wire form.
	pub fn decode(bytes: &[u8; REQUEST_LEN]) -> Result<Self, ProtocolError> {
		let mut root = [0u8; 32];
		root.copy_from_slice(&bytes[1..33]);
		let mut value = [0u8; 8];
		value.copy_from_slice(&bytes[33..]);
		let value = u64::from_be_bytes(value);
		match bytes[0] {
			OP_PUT => Ok(Request::Put { root, size: value }),
			OP_GET => Ok(Request::Get { root, offset: value }),
			other => Err(ProtocolError::UnknownOp(other)),
		}
	}
}

/// Why a responder refused or failed a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ErrorCode {
	/// The authorization policy refused the request.
	Unauthorized = 1,
	/// The fragment is larger than the responder accepts.
	TooLarge = 2,
	/// The responder does not hold the fragment.
	NotFound = 3,
	/// The responder is at its limit of concurrent transfers, or the root is being uploaded by
	/// another stream; try again later.
	Busy = 4,
	/// The complete fragment did not match its root; the partial upload was discarded.
	IntegrityFailed = 5,
	/// The request could not be parsed or is inconsistent.
	Malformed = 6,
	/// The responder failed (e.g. its disk); try again later.
	Internal = 7,
	/// The opener was too slow.
	Timeout = 8,
}

impl ErrorCode {
	/// Parses a status byte other than success.
	pub fn from_u8(code: u8) -> Option<Self> {
		Some(match code {
			1 => ErrorCode::Unauthorized,
			2 => ErrorCode::TooLarge,
			3 => ErrorCode::NotFound,
			4 => ErrorCode::Busy,
			5 => ErrorCode::IntegrityFailed,
			6 => ErrorCode::Malformed,
			7 => ErrorCode::Internal,
			8 => ErrorCode::Timeout,
			_ => return None,
		})
	}

	/// A stable lower-case name, used in metrics labels and logs.
	pub fn as_str(&self) -> &'static str {
		match self {
			ErrorCode::Unauthorized => "unauthorized",
			ErrorCode::TooLarge => "too_large",
			ErrorCode::NotFound => "not_found",
			ErrorCode::Busy => "busy",
			ErrorCode::IntegrityFailed => "integrity",
			ErrorCode::Malformed => "malformed",
			ErrorCode::Internal => "internal",
			ErrorCode::Timeout => "timeout",
		}
	}

	/// Whether the same request may succeed when retried later.
	pub fn is_transient(&self) -> bool {
		matches!(self, ErrorCode::Busy | ErrorCode::Internal | ErrorCode::Timeout)
	}
}

impl fmt::Display for ErrorCode {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(self.as_str())
	}
}

/// A status frame sent by the responder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
	/// Success, with the step's value (resume offset, fragment size, or size stored).
	Ok(u64),
	/// Failure; the responder closes the stream after sending it.
	Error {
		/// What went wrong.
		code: ErrorCode,
		/// A human-readable explanation (at most [`MAX_ERROR_MESSAGE_LEN`] bytes on the wire).
		message: String,
	},
}

impl Status {
	/// An error status, its message cut to [`MAX_ERROR_MESSAGE_LEN`] bytes at a char boundary.
	pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
		let mut message = message.into();
		if message.len() > MAX_ERROR_MESSAGE_LEN {
			let mut end = MAX_ERROR_MESSAGE_LEN;
			while !message.is_char_boundary(end) {
				end -= 1;
			}
			message.truncate(end);
		}
		Status::Error { code, message }
	}

	/// The wire form.
	pub fn encode(&self) -> Vec<u8> {
		match self {
			Status::Ok(value) => {
				let mut out = Vec::with_capacity(9);
				out.push(STATUS_OK);
				out.extend_from_slice(&value.to_be_bytes());
				out
			}
			Status::Error { code, message } => {
				let message = &message.as_bytes()[..message.len().min(MAX_ERROR_MESSAGE_LEN)];
				let mut out = Vec::with_capacity(3 + message.len());
				out.push(*code as u8);
				out.extend_from_slice(&(message.len() as u16).to_be_bytes());
				out.extend_from_slice(message);
				out
			}
		}
	}
}

/// A violation of the fragment protocol, or the stream failing under it.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
	/// The request's op byte is neither PUT nor GET.
	#[error("unknown operation 0x{0:02x}")]
	UnknownOp(u8),
	/// The status byte is not a known code.
	#[error("unknown status code 0x{0:02x}")]
	UnknownStatus(u8),
	/// An error message longer than [`MAX_ERROR_MESSAGE_LEN`].
	#[error("error message of {0} bytes exceeds the limit of {MAX_ERROR_MESSAGE_LEN}")]
	MessageTooLong(usize),
	/// The stream failed or ended early.
	#[error("stream: {0}")]
	Io(#[from] io::Error),
}

/// Writes `request` and flushes.
pub async fn write_request<S: AsyncWrite + Unpin>(
	stream: &mut S,
	request: &Request,
) -> io::Result<()> {
	stream.write_all(&request.encode()).await?;
	stream.flush().await
}

/// Reads one request header.
pub async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Result<Request, ProtocolError> {
	let mut bytes = [0u8; REQUEST_LEN];
	stream.read_exact(&mut bytes).await?;
	Request::decode(&bytes)
}

/// Writes `status` and flushes.
pub async fn write_status<S: AsyncWrite + Unpin>(
	stream: &mut S,
	status: &Status,
) -> io::Result<()> {
	stream.write_all(&status.encode()).await?;
	stream.flush().await
}

/// Reads one status frame; never allocates more than [`MAX_ERROR_MESSAGE_LEN`] bytes.
pub async fn read_status<S: AsyncRead + Unpin>(stream: &mut S) -> Result<Status, ProtocolError> {
	let mut code = [0u8; 1];
	stream.read_exact(&mut code).await?;
	if code[0] == STATUS_OK {
		let mut value = [0u8; 8];
		stream.read_exact(&mut value).await?;
		return Ok(Status::Ok(u64::from_be_bytes(value)));
	}
	let code = ErrorCode::from_u8(code[0]).ok_or(ProtocolError::UnknownStatus(code[0]))?;
	let mut len = [0u8; 2];
	stream.read_exact(&mut len).await?;
	let len = usize::from(u16::from_be_bytes(len));
	if len > MAX_ERROR_MESSAGE_LEN {
		return Err(ProtocolError::MessageTooLong(len));
	}
	let mut message = vec![0u8; len];
	stream.read_exact(&mut message).await?;
	Ok(Status::Error { code, message: String::from_utf8_lossy(&message).into_owned() })
}

#[cfg(test)]
mod tests {
	use super::*;
	use futures::{executor::block_on, io::Cursor};

	#[test]
	fn request_round_trip() {
		for request in [
			Request::Put { root: [7; 32], size: 8 << 20 },
			Request::Get { root: [9; 32], offset: u64::MAX },
		] {
			assert_eq!(Request::decode(&request.encode()).unwrap(), request);
		}
	}

	#[test]
	fn unknown_op_is_rejected() {
		let mut bytes = Request::Put { root: [0; 32], size: 1 }.encode();
		bytes[0] = 0x7f;
		assert!(matches!(Request::decode(&bytes), Err(ProtocolError::UnknownOp(0x7f))));
	}

	#[test]
	fn status_round_trip() {
		for status in
			[Status::Ok(42), Status::error(ErrorCode::Unauthorized, "not placed on this miner")]
		{
			let mut cursor = Cursor::new(status.encode());
			assert_eq!(block_on(read_status(&mut cursor)).unwrap(), status);
		}
	}

	#[test]
	fn long_messages_are_cut_when_sent_and_refused_when_read() {
		let status = Status::error(ErrorCode::Internal, "é".repeat(MAX_ERROR_MESSAGE_LEN));
		let Status::Error { message, .. } = &status else { panic!("error status expected") };
		assert!(message.len() <= MAX_ERROR_MESSAGE_LEN);

		let mut forged = vec![ErrorCode::Internal as u8];
		forged.extend_from_slice(&u16::MAX.to_be_bytes());
		let mut cursor = Cursor::new(forged);
		assert!(matches!(
			block_on(read_status(&mut cursor)),
			Err(ProtocolError::MessageTooLong(65535))
		));
	}

	#[test]
	fn unknown_status_and_truncation_are_errors() {
		let mut cursor = Cursor::new(vec![0xee]);
		assert!(matches!(
			block_on(read_status(&mut cursor)),
			Err(ProtocolError::UnknownStatus(0xee))
		));
		let mut cursor = Cursor::new(vec![STATUS_OK, 1, 2]);
		assert!(matches!(block_on(read_status(&mut cursor)), Err(ProtocolError::Io(_))));
	}
}
