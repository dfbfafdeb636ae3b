//! `cess-node file …`: store files on the chain's miners and get them back.
//!
//! - `put <path>`: encrypts the file with a fresh key, encodes it (segments, Reed-Solomon
//!   fragments, Merkle roots), declares it on chain (paying the storage fee), pushes every
//!   fragment to the miner the chain placed it on, in parallel, and waits until the file is
//!   active. The key is written to the key directory and printed: without it nobody, not even
//!   the miners, can read the file.
//! - `get <file hash> -o <path> --suri <owner>`: reads the placement, fetches the fastest
//!   `data_shards` fragments of each segment in parallel, checks each against its root,
//!   decodes and decrypts into `<path>` (written to a temporary file and renamed when
//!   complete).
//! - `delete`, `status`, `ls`: drop ownership, show a file's state and placement, list the
//!   account's files;
//! - `miner`, `miner-exit`, `miner-withdraw`: show a storage miner's record, start and end the
//!   exit of the `--suri` miner.
//!
//! Miners store and serve a file's fragments only to a peer named in a ticket signed by one
//! of the file's owners ([`ticket`]): `put` and `get` sign one with the `--suri` key for the
//! client's own PeerId and send it with every request.
//!
//! Each command lives in a module of its own named for it ([`put`], [`get`], [`delete`],
//! [`status`], [`ls`], [`miner`]).
//!
//! The client talks to a node's JSON-RPC endpoint (`--rpc-url`) and joins the storage network
//! with a throw-away identity; it never listens.

mod delete;
mod error;
mod file_view;
mod get;
mod keys;
mod ls;
mod miner;
mod network;
mod output;
mod put;
mod status;
mod ticket;

pub use error::FileError;

use crate::chain_client::{ChainClient, ChainError, TxOutcome, TxSigner, WaitFor};
use cess_primitives::FileHash;
use cess_runtime::{AccountId, RuntimeCall};
use sp_core::{sr25519, Pair};
use std::{path::PathBuf, sync::Arc, time::Duration};

/// `cess-node file …`.
#[derive(Debug, clap::Args)]
pub struct FileCmd {
	/// What to do.
	#[command(subcommand)]
	pub action: FileAction,

	/// JSON-RPC endpoint of a node of the chain.
	#[arg(long, global = true, value_name = "URL", default_value = "ws://127.0.0.1:9944")]
	pub rpc_url: String,

	/// Secret URI of the paying and owning account (e.g. `//Alice` on a development chain, or
	/// a mnemonic). Needed by put, get (an owner of the file), delete and ls.
	#[arg(long, global = true, value_name = "SECRET_URI")]
	pub suri: Option<String>,

	/// Directory where file keys are kept. Default: `$HOME/.local/share/cess/file-keys`.
	#[arg(long, global = true, value_name = "PATH")]
	pub key_dir: Option<PathBuf>,
}

/// The file operations.
#[derive(Debug, clap::Subcommand)]
pub enum FileAction {
	/// Encrypt, encode, declare and upload a file; waits until it is active.
	Put {
		/// The file to store.
		path: PathBuf,
		/// Name recorded on chain (default: the file's name).
		#[arg(long)]
		name: Option<String>,
		/// Storage periods to pay for.
		#[arg(long, default_value_t = 1)]
		periods: u32,
		/// Fragments pushed at once.
		#[arg(long, default_value_t = 8)]
		parallel: usize,
		/// Seconds to wait for the file to become active.
		#[arg(long, default_value_t = 600)]
		timeout: u64,
	},
	/// Download, check, decode and decrypt a file (with `--suri` of one of its owners).
	Get {
		/// The file's hash (0x…).
		file: FileHash,
		/// Where to write the file.
		#[arg(short, long)]
		output: PathBuf,
		/// The file's key (64 hex digits); default: the one in the key directory.
		#[arg(long)]
		key: Option<String>,
	},
	/// Drop the account's ownership of a file (its fragments are released when no owner is
	/// left).
	Delete {
		/// The file's hash (0x…).
		file: FileHash,
	},
	/// Show a file's state and where its fragments are.
	Status {
		/// The file's hash (0x…).
		file: FileHash,
	},
	/// Show a storage miner's record: state, space, collateral and audit history.
	Miner {
		/// The miner's SS58 address.
		account: String,
	},
	/// Start the exit of the `--suri` storage miner: it takes no new fragments and the chain
	/// moves its fragments to other miners (keep the miner running until they are rebuilt).
	MinerExit,
	/// End the exit of the `--suri` storage miner once the cooldown has passed and every
	/// fragment has moved: the collateral is released.
	MinerWithdraw,
	/// List the files an account owns (default: the `--suri` account).
	Ls {
		/// The owner's SS58 address.
		#[arg(long)]
		owner: Option<String>,
	},
}

impl FileCmd {
	/// Runs the command on a Tokio runtime of its own.
	pub fn run(&self) -> Result<(), FileError> {
		let runtime = tokio::runtime::Builder::new_multi_thread()
			.enable_all()
			.build()
			.map_err(|e| FileError::Other(format!("cannot start the async runtime: {e}")))?;
		runtime.block_on(self.run_async())
	}

	async fn run_async(&self) -> Result<(), FileError> {
		let chain = Arc::new(ChainClient::connect(&self.rpc_url).await.map_err(|e| match e {
			ChainError::Rpc(e) => {
				FileError::Other(format!("cannot reach the node at {}: {e}", self.rpc_url))
			}
			e => e.into(),
		})?);
		let suri = self.suri.as_deref();
		match &self.action {
			FileAction::Put { path, name, periods, parallel, timeout } => {
				let options = put::PutOptions {
					name: name.clone(),
					periods: *periods,
					parallel: (*parallel).max(1),
					timeout: Duration::from_secs(*timeout),
					key_dir: self.key_dir(),
				};
				put::run(&chain, &signer(suri)?, path, options).await
			}
			FileAction::Get { file, output, key } => {
				let owner = suri.ok_or_else(|| {
					FileError::Other(
						"reading a file's fragments needs an owner's key (--suri)".into(),
					)
				})?;
				let owner = pair(owner)?;
				get::run(&chain, &owner, *file, key.as_deref(), &self.key_dir(), output).await
			}
			FileAction::Delete { file } => delete::run(&chain, suri, *file).await,
			FileAction::Status { file } => status::run(&chain, *file).await,
			FileAction::Miner { account } => miner::show(&chain, &parse_account(account)?).await,
			FileAction::MinerExit => miner::exit(&chain, suri).await,
			FileAction::MinerWithdraw => miner::withdraw(&chain, suri).await,
			FileAction::Ls { owner } => {
				let owner = match owner {
					Some(text) => parse_account(text)?,
					None => signer(suri)?.account(),
				};
				ls::run(&chain, &owner).await
			}
		}
	}

	fn key_dir(&self) -> PathBuf {
		self.key_dir.clone().unwrap_or_else(|| {
			let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| ".".into());
			home.join(".local/share/cess/file-keys")
		})
	}
}

/// The paying and owning account of `--suri`.
fn signer(suri: Option<&str>) -> Result<sr25519::Pair, FileError> {
	let suri = suri.ok_or_else(|| {
		FileError::Other("give the paying account with --suri (e.g. --suri //Alice)".into())
	})?;
	pair(suri)
}

/// The key of a secret URI.
fn pair(suri: &str) -> Result<sr25519::Pair, FileError> {
	sr25519::Pair::from_string(suri, None)
		.map_err(|e| FileError::Other(format!("--suri is not a valid secret URI: {e}")))
}

/// Submits an irreversible call signed by `--suri` and waits until it is final.
async fn submit_final(
	chain: &ChainClient,
	suri: Option<&str>,
	call: RuntimeCall,
) -> Result<TxOutcome, FileError> {
	Ok(chain.submit(call, &signer(suri)?, WaitFor::Finalized, Duration::from_secs(180)).await?)
}

/// An account from its SS58 address.
fn parse_account(text: &str) -> Result<AccountId, FileError> {
	sp_core::crypto::Ss58Codec::from_ss58check(text)
		.map_err(|e| FileError::Other(format!("`{text}` is not an SS58 address: {e:?}")))
}
