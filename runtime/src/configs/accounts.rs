//! Balances (token CESS) and transaction fees.

use crate::{
	configs::TreasuryAccount, AccountId, Authorship, Balance, Balances, Runtime, RuntimeEvent,
	RuntimeFreezeReason, RuntimeHoldReason, System, EXISTENTIAL_DEPOSIT, MICROCESS, MILLICESS,
};
use frame_support::{
	parameter_types,
	traits::{
		fungible::{Balanced, Credit},
		tokens::imbalance::ResolveTo,
		ConstU128, ConstU32, ConstU8, OnUnbalanced, VariantCountOf,
	},
	weights::{
		constants::ExtrinsicBaseWeight, WeightToFeeCoefficient, WeightToFeeCoefficients,
		WeightToFeePolynomial,
	},
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use smallvec::smallvec;
use sp_runtime::Perbill;

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = crate::weights::pallet_balances::WeightInfo<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

/// Fee of the base weight of an extrinsic: a hundredth of a CESS.
pub const BASE_EXTRINSIC_FEE: Balance = 10 * MILLICESS;

/// Maps weight to fee linearly so that an extrinsic of base weight costs
/// [`BASE_EXTRINSIC_FEE`].
pub struct WeightToFee;

impl WeightToFeePolynomial for WeightToFee {
	type Balance = Balance;

	fn polynomial() -> WeightToFeeCoefficients<Self::Balance> {
		let p = BASE_EXTRINSIC_FEE;
		let q = Balance::from(ExtrinsicBaseWeight::get().ref_time());
		smallvec![WeightToFeeCoefficient {
			degree: 1,
			negative: false,
			coeff_frac: Perbill::from_rational(p % q, q),
			coeff_integer: p / q,
		}]
	}
}

parameter_types! {
	/// Fees do not float with congestion: blocks are far from full on a storage chain, whose
	/// heavy traffic (fragments) is off chain.
	pub FeeMultiplier: Multiplier = Multiplier::from_u32(1);
	/// Share of every transaction fee (and tip) that goes to the treasury; the rest goes to the
	/// block's author.
	pub const TreasuryFeeShare: Perbill = Perbill::from_percent(80);
}

/// Gives a credit to the author of the current block (burnt when there is none, e.g. in
/// genesis or off-chain calls).
pub struct ToBlockAuthor;

impl OnUnbalanced<Credit<AccountId, Balances>> for ToBlockAuthor {
	fn on_nonzero_unbalanced(credit: Credit<AccountId, Balances>) {
		if let Some(author) = Authorship::author() {
			let _ = <Balances as Balanced<AccountId>>::resolve(&author, credit);
		}
	}
}

/// Where transaction fees go: 80 % to the treasury, 20 % to the block author.
pub type DealWithFees = pallet_incentive::fees::SplitCredit<
	AccountId,
	Balances,
	TreasuryFeeShare,
	ResolveTo<TreasuryAccount, Balances>,
	ToBlockAuthor,
>;

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, DealWithFees>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = WeightToFee;
	// A millionth of a CESS per byte: 1 KiB of call data costs about 0.001 CESS.
	type LengthToFee = frame_support::weights::ConstantMultiplier<Balance, ConstU128<MICROCESS>>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}
