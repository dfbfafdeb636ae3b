//! `cess-node file …`: store files on the chain's miners and get them back.
//!
//! - `put <path>`: encrypts the file with a fresh key, encodes it (segments, Reed-Solomon
//!   fragments, Merkle roots), declares it on chain (paying the storage fee), pushes every
//!   fragment to the miner the chain placed it on, in parallel, and waits until the file is
//!   active. The key is written to the key directory and printed: without it nobody, not even
//!   the miners, can read the file.
//! - `get <file hash> -o <path>`: reads the placement, fetches the fastest `data_shards`
//!   fragments of each segment in parallel, checks each against its root, decodes and
//!   decrypts into `<path>` (written to a temporary file and renamed when complete).
//! - `delete`, `status`, `ls`: drop ownership, show a file's state and placement, list the
//!   account's files.
//!
//! The client talks to a node's JSON-RPC endpoint (`--rpc-url`) and joins the storage network
//! with a throw-away identity; it never listens.

mod get;
mod put;

use crate::{
	chain_client::{ChainClient, ChainError},
	fragment_verifier::MerkleRootVerifier,
};
use cess_dht::{KademliaMode, MemoryStore, PeerAllowList};
use cess_primitives::{codec::FileKey, FileHash, FileLayout};
use sp_core::{sr25519, Pair};
use std::{path::PathBuf, sync::Arc};

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
	/// a mnemonic). Needed by put, delete and ls.
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
	/// Download, check, decode and decrypt a file.
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

/// Errors of the file client, worded for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
	/// A chain or RPC error.
	#[error(transparent)]
	Chain(#[from] ChainError),
	/// The chain has no such file.
	#[error("no such file: {0}")]
	NoSuchFile(FileHash),
	/// Anything else, explained.
	#[error("{0}")]
	Other(String),
}

impl From<std::io::Error> for FileError {
	fn from(e: std::io::Error) -> Self {
		FileError::Other(e.to_string())
	}
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
		match &self.action {
			FileAction::Put { path, name, periods, parallel, timeout } => {
				let options = put::PutOptions {
					name: name.clone(),
					periods: *periods,
					parallel: (*parallel).max(1),
					timeout: std::time::Duration::from_secs(*timeout),
					key_dir: self.key_dir(),
				};
				put::put(&chain, &self.signer()?, path, options).await
			}
			FileAction::Get { file, output, key } => {
				if chain.file(*file).await?.is_none() {
					return Err(FileError::NoSuchFile(*file));
				}
				let key = match key {
					Some(hex) => hex.parse::<FileKey>().map_err(|e| {
						FileError::Other(format!("--key is not a file key (64 hex digits): {e:?}"))
					})?,
					None => load_key(&self.key_dir(), file)?,
				};
				get::get(&chain, *file, &key, output).await
			}
			FileAction::Delete { file } => {
				if chain.file(*file).await?.is_none() {
					return Err(FileError::NoSuchFile(*file));
				}
				let call =
					cess_runtime::RuntimeCall::FileBank(pallet_file_bank::Call::delete_file {
						file_hash: *file,
					});
				let outcome = self.submit_final(&chain, call).await?;
				println!("deleted {file} (finalized in block {:?})", outcome.block);
				Ok(())
			}
			FileAction::Status { file } => get::status(&chain, *file).await,
			FileAction::Miner { account } => {
				let account = parse_account(account)?;
				get::miner(&chain, &account).await
			}
			FileAction::MinerExit => {
				let call = cess_runtime::RuntimeCall::Sminer(pallet_sminer::Call::prepare_exit {});
				let outcome = self.submit_final(&chain, call).await?;
				println!("exit started (finalized in block {:?})", outcome.block);
				for event in outcome.events {
					if let cess_runtime::RuntimeEvent::Sminer(
						pallet_sminer::Event::ExitPrepared { unlock_at, .. },
					) = event
					{
						println!("withdraw possible from block {unlock_at}, once every fragment has moved");
					}
				}
				Ok(())
			}
			FileAction::MinerWithdraw => {
				let call = cess_runtime::RuntimeCall::Sminer(pallet_sminer::Call::withdraw {});
				let outcome = self.submit_final(&chain, call).await?;
				for event in outcome.events {
					if let cess_runtime::RuntimeEvent::Sminer(pallet_sminer::Event::Exited {
						collateral,
						..
					}) = event
					{
						println!("exited: {} CESS of collateral released", format_cess(collateral));
					}
				}
				Ok(())
			}
			FileAction::Ls { owner } => {
				let owner = match owner {
					Some(text) => parse_account(text)?,
					None => crate::chain_client::TxSigner::account(&self.signer()?),
				};
				get::list(&chain, &owner).await
			}
		}
	}

	/// Submits an irreversible call signed by `--suri` and waits until it is final.
	async fn submit_final(
		&self,
		chain: &ChainClient,
		call: cess_runtime::RuntimeCall,
	) -> Result<crate::chain_client::TxOutcome, FileError> {
		Ok(chain
			.submit(
				call,
				&self.signer()?,
				crate::chain_client::WaitFor::Finalized,
				std::time::Duration::from_secs(180),
			)
			.await?)
	}

	fn signer(&self) -> Result<sr25519::Pair, FileError> {
		let suri = self.suri.as_deref().ok_or_else(|| {
			FileError::Other("give the paying account with --suri (e.g. --suri //Alice)".into())
		})?;
		sr25519::Pair::from_string(suri, None)
			.map_err(|e| FileError::Other(format!("--suri is not a valid secret URI: {e:?}")))
	}

	fn key_dir(&self) -> PathBuf {
		self.key_dir.clone().unwrap_or_else(|| {
			let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| ".".into());
			home.join(".local/share/cess/file-keys")
		})
	}
}

/// An account from its SS58 address.
fn parse_account(text: &str) -> Result<cess_runtime::AccountId, FileError> {
	sp_core::crypto::Ss58Codec::from_ss58check(text)
		.map_err(|e| FileError::Other(format!("`{text}` is not an SS58 address: {e:?}")))
}

/// Path of a file's key in the key directory.
fn key_path(dir: &std::path::Path, file: &FileHash) -> PathBuf {
	dir.join(format!("{file}.key"))
}

/// Writes a file's key (owner-only permissions, synced) before the file is declared.
fn save_key(dir: &std::path::Path, file: &FileHash, key: &FileKey) -> Result<PathBuf, FileError> {
	use std::io::Write;
	std::fs::create_dir_all(dir)?;
	let path = key_path(dir, file);
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create(true).truncate(true);
	#[cfg(unix)]
	std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
	let mut out = options.open(&path)?;
	out.write_all(key.to_hex().as_bytes())?;
	out.sync_all()?;
	Ok(path)
}

fn load_key(dir: &std::path::Path, file: &FileHash) -> Result<FileKey, FileError> {
	let path = key_path(dir, file);
	let text = std::fs::read_to_string(&path).map_err(|_| {
		FileError::Other(format!("no key for {file} in {}: give it with --key", dir.display()))
	})?;
	text.trim()
		.parse()
		.map_err(|_| FileError::Other(format!("{} does not hold a file key", path.display())))
}

/// A storage-network client with a throw-away identity that never serves fragments.
fn network_client(layout: FileLayout) -> Result<cess_dht::Client, FileError> {
	let verifier = Arc::new(MerkleRootVerifier::new(layout));
	let mut config = cess_dht::Config { kademlia_mode: KademliaMode::Client, ..Default::default() };
	config.limits.max_fragment_size =
		config.limits.max_fragment_size.max(u64::from(layout.fragment_size()));
	// A miner that does not answer is skipped for another holder of the segment rather than
	// waited for; `put` retries on its own.
	config.retry.attempts = 2;
	config.retry.initial_backoff = std::time::Duration::from_millis(200);
	config.timeouts.open_stream = std::time::Duration::from_secs(5);
	let (client, service, events) = cess_dht::new(cess_dht::Params {
		config,
		keypair: cess_dht::Keypair::generate_ed25519(),
		store: Arc::new(MemoryStore::new(verifier.clone())),
		policy: Arc::new(PeerAllowList::default()),
		verifier,
		registry: None,
	})
	.map_err(|e| FileError::Other(format!("cannot start the storage network client: {e}")))?;
	drop(events);
	tokio::spawn(service.run());
	Ok(client)
}

/// A progress bar over `total` bytes (drawn only on a terminal).
fn progress_bar(total: u64, message: &'static str) -> indicatif::ProgressBar {
	let bar = indicatif::ProgressBar::new(total);
	bar.set_style(
		indicatif::ProgressStyle::with_template(
			"{msg:>10} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
		)
		.expect("a valid template")
		.progress_chars("=> "),
	);
	bar.set_message(message);
	bar
}

/// An amount in CESS with three decimals.
fn format_cess(amount: u128) -> String {
	use cess_runtime::CESS;
	format!("{}.{:03}", amount / CESS, (amount % CESS) / (CESS / 1000))
}

/// Mebibytes per second of `bytes` moved in `elapsed`.
fn mib_per_s(bytes: u64, elapsed: std::time::Duration) -> f64 {
	bytes as f64 / (1024.0 * 1024.0) / elapsed.as_secs_f64().max(1e-9)
}
