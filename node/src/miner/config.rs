//! The storage-miner role's configuration: its command-line options and what it takes from the
//! node's configuration before the node starts.

use cess_dht::Multiaddr;
use sc_service::{ChainType, Configuration};
use std::path::PathBuf;

/// Command-line options of the storage-miner role.
#[derive(Debug, Clone, clap::Args)]
pub struct MinerParams {
	/// Run a storage miner beside the chain (on by default with a development chain).
	#[arg(long)]
	pub storage_miner: bool,

	/// Do not run the storage miner a development chain starts by default.
	#[arg(long, conflicts_with = "storage_miner")]
	pub no_storage_miner: bool,

	/// Secret URI of the miner account (development; production keeps an sr25519 key of type
	/// `cmin` in the keystore). Default with a development chain: `//Ferdie`.
	#[arg(long, value_name = "SECRET_URI")]
	pub miner_key: Option<String>,

	/// Space offered to the chain, e.g. `500GiB`, `2TiB` (collateral is held per TiB).
	#[arg(long, value_name = "SIZE", default_value = "1TiB", value_parser = parse_size)]
	pub miner_space: u64,

	/// Address the storage network listens on. Default: `/ip4/0.0.0.0/tcp/15001`; with a
	/// development chain `/ip4/127.0.0.1/tcp/0` (any free port).
	#[arg(long, value_name = "MULTIADDR")]
	pub miner_listen_addr: Vec<Multiaddr>,

	/// Address registered on chain for clients and miners to reach this one (repeatable).
	/// Default: the addresses the storage network actually listens on.
	#[arg(long, value_name = "MULTIADDR")]
	pub miner_public_addr: Vec<Multiaddr>,

	/// Storage-network peers to bootstrap the DHT from (`…/p2p/<peer id>`).
	#[arg(long, value_name = "MULTIADDR")]
	pub miner_bootnodes: Vec<Multiaddr>,

	/// Directory of the miner's fragments and network key. Default: `<chain data>/miner`.
	#[arg(long, value_name = "PATH")]
	pub miner_dir: Option<PathBuf>,
}

/// Parses `123`, `10MiB`, `500GiB`, `2TiB` (and `KiB`) into bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
	let text = text.trim();
	let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
	let (number, unit) = text.split_at(split);
	let number: u64 = number.parse().map_err(|_| format!("`{text}` is not a size like 2TiB"))?;
	let factor: u64 = match unit.trim() {
		"" | "B" => 1,
		"KiB" => 1 << 10,
		"MiB" => 1 << 20,
		"GiB" => 1 << 30,
		"TiB" => 1 << 40,
		other => return Err(format!("unknown size unit `{other}` (use B, KiB, MiB, GiB or TiB)")),
	};
	number
		.checked_mul(factor)
		.filter(|&n| n > 0)
		.ok_or_else(|| format!("size `{text}` is out of range"))
}

/// Everything the miner needs from the node's configuration, taken before the node starts.
#[derive(Debug, Clone)]
pub struct MinerConfig {
	/// The command-line options.
	pub params: MinerParams,
	/// Directory of fragments and the network key.
	pub dir: PathBuf,
	/// The node's own JSON-RPC endpoint.
	pub rpc_url: String,
	/// Secret URI of the account, when given (or defaulted for a development chain).
	pub account_suri: Option<String>,
	/// Addresses the storage network listens on.
	pub listen: Vec<Multiaddr>,
}

impl MinerConfig {
	/// The miner's configuration for a node started with `config`, or `None` when the role is
	/// off.
	pub fn from_node(params: &MinerParams, config: &Configuration) -> Result<Option<Self>, String> {
		let dev = config.chain_spec.chain_type() == ChainType::Development;
		if params.no_storage_miner || !(params.storage_miner || dev) {
			return Ok(None);
		}
		let port = config
			.rpc
			.addr
			.as_ref()
			.and_then(|endpoints| endpoints.first())
			.map_or(config.rpc.port, |endpoint| endpoint.listen_addr.port());
		let listen = if params.miner_listen_addr.is_empty() {
			let default = if dev { "/ip4/127.0.0.1/tcp/0" } else { "/ip4/0.0.0.0/tcp/15001" };
			vec![default.parse().expect("a valid multiaddr")]
		} else {
			params.miner_listen_addr.clone()
		};
		let account_suri = params.miner_key.clone().or_else(|| dev.then(|| "//Ferdie".to_string()));
		Ok(Some(Self {
			params: params.clone(),
			dir: params.miner_dir.clone().unwrap_or_else(|| config.data_path.join("miner")),
			rpc_url: format!("ws://127.0.0.1:{port}"),
			account_suri,
			listen,
		}))
	}
}

#[cfg(test)]
mod tests {
	use super::parse_size;

	#[test]
	fn sizes_parse_with_binary_units() {
		assert_eq!(parse_size("10"), Ok(10));
		assert_eq!(parse_size("4KiB"), Ok(4096));
		assert_eq!(parse_size("2TiB"), Ok(2 << 40));
		assert_eq!(parse_size("500 GiB"), Ok(500 << 30));
		assert!(parse_size("0GiB").is_err());
		assert!(parse_size("3PB").is_err());
		assert!(parse_size("TiB").is_err());
		assert!(parse_size("99999999999TiB").is_err());
	}
}
