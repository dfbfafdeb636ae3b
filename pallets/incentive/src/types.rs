//! Records kept by the pallet and the reward arithmetic on them.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{AtLeast32BitUnsigned, Zero},
	PerThing, Perbill, Rounding,
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
	/// The most a proven service byte earns in one era, as a share `κ_s` of what storing that
	/// byte for one era costs its uploader (the file bank's price). The service pot of an era
	/// pays at most `κ_s · φ_era · S / R` (`S` the era's service total, `R` the most audits a
	/// miner passed in it); the rest goes to the treasury. See [`RewardParams::check_self_dealing`].
	pub service_cap: Perbill,
	/// The most a confirmed byte earns from the bandwidth pot, as a share `κ_b` of the price of
	/// storing it for one period. The bandwidth pot of an era pays at most `κ_b · φ_period · B`;
	/// the rest goes to the treasury.
	pub bandwidth_cap: Perbill,
}

/// What uploaders pay for storage, as the incentive pallet needs it to bound rewards (the
/// runtime reads it from the file bank).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct StorageTerms<Balance, BlockNumber> {
	/// Fee for keeping one GiB of stored fragments (data and parity) for one period.
	pub price_per_gib: Balance,
	/// Blocks in one storage period: the shortest term an uploader can pay for.
	pub period: BlockNumber,
	/// The most blocks a paid byte may stay stored after its paid term ends (ownerships end at
	/// a multiple of the file bank's expiry granularity).
	pub overhang: BlockNumber,
}

/// The margin `ε` of the self-dealing inequality: an uploader that is its own miner loses at
/// least this share of the fees it pays (see [`RewardParams::check_self_dealing`]).
pub const SELF_DEALING_MARGIN: Perbill = Perbill::from_percent(5);

/// One GiB in bytes: the unit of [`StorageTerms::price_per_gib`].
pub const GIB: u128 = 1 << 30;

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
	/// The reward caps let an uploader that stores its own files earn more than it pays
	/// ([`RewardParams::check_self_dealing`]).
	SelfDealingWouldPay,
}

impl<BlockNumber: AtLeast32BitUnsigned + Copy> RewardParams<BlockNumber> {
	/// Checks the self-dealing inequality against the storage `terms`: an uploader that is also
	/// every miner of its files (any share `f ≤ 1` of the space, any number of accounts, no
	/// disk cost) must never earn more than it pays.
	///
	/// A byte paid for one period of `P` blocks stays stored at most `P + o` blocks (`o` the
	/// [`StorageTerms::overhang`]); a span of `L` blocks meets at most `L / E + 2` eras of `E`
	/// blocks, and a byte earns service in an era only when its miner passes an audit in it,
	/// at most `κ_s · φ · E / P` (`φ` the price of a byte for one period). It earns bandwidth
	/// once, at most `κ_b · φ`. It cost its uploader `φ / f ≥ φ`. So the coalition's gain per
	/// byte is at most `κ_s · φ · (P + o + 2E) / P + κ_b · φ − φ`, and the parameters must
	/// satisfy
	///
	/// ```text
	/// κ_s · (P + o + 2E) + κ_b · P  ≤  (1 − ε) · P
	/// ```
	///
	/// with `ε` = [`SELF_DEALING_MARGIN`]. A longer term of `p` periods or a renewal adds
	/// `κ_s · p · P ≤ (1 − ε) · p · P` on both sides, so one period is the worst case. Where the
	/// money comes from (issuance or other uploaders' fees) does not matter: the caps bound
	/// the pots, whatever fills them.
	pub fn check_self_dealing<Balance>(
		&self,
		terms: &StorageTerms<Balance, BlockNumber>,
	) -> Result<(), ParamsError> {
		let period: u128 = terms.period.unique_saturated_into();
		let overhang: u128 = terms.overhang.unique_saturated_into();
		let era: u128 = self.era_length.unique_saturated_into();
		let held = period.saturating_add(overhang).saturating_add(era.saturating_mul(2));
		let service = u128::from(self.service_cap.deconstruct()).saturating_mul(held);
		let bandwidth = u128::from(self.bandwidth_cap.deconstruct()).saturating_mul(period);
		let paid =
			u128::from(SELF_DEALING_MARGIN.left_from_one().deconstruct()).saturating_mul(period);
		if service.saturating_add(bandwidth) > paid {
			return Err(ParamsError::SelfDealingWouldPay);
		}
		Ok(())
	}
}

impl<BlockNumber: Zero + Copy> RewardParams<BlockNumber> {
	/// Checks the parameters on their own (the self-dealing inequality also needs the storage
	/// price: [`RewardParams::check_self_dealing`]).
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
	///
	/// Caps: a proven service byte earns at most 80 % of its storage price per era; bandwidth
	/// earns nothing (`κ_b = 0`: a confirmation can be credited again without a new fee — a
	/// refunded deal, a repair — so a bandwidth reward is not bounded by what was paid). With
	/// 30-day periods, a one-hour overhang and one-day eras: `0.8 · 32.04 = 25.6 ≤ 0.95 · 30 =
	/// 28.5` days of price.
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
			service_cap: Perbill::from_percent(80),
			bandwidth_cap: Perbill::zero(),
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
	/// The most audits one miner passed this era (`R`): a miner passes at most one audit per
	/// round, so `service / R` bounds the bytes proven per era.
	pub max_audits_passed: u32,
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

/// `⌊a · b / c⌋` in 256-bit arithmetic; `u128::MAX` when the result does not fit (then the
/// true value is larger still), zero when `c` is zero.
fn mul_div(a: u128, b: u128, c: u128) -> u128 {
	if c == 0 {
		return 0;
	}
	multiply_by_rational_with_rounding(a, b, c, Rounding::Down).unwrap_or(u128::MAX)
}

/// The most the service pot of an era may pay: `⌊κ_s · φ · S · E / (GiB · P · R)⌋` — the cap
/// `κ_s` of the price of `S / R` bytes for one era (`S` service byte-audits, `R` the most
/// audits one miner passed, at least 1), `φ` the price per GiB for a period of `P` blocks, `E`
/// the era length. A miner's share `pot · sᵢ / S` is then at most `κ_s` of the era price of
/// the most bytes it proved in the era. Zero when the period is zero.
pub fn service_cap<
	Balance: AtLeast32BitUnsigned + Copy,
	BlockNumber: AtLeast32BitUnsigned + Copy,
>(
	cap: Perbill,
	terms: &StorageTerms<Balance, BlockNumber>,
	era_length: BlockNumber,
	service: u128,
	max_audits_passed: u32,
) -> Balance {
	let price: u128 = terms.price_per_gib.unique_saturated_into();
	let period: u128 = terms.period.unique_saturated_into();
	let era: u128 = era_length.unique_saturated_into();
	let per_period = mul_div(price, service, GIB);
	let rounds = u128::from(max_audits_passed.max(1));
	let per_era = mul_div(per_period, era, period.saturating_mul(rounds));
	Balance::unique_saturated_from(cap.mul_floor(per_era))
}

/// The most the bandwidth pot of an era may pay: `⌊κ_b · φ · B / GiB⌋`, the cap `κ_b` of the
/// price of storing the `B` confirmed bytes for one period.
pub fn bandwidth_cap<Balance: AtLeast32BitUnsigned + Copy, BlockNumber>(
	cap: Perbill,
	terms: &StorageTerms<Balance, BlockNumber>,
	bandwidth: u128,
) -> Balance {
	let price: u128 = terms.price_per_gib.unique_saturated_into();
	Balance::unique_saturated_from(cap.mul_floor(mul_div(price, bandwidth, GIB)))
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
