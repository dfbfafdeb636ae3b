//! The credit score: a number in `0..=1000` computed from a candidate's record over the last
//! [`CREDIT_WINDOW`] eras and its bond.
//!
//! Everything here is a pure function of its inputs, so the formula can be read and tested
//! without a runtime. The pallet documentation states the formula in prose; this module is its
//! one implementation.

use crate::types::{EraStats, Performance};

/// The highest credit score.
pub const MAX_CREDIT: u32 = 1000;

/// How many closed eras the score looks back over.
pub const CREDIT_WINDOW: u32 = 5;

/// Weight of the production score `P` in the composite score (out of [`WEIGHT_TOTAL`]).
pub const WEIGHT_PRODUCTION: u64 = 5;
/// Weight of the liveness score `L` in the composite score (out of [`WEIGHT_TOTAL`]).
pub const WEIGHT_LIVENESS: u64 = 3;
/// Weight of the bond score `B` in the composite score (out of [`WEIGHT_TOTAL`]).
pub const WEIGHT_BOND: u64 = 2;
/// Sum of the three component weights.
pub const WEIGHT_TOTAL: u64 = WEIGHT_PRODUCTION + WEIGHT_LIVENESS + WEIGHT_BOND;

/// Recency weight of a closed era `age` eras back (0 = the era that closed last): 5, 4, 3, 2, 1,
/// and 0 beyond the window. The era still in progress counts with the full weight 5 for
/// offences only.
pub fn era_weight(age: usize) -> u64 {
	u64::from(CREDIT_WINDOW).saturating_sub(age as u64)
}

/// Production score `P` in `0..=1000`: blocks authored against blocks expected while active,
/// `1000 · Σ wₖ·min(authoredₖ, expectedₖ) / Σ wₖ·expectedₖ` over the closed eras of the window
/// (authoring more than expected in an era does not make up for another era). `base` when the
/// candidate was expected to author nothing in the window (it was never active).
pub fn production_score(history: &[EraStats], base: u32) -> u32 {
	let (mut num, mut den) = (0u128, 0u128);
	for (age, era) in history.iter().enumerate() {
		let w = u128::from(era_weight(age));
		let authored_milli = u128::from(era.authored).saturating_mul(1000);
		let expected_milli = u128::from(era.expected_milli);
		num = num.saturating_add(w.saturating_mul(authored_milli.min(expected_milli)));
		den = den.saturating_add(w.saturating_mul(expected_milli));
	}
	ratio_per_mill(num, den).unwrap_or(base.min(MAX_CREDIT))
}

/// Liveness score `L` in `0..=1000`: the share of the candidate's active sessions in which it
/// authored at least one block, `1000 · Σ wₖ·liveₖ / Σ wₖ·countedₖ`. Only sessions in which it
/// was expected to author at least one block count (`counted`), so short sessions with many
/// validators do not punish bad luck. `base` when no session counted in the window.
pub fn liveness_score(history: &[EraStats], base: u32) -> u32 {
	let (mut num, mut den) = (0u128, 0u128);
	for (age, era) in history.iter().enumerate() {
		let w = u128::from(era_weight(age));
		let counted = u128::from(era.counted_sessions);
		let live = u128::from(era.live_sessions).min(counted);
		num = num.saturating_add(w.saturating_mul(live));
		den = den.saturating_add(w.saturating_mul(counted));
	}
	ratio_per_mill(num, den).unwrap_or(base.min(MAX_CREDIT))
}

/// Offence penalty `O`: `penalty · (5·o_current + Σ wₖ·oₖ) / 5`, where `o` counts punished
/// offences (equivocations) recorded in an era. An offence costs the full `penalty` while its
/// era is open and in the era after, then 4/5, 3/5, 2/5, 1/5 of it, then nothing.
pub fn offence_penalty(performance: &Performance, penalty: u32) -> u32 {
	let mut weighted =
		u128::from(performance.current.offences).saturating_mul(u128::from(era_weight(0)));
	for (age, era) in performance.history.iter().enumerate() {
		weighted = weighted
			.saturating_add(u128::from(era.offences).saturating_mul(u128::from(era_weight(age))));
	}
	let total = weighted.saturating_mul(u128::from(penalty)) / u128::from(CREDIT_WINDOW);
	u32::try_from(total).unwrap_or(u32::MAX)
}

/// The credit score:
/// `clamp((5·P + 3·L + 2·B) / 10 − O, 0, 1000)`, with `P` from [`production_score`], `L` from
/// [`liveness_score`], `bond_score` = `B` and `O` from [`offence_penalty`].
///
/// A candidate without a record (a newcomer) has `P = L = base`, so it starts at
/// `(8·base + 2·B) / 10`.
pub fn credit(performance: &Performance, bond_score: u32, base: u32, penalty: u32) -> u32 {
	let p = u64::from(production_score(&performance.history, base));
	let l = u64::from(liveness_score(&performance.history, base));
	let b = u64::from(bond_score.min(MAX_CREDIT));
	let composite = (WEIGHT_PRODUCTION * p + WEIGHT_LIVENESS * l + WEIGHT_BOND * b) / WEIGHT_TOTAL;
	let composite = u32::try_from(composite).unwrap_or(MAX_CREDIT).min(MAX_CREDIT);
	composite.saturating_sub(offence_penalty(performance, penalty))
}

/// `1000 · num / den`, capped at 1000; `None` when `den` is zero.
fn ratio_per_mill(num: u128, den: u128) -> Option<u32> {
	if den == 0 {
		return None;
	}
	let r = num.saturating_mul(1000) / den;
	Some(u32::try_from(r).unwrap_or(MAX_CREDIT).min(MAX_CREDIT))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::types::Performance;

	fn era(authored: u32, expected: u64, counted: u32, live: u32, offences: u32) -> EraStats {
		EraStats {
			authored,
			expected_milli: expected * 1000,
			active_sessions: counted,
			counted_sessions: counted,
			live_sessions: live,
			offences,
		}
	}

	fn perf(history: Vec<EraStats>) -> Performance {
		Performance { history: history.try_into().unwrap(), ..Default::default() }
	}

	#[test]
	fn era_weights_decrease_with_age() {
		assert_eq!((0..6).map(era_weight).collect::<Vec<_>>(), vec![5, 4, 3, 2, 1, 0]);
	}

	#[test]
	fn newcomer_starts_from_base() {
		let p = Performance::default();
		assert_eq!(production_score(&p.history, 700), 700);
		assert_eq!(liveness_score(&p.history, 700), 700);
		// (8·700 + 2·100) / 10
		assert_eq!(credit(&p, 100, 700, 600), 580);
		// (8·700 + 2·1000) / 10
		assert_eq!(credit(&p, 1000, 700, 600), 760);
	}

	#[test]
	fn perfect_record_and_full_bond_is_max() {
		let p = perf(vec![era(10, 10, 2, 2, 0); 5]);
		assert_eq!(credit(&p, 1000, 700, 600), 1000);
	}

	#[test]
	fn recent_eras_weigh_more() {
		// Offline in the latest era, perfect in the oldest one, against the reverse.
		let mut recent_bad = vec![era(0, 10, 1, 0, 0)];
		recent_bad.extend(vec![EraStats::default(); 3]);
		recent_bad.push(era(10, 10, 1, 1, 0));
		let mut old_bad = vec![era(10, 10, 1, 1, 0)];
		old_bad.extend(vec![EraStats::default(); 3]);
		old_bad.push(era(0, 10, 1, 0, 0));
		// weights 5 (bad) and 1 (good): P = 1000·1·10/(5·10 + 1·10) = 166
		assert_eq!(production_score(&recent_bad, 700), 166);
		// weights 5 (good) and 1 (bad): P = 1000·5·10/60 = 833
		assert_eq!(production_score(&old_bad, 700), 833);
		assert_eq!(liveness_score(&recent_bad, 700), 166);
		assert_eq!(liveness_score(&old_bad, 700), 833);
	}

	#[test]
	fn authoring_more_than_expected_is_capped_per_era() {
		// 20 of 10 expected in one era does not make up for 0 of 10 in the next.
		let h = vec![era(0, 10, 1, 0, 0), era(20, 10, 1, 1, 0)];
		// (5·0 + 4·10) / (5·10 + 4·10) = 40/90
		assert_eq!(production_score(&h, 700), 444);
	}

	#[test]
	fn offences_decay_over_the_window() {
		let mut p = Performance::default();
		p.current.offences = 1;
		assert_eq!(offence_penalty(&p, 600), 600);
		let mut p = perf(vec![era(0, 0, 0, 0, 1)]);
		assert_eq!(offence_penalty(&p, 600), 600);
		p.history.try_insert(0, EraStats::default()).unwrap();
		assert_eq!(offence_penalty(&p, 600), 480);
		p.history.try_insert(0, EraStats::default()).unwrap();
		p.history.try_insert(0, EraStats::default()).unwrap();
		p.history.try_insert(0, EraStats::default()).unwrap();
		assert_eq!(offence_penalty(&p, 600), 120);
	}

	#[test]
	fn credit_saturates_at_zero() {
		let mut p = perf(vec![era(0, 10, 1, 0, 3)]);
		p.current.offences = 2;
		assert_eq!(credit(&p, 1000, 700, 600), 0);
	}

	#[test]
	fn composite_weights() {
		// P = 1000, L = 0 (authored all blocks in one session of three), B = 500.
		let h = vec![EraStats {
			authored: 30,
			expected_milli: 30_000,
			active_sessions: 3,
			counted_sessions: 3,
			live_sessions: 1,
			offences: 0,
		}];
		let p = perf(h);
		assert_eq!(production_score(&p.history, 700), 1000);
		assert_eq!(liveness_score(&p.history, 700), 333);
		// (5·1000 + 3·333 + 2·500) / 10 = 699
		assert_eq!(credit(&p, 500, 700, 600), 699);
	}
}
