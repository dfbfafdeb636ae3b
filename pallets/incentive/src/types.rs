//! Records kept by the pallet and the reward arithmetic on them.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{AtLeast32BitUnsigned, Zero},
	Perbill, Rounding,
};

/// Index of an era: era `0` starts at genesis, each era is [`RewardParams::era_length`] blocks.
pub type EraIndex = u32;

/// The highest credit score of pallet-r2s; a validator with this credit earns a full point per
/// block authored.
pub const MAX_CREDIT: u32 = 1000;

/// How an era's issuance is split. The three shares add up to exactly 100 %.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RewardSplit {
	/// Share of the storage miners (storage fees are added to it on top).
	pub miners: Perbill,
	/// Share of the validators.
	pub validators: Perbill,
	/// Share of the treasury (the community development fund). It also receives the rounding
	/// of the split.
	pub treasury: Perbill,
}

impl RewardSplit {
	/// Whether the shares add up to exactly 100 %.
	pub fn is_complete(&self) -> bool {
		let sum = u64::from(self.miners.deconstruct())
			+ u64::from(self.validators.deconstruct())
			+ u64::from(self.treasury.deconstruct());
		sum == u64::from(Perbill::one().deconstruct())
	}
}

/// Relative weights of the three sub-pots of the miners' pot. Only their ratios matter.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MinerWeights {
	/// Weight of service space (space holding users' files), proven by audits.
	pub service: u32,
	/// Weight of idle declared space, proven by audits (kept small: idle space is cheap).
	pub idle: u32,
	/// Weight of bandwidth: bytes of fragments received and confirmed on chain.
	pub bandwidth: u32,
}

/// The reward parameters, fixed at genesis and changeable by the admin origin (governance).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RewardParams<BlockNumber> {
	/// Length of an era in blocks.
	pub era_length: BlockNumber,
	/// Eras per year: the era issuance decays after every this many eras.
	pub eras_per_year: u32,
	/// Fraction by which the era issuance shrinks once a year.
	pub yearly_decay: Perbill,
	/// How the era issuance is split between miners, validators and the treasury.
	pub split: RewardSplit,
	/// How the miners' pot is split between service space, idle space and bandwidth.
	pub miner_weights: MinerWeights,
	/// Share of every claimed payout that vests linearly instead of being free at once.
	pub vested_share: Perbill,
	/// Length in blocks of the linear release of the vested share.
	pub vesting_period: BlockNumber,
}

/// Why a set of [`RewardParams`] is not acceptable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParamsError {
	/// `era_length` is zero.
	ZeroEraLength,
	/// `eras_per_year` is zero.
	ZeroErasPerYear,
	/// The split does not add up to 100 %.
	IncompleteSplit,
	/// All miner weights are zero.
	ZeroMinerWeights,
	/// A share vests over a zero-length period.
	ZeroVestingPeriod,
}

impl<BlockNumber: Zero + Copy> RewardParams<BlockNumber> {
	/// Checks the parameters.
	pub fn validate(&self) -> Result<(), ParamsError> {
		if self.era_length.is_zero() {
			return Err(ParamsError::ZeroEraLength);
		}
		if self.eras_per_year == 0 {
			return Err(ParamsError::ZeroErasPerYear);
		}
		if !self.split.is_complete() {
			return Err(ParamsError::IncompleteSplit);
		}
		let weights = self.miner_weights;
		if weights.service == 0 && weights.idle == 0 && weights.bandwidth == 0 {
			return Err(ParamsError::ZeroMinerWeights);
		}
		if !self.vested_share.is_zero() && self.vesting_period.is_zero() {
			return Err(ParamsError::ZeroVestingPeriod);
		}
		Ok(())
	}
}

impl<BlockNumber: From<u32>> Default for RewardParams<BlockNumber> {
	/// The production parameters proposed for CESS with 6 s blocks: one-day eras, 365 eras a
	/// year, 10 % yearly decay; 70 % to miners, 20 % to validators, 10 % to the treasury; miners'
	/// pot weighted service 60 / idle 10 / bandwidth 30; half of each payout vests over 90 days.
	fn default() -> Self {
		const DAY: u32 = 14_400;
		Self {
			era_length: DAY.into(),
			eras_per_year: 365,
			yearly_decay: Perbill::from_percent(10),
			split: RewardSplit {
				miners: Perbill::from_percent(70),
				validators: Perbill::from_percent(20),
				treasury: Perbill::from_percent(10),
			},
			miner_weights: MinerWeights { service: 60, idle: 10, bandwidth: 30 },
			vested_share: Perbill::from_percent(50),
			vesting_period: (90 * DAY).into(),
		}
	}
}

/// What one account did in one era.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Contribution {
	/// Service bytes summed over the audits passed this era.
	pub service: u128,
	/// Idle bytes summed over the audits passed this era.
	pub idle: u128,
	/// Bytes of fragments received and confirmed this era.
	pub bandwidth: u128,
	/// Audits passed this era.
	pub audits_passed: u32,
	/// The miner failed an audit this era: it earns no storage reward for the era.
	pub audit_failed: bool,
	/// Blocks authored this era.
	pub blocks: u32,
	/// Validator points: the credit (0 – 1000) at each block authored, summed.
	pub validator_points: u128,
}

/// The sums of the eligible contributions of an era (miners with a failed audit excluded).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct EraTotals {
	/// Σ service bytes × passed audits.
	pub service: u128,
	/// Σ idle bytes × passed audits.
	pub idle: u128,
	/// Σ bandwidth bytes.
	pub bandwidth: u128,
	/// Σ validator points.
	pub validator_points: u128,
}

/// The rewards of a closed era, claimable while the era is within the claim window.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct EraReward<Balance> {
	/// Paid in proportion to service space.
	pub service_pot: Balance,
	/// Paid in proportion to idle space.
	pub idle_pot: Balance,
	/// Paid in proportion to bandwidth.
	pub bandwidth_pot: Balance,
	/// Paid in proportion to validator points.
	pub validator_pot: Balance,
	/// The eligible totals the pots are divided by.
	pub totals: EraTotals,
	/// Already paid out of the pots.
	pub paid: Balance,
}

impl<Balance: AtLeast32BitUnsigned + Copy> EraReward<Balance> {
	/// The sum of the four pots: what the era distributes.
	pub fn distributable(&self) -> Balance {
		self.service_pot
			.saturating_add(self.idle_pot)
			.saturating_add(self.bandwidth_pot)
			.saturating_add(self.validator_pot)
	}

	/// What is still to be paid (claims not made yet, and the rounding of the ones made).
	pub fn unpaid(&self) -> Balance {
		self.distributable().saturating_sub(self.paid)
	}

	/// The storage part of the reward of `contribution`: nothing after a failed audit, else
	/// `Σₖ potₖ · cₖ / Cₖ` over service, idle and bandwidth.
	pub fn miner_reward(&self, contribution: &Contribution) -> Balance {
		if contribution.audit_failed {
			return Zero::zero();
		}
		share(self.service_pot, contribution.service, self.totals.service)
			.saturating_add(share(self.idle_pot, contribution.idle, self.totals.idle))
			.saturating_add(share(
				self.bandwidth_pot,
				contribution.bandwidth,
				self.totals.bandwidth,
			))
	}

	/// The validator part of the reward of `contribution`: `pot · points / total points`.
	pub fn validator_reward(&self, contribution: &Contribution) -> Balance {
		share(self.validator_pot, contribution.validator_points, self.totals.validator_points)
	}

	/// The whole reward of `contribution`, never more than what is unpaid.
	pub fn reward(&self, contribution: &Contribution) -> Balance {
		self.miner_reward(contribution)
			.saturating_add(self.validator_reward(contribution))
			.min(self.unpaid())
	}
}

/// `⌊pot · part / total⌋`, zero when `total` is zero, never more than `pot`.
pub fn share<Balance: AtLeast32BitUnsigned + Copy>(
	pot: Balance,
	part: u128,
	total: u128,
) -> Balance {
	if total == 0 || part == 0 {
		return Zero::zero();
	}
	let pot_u128: u128 = pot.unique_saturated_into();
	let amount =
		multiply_by_rational_with_rounding(pot_u128, part.min(total), total, Rounding::Down)
			.unwrap_or(0);
	Balance::unique_saturated_from(amount).min(pot)
}

/// Splits the miners' pot into the service, idle and bandwidth sub-pots.
///
/// Only the components with a non-zero era total take part; the pot is divided between them in
/// proportion to their weights, flooring, and the last participating component receives the
/// rounding, so the sub-pots add up to exactly `pot`. When no component takes part (no eligible
/// miner did anything) all three are zero and the caller sends the pot elsewhere.
pub fn split_miners_pot<Balance: AtLeast32BitUnsigned + Copy>(
	pot: Balance,
	weights: &MinerWeights,
	totals: &EraTotals,
) -> [Balance; 3] {
	let parts = [
		(weights.service, totals.service),
		(weights.idle, totals.idle),
		(weights.bandwidth, totals.bandwidth),
	];
	let taking_part = |(weight, total): (u32, u128)| weight > 0 && total > 0;
	let weight_sum: u128 =
		parts.iter().copied().filter(|p| taking_part(*p)).map(|(w, _)| u128::from(w)).sum();
	let mut out = [Balance::zero(); 3];
	let Some(last) = parts.iter().copied().rposition(taking_part) else { return out };
	let mut given = Balance::zero();
	for (index, (part, slot)) in parts.iter().copied().zip(out.iter_mut()).enumerate() {
		if !taking_part(part) {
			continue;
		}
		*slot = if index == last {
			pot.saturating_sub(given)
		} else {
			share(pot, u128::from(part.0), weight_sum)
		};
		given = given.saturating_add(*slot);
	}
	out
}

/// One vesting tranche: `locked` tokens that are released linearly from `start` to `end`.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct VestingTranche<Balance, BlockNumber> {
	/// Tokens locked at `start`.
	pub locked: Balance,
	/// Block at which the release starts.
	pub start: BlockNumber,
	/// Block at which everything is released.
	pub end: BlockNumber,
}

impl<Balance, BlockNumber> VestingTranche<Balance, BlockNumber>
where
	Balance: AtLeast32BitUnsigned + Copy,
	BlockNumber: AtLeast32BitUnsigned + Copy,
{
	/// Tokens still locked at block `now`: `locked · (end − now) / (end − start)`, rounded up
	/// (never releases early), `locked` before `start` and zero from `end` on.
	pub fn locked_at(&self, now: BlockNumber) -> Balance {
		if now >= self.end {
			return Zero::zero();
		}
		if now <= self.start {
			return self.locked;
		}
		let period: u128 = self.end.saturating_sub(self.start).unique_saturated_into();
		let left: u128 = self.end.saturating_sub(now).unique_saturated_into();
		let locked: u128 = self.locked.unique_saturated_into();
		let still = multiply_by_rational_with_rounding(locked, left, period, Rounding::Up)
			.unwrap_or(locked);
		Balance::unique_saturated_from(still).min(self.locked)
	}
}
