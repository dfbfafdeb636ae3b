//! Prometheus metrics of the storage network, registered into the node's registry.
//!
//! | name | type | labels |
//! |---|---|---|
//! | `cess_dht_fragment_bytes_total` | counter | `direction` = `in` / `out` |
//! | `cess_dht_fragment_transfers_total` | counter | `op` = `put`/`get`/`unknown`, `side` |
//! | `cess_dht_fragment_failures_total` | counter | `op`, `side`, `reason` |
//! | `cess_dht_fragment_transfer_seconds` | histogram | `op`, `side` |
//! | `cess_dht_fragment_transfers_active` | gauge | `side` |
//! | `cess_dht_connected_peers` | gauge | |
//!
//! `side` is `inbound` (a peer asked us) or `outbound` (we asked a peer). Inbound `reason`s
//! include the limits': `overloaded` (a stream dropped in admission), `busy` (a pool of transfer
//! slots full), `busy_peer` (the peer's share of transfers used), `too_slow` (below the minimum
//! rate).
//! Outbound transfers count once per call (after retries); their attempts that failed on the way
//! count as failures with their reason.

use prometheus::{
	exponential_buckets, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
	Registry,
};
use std::time::Duration;

/// Direction of a transfer relative to this node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
	/// A remote peer asked us.
	Inbound,
	/// We asked a remote peer.
	Outbound,
}

impl Side {
	fn as_str(self) -> &'static str {
		match self {
			Side::Inbound => "inbound",
			Side::Outbound => "outbound",
		}
	}
}

/// The kind of transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
	Put,
	Get,
	/// The request was never read (refused as busy, or malformed).
	Unknown,
}

impl Op {
	fn as_str(self) -> &'static str {
		match self {
			Op::Put => "put",
			Op::Get => "get",
			Op::Unknown => "unknown",
		}
	}
}

/// The network's metrics; they count whether or not a registry was given.
#[derive(Clone)]
pub(crate) struct Metrics {
	bytes: IntCounterVec,
	transfers: IntCounterVec,
	failures: IntCounterVec,
	duration: HistogramVec,
	active: IntGaugeVec,
	peers: IntGauge,
}

impl Metrics {
	/// Creates the metrics and registers them into `registry`, if given.
	pub(crate) fn new(registry: Option<&Registry>) -> Result<Self, prometheus::Error> {
		let metrics = Self {
			bytes: IntCounterVec::new(
				Opts::new("cess_dht_fragment_bytes_total", "Fragment payload bytes moved"),
				&["direction"],
			)?,
			transfers: IntCounterVec::new(
				Opts::new("cess_dht_fragment_transfers_total", "Fragment transfers completed"),
				&["op", "side"],
			)?,
			failures: IntCounterVec::new(
				Opts::new("cess_dht_fragment_failures_total", "Fragment transfer attempts failed"),
				&["op", "side", "reason"],
			)?,
			duration: HistogramVec::new(
				HistogramOpts::new(
					"cess_dht_fragment_transfer_seconds",
					"Duration of completed fragment transfers",
				)
				.buckets(exponential_buckets(0.005, 2.0, 14)?),
				&["op", "side"],
			)?,
			active: IntGaugeVec::new(
				Opts::new("cess_dht_fragment_transfers_active", "Fragment transfers in progress"),
				&["side"],
			)?,
			peers: IntGauge::new("cess_dht_connected_peers", "Peers with an open connection")?,
		};
		if let Some(registry) = registry {
			registry.register(Box::new(metrics.bytes.clone()))?;
			registry.register(Box::new(metrics.transfers.clone()))?;
			registry.register(Box::new(metrics.failures.clone()))?;
			registry.register(Box::new(metrics.duration.clone()))?;
			registry.register(Box::new(metrics.active.clone()))?;
			registry.register(Box::new(metrics.peers.clone()))?;
		}
		Ok(metrics)
	}

	pub(crate) fn bytes_in(&self, n: usize) {
		self.bytes.with_label_values(&["in"]).inc_by(n as u64);
	}

	pub(crate) fn bytes_out(&self, n: usize) {
		self.bytes.with_label_values(&["out"]).inc_by(n as u64);
	}

	pub(crate) fn completed(&self, op: Op, side: Side, elapsed: Duration) {
		self.transfers.with_label_values(&[op.as_str(), side.as_str()]).inc();
		self.duration
			.with_label_values(&[op.as_str(), side.as_str()])
			.observe(elapsed.as_secs_f64());
	}

	pub(crate) fn failed(&self, op: Op, side: Side, reason: &str) {
		self.failures.with_label_values(&[op.as_str(), side.as_str(), reason]).inc();
	}

	/// Counts a transfer as active until the returned guard is dropped.
	pub(crate) fn active(&self, side: Side) -> ActiveGuard {
		let gauge = self.active.with_label_values(&[side.as_str()]);
		gauge.inc();
		ActiveGuard(gauge)
	}

	pub(crate) fn peer_connected(&self) {
		self.peers.inc();
	}

	pub(crate) fn peer_disconnected(&self) {
		self.peers.dec();
	}
}

/// Decrements the active-transfers gauge when dropped.
pub(crate) struct ActiveGuard(IntGauge);

impl Drop for ActiveGuard {
	fn drop(&mut self) {
		self.0.dec();
	}
}
