//! A JSON-RPC client of a CESS node, typed with the runtime this binary was built with.
//!
//! The file client (`cess-node file …`) and the storage-miner role use it to read state, call
//! runtime APIs and submit signed transactions; the typed reads of the storage pallets built on
//! it are in [`crate::chain_api`]. Calls, events and storage values are the runtime's own Rust
//! types (this binary embeds the runtime), so the client refuses to talk to a node whose runtime
//! `spec_name` or `spec_version` differs from the one it was built with: SCALE types could have
//! changed.

use cess_runtime::{
	tx_extension, AccountId, Hash, Nonce, RuntimeCall, RuntimeEvent, SignedPayload,
	UncheckedExtrinsic, VERSION,
};
use codec::{Decode, Encode};
use jsonrpsee::{
	core::client::{ClientT, SubscriptionClientT},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use sp_core::{sr25519, Pair};
use sp_runtime::{generic::Era, DispatchError};
use std::time::Duration;

/// Blocks a transaction signed by [`ChainClient::sign`] stays valid for.
pub const MORTAL_PERIOD: u32 = 256;

/// Errors of [`ChainClient`].
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
	/// The node could not be reached or answered with an RPC error.
	#[error("RPC error: {0}")]
	Rpc(#[from] jsonrpsee::core::ClientError),
	/// The node's runtime is not the one this binary was built with.
	#[error(
		"the node runs runtime {spec_name} v{spec_version}, this client was built for cess \
		 v{expected}: use a cess-node binary of the same release"
	)]
	RuntimeMismatch {
		/// The node's spec name.
		spec_name: String,
		/// The node's spec version.
		spec_version: u32,
		/// The spec version this binary embeds.
		expected: u32,
	},
	/// A value from the node did not decode.
	#[error("cannot decode {what} from the node: {error}")]
	Decode {
		/// What was being decoded.
		what: &'static str,
		/// The codec error.
		error: codec::Error,
	},
	/// The transaction was refused by the pool (bad nonce, no funds for fees, …).
	#[error("transaction refused: {0}")]
	Invalid(String),
	/// The transaction was included but its call failed.
	#[error("{0}")]
	Dispatch(String),
	/// The transaction did not reach the wanted state in time.
	#[error("transaction not {0} within the time limit")]
	Timeout(&'static str),
}

/// Who signs transactions: an account and a way to sign a payload with its key (an sr25519
/// pair from a secret URI, or a key held in the node's keystore).
pub trait TxSigner: Send + Sync {
	/// The account that pays and signs.
	fn account(&self) -> AccountId;
	/// Signs a transaction payload.
	fn sign(&self, payload: &[u8]) -> Result<sp_runtime::MultiSignature, ChainError>;
}

impl TxSigner for sr25519::Pair {
	fn account(&self) -> AccountId {
		self.public().into()
	}

	fn sign(&self, payload: &[u8]) -> Result<sp_runtime::MultiSignature, ChainError> {
		Ok(Pair::sign(self, payload).into())
	}
}

/// An sr25519 key in a keystore (the storage miner's account key, key type `cmin`).
pub struct KeystoreSigner {
	/// The keystore holding the secret.
	pub keystore: sp_keystore::KeystorePtr,
	/// Key type under which the key is stored.
	pub key_type: sp_core::crypto::KeyTypeId,
	/// The public key (= account id).
	pub public: sr25519::Public,
}

impl TxSigner for KeystoreSigner {
	fn account(&self) -> AccountId {
		self.public.into()
	}

	fn sign(&self, payload: &[u8]) -> Result<sp_runtime::MultiSignature, ChainError> {
		match self.keystore.sr25519_sign(self.key_type, &self.public, payload) {
			Ok(Some(signature)) => Ok(signature.into()),
			Ok(None) => Err(ChainError::Invalid(format!(
				"the key {} is not in the keystore",
				sp_core::crypto::Ss58Codec::to_ss58check(&self.public)
			))),
			Err(e) => Err(ChainError::Invalid(format!("keystore: {e}"))),
		}
	}
}

/// When [`ChainClient::submit`] returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitFor {
	/// As soon as the transaction is in a block of the best chain.
	InBlock,
	/// Once its block is finalized.
	Finalized,
}

/// The result of a successful transaction: its block and the events it emitted.
#[derive(Debug)]
pub struct TxOutcome {
	/// Block that includes the transaction.
	pub block: Hash,
	/// Events of the transaction, in order (without the final `ExtrinsicSuccess`).
	pub events: Vec<RuntimeEvent>,
}

/// A connection to a node's JSON-RPC endpoint.
pub struct ChainClient {
	rpc: WsClient,
	genesis: Hash,
}

/// Storage key of `System::Events`.
fn system_events_key() -> Vec<u8> {
	let mut key = sp_io::hashing::twox_128(b"System").to_vec();
	key.extend(sp_io::hashing::twox_128(b"Events"));
	key
}

impl ChainClient {
	/// Connects to `url` (e.g. `ws://127.0.0.1:9944`) and checks the node's runtime version.
	pub async fn connect(url: &str) -> Result<Self, ChainError> {
		let rpc = WsClientBuilder::default()
			.request_timeout(Duration::from_secs(60))
			.max_response_size(64 * 1024 * 1024)
			.build(url)
			.await?;
		let version: serde_json::Value =
			rpc.request("state_getRuntimeVersion", rpc_params![]).await?;
		let spec_version = version["specVersion"].as_u64().unwrap_or_default() as u32;
		let spec_name = version["specName"].as_str().unwrap_or_default().to_string();
		if spec_name != VERSION.spec_name || spec_version != VERSION.spec_version {
			return Err(ChainError::RuntimeMismatch {
				spec_name,
				spec_version,
				expected: VERSION.spec_version,
			});
		}
		let genesis: Hash = rpc.request("chain_getBlockHash", rpc_params![0u32]).await?;
		Ok(Self { rpc, genesis })
	}

	/// The hash of the chain's genesis block (what access tickets and transactions are bound
	/// to).
	pub fn genesis(&self) -> Hash {
		self.genesis
	}

	/// Raw storage value under `key` at `at` (best block when `None`).
	pub async fn storage_raw(
		&self,
		key: &[u8],
		at: Option<Hash>,
	) -> Result<Option<Vec<u8>>, ChainError> {
		let value: Option<sp_core::Bytes> = self
			.rpc
			.request("state_getStorage", rpc_params![sp_core::Bytes(key.to_vec()), at])
			.await?;
		Ok(value.map(|b| b.0))
	}

	/// A storage value decoded as `T`.
	pub async fn storage<T: Decode>(
		&self,
		key: &[u8],
		at: Option<Hash>,
		what: &'static str,
	) -> Result<Option<T>, ChainError> {
		match self.storage_raw(key, at).await? {
			None => Ok(None),
			Some(bytes) => T::decode(&mut &bytes[..])
				.map(Some)
				.map_err(|error| ChainError::Decode { what, error }),
		}
	}

	/// Calls runtime API `method` (e.g. `"FileBankApi_file"`) with SCALE-encoded `args`.
	pub async fn runtime_call<R: Decode>(
		&self,
		method: &str,
		args: impl Encode,
		what: &'static str,
	) -> Result<R, ChainError> {
		let raw: sp_core::Bytes = self
			.rpc
			.request("state_call", rpc_params![method, sp_core::Bytes(args.encode())])
			.await?;
		R::decode(&mut &raw[..]).map_err(|error| ChainError::Decode { what, error })
	}

	/// Hash and number of the best block.
	pub async fn best(&self) -> Result<(Hash, u32), ChainError> {
		let header: cess_runtime::Header =
			self.rpc.request("chain_getHeader", rpc_params![]).await?;
		Ok((header.hash(), header.number))
	}

	/// The block a transaction's mortality counts from: the finalized head, unless finality
	/// lags the best block by more than half the mortal period (then the best block, so that
	/// the transaction does not expire almost at once).
	///
	/// Counting from the best block would tie the signature to a block that a reorg can drop
	/// (BABE forks are routine with several validators): the era's birth hash would then be
	/// unknown on the new best chain and the pool reports the transaction invalid.
	async fn era_birth(&self) -> Result<(Hash, u32), ChainError> {
		let (best_hash, best_number) = self.best().await?;
		let finalized: Hash = self.rpc.request("chain_getFinalizedHead", rpc_params![]).await?;
		let header: Option<cess_runtime::Header> =
			self.rpc.request("chain_getHeader", rpc_params![finalized]).await?;
		match header {
			Some(header) if best_number.saturating_sub(header.number) <= MORTAL_PERIOD / 2 => {
				Ok((finalized, header.number))
			}
			_ => Ok((best_hash, best_number)),
		}
	}

	/// The next nonce of `who`, counting its transactions in the pool.
	pub async fn next_nonce(&self, who: &AccountId) -> Result<Nonce, ChainError> {
		Ok(self.rpc.request("system_accountNextIndex", rpc_params![who.to_string()]).await?)
	}

	/// Signs `call` with `signer` (mortal for [`MORTAL_PERIOD`] blocks from [`Self::era_birth`],
	/// no tip) and encodes it.
	pub async fn sign(
		&self,
		call: RuntimeCall,
		signer: &dyn TxSigner,
		nonce: Option<Nonce>,
	) -> Result<UncheckedExtrinsic, ChainError> {
		let who = signer.account();
		let nonce = match nonce {
			Some(n) => n,
			None => self.next_nonce(&who).await?,
		};
		let (birth_hash, birth_number) = self.era_birth().await?;
		let era = Era::mortal(u64::from(MORTAL_PERIOD), u64::from(birth_number));
		let tx_ext = tx_extension(era, nonce, 0);
		// What the extensions add to the signed payload without sending it: spec and
		// transaction versions, the genesis hash and the era's birth block.
		let implicit = (
			(),
			(),
			VERSION.spec_version,
			VERSION.transaction_version,
			self.genesis,
			birth_hash,
			(),
			(),
			(),
			(),
		);
		let payload = SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit);
		let signature = payload.using_encoded(|bytes| signer.sign(bytes))?;
		Ok(UncheckedExtrinsic::new_signed(call, who.into(), signature, tx_ext))
	}

	/// Signs and submits `call`, waits for `wait`, and returns the transaction's events; a
	/// failed call is an error naming the pallet's error (`Sminer::InsufficientBalance`).
	pub async fn submit(
		&self,
		call: RuntimeCall,
		signer: &dyn TxSigner,
		wait: WaitFor,
		timeout: Duration,
	) -> Result<TxOutcome, ChainError> {
		let xt = self.sign(call, signer, None).await?;
		self.submit_extrinsic(xt, wait, timeout).await
	}

	/// Submits a signed extrinsic and waits as [`Self::submit`] does.
	pub async fn submit_extrinsic(
		&self,
		xt: UncheckedExtrinsic,
		wait: WaitFor,
		timeout: Duration,
	) -> Result<TxOutcome, ChainError> {
		let encoded = xt.encode();
		let xt_hash = Hash::from(sp_io::hashing::blake2_256(&encoded));
		let mut sub = self
			.rpc
			.subscribe::<serde_json::Value, _>(
				"author_submitAndWatchExtrinsic",
				rpc_params![sp_core::Bytes(encoded)],
				"author_unwatchExtrinsic",
			)
			.await
			.map_err(|e| ChainError::Invalid(e.to_string()))?;
		let wanted = match wait {
			WaitFor::InBlock => "inBlock",
			WaitFor::Finalized => "finalized",
		};
		let block = tokio::time::timeout(timeout, async {
			while let Some(status) = sub.next().await {
				let status = status.map_err(|e| ChainError::Invalid(e.to_string()))?;
				if let Some(hash) = status.get(wanted).and_then(|h| h.as_str()) {
					return hash
						.parse::<Hash>()
						.map_err(|_| ChainError::Invalid(format!("bad block hash {hash}")));
				}
				for bad in ["invalid", "dropped", "usurped", "finalityTimeout"] {
					if status.as_str() == Some(bad) || status.get(bad).is_some() {
						return Err(ChainError::Invalid(format!("transaction {bad}")));
					}
				}
			}
			Err(ChainError::Invalid("the node closed the subscription".into()))
		})
		.await
		.map_err(|_| ChainError::Timeout(wanted))??;
		let events = self.extrinsic_events(block, xt_hash).await?;
		Ok(TxOutcome { block, events })
	}

	/// Events of the extrinsic `xt_hash` in `block`; its failure as an error.
	async fn extrinsic_events(
		&self,
		block: Hash,
		xt_hash: Hash,
	) -> Result<Vec<RuntimeEvent>, ChainError> {
		let signed: serde_json::Value =
			self.rpc.request("chain_getBlock", rpc_params![block]).await?;
		let index = signed["block"]["extrinsics"]
			.as_array()
			.and_then(|xts| {
				xts.iter().position(|x| {
					x.as_str().and_then(hex_to_bytes).is_some_and(|bytes| {
						Hash::from(sp_io::hashing::blake2_256(&bytes)) == xt_hash
					})
				})
			})
			.ok_or_else(|| ChainError::Invalid("transaction not found in its block".into()))?
			as u32;
		let records: Vec<frame_system::EventRecord<RuntimeEvent, Hash>> = self
			.storage(&system_events_key(), Some(block), "System::Events")
			.await?
			.unwrap_or_default();
		let mut events = Vec::new();
		for record in records {
			if record.phase != frame_system::Phase::ApplyExtrinsic(index) {
				continue;
			}
			match record.event {
				RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
					dispatch_error,
					..
				}) => return Err(ChainError::Dispatch(describe_dispatch_error(dispatch_error))),
				RuntimeEvent::System(frame_system::Event::ExtrinsicSuccess { .. }) => {}
				event => events.push(event),
			}
		}
		Ok(events)
	}
}

/// `0x…` hex to bytes.
fn hex_to_bytes(hex: &str) -> Option<Vec<u8>> {
	let hex = hex.strip_prefix("0x")?;
	(0..hex.len())
		.step_by(2)
		.map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
		.collect()
}

/// A dispatch error as `Pallet::Error` (e.g. `Sminer::InsufficientBalance`).
pub fn describe_dispatch_error(error: DispatchError) -> String {
	if let DispatchError::Module(module) = error {
		if let Some(runtime_error) =
			cess_runtime::RuntimeError::from_dispatch_error(DispatchError::Module(module))
		{
			// `Sminer(InsufficientBalance)` → `Sminer::InsufficientBalance`.
			let text = format!("{runtime_error:?}");
			if let Some((pallet, rest)) = text.split_once('(') {
				return format!("{pallet}::{}", rest.trim_end_matches(')'));
			}
			return text;
		}
	}
	format!("{error:?}")
}
