//! The storage miner's worker: brings the miner up ([`setup`](super::setup)) and, at every new
//! block (or as soon as a fragment is stored), runs its jobs against the chain's state:
//! [registration](super::registration), [confirmations](super::confirmations) with
//! [repairs](super::repairs), and [clean-up](super::cleanup). Audit challenges are answered by
//! the [`Auditor`](super::auditor::Auditor), a task of its own started beside it, and a third
//! loop keeps the [chain head](super::policy::ChainHead) the network's policy reads.

use super::{
	cleanup::Cleanup,
	confirmations::Confirmations,
	policy::ChainHead,
	registration::Registration,
	repairs::Repairs,
	setup::{set_up, Miner, Started},
	MinerConfig, LOG,
};
use crate::chain_client::{ChainClient, ChainError, TxSigner};
use cess_dht::{Event, Keypair};
use std::{sync::Arc, time::Duration};

/// How often the worker looks for a new block (a stored fragment wakes it earlier).
const POLL: Duration = Duration::from_secs(2);
/// How often the chain head the network's policy reads is updated.
const HEAD_POLL: Duration = Duration::from_millis(500);

/// Runs the miner until the node stops; returns (ending the essential task, and with it the
/// node) only on an error that retrying cannot fix.
pub async fn run(
	config: MinerConfig,
	signer: Arc<dyn TxSigner>,
	network_key: Keypair,
	registry: Option<substrate_prometheus_endpoint::Registry>,
) {
	match set_up(config, signer, network_key, registry).await {
		Ok(Started { miner, auditor, events }) => {
			let mut auditor = tokio::spawn(auditor.run());
			let follower = follow_head(miner.chain.clone(), miner.head.clone());
			tokio::select! {
				_ = Worker::new(miner).run(events) => {}
				_ = &mut auditor => log::error!(target: LOG, "the storage miner's auditor stopped"),
				_ = follower => {}
			}
			auditor.abort();
		}
		Err(e) => log::error!(target: LOG, "the storage miner cannot start: {e}"),
	}
}

/// Keeps `head` at the node's best block, for the network's policy to check tickets' expiry
/// against. A loop of its own rather than the worker's: a worker step (a repair) may take
/// longer than a block. Never returns.
async fn follow_head(chain: Arc<ChainClient>, head: Arc<ChainHead>) {
	let mut poll = tokio::time::interval(HEAD_POLL);
	poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
	loop {
		poll.tick().await;
		match chain.best().await {
			Ok((_, number)) => head.set_best(number),
			Err(e) => log::debug!(target: LOG, "cannot read the best block: {e}"),
		}
	}
}

/// The miner and the state of each of its jobs.
struct Worker {
	miner: Miner,
	/// Block of the last step.
	last_block: u32,
	registration: Registration,
	confirmations: Confirmations,
	repairs: Repairs,
	cleanup: Cleanup,
}

impl Worker {
	fn new(miner: Miner) -> Self {
		Self {
			miner,
			last_block: 0,
			registration: Registration::default(),
			confirmations: Confirmations::default(),
			repairs: Repairs::default(),
			cleanup: Cleanup::default(),
		}
	}

	/// Steps at each new block, or when the storage network stored a fragment.
	async fn run(mut self, mut events: tokio::sync::mpsc::Receiver<Event>) {
		let mut poll = tokio::time::interval(POLL);
		poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
		loop {
			let mut woken = false;
			tokio::select! {
				_ = poll.tick() => {}
				event = events.recv() => match event {
					Some(Event::FragmentStored { root, size, .. }) => {
						log::debug!(target: LOG, "stored fragment {} ({size} bytes)", cess_dht::root_to_hex(&root));
						woken = true;
					}
					Some(Event::FragmentServed { .. }) => continue,
					None => {
						log::error!(target: LOG, "the storage network stopped");
						return;
					}
				},
			}
			let best = match self.miner.chain.best().await {
				Ok((_, number)) => number,
				Err(e) => {
					log::warn!(target: LOG, "cannot read the best block: {e}");
					continue;
				}
			};
			if best == self.last_block && !woken {
				continue;
			}
			self.last_block = best;
			if let Err(e) = self.step(best).await {
				log::warn!(target: LOG, "{e}");
			}
		}
	}

	/// One pass of every job at block `best`.
	async fn step(&mut self, best: u32) -> Result<(), ChainError> {
		let miner = &self.miner;
		self.registration.check_if_due(miner, best).await?;
		let assignments = miner.chain.miner_assignments(&miner.me).await?;
		miner.assigned.replace(&assignments);
		self.confirmations.confirm(miner, &mut self.repairs, best, &assignments).await;
		self.cleanup.run_if_due(miner, best, &assignments).await
	}
}
