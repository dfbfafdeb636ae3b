//! The minimum transfer rate ([`crate::Limits::min_rate`]): a sliding-window meter of one
//! inbound transfer's data phase.
//!
//! The idle timeout alone lets a peer hold a transfer slot for the whole transfer timeout by
//! sending a byte just before each idle deadline (1 byte every 19 s for 300 s). The meter
//! measures the bytes moved over the last [`crate::Limits::min_rate_window`] and, once
//! [`crate::Limits::min_rate_grace`] has passed since the data phase began, declares the
//! transfer too slow when they fall below the minimum rate. A sliding window, not the average
//! since the start, so that a burst at first (a yamux window's worth) does not buy a stall
//! afterwards. Only the time spent waiting for the peer counts: while the meter is paused (this
//! node storing, hashing or reading from its own disk) its clock stands still, so a slow disk
//! here is never blamed on the peer.

use std::{
	collections::VecDeque,
	time::{Duration, Instant},
};

/// Checkpoints per window: the window's start is known to within `window / MARKS_PER_WINDOW`.
const MARKS_PER_WINDOW: u32 = 5;
/// Shortest interval between two checks of a stalled transfer.
const MIN_CHECK_INTERVAL: Duration = Duration::from_millis(10);

/// The transfer moved less than the minimum rate over the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TooSlow {
	/// Bytes moved over the window.
	pub(crate) bytes: u64,
	/// The window's length.
	pub(crate) over: Duration,
}

impl std::fmt::Display for TooSlow {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(
			f,
			"{} bytes in {:.1} s, below the minimum rate",
			self.bytes,
			self.over.as_secs_f64()
		)
	}
}

/// Bytes moved by one transfer over a sliding window; see the module docs.
#[derive(Debug)]
pub(crate) struct RateMeter {
	min_rate: u64,
	window: Duration,
	checked_from: Instant,
	/// (time, bytes moved until then), oldest first; the first is the latest one at least a
	/// window old once there is one. At most `MARKS_PER_WINDOW + 2` of them.
	marks: VecDeque<(Instant, u64)>,
	total: u64,
	/// When the meter was paused, if it is.
	paused_at: Option<Instant>,
}

impl RateMeter {
	/// A meter starting `now`; `min_rate` 0 never declares a transfer too slow.
	pub(crate) fn new(min_rate: u64, window: Duration, grace: Duration, now: Instant) -> Self {
		let mut marks = VecDeque::with_capacity(MARKS_PER_WINDOW as usize + 2);
		marks.push_back((now, 0));
		Self { min_rate, window, checked_from: now + grace, marks, total: 0, paused_at: None }
	}

	/// Stops the clock: the time until [`RateMeter::resume`] is not the peer's.
	pub(crate) fn pause(&mut self, now: Instant) {
		self.paused_at.get_or_insert(now);
	}

	/// Restarts the clock, as if the pause had not happened.
	pub(crate) fn resume(&mut self, now: Instant) {
		let Some(paused_at) = self.paused_at.take() else { return };
		let pause = now.saturating_duration_since(paused_at);
		for (at, _) in &mut self.marks {
			*at += pause;
		}
		self.checked_from += pause;
	}

	/// How long to wait for I/O before checking the rate again.
	pub(crate) fn check_interval(&self) -> Duration {
		if self.min_rate == 0 {
			return Duration::MAX;
		}
		(self.window / MARKS_PER_WINDOW).max(MIN_CHECK_INTERVAL)
	}

	/// Counts `bytes` moved `now`.
	pub(crate) fn record(&mut self, bytes: usize, now: Instant) {
		self.total += bytes as u64;
		self.mark(now);
	}

	fn mark(&mut self, now: Instant) {
		let step = self.window / MARKS_PER_WINDOW;
		if self.marks.back().is_none_or(|(at, _)| now.saturating_duration_since(*at) >= step) {
			self.marks.push_back((now, self.total));
		}
		// Keep the latest mark at least a window old as the window's start.
		while self.marks.len() >= 2
			&& self
				.marks
				.get(1)
				.is_some_and(|(at, _)| now.saturating_duration_since(*at) >= self.window)
		{
			self.marks.pop_front();
		}
	}

	/// Whether the transfer still moves at least the minimum rate, as of `now`.
	pub(crate) fn check(&mut self, now: Instant) -> Result<(), TooSlow> {
		self.mark(now);
		if self.min_rate == 0 || now < self.checked_from {
			return Ok(());
		}
		let Some(&(since, moved_before)) = self.marks.front() else { return Ok(()) };
		let over = now.saturating_duration_since(since);
		if over.is_zero() {
			return Ok(());
		}
		let bytes = self.total - moved_before;
		// bytes / over < min_rate, without dividing.
		if (bytes as f64) < self.min_rate as f64 * over.as_secs_f64() {
			return Err(TooSlow { bytes, over });
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const SECOND: Duration = Duration::from_secs(1);

	#[test]
	fn nothing_is_too_slow_during_the_grace_period() {
		let start = Instant::now();
		let mut meter = RateMeter::new(1000, 2 * SECOND, 5 * SECOND, start);
		for s in 0..5 {
			assert_eq!(meter.check(start + s * SECOND), Ok(()));
		}
		assert!(meter.check(start + 5 * SECOND).is_err(), "nothing moved in 5 s");
	}

	#[test]
	fn a_trickle_is_too_slow_and_a_steady_stream_is_not() {
		let start = Instant::now();
		let mut trickle = RateMeter::new(1000, 2 * SECOND, SECOND, start);
		let mut steady = RateMeter::new(1000, 2 * SECOND, SECOND, start);
		let mut failed_at = None;
		for tenth in 1..=100u32 {
			let now = start + tenth * SECOND / 10;
			trickle.record(1, now);
			steady.record(200, now);
			assert_eq!(steady.check(now), Ok(()), "2000 bytes/s at {tenth}");
			if failed_at.is_none() && trickle.check(now).is_err() {
				failed_at = Some(tenth);
			}
		}
		// Caught at the first check after the grace period.
		assert_eq!(failed_at, Some(10));
		assert!(steady.marks.len() <= MARKS_PER_WINDOW as usize + 2);
	}

	#[test]
	fn a_burst_does_not_buy_a_stall() {
		let start = Instant::now();
		let mut meter = RateMeter::new(1000, 2 * SECOND, SECOND, start);
		// 256 KiB at once (a yamux window), then nothing: the average since the start would
		// stay above 1000 bytes/s for over four minutes; the window catches it 2 s on.
		meter.record(256 * 1024, start);
		let mut caught = None;
		for tenth in 1..=50u32 {
			let now = start + tenth * SECOND / 10;
			if meter.check(now).is_err() {
				caught = Some(tenth);
				break;
			}
		}
		let caught = caught.expect("the stall is caught");
		assert!((20..=25).contains(&caught), "caught at {caught} tenths");
	}

	#[test]
	fn pauses_do_not_count() {
		let start = Instant::now();
		let mut meter = RateMeter::new(1000, 2 * SECOND, SECOND, start);
		meter.record(1500, start + SECOND / 2);
		// This node stalls for a minute (its disk), then the peer sends on at its pace.
		meter.pause(start + SECOND);
		let back = start + 61 * SECOND;
		meter.resume(back);
		assert_eq!(meter.check(back), Ok(()));
		meter.record(1500, back + SECOND);
		assert_eq!(meter.check(back + SECOND), Ok(()));
		// Without a pause the same minute is the peer's.
		let mut unpaused = RateMeter::new(1000, 2 * SECOND, SECOND, start);
		unpaused.record(1500, start + SECOND / 2);
		assert!(unpaused.check(back).is_err());
	}

	#[test]
	fn a_zero_minimum_disables_the_check() {
		let start = Instant::now();
		let mut meter = RateMeter::new(0, SECOND, Duration::ZERO, start);
		assert_eq!(meter.check(start + 1000 * SECOND), Ok(()));
		assert_eq!(meter.check_interval(), Duration::MAX);
	}
}
