//! Weighted random selection without replacement ("successive sampling").
//!
//! Pure code: the pallet feeds it the qualified candidates with their credit and a stream of
//! random numbers derived from the session's seed.

use alloc::vec::Vec;

/// Draw up to `seats` entries of `pool` without replacement, each draw picking one of the
/// remaining entries with probability proportional to its weight (a weight of 0 counts as 1,
/// so every entry can be drawn).
///
/// `random(round)` must return a uniformly distributed number for each round `0, 1, 2, …`;
/// the draw of round `r` takes `random(r) mod W`, `W` the total weight left, and picks the
/// entry whose cumulative-weight interval contains it (in pool order). The result is in draw
/// order and is a deterministic function of `pool`, its order, `seats` and `random`.
///
/// Cost: `O(seats · pool.len())`.
pub fn draw_weighted<A>(
	mut pool: Vec<(A, u32)>,
	seats: u32,
	mut random: impl FnMut(u32) -> u128,
) -> Vec<A> {
	let mut chosen = Vec::with_capacity(pool.len().min(seats as usize));
	let mut round: u32 = 0;
	while round < seats && !pool.is_empty() {
		let total: u128 = pool.iter().map(|(_, w)| u128::from((*w).max(1))).sum();
		// `total` is at least 1 because the pool is not empty.
		let mut target = random(round) % total.max(1);
		let mut picked = pool.len().saturating_sub(1);
		for (index, (_, weight)) in pool.iter().enumerate() {
			let weight = u128::from((*weight).max(1));
			if target < weight {
				picked = index;
				break;
			}
			target -= weight;
		}
		if picked < pool.len() {
			chosen.push(pool.remove(picked).0);
		}
		round = round.saturating_add(1);
	}
	chosen
}

/// A uniformly distributed `u128` from the first 16 bytes of a hash (fewer bytes are
/// zero-extended).
pub fn u128_from_bytes(bytes: &[u8]) -> u128 {
	let mut buf = [0u8; 16];
	for (dst, src) in buf.iter_mut().zip(bytes.iter()) {
		*dst = *src;
	}
	u128::from_le_bytes(buf)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn counter_random(values: Vec<u128>) -> impl FnMut(u32) -> u128 {
		move |round| values.get(round as usize).copied().unwrap_or(0)
	}

	#[test]
	fn picks_by_cumulative_weight() {
		let pool = vec![("a", 10), ("b", 20), ("c", 70)];
		// 0..10 → a, 10..30 → b, 30..100 → c
		assert_eq!(draw_weighted(pool.clone(), 1, counter_random(vec![9])), vec!["a"]);
		assert_eq!(draw_weighted(pool.clone(), 1, counter_random(vec![10])), vec!["b"]);
		assert_eq!(draw_weighted(pool.clone(), 1, counter_random(vec![30])), vec!["c"]);
		assert_eq!(draw_weighted(pool.clone(), 1, counter_random(vec![199])), vec!["c"]);
		// After `c` is gone the total is 30: 25 → b.
		assert_eq!(draw_weighted(pool, 2, counter_random(vec![99, 25])), vec!["c", "b"]);
	}

	#[test]
	fn never_repeats_and_respects_seats() {
		let pool: Vec<(u32, u32)> = (0..10).map(|i| (i, 100)).collect();
		let chosen = draw_weighted(pool.clone(), 4, |r| u128::from(r) * 7919);
		assert_eq!(chosen.len(), 4);
		let mut dedup = chosen.clone();
		dedup.sort();
		dedup.dedup();
		assert_eq!(dedup.len(), 4);
		// More seats than entries: everyone, once.
		let all = draw_weighted(pool, 20, |_| 0);
		assert_eq!(all, (0..10).collect::<Vec<_>>());
	}

	#[test]
	fn zero_weights_still_drawable() {
		let pool = vec![("a", 0), ("b", 0)];
		assert_eq!(draw_weighted(pool.clone(), 1, |_| 1), vec!["b"]);
		assert_eq!(draw_weighted(pool, 2, |_| 0), vec!["a", "b"]);
	}

	#[test]
	fn empty_pool_or_no_seats_draws_nothing() {
		assert!(draw_weighted(Vec::<(u8, u32)>::new(), 3, |_| 5).is_empty());
		assert!(draw_weighted(vec![(1u8, 5u32)], 0, |_| 5).is_empty());
	}

	#[test]
	fn bytes_to_u128() {
		assert_eq!(u128_from_bytes(&[1]), 1);
		assert_eq!(u128_from_bytes(&[0, 1]), 256);
		assert_eq!(u128_from_bytes(&[0xff; 32]), u128::MAX);
	}
}
