//! The storage layer: storage miners (collateral, space, exit).

use crate::{AccountId, Balances, Runtime, CESS, DAYS};
use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32},
	PalletId,
};
use sp_runtime::traits::AccountIdConversion;

parameter_types! {
	/// The community development fund's account (the same id pallet-treasury uses), where
	/// slashed collateral goes.
	pub TreasuryAccount: AccountId = PalletId(*b"py/trsry").into_account_truncating();
}

impl pallet_sminer::Config for Runtime {
	type Currency = Balances;
	type Slashed = ResolveTo<TreasuryAccount, Balances>;
	// Until the file bank lands there are no fragments to hand over on exit.
	type OnMinerExit = ();
	// Production defaults; the chain spec's genesis may set other values (dev chains do).
	type DefaultCollateralPerTiB = ConstU128<{ 4_000 * CESS }>;
	type DefaultExitCooldown = ConstU32<{ 7 * DAYS }>;
	type MaxMultiaddrs = ConstU32<8>;
	type MaxMultiaddrLen = ConstU32<128>;
	type SamplingAttemptsPerMiner = ConstU32<8>;
	type WeightInfo = pallet_sminer::weights::SubstrateWeight<Runtime>;
}
