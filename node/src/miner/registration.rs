//! The miner's registration: registers the account (`Sminer::register`, its network key signing
//! the binding to the account) or brings its PeerId and addresses up to date (`update_peer`), and
//! never registers a miner again once it has withdrawn.

use super::{keys, setup::Miner, submitter::TX_TIMEOUT, LOG};
use crate::chain_client::{ChainError, WaitFor};
use cess_runtime::RuntimeCall;
use sp_runtime::{BoundedVec, MultiAddress};

/// Blocks between checks of the on-chain registration.
const CHECK_EVERY: u32 = 50;

/// Keeps the miner's on-chain registration in line with its keys and addresses.
#[derive(Default)]
pub struct Registration {
	/// Next block at which the registration is checked.
	due: u32,
	/// The chain had a record of this miner; its disappearance then means it withdrew.
	seen_record: bool,
}

impl Registration {
	/// Checks the registration when it is due at block `best` (at once after a refusal).
	pub async fn check_if_due(&mut self, miner: &Miner, best: u32) -> Result<(), ChainError> {
		if best >= self.due && self.ensure_registered(miner).await? {
			self.due = best.saturating_add(CHECK_EVERY);
		}
		Ok(())
	}

	/// Registers the miner, or brings its PeerId and addresses up to date. `Ok(false)` when the
	/// chain refused (logged; tried again at the next block).
	async fn ensure_registered(&mut self, miner: &Miner) -> Result<bool, ChainError> {
		let me = &miner.me;
		let (peer_public, peer_signature) =
			keys::peer_binding(&miner.network_key, me).map_err(ChainError::Invalid)?;
		let multiaddrs: pallet_sminer::MultiaddrsOf<cess_runtime::Runtime> =
			BoundedVec::truncate_from(
				miner
					.addresses
					.iter()
					.filter_map(|a| BoundedVec::try_from(a.to_vec()).ok())
					.collect::<Vec<_>>(),
			);
		let mut done = "registered as storage miner";
		let record = miner.chain.miner_info(me).await?;
		self.seen_record |= record.is_some();
		if let Some(info) = &record {
			// The store holds what the chain lets this miner hold, whatever the command line
			// says now.
			miner.store.set_capacity(Some(info.declared_space));
		}
		let call = match (record, miner.chain.peer_info(me).await?) {
			(None, _) if self.seen_record => {
				// Registering again would lock collateral the operator just withdrew.
				log::warn!(target: LOG, "storage miner {me} has withdrawn from the chain: not registering it again (restart without --storage-miner, or with it to register anew)");
				return Ok(true);
			}
			(None, _) => {
				log::info!(target: LOG, "registering storage miner {me} with {} bytes", miner.space);
				RuntimeCall::Sminer(pallet_sminer::Call::register {
					beneficiary: MultiAddress::Id(me.clone()),
					peer_public,
					peer_signature,
					multiaddrs,
					declared_space: miner.space,
				})
			}
			(Some(_), Some(peer))
				if peer.peer_id == pallet_sminer::PeerId::from_ed25519(&peer_public)
					&& peer.multiaddrs == multiaddrs =>
			{
				return Ok(true)
			}
			(Some(_), _) => {
				log::info!(target: LOG, "updating the PeerId and addresses of miner {me}");
				done = "updated the network record of storage miner";
				RuntimeCall::Sminer(pallet_sminer::Call::update_peer {
					peer_public,
					peer_signature,
					multiaddrs,
				})
			}
		};
		match miner.submitter.submit(call, WaitFor::InBlock, TX_TIMEOUT).await {
			Ok(_) => {
				log::info!(target: LOG, "{done} {me} on chain");
				Ok(true)
			}
			Err(e) => {
				log::warn!(target: LOG, "storage miner registration failed: {e}");
				Ok(false)
			}
		}
	}
}
