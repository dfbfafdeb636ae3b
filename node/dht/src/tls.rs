//! The storage network's TLS 1.3 security upgrade: the libp2p TLS handshake (`/tls/1.0.0`) with
//! the cipher suite chosen for this CPU.
//!
//! Why not `libp2p::tls::Config`: libp2p-tls 0.5 fixes ChaCha20-Poly1305 first in a cipher-suite
//! list it keeps private, so every connection runs ChaCha20 even on CPUs whose AES instructions
//! seal and open AES-GCM far faster (1.25× on an Intel Xeon with AVX-512, 3.5× on an AMD EPYC
//! Zen 1, `openssl speed` with 16 KiB blocks) — and sealing and opening are a third or more of
//! the CPU time of a fragment transfer.
//!
//! This upgrade is the same handshake built around rustls configurations of its own: the
//! certificate comes from libp2p-tls ([`certificate::generate`]: self-signed, carrying the
//! libp2p public key and its signature), and a peer's certificate and handshake signature are
//! checked by libp2p-tls ([`certificate::parse`], [`certificate::P2pCertificate::verify_signature`]).
//! Only the suite order differs, so it is wire-compatible with stock libp2p TLS either way round:
//! with AES and carry-less multiplication in hardware (x86-64 AES-NI + PCLMULQDQ, AArch64
//! AES + PMULL) AES-128-GCM comes first, otherwise ChaCha20-Poly1305. The server's order decides,
//! so a transfer runs the suite the accepting miner's CPU is fastest at.

use futures::{future::BoxFuture, AsyncRead, AsyncWrite, FutureExt};
use libp2p::{
	core::upgrade::{InboundConnectionUpgrade, OutboundConnectionUpgrade, UpgradeInfo},
	identity::Keypair,
	tls::{certificate, UpgradeError},
	PeerId,
};
use rustls::{
	client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
	crypto::{ring as ring_provider, CryptoProvider},
	pki_types::{CertificateDer, ServerName, UnixTime},
	server::danger::{ClientCertVerified, ClientCertVerifier},
	sign::{CertifiedKey, SingleCertAndKey},
	CertificateError, CommonState, DigitallySignedStruct, DistinguishedName, OtherError,
	SignatureScheme, SupportedCipherSuite,
};
use std::{
	io,
	net::{IpAddr, Ipv4Addr},
	sync::Arc,
};

/// The protocol name of the libp2p TLS handshake.
pub const PROTOCOL_NAME: &str = "/tls/1.0.0";

/// The ALPN protocol libp2p TLS requires.
const ALPN: &[u8] = b"libp2p";

/// The handshake signatures a peer may use, most preferred first (those libp2p-tls verifies).
const VERIFY_SCHEMES: &[SignatureScheme] = &[
	SignatureScheme::ECDSA_NISTP384_SHA384,
	SignatureScheme::ECDSA_NISTP256_SHA256,
	SignatureScheme::ED25519,
	SignatureScheme::RSA_PSS_SHA512,
	SignatureScheme::RSA_PSS_SHA384,
	SignatureScheme::RSA_PSS_SHA256,
	SignatureScheme::RSA_PKCS1_SHA512,
	SignatureScheme::RSA_PKCS1_SHA384,
	SignatureScheme::RSA_PKCS1_SHA256,
];

/// Why the TLS upgrade could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
	/// The libp2p certificate could not be generated.
	#[error("libp2p TLS certificate: {0}")]
	Certificate(#[from] certificate::GenError),
	/// rustls refused the configuration.
	#[error("TLS configuration: {0}")]
	Rustls(#[from] rustls::Error),
}

/// Whether this CPU runs AES-GCM in hardware (AES rounds and carry-less multiplication).
pub fn aes_in_hardware() -> bool {
	#[cfg(target_arch = "x86_64")]
	{
		std::arch::is_x86_feature_detected!("aes")
			&& std::arch::is_x86_feature_detected!("pclmulqdq")
	}
	#[cfg(target_arch = "aarch64")]
	{
		std::arch::is_aarch64_feature_detected!("aes")
			&& std::arch::is_aarch64_feature_detected!("pmull")
	}
	#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
	{
		false
	}
}

/// The TLS 1.3 suites in this node's order of preference (see the module docs).
pub fn preferred_cipher_suites() -> Vec<SupportedCipherSuite> {
	use ring_provider::cipher_suite::{
		TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256,
	};
	if aes_in_hardware() {
		vec![TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256]
	} else {
		vec![TLS13_CHACHA20_POLY1305_SHA256, TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384]
	}
}

/// The libp2p TLS upgrade with this CPU's cipher-suite order; pass [`Config::new`] to the swarm
/// builder as a security upgrade.
#[derive(Clone)]
pub struct Config {
	server: Arc<rustls::ServerConfig>,
	client: Arc<rustls::ClientConfig>,
}

impl Config {
	/// The upgrade for the node with `keypair`: a fresh certificate for it, this CPU's suites.
	pub fn new(keypair: &Keypair) -> Result<Self, ConfigError> {
		Self::with_cipher_suites(keypair, preferred_cipher_suites())
	}

	/// The upgrade offering `suites` in this order (TLS 1.3 suites only).
	pub fn with_cipher_suites(
		keypair: &Keypair,
		suites: Vec<SupportedCipherSuite>,
	) -> Result<Self, ConfigError> {
		let (certificate, key) = certificate::generate(keypair)?;
		let provider =
			Arc::new(CryptoProvider { cipher_suites: suites, ..ring_provider::default_provider() });
		let verifier = Arc::new(PeerCertificateVerifier);
		let versions = &[&rustls::version::TLS13];

		// `CertifiedKey::new`, not `with_single_cert`: the latter parses the certificate with
		// webpki, which refuses libp2p's critical extension.
		let signing_key = provider.key_provider.load_private_key(key)?;
		let identity =
			Arc::new(SingleCertAndKey::from(CertifiedKey::new(vec![certificate], signing_key)));

		let mut server = rustls::ServerConfig::builder_with_provider(provider.clone())
			.with_protocol_versions(versions)?
			.with_client_cert_verifier(verifier.clone())
			.with_cert_resolver(identity.clone());
		server.alpn_protocols = vec![ALPN.to_vec()];
		// The accepting side picks the suite it is fastest at.
		server.ignore_client_order = true;

		let mut client = rustls::ClientConfig::builder_with_provider(provider)
			.with_protocol_versions(versions)?
			.dangerous()
			.with_custom_certificate_verifier(verifier)
			.with_client_cert_resolver(identity);
		client.alpn_protocols = vec![ALPN.to_vec()];

		Ok(Self { server: Arc::new(server), client: Arc::new(client) })
	}
}

impl UpgradeInfo for Config {
	type Info = &'static str;
	type InfoIter = std::iter::Once<Self::Info>;

	fn protocol_info(&self) -> Self::InfoIter {
		std::iter::once(PROTOCOL_NAME)
	}
}

impl<C> InboundConnectionUpgrade<C> for Config
where
	C: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
	type Output = (PeerId, futures_rustls::TlsStream<C>);
	type Error = UpgradeError;
	type Future = BoxFuture<'static, Result<Self::Output, Self::Error>>;

	fn upgrade_inbound(self, socket: C, _: Self::Info) -> Self::Future {
		async move {
			let stream = futures_rustls::TlsAcceptor::from(self.server)
				.accept(socket)
				.await
				.map_err(UpgradeError::ServerUpgrade)?;
			let peer = remote_peer(stream.get_ref().1).map_err(UpgradeError::ServerUpgrade)?;
			Ok((peer, stream.into()))
		}
		.boxed()
	}
}

impl<C> OutboundConnectionUpgrade<C> for Config
where
	C: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
	type Output = (PeerId, futures_rustls::TlsStream<C>);
	type Error = UpgradeError;
	type Future = BoxFuture<'static, Result<Self::Output, Self::Error>>;

	fn upgrade_outbound(self, socket: C, _: Self::Info) -> Self::Future {
		async move {
			// The libp2p TLS spec: no server name indication.
			let name = ServerName::IpAddress(IpAddr::V4(Ipv4Addr::UNSPECIFIED).into());
			let stream = futures_rustls::TlsConnector::from(self.client)
				.connect(name, socket)
				.await
				.map_err(UpgradeError::ClientUpgrade)?;
			let peer = remote_peer(stream.get_ref().1).map_err(UpgradeError::ClientUpgrade)?;
			Ok((peer, stream.into()))
		}
		.boxed()
	}
}

/// The PeerId in the certificate the remote presented, which the verifier has already checked.
fn remote_peer(state: &CommonState) -> Result<PeerId, io::Error> {
	let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidData, message);
	let Some([certificate]) = state.peer_certificates() else {
		return Err(invalid("the peer did not present exactly one certificate".into()));
	};
	certificate::parse(certificate).map(|c| c.peer_id()).map_err(|e| invalid(e.to_string()))
}

/// libp2p's certificate rules for both sides: exactly one certificate, self-signed, with a
/// valid libp2p extension (checked by [`certificate::parse`]); handshake signatures by the
/// certificate's key. The PeerId is compared with the dialled one by the swarm.
#[derive(Debug)]
struct PeerCertificateVerifier;

impl PeerCertificateVerifier {
	fn check_certificate(
		end_entity: &CertificateDer,
		intermediates: &[CertificateDer],
	) -> Result<(), rustls::Error> {
		if !intermediates.is_empty() {
			return Err(rustls::Error::General("libp2p TLS allows exactly one certificate".into()));
		}
		certificate::parse(end_entity).map(drop).map_err(invalid_certificate)
	}

	fn check_signature(
		message: &[u8],
		certificate: &CertificateDer,
		signed: &DigitallySignedStruct,
	) -> Result<HandshakeSignatureValid, rustls::Error> {
		certificate::parse(certificate)
			.map_err(invalid_certificate)?
			.verify_signature(signed.scheme, message, signed.signature())
			.map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadSignature))?;
		Ok(HandshakeSignatureValid::assertion())
	}
}

fn tls12_refused() -> rustls::Error {
	rustls::Error::General("libp2p TLS requires TLS 1.3".into())
}

fn invalid_certificate(error: certificate::ParseError) -> rustls::Error {
	rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(error))))
}

impl ServerCertVerifier for PeerCertificateVerifier {
	fn verify_server_cert(
		&self,
		end_entity: &CertificateDer,
		intermediates: &[CertificateDer],
		_server_name: &ServerName,
		_ocsp_response: &[u8],
		_now: UnixTime,
	) -> Result<ServerCertVerified, rustls::Error> {
		Self::check_certificate(end_entity, intermediates)?;
		Ok(ServerCertVerified::assertion())
	}

	fn verify_tls12_signature(
		&self,
		_message: &[u8],
		_certificate: &CertificateDer,
		_signed: &DigitallySignedStruct,
	) -> Result<HandshakeSignatureValid, rustls::Error> {
		// Only TLS 1.3 is configured; refuse rather than trust a path that cannot be reached.
		Err(tls12_refused())
	}

	fn verify_tls13_signature(
		&self,
		message: &[u8],
		certificate: &CertificateDer,
		signed: &DigitallySignedStruct,
	) -> Result<HandshakeSignatureValid, rustls::Error> {
		Self::check_signature(message, certificate, signed)
	}

	fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
		VERIFY_SCHEMES.to_vec()
	}
}

impl ClientCertVerifier for PeerCertificateVerifier {
	fn offer_client_auth(&self) -> bool {
		true
	}

	fn client_auth_mandatory(&self) -> bool {
		true
	}

	fn root_hint_subjects(&self) -> &[DistinguishedName] {
		&[]
	}

	fn verify_client_cert(
		&self,
		end_entity: &CertificateDer,
		intermediates: &[CertificateDer],
		_now: UnixTime,
	) -> Result<ClientCertVerified, rustls::Error> {
		Self::check_certificate(end_entity, intermediates)?;
		Ok(ClientCertVerified::assertion())
	}

	fn verify_tls12_signature(
		&self,
		_message: &[u8],
		_certificate: &CertificateDer,
		_signed: &DigitallySignedStruct,
	) -> Result<HandshakeSignatureValid, rustls::Error> {
		Err(tls12_refused())
	}

	fn verify_tls13_signature(
		&self,
		message: &[u8],
		certificate: &CertificateDer,
		signed: &DigitallySignedStruct,
	) -> Result<HandshakeSignatureValid, rustls::Error> {
		Self::check_signature(message, certificate, signed)
	}

	fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
		VERIFY_SCHEMES.to_vec()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use libp2p::tcp::tokio::TcpStream;
	use rustls::CipherSuite;

	/// A connected pair of TCP sockets on 127.0.0.1.
	async fn socket_pair() -> (TcpStream, TcpStream) {
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let address = listener.local_addr().unwrap();
		let (dialed, accepted) =
			tokio::join!(tokio::net::TcpStream::connect(address), listener.accept());
		(TcpStream(dialed.unwrap()), TcpStream(accepted.unwrap().0))
	}

	fn suite(stream: &futures_rustls::TlsStream<TcpStream>) -> CipherSuite {
		stream.get_ref().1.negotiated_cipher_suite().expect("handshake done").suite()
	}

	#[tokio::test]
	async fn handshake_authenticates_both_peers_with_this_cpus_suite() {
		let (dialer, listener) = (Keypair::generate_ed25519(), Keypair::generate_ed25519());
		let (outbound, inbound) = socket_pair().await;
		let (client, server) = tokio::join!(
			Config::new(&dialer).unwrap().upgrade_outbound(outbound, PROTOCOL_NAME),
			Config::new(&listener).unwrap().upgrade_inbound(inbound, PROTOCOL_NAME),
		);
		let ((server_seen, mut client), (client_seen, mut server)) =
			(client.unwrap(), server.unwrap());
		assert_eq!(server_seen, listener.public().to_peer_id());
		assert_eq!(client_seen, dialer.public().to_peer_id());
		let expected = preferred_cipher_suites()[0].suite();
		assert_eq!(suite(&client), expected);
		assert_eq!(suite(&server), expected);
		if aes_in_hardware() {
			assert_eq!(expected, CipherSuite::TLS13_AES_128_GCM_SHA256);
		}

		use futures::{AsyncReadExt, AsyncWriteExt};
		client.write_all(b"fragment bytes").await.unwrap();
		client.flush().await.unwrap();
		let mut received = [0u8; 14];
		server.read_exact(&mut received).await.unwrap();
		assert_eq!(&received, b"fragment bytes");
	}

	#[tokio::test]
	async fn the_accepting_side_picks_the_suite() {
		use rustls::crypto::ring::cipher_suite::{
			TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256,
		};
		let (outbound, inbound) = socket_pair().await;
		let dialer = Config::with_cipher_suites(
			&Keypair::generate_ed25519(),
			vec![TLS13_CHACHA20_POLY1305_SHA256, TLS13_AES_256_GCM_SHA384],
		)
		.unwrap();
		let listener = Config::with_cipher_suites(
			&Keypair::generate_ed25519(),
			vec![TLS13_AES_256_GCM_SHA384, TLS13_CHACHA20_POLY1305_SHA256],
		)
		.unwrap();
		let (client, server) = tokio::join!(
			dialer.upgrade_outbound(outbound, PROTOCOL_NAME),
			listener.upgrade_inbound(inbound, PROTOCOL_NAME),
		);
		assert_eq!(suite(&client.unwrap().1), CipherSuite::TLS13_AES_256_GCM_SHA384);
		assert_eq!(suite(&server.unwrap().1), CipherSuite::TLS13_AES_256_GCM_SHA384);
	}

	#[tokio::test]
	async fn interoperates_with_stock_libp2p_tls_both_ways() {
		for ours_accepts in [true, false] {
			let (ours, stock) = (Keypair::generate_ed25519(), Keypair::generate_ed25519());
			let (outbound, inbound) = socket_pair().await;
			let ours_config = Config::new(&ours).unwrap();
			let stock_config = libp2p::tls::Config::new(&stock).unwrap();
			let (seen_by_ours, seen_by_stock) = if ours_accepts {
				let (stock_side, our_side) = tokio::join!(
					stock_config.upgrade_outbound(outbound, PROTOCOL_NAME),
					ours_config.upgrade_inbound(inbound, PROTOCOL_NAME),
				);
				let (our_side, stock_side) = (our_side.unwrap(), stock_side.unwrap());
				// Our server's order decides, whatever the stock client prefers.
				assert_eq!(suite(&our_side.1), preferred_cipher_suites()[0].suite());
				(our_side.0, stock_side.0)
			} else {
				let (our_side, stock_side) = tokio::join!(
					ours_config.upgrade_outbound(outbound, PROTOCOL_NAME),
					stock_config.upgrade_inbound(inbound, PROTOCOL_NAME),
				);
				(our_side.unwrap().0, stock_side.unwrap().0)
			};
			assert_eq!(seen_by_ours, stock.public().to_peer_id());
			assert_eq!(seen_by_stock, ours.public().to_peer_id());
		}
	}

	#[tokio::test]
	async fn a_client_without_a_certificate_is_refused() {
		let (outbound, inbound) = socket_pair().await;
		let mut anonymous = rustls::ClientConfig::builder_with_provider(Arc::new(
			ring_provider::default_provider(),
		))
		.with_protocol_versions(&[&rustls::version::TLS13])
		.unwrap()
		.dangerous()
		.with_custom_certificate_verifier(Arc::new(PeerCertificateVerifier))
		.with_no_client_auth();
		anonymous.alpn_protocols = vec![ALPN.to_vec()];
		let name = ServerName::IpAddress(IpAddr::V4(Ipv4Addr::UNSPECIFIED).into());
		let server = Config::new(&Keypair::generate_ed25519()).unwrap();
		let (client, server) = tokio::join!(
			async {
				use futures::AsyncReadExt;
				// TLS 1.3 finishes the client's side first; the refusal arrives on the next read.
				let mut stream = futures_rustls::TlsConnector::from(Arc::new(anonymous))
					.connect(name, outbound)
					.await?;
				stream.read(&mut [0u8; 1]).await
			},
			server.upgrade_inbound(inbound, PROTOCOL_NAME),
		);
		assert!(matches!(server, Err(UpgradeError::ServerUpgrade(_))), "server accepted");
		assert!(client.is_err(), "the anonymous client was not told");
	}

	#[test]
	fn a_tampered_certificate_is_refused() {
		let (certificate, _) = certificate::generate(&Keypair::generate_ed25519()).unwrap();
		assert!(PeerCertificateVerifier::check_certificate(&certificate, &[]).is_ok());
		let bytes = certificate.as_ref().to_vec();
		// Every byte of the body and the signature is covered by a check.
		for index in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 2] {
			let mut tampered = bytes.clone();
			tampered[index] ^= 0x01;
			let tampered = CertificateDer::from(tampered);
			assert!(
				PeerCertificateVerifier::check_certificate(&tampered, &[]).is_err(),
				"byte {index} of {} flipped, certificate accepted",
				bytes.len()
			);
		}
		assert!(
			PeerCertificateVerifier::check_certificate(
				&certificate,
				std::slice::from_ref(&certificate)
			)
			.is_err(),
			"a chain of two certificates"
		);
	}
}
