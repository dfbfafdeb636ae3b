//! The chain specs built into the node: `dev`, `local` and `staging`.
//!
//! Their genesis comes from the runtime's presets (see `cess_runtime::genesis_config_presets`),
//! so `cess-node build-spec --chain local` and a node started with `--chain local` agree on
//! genesis by construction. Any other `--chain` value is read as a path to a JSON chain spec.

use cess_runtime::{genesis_config_presets::STAGING_RUNTIME_PRESET, WASM_BINARY};
use sc_service::ChainType;
use serde_json::json;
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};

/// The chain spec type of CESS: no extensions beyond the generic ones.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token metadata that wallets (polkadot.js) read from the chain spec.
fn properties() -> sc_chain_spec::Properties {
	let value = json!({
		"tokenSymbol": cess_primitives::chain::TOKEN_SYMBOL,
		"tokenDecimals": cess_primitives::chain::TOKEN_DECIMALS,
		"ss58Format": cess_runtime::configs::SS58_PREFIX,
	});
	match value {
		serde_json::Value::Object(map) => map,
		_ => unreachable!("a json! object literal is an object"),
	}
}

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime WASM blob is not built into this binary (was it built with \
		 SKIP_WASM_BUILD=1?)"
			.to_string()
	})
}

fn preset_spec(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name(name)
		.with_id(id)
		.with_protocol_id("cess")
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// `--dev`: Alice validates alone, one-minute sessions.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	preset_spec("CESS Development", "cess_dev", ChainType::Development, DEV_RUNTIME_PRESET)
}

/// `--chain local`: Alice, Bob, Charlie and Dave validate, one-minute sessions.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	preset_spec("CESS Local Testnet", "cess_local", ChainType::Local, LOCAL_TESTNET_RUNTIME_PRESET)
}

/// `--chain staging`: production parameters (one-hour sessions) on well-known test keys.
pub fn staging_chain_spec() -> Result<ChainSpec, String> {
	preset_spec("CESS Staging", "cess_staging", ChainType::Live, STAGING_RUNTIME_PRESET)
}

/// Resolves a `--chain` argument: a built-in name or the path of a JSON chain spec.
pub fn load_spec(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(match id {
		"dev" | "development" => Box::new(development_chain_spec()?),
		"" | "local" | "local_testnet" => Box::new(local_chain_spec()?),
		"staging" => Box::new(staging_chain_spec()?),
		path => {
			let path = std::path::PathBuf::from(path);
			if !path.exists() {
				return Err(format!(
					"unknown chain `{}`: expected dev, local, staging or the path of a chain \
					 spec JSON file",
					path.display()
				));
			}
			Box::new(ChainSpec::from_json_file(path)?)
		}
	})
}
