//! # CESS runtime
//!
//! The state transition function of the CESS storage chain, compiled to WASM and run by
//! `cess-node`. This crate wires the FRAME pallets together:
//!
//! - consensus: [`pallet_babe`] (block production, 6 s slots) and [`pallet_grandpa`] (finality),
//!   with [`pallet_session`] rotating their keys, [`pallet_r2s`] drawing each session's validators
//!   from the bonded, credit-qualified candidates (R²S), and [`pallet_session::historical`] +
//!   [`pallet_offences`] so that equivocation proofs are checked and punished by R²S;
//! - accounts: [`pallet_balances`] (token CESS, 18 decimals) and [`pallet_transaction_payment`];
//! - administration: [`pallet_sudo`] (development and bootstrap only);
//! - storage: [`pallet_sminer`] (storage miners: collateral, space, PeerId binding, exit),
//!   [`pallet_file_bank`] (file declarations, placement of fragments on miners, deals, deletion,
//!   repair) and [`pallet_audit`] (storage challenges whose Merkle proofs the runtime verifies);
//! - incentives: [`pallet_incentive`] (era issuance, rewards by contribution, vesting) and the
//!   community fund governed by token holders ([`governance`]: treasury + OpenGov).
//!
//! The session (= BABE epoch) length is not a compile-time constant: it is set by the chain spec
//! through [`chain_params`], so one WASM blob serves the development, local and production
//! chains. Genesis presets live in [`genesis_config_presets`].
#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime!` does a lot of recursion and requires us to increase the limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
pub mod chain_params;
pub mod configs;
pub mod genesis_config_presets;
pub mod governance;
pub mod weights;

// `frame_support::runtime` expands to code that names `Vec` unqualified.
use alloc::vec::Vec;
use sp_runtime::{generic, impl_opaque_keys};
use sp_version::RuntimeVersion;

pub use cess_primitives::chain::{
	AccountId, Balance, BlockNumber, Hash, Nonce, Signature, CESS, DAYS, HOURS, MICROCESS,
	MILLICESS, MILLISECS_PER_BLOCK, MINUTES, TOKEN_DECIMALS, TOKEN_SYMBOL,
};
pub use frame_support::weights::constants::RocksDbWeight;
pub use sp_runtime::{Perbill, Permill};

/// Opaque types: what the node needs to know of blocks without knowing the runtime's calls.
pub mod opaque {
	use super::*;
	use alloc::vec::Vec;
	use sp_runtime::traits::BlakeTwo256;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Block header type as expected by this runtime.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;

	impl_opaque_keys! {
		/// The session keys of a validator: one for block production, one for finality.
		pub struct SessionKeys {
			/// BABE block-production key (sr25519, key type `babe`).
			pub babe: super::Babe,
			/// GRANDPA finality key (ed25519, key type `gran`).
			pub grandpa: super::Grandpa,
		}
	}
}

pub use apis::RuntimeApi;
pub use opaque::SessionKeys;

/// The runtime's version. `spec_version` must be bumped whenever the runtime logic changes.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("cess"),
	impl_name: alloc::borrow::Cow::Borrowed("cess-node"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// BABE slot duration in milliseconds: one block every 6 s.
pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;

/// Production session (= BABE epoch) length in slots: one hour. Chain specs may override it
/// through [`chain_params`].
pub const PRODUCTION_EPOCH_DURATION_IN_SLOTS: u64 = HOURS as u64;

/// Development and local-testnet session length in slots: one minute.
pub const DEV_EPOCH_DURATION_IN_SLOTS: u64 = MINUTES as u64;

/// BABE's probability of a primary slot: 1/4 of slots have a primary VRF winner on average;
/// secondary VRF slots fill the rest so that every slot gets a block.
pub const PRIMARY_PROBABILITY: (u64, u64) = (1, 4);

/// The BABE epoch configuration at genesis.
pub const BABE_GENESIS_EPOCH_CONFIG: sp_consensus_babe::BabeEpochConfiguration =
	sp_consensus_babe::BabeEpochConfiguration {
		c: PRIMARY_PROBABILITY,
		allowed_slots: sp_consensus_babe::AllowedSlots::PrimaryAndSecondaryVRFSlots,
	};

/// Existential deposit: an account holding less than this is reaped.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLICESS;

/// The address format for describing accounts.
pub type Address = sp_runtime::MultiAddress<AccountId, ()>;

/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, sp_runtime::traits::BlakeTwo256>;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// A Block signed with a Justification.
pub type SignedBlock = generic::SignedBlock<Block>;

/// BlockId type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions checked on every signed transaction. polkadot.js builds these from
/// the metadata.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The [`TxExtension`] of a signed transaction: valid during `era`, with the sender's `nonce`,
/// paying `tip` on top of the fee.
///
/// Every other extension takes no parameter; the spec and transaction versions, the genesis hash
/// and the era's birth block are implicit (signed, not sent), so the signer supplies them when it
/// builds the [`SignedPayload`]. Clients (the node's chain client) and tests build their
/// transactions with this, so the tuple is written in one place.
pub fn tx_extension(era: generic::Era, nonce: Nonce, tip: Balance) -> TxExtension {
	(
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip),
		frame_system::WeightReclaim::<Runtime>::new(),
	)
}

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on a runtime upgrade (none yet).
#[allow(unused_parens)]
type Migrations = ();

/// Executive: handles dispatch to the various modules.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

// `legacy_ordering`: genesis is built, and hooks run, in declaration order rather than in index
// order. R2s's genesis must run before Session's (see below) while keeping its index.
#[frame_support::runtime(legacy_ordering)]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	// Must come before Babe: BABE reads the epoch length from it, also during genesis.
	#[runtime::pallet_index(1)]
	pub type ChainParams = crate::chain_params;

	#[runtime::pallet_index(2)]
	pub type Babe = pallet_babe;

	#[runtime::pallet_index(3)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	// Declared (so its genesis is built) after Balances, which holds the genesis bonds, and
	// before Session, whose genesis asks R2s for the first validator set: built in this order the
	// genesis set is the top-credit candidates up to `Seats`, not every account with keys.
	#[runtime::pallet_index(13)]
	pub type R2s = pallet_r2s;

	#[runtime::pallet_index(6)]
	pub type Offences = pallet_offences;

	#[runtime::pallet_index(7)]
	pub type Historical = pallet_session::historical;

	#[runtime::pallet_index(8)]
	pub type Session = pallet_session;

	// After Session: the first block of a session is credited to an author of the new set, which
	// Session installs in its `on_initialize`.
	#[runtime::pallet_index(9)]
	pub type Authorship = pallet_authorship;

	#[runtime::pallet_index(10)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(11)]
	pub type Sudo = pallet_sudo;

	// After Balances: genesis miners' collateral is held from their genesis balance.
	#[runtime::pallet_index(12)]
	pub type Sminer = pallet_sminer;

	#[runtime::pallet_index(14)]
	pub type Incentive = pallet_incentive;

	#[runtime::pallet_index(15)]
	pub type Treasury = pallet_treasury;

	#[runtime::pallet_index(16)]
	pub type Preimage = pallet_preimage;

	#[runtime::pallet_index(17)]
	pub type Scheduler = pallet_scheduler;

	#[runtime::pallet_index(18)]
	pub type ConvictionVoting = pallet_conviction_voting;

	#[runtime::pallet_index(19)]
	pub type Referenda = pallet_referenda;

	#[runtime::pallet_index(20)]
	pub type Origins = crate::governance::pallet_custom_origins;

	// Before Audit: a repair queued by an audit punishment starts in the next block.
	#[runtime::pallet_index(21)]
	pub type FileBank = pallet_file_bank;

	#[runtime::pallet_index(22)]
	pub type Audit = pallet_audit;
}

/// Benchmarks of the pallets in this runtime, run by `cess-node benchmark pallet`.
#[cfg(feature = "runtime-benchmarks")]
mod benches {
	frame_benchmarking::define_benchmarks!(
		[frame_system, SystemBench::<Runtime>]
		[pallet_balances, Balances]
		[pallet_timestamp, Timestamp]
		[pallet_sudo, Sudo]
		[pallet_sminer, Sminer]
		[pallet_r2s, R2s]
		[pallet_incentive, Incentive]
		[pallet_treasury, Treasury]
		[pallet_preimage, Preimage]
		[pallet_scheduler, Scheduler]
		[pallet_conviction_voting, ConvictionVoting]
		[pallet_referenda, Referenda]
		[pallet_file_bank, FileBank]
		[pallet_audit, Audit]
	);
}

#[cfg(test)]
mod tests;
