//! Rewards: era issuance and its split, and the adapters that feed contributions to
//! [`pallet_incentive`] from the storage and consensus pallets.

use crate::{
	configs::TreasuryAccount, AccountId, Balance, Balances, BlockNumber, FileBank, Incentive, R2s,
	Runtime, RuntimeFreezeReason, Sminer, System,
};
use frame_support::{
	dispatch::DispatchClass,
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, Get},
	weights::constants::RocksDbWeight,
	PalletId,
};
use frame_system::EnsureRoot;
use pallet_file_bank::StorageParams;
use pallet_incentive::ContributionSink;
use pallet_sminer::StorageMiners;

parameter_types! {
	/// Id of the account that holds minted rewards until they are claimed.
	pub const IncentivePalletId: PalletId = PalletId(*b"cess/inc");
}

impl pallet_incentive::Config for Runtime {
	type Currency = Balances;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type Treasury = ResolveTo<TreasuryAccount, Balances>;
	type MinerSpace = SminerSpace;
	type Payee = SminerPayee;
	// Rewards per stored byte are capped by a share of what its uploader pays.
	type StoragePrice = FileBankPrice;
	// Sudo on development chains, the root track of OpenGov in production.
	type AdminOrigin = EnsureRoot<AccountId>;
	type PalletId = IncentivePalletId;
	// 84 one-day eras: rewards not claimed within twelve weeks go to the treasury.
	type MaxUnclaimedEras = ConstU32<84>;
	type MaxVestingTranches = ConstU32<32>;
	type WeightInfo = pallet_incentive::weights::SubstrateWeight<Runtime>;
}

/// A storage miner's space for rewards: idle = declared and free, service = used by fragments.
pub struct SminerSpace;

impl pallet_incentive::MinerSpace<AccountId> for SminerSpace {
	fn space(miner: &AccountId) -> Option<pallet_incentive::SpaceSnapshot> {
		<Sminer as StorageMiners<AccountId>>::space(miner)
			.map(|s| pallet_incentive::SpaceSnapshot { idle: s.free, service: s.used })
	}
}

/// What uploaders pay: the file bank's price and period, and its expiry granularity (a paid
/// ownership may last that much longer than its periods).
pub struct FileBankPrice;

impl FileBankPrice {
	/// The terms of the file bank's `params`.
	pub fn terms_of(
		params: &StorageParams<Balance, BlockNumber>,
	) -> pallet_incentive::StorageTerms<Balance, BlockNumber> {
		pallet_incentive::StorageTerms {
			price_per_gib: params.price_per_gib,
			period: params.period,
			overhang: <Runtime as pallet_file_bank::Config>::ExpiryGranularity::get(),
		}
	}
}

impl pallet_incentive::StoragePrice<Balance, BlockNumber> for FileBankPrice {
	fn terms() -> pallet_incentive::StorageTerms<Balance, BlockNumber> {
		Self::terms_of(&FileBank::params())
	}
}

/// Rewards of a storage miner go to its beneficiary; anyone else is paid directly.
pub struct SminerPayee;

impl pallet_incentive::RewardPayee<AccountId> for SminerPayee {
	fn payee(earner: &AccountId) -> AccountId {
		<Sminer as StorageMiners<AccountId>>::beneficiary(earner).unwrap_or_else(|| earner.clone())
	}
}

/// Reports each block's author to [`pallet_incentive`], weighted by its R²S credit.
pub struct NoteAuthorToIncentive;

impl pallet_authorship::EventHandler<AccountId, BlockNumber> for NoteAuthorToIncentive {
	fn note_author(author: AccountId) {
		<Incentive as ContributionSink<AccountId>>::note_block_authored(
			&author,
			R2s::credit_of(&author),
		);
		// pallet-authorship does not account for its handlers' weight.
		System::register_extra_weight_unchecked(
			<Incentive as ContributionSink<AccountId>>::note_weight()
				.saturating_add(RocksDbWeight::get().reads(1)),
			DispatchClass::Mandatory,
		);
	}
}
