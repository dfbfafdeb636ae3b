//! The fragment protocol, `/cess/fragment/2.0.0`: framing of one PUT or GET on one stream.
//!
//! Every operation opens a fresh libp2p stream (a yamux substream over a TLS- or
//! Noise-encrypted TCP connection), so one slow transfer never blocks another and a broken one is
//! simply dropped. All integers are big-endian.
//!
//! ```text
//! request  (opener → responder, 43 + auth_len bytes, at most 43 + 256)
//!     op: u8            0x01 = PUT, 0x02 = GET
//!     root: [u8; 32]    the fragment's root
//!     value: u64        PUT: the fragment's size; GET: the offset to start from
//!     auth_len: u16     length of `auth`, at most MAX_AUTH_LEN (256)
//!     auth: [u8]        the authorization, opaque here: the responder's policy checks it
//!
//! status   (responder → opener)
//!     0x00, value: u64                         success; meaning depends on the step below
//!     code: u8 (1..=9), len: u16, message      error; len ≤ 512, UTF-8; the stream is closed
//!
//! PUT: request → status(resume offset R) → opener writes bytes [R, size) → status(size stored)
//! GET: request → status(size S)          → responder writes bytes [offset, S), then closes
//! ```
//!
//! **Authorization.** The request carries the opener's proof that it may do what it asks (for
//! CESS nodes an encoded `cess_primitives::access::AccessProof`: an owner's ticket naming the
//! opener's PeerId, or a repair assignment). This crate never interprets it: the responder hands
//! the bytes, unchanged, to its [`crate::AuthorizationPolicy`] together with the PeerId the
//! channel authenticated, before it reserves anything for the request (a transfer slot, a
//! partial upload, an open fragment). Version 2.0.0 of the protocol added the field.
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
//! Every attempt carries the same authorization.
//!
//! **Limits.** The header and status have bounded sizes; a PUT larger than
//! [`crate::Limits::max_fragment_size`], an unknown op or status byte, an authorization longer
//! than [`MAX_AUTH_LEN`] or an over-long error message is refused with an error status (or, on the
//! opener's side, an error) and the stream is closed, nothing more read from it. Every read and
//! write has an idle timeout (the whole request header must arrive within one) and every attempt
//! an overall timeout.

use crate::FragmentRoot;
use bytes::Bytes;
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use std::{fmt, io};

/// The libp2p protocol name of fragment transfer (2.0.0: requests carry an authorization).
pub const PROTOCOL_NAME: &str = "/cess/fragment/2.0.0";
/// Length of the request header's fixed part (op, root, value) in bytes.
pub const REQUEST_LEN: usize = 1 + 32 + 8;
/// Longest authorization a request may carry: the bound of the encoded access proof CESS nodes
/// send, so the header stays small whatever a peer claims.
pub const MAX_AUTH_LEN: usize = cess_primitives::access::MAX_ACCESS_PROOF_LEN;
/// Longest request header: the fixed part, the authorization's length and the authorization.
pub const MAX_REQUEST_LEN: usize = REQUEST_LEN + 2 + MAX_AUTH_LEN;
/// Longest error message a status may carry.
pub const MAX_ERROR_MESSAGE_LEN: usize = 512;

const OP_PUT: u8 = 0x01;
const OP_GET: u8 = 0x02;
const STATUS_OK: u8 = 0x00;

// The length prefix is a u16.
const _: () = assert!(MAX_AUTH_LEN <= u16::MAX as usize);

/// The proof a request carries that its opener may store or fetch the fragment: opaque bytes,
/// checked by the remote's [`crate::AuthorizationPolicy`] (a CESS node's policy decodes an
/// `AccessProof` of `cess-primitives` from them). At most [`MAX_AUTH_LEN`] bytes, which
/// [`Authorization::new`] enforces, so every value can be sent. Cheap to clone.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Authorization(Bytes);

impl Authorization {
	/// Wraps `bytes`; refused when longer than [`MAX_AUTH_LEN`].
	pub fn new(bytes: impl Into<Bytes>) -> Result<Self, AuthorizationTooLong> {
		let bytes = bytes.into();
		if bytes.len() > MAX_AUTH_LEN {
			return Err(AuthorizationTooLong(bytes.len()));
		}
		Ok(Self(bytes))
	}

	/// No proof at all: enough for peers whose policy ignores it ([`crate::AllowAll`],
	/// [`crate::PeerAllowList`]), refused by a chain-backed one.
	pub fn empty() -> Self {
		Self(Bytes::new())
	}

	/// The bytes, as the remote's policy will see them.
	pub fn as_bytes(&self) -> &[u8] {
		&self.0
	}

	/// Their length.
	pub fn len(&self) -> usize {
		self.0.len()
	}

	/// Whether there are none.
	pub fn is_empty(&self) -> bool {
		self.0.is_empty()
	}
}

impl AsRef<[u8]> for Authorization {
	fn as_ref(&self) -> &[u8] {
		&self.0
	}
}

impl fmt::Debug for Authorization {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		// Its length says enough in logs; the bytes are the policy's business.
		write!(f, "Authorization({} bytes)", self.0.len())
	}
}

/// An authorization longer than [`MAX_AUTH_LEN`] bytes (its length), which no peer would accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an authorization of {0} bytes exceeds the limit of {MAX_AUTH_LEN}")]
pub struct AuthorizationTooLong(pub usize);

/// The operation a stream carries, read from the first 41 bytes of its request header.
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

	/// The wire form of the header's fixed part (41 bytes; [`Request::encode_with`] gives the
	/// whole header).
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

	/// The whole request header: the fixed part, then `auth` with its length.
	pub fn encode_with(&self, auth: &Authorization) -> Vec<u8> {
		let auth = auth.as_bytes();
		let mut out = Vec::with_capacity(REQUEST_LEN + 2 + auth.len());
		out.extend_from_slice(&self.encode());
		// An `Authorization` holds at most MAX_AUTH_LEN bytes, which fits the u16.
		out.extend_from_slice(&(auth.len() as u16).to_be_bytes());
		out.extend_from_slice(auth);
		out
	}

	/// Parses the header's fixed part (41 bytes).
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
	/// The responder's store cannot take the fragment: it holds what the chain lets it hold
	/// (its declared space) or its disk is full. Nothing it held was touched; ask another.
	StoreFull = 9,
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
			9 => ErrorCode::StoreFull,
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
			ErrorCode::StoreFull => "store_full",
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
	/// A request announcing an authorization longer than [`MAX_AUTH_LEN`].
	#[error("authorization of {0} bytes exceeds the limit of {MAX_AUTH_LEN}")]
	AuthorizationTooLong(usize),
	/// An error message longer than [`MAX_ERROR_MESSAGE_LEN`].
	#[error("error message of {0} bytes exceeds the limit of {MAX_ERROR_MESSAGE_LEN}")]
	MessageTooLong(usize),
	/// The stream failed or ended early.
	#[error("stream: {0}")]
	Io(#[from] io::Error),
}

/// Writes the header of `request` carrying `auth`, in one write, and flushes.
pub async fn write_request<S: AsyncWrite + Unpin>(
	stream: &mut S,
	request: &Request,
	auth: &Authorization,
) -> io::Result<()> {
	stream.write_all(&request.encode_with(auth)).await?;
	stream.flush().await
}

/// Reads one request header: the request and its authorization. Reads at most
/// [`MAX_REQUEST_LEN`] bytes, and stops at the first invalid field (an unknown op, an
/// authorization announced longer than [`MAX_AUTH_LEN`]) without reading what follows it.
pub async fn read_request<S: AsyncRead + Unpin>(
	stream: &mut S,
) -> Result<(Request, Authorization), ProtocolError> {
	let mut fixed = [0u8; REQUEST_LEN];
	stream.read_exact(&mut fixed).await?;
	let request = Request::decode(&fixed)?;
	let mut len = [0u8; 2];
	stream.read_exact(&mut len).await?;
	let len = usize::from(u16::from_be_bytes(len));
	if len > MAX_AUTH_LEN {
		return Err(ProtocolError::AuthorizationTooLong(len));
	}
	let mut auth = vec![0u8; len];
	stream.read_exact(&mut auth).await?;
	Ok((request, Authorization(auth.into())))
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
	fn request_headers_carry_the_authorization_unchanged() {
		let proofs = [
			Vec::new(),
			b"ticket".to_vec(),
			(0..MAX_AUTH_LEN).map(|i| (i * 7) as u8).collect::<Vec<u8>>(),
		];
		for proof in proofs {
			let auth = Authorization::new(proof.clone()).unwrap();
			let request = Request::Get { root: [3; 32], offset: 5 };
			let bytes = request.encode_with(&auth);
			assert_eq!(bytes.len(), REQUEST_LEN + 2 + proof.len());
			assert!(bytes.len() <= MAX_REQUEST_LEN);
			let mut cursor = Cursor::new(bytes);
			let (read, read_auth) = block_on(read_request(&mut cursor)).unwrap();
			assert_eq!((read, read_auth.as_bytes()), (request, &proof[..]));
		}
	}

	#[test]
	fn over_long_authorizations_are_refused_before_their_bytes_are_read() {
		assert_eq!(
			Authorization::new(vec![0; MAX_AUTH_LEN + 1]).unwrap_err(),
			AuthorizationTooLong(MAX_AUTH_LEN + 1)
		);
		for len in [MAX_AUTH_LEN + 1, usize::from(u16::MAX)] {
			// The announced bytes are absent: reading them would fail with an I/O error.
			let mut header = Request::Put { root: [1; 32], size: 1 }.encode().to_vec();
			header.extend_from_slice(&(len as u16).to_be_bytes());
			let mut cursor = Cursor::new(header);
			assert!(matches!(
				block_on(read_request(&mut cursor)),
				Err(ProtocolError::AuthorizationTooLong(l)) if l == len
			));
		}
		// A truncated authorization is an I/O error (the stream ended early).
		let mut header = Request::Put { root: [1; 32], size: 1 }.encode().to_vec();
		header.extend_from_slice(&[0, 4, 1, 2]);
		let mut cursor = Cursor::new(header);
		assert!(matches!(block_on(read_request(&mut cursor)), Err(ProtocolError::Io(_))));
	}

	#[test]
	fn unknown_op_is_rejected() {
		let mut bytes = Request::Put { root: [0; 32], size: 1 }.encode();
		bytes[0] = 0x7f;
		assert!(matches!(Request::decode(&bytes), Err(ProtocolError::UnknownOp(0x7f))));
		// Refused from the fixed part alone, without waiting for the authorization.
		let mut cursor = Cursor::new(bytes.to_vec());
		assert!(matches!(block_on(read_request(&mut cursor)), Err(ProtocolError::UnknownOp(0x7f))));
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
