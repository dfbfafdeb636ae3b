//! Genesis presets: the starting state of the development, local and staging chains.
//!
//! `cess-node build-spec --chain <name>` and the node's built-in chain specs take these presets
//! from the runtime (`GenesisBuilder` API), so the runtime, not the node, is the one source of
//! genesis truth.

use crate::{
	AccountId, AuditConfig, BabeConfig, BalancesConfig, BlockNumber, ChainParamsConfig,
	FileBankConfig, IncentiveConfig, R2sConfig, RuntimeGenesisConfig, SessionConfig, SessionKeys,
	SminerConfig, SudoConfig, BABE_GENESIS_EPOCH_CONFIG, CESS, DAYS, DEV_EPOCH_DURATION_IN_SLOTS,
	MILLICESS, MINUTES, PRODUCTION_EPOCH_DURATION_IN_SLOTS,
};
use alloc::{vec, vec::Vec};
use cess_primitives::{ChallengeParams, FileLayout};
use frame_support::build_struct_json_patch;
use pallet_audit::AuditParams;
use pallet_file_bank::StorageParams;
use pallet_incentive::RewardParams;
use serde_json::Value;
use sp_consensus_babe::AuthorityId as BabeId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::Perbill;

/// Name of the staging preset: production parameters on well-known test keys.
pub const STAGING_RUNTIME_PRESET: &str = "staging";

/// Balance given to every endowed development account.
pub const DEV_ENDOWMENT: u128 = 1_000_000 * CESS;

/// A genesis validator: its stash account and its two session keys.
pub type GenesisAuthority = (AccountId, BabeId, GrandpaId);

/// The genesis authority of a well-known development identity (`//Alice`, …): its sr25519
/// account and BABE key, and the ed25519 GRANDPA key of the same name.
pub fn dev_authority((sr, ed): (Sr25519Keyring, Ed25519Keyring)) -> GenesisAuthority {
	(sr.to_account_id(), sr.public().into(), ed.public().into())
}

/// Alice, Bob, Charlie and Dave: the validators of the local and staging chains.
fn four_dev_authorities() -> Vec<GenesisAuthority> {
	[
		(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
	]
	.into_iter()
	.map(dev_authority)
	.collect()
}

/// The parameters in which the development chains differ from production: shorter sessions,
/// eras and exits, and smaller collateral, so that a laptop can exercise every path.
#[derive(Clone, Copy)]
pub struct ChainProfile {
	/// Session (= BABE epoch) length in 6 s slots.
	pub epoch_duration_in_slots: u64,
	/// Storage-miner collateral per declared TiB; `None` keeps the runtime's production value.
	pub collateral_per_tib: Option<u128>,
	/// Blocks between a miner's `prepare_exit` and its `withdraw`; `None`: production value.
	pub exit_cooldown: Option<BlockNumber>,
	/// Validators R²S draws per session.
	pub seats: u32,
	/// Fewest qualified candidates for a new draw (below it, the current set is kept).
	pub min_active: u32,
	/// Sessions per R²S era (the unit of credit scoring).
	pub sessions_per_era: u32,
	/// Divisor of governance periods (1: production; 1440 turns days into minutes).
	pub governance_speedup: u32,
	/// Tokens minted per reward era in the first year.
	pub era_issuance: u128,
	/// Reward era length in blocks.
	pub reward_era_length: BlockNumber,
	/// Blocks over which the vested share of a reward is released.
	pub vesting_period: BlockNumber,
	/// File layout; `None` keeps the production layout (32 MiB segments, 4 + 8 fragments).
	pub file_layout: Option<FileLayout>,
	/// File bank price, period and deadlines; `None` keeps the production values.
	pub file_bank: Option<StorageParams<u128, BlockNumber>>,
	/// Audit rounds; `None` keeps the production values.
	pub audit: Option<AuditParams<BlockNumber>>,
}

impl ChainProfile {
	/// Production: one-hour sessions, 11 seats, six-hour R²S eras, one-day reward eras, the
	/// runtime's collateral, half of rewards vesting over 90 days.
	pub const PRODUCTION: Self = Self {
		epoch_duration_in_slots: PRODUCTION_EPOCH_DURATION_IN_SLOTS,
		collateral_per_tib: None,
		exit_cooldown: None,
		seats: 11,
		min_active: 3,
		sessions_per_era: 6,
		governance_speedup: 1,
		era_issuance: 500_000 * CESS,
		reward_era_length: DAYS,
		vesting_period: 90 * DAYS,
		file_layout: None,
		file_bank: None,
		audit: None,
	};
	/// Development: one-minute sessions, three-minute eras (R²S and rewards), one CESS per TiB,
	/// ten-minute exits, governance days lasting a minute.
	pub const DEV: Self = Self {
		epoch_duration_in_slots: DEV_EPOCH_DURATION_IN_SLOTS,
		collateral_per_tib: Some(CESS),
		exit_cooldown: Some(10 * MINUTES),
		seats: 11,
		min_active: 1,
		sessions_per_era: 3,
		governance_speedup: 1440,
		era_issuance: 10_000 * CESS,
		reward_era_length: 3 * MINUTES,
		vesting_period: 30 * MINUTES,
		// 16 MiB segments of 2 data + 2 parity fragments of 8 MiB (the production fragment
		// size): four miners on a laptop hold a file, which survives the loss of two fragments
		// per segment; a 1 GiB file fits in `MaxSegments`.
		file_layout: Some(FileLayout {
			segment_size: 16 * 1024 * 1024,
			data_shards: 2,
			parity_shards: 2,
			leaf_size: 256,
		}),
		file_bank: Some(StorageParams {
			price_per_gib: MILLICESS,
			period: DAYS,
			confirm_window: 2 * MINUTES,
			max_reassignments: 2,
		}),
		audit: Some(AuditParams {
			round_period: 2 * MINUTES,
			response_window: MINUTES,
			challenge: ChallengeParams { fragments: 4, leaves: 4 },
			strike_limit: 2,
			passes_to_clear: 2,
			slash: Perbill::from_percent(10),
		}),
	};
}

/// Bond of each genesis validator: ten times the minimum, which saturates the bond part of the
/// R²S credit score.
pub const GENESIS_VALIDATOR_BOND: u128 = 100_000 * CESS;

/// A genesis state: validators (R²S candidates with their session keys and bonds), a sudo key,
/// endowed accounts, and the parameters of `profile`.
pub fn cess_genesis(
	authorities: Vec<GenesisAuthority>,
	root: AccountId,
	endowed: Vec<AccountId>,
	profile: ChainProfile,
) -> Value {
	let reward_params = RewardParams {
		era_length: profile.reward_era_length,
		vesting_period: profile.vesting_period,
		..RewardParams::default()
	};
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|who| (who, DEV_ENDOWMENT)).collect::<Vec<_>>(),
		},
		chain_params: ChainParamsConfig {
			epoch_duration_in_slots: profile.epoch_duration_in_slots,
			governance_speedup: profile.governance_speedup,
		},
		babe: BabeConfig { epoch_config: BABE_GENESIS_EPOCH_CONFIG },
		session: SessionConfig {
			keys: authorities
				.iter()
				.cloned()
				.map(|(account, babe, grandpa)| {
					(account.clone(), account, SessionKeys { babe, grandpa })
				})
				.collect::<Vec<_>>(),
		},
		r_2s: R2sConfig {
			candidates: authorities
				.into_iter()
				.map(|(account, _, _)| (account, GENESIS_VALIDATOR_BOND))
				.collect::<Vec<_>>(),
			seats: profile.seats,
			min_active: profile.min_active,
			sessions_per_era: profile.sessions_per_era,
		},
		sudo: SudoConfig { key: Some(root) },
		sminer: SminerConfig {
			collateral_per_tib: profile.collateral_per_tib,
			exit_cooldown: profile.exit_cooldown,
		},
		incentive: IncentiveConfig { era_issuance: profile.era_issuance, params: reward_params },
		file_bank: FileBankConfig { layout: profile.file_layout, params: profile.file_bank },
		audit: AuditConfig { params: profile.audit, first_round_at: None },
	})
}

/// Every well-known development account (Alice … Ferdie and their `//stash` accounts).
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// `development`: Alice alone validates, one-minute sessions.
pub fn development_config_genesis() -> Value {
	cess_genesis(
		vec![dev_authority((Sr25519Keyring::Alice, Ed25519Keyring::Alice))],
		Sr25519Keyring::Alice.to_account_id(),
		dev_accounts(),
		ChainProfile::DEV,
	)
}

/// `local_testnet`: Alice, Bob, Charlie and Dave validate, one-minute sessions.
pub fn local_config_genesis() -> Value {
	cess_genesis(
		four_dev_authorities(),
		Sr25519Keyring::Alice.to_account_id(),
		dev_accounts(),
		ChainProfile::DEV,
	)
}

/// `staging`: the production parameters (one-hour sessions, 11 seats, production collateral)
/// on the four well-known validator keys, to rehearse a deployment.
pub fn staging_config_genesis() -> Value {
	cess_genesis(
		four_dev_authorities(),
		Sr25519Keyring::Alice.to_account_id(),
		dev_accounts(),
		ChainProfile::PRODUCTION,
	)
}

/// The JSON patch of the preset named `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEV_RUNTIME_PRESET => development_config_genesis(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		STAGING_RUNTIME_PRESET => staging_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// Names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(DEV_RUNTIME_PRESET),
		PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(STAGING_RUNTIME_PRESET),
	]
}
