//! Registration: the binding of a miner's libp2p key to its account, and the checks and records
//! of a new miner.

use crate::{
	peer_binding_message, Config, Error, Event, MinerInfo, MinerState, Miners, MultiaddrsOf,
	Pallet, PeerId, PeerInfo, PeerOwners, Peers, PendingBeneficiaries,
};
use frame_support::ensure;
use sp_core::ed25519;
use sp_runtime::{DispatchError, DispatchResult};

impl<T: Config> Pallet<T> {
	/// Checks the binding signature and derives the PeerId of `peer_public`.
	pub(crate) fn verify_peer(
		who: &T::AccountId,
		peer_public: &ed25519::Public,
		peer_signature: &ed25519::Signature,
	) -> Result<PeerId, DispatchError> {
		let message = peer_binding_message(who);
		ensure!(
			sp_io::crypto::ed25519_verify(peer_signature, &message, peer_public),
			Error::<T>::InvalidPeerSignature
		);
		Ok(PeerId::from_ed25519(peer_public))
	}

	/// Rejects empty multiaddresses (length and count are bounded by their types).
	pub(crate) fn check_multiaddrs(multiaddrs: &MultiaddrsOf<T>) -> DispatchResult {
		ensure!(multiaddrs.iter().all(|addr| !addr.is_empty()), Error::<T>::EmptyMultiaddr);
		Ok(())
	}

	/// Checks that `who` may register with `peer_id` and `declared_space`.
	pub(crate) fn check_new_miner(
		who: &T::AccountId,
		peer_id: &PeerId,
		declared_space: u64,
	) -> DispatchResult {
		ensure!(!Miners::<T>::contains_key(who), Error::<T>::AlreadyRegistered);
		ensure!(declared_space > 0, Error::<T>::ZeroSpace);
		ensure!(!PeerOwners::<T>::contains_key(peer_id), Error::<T>::PeerIdInUse);
		Ok(())
	}

	/// Registers a checked new miner: holds the collateral, writes its records.
	pub(crate) fn do_register(
		who: &T::AccountId,
		beneficiary: T::AccountId,
		peer_id: PeerId,
		multiaddrs: MultiaddrsOf<T>,
		declared_space: u64,
	) -> DispatchResult {
		let collateral = Self::required_collateral(declared_space);
		Self::hold(who, collateral)?;
		let info = MinerInfo {
			beneficiary: beneficiary.clone(),
			state: MinerState::Active,
			collateral,
			declared_space,
			used_space: 0,
			locked_space: 0,
			registered_at: frame_system::Pallet::<T>::block_number(),
		};
		Self::write_miner(who, None, Some(info));
		Peers::<T>::insert(who, PeerInfo { peer_id, multiaddrs });
		PeerOwners::<T>::insert(peer_id, who);
		Self::deposit_event(Event::Registered {
			miner: who.clone(),
			beneficiary,
			peer_id,
			declared_space,
			collateral,
		});
		Ok(())
	}

	/// Records `proposed` as the beneficiary `who` wants; it takes effect when `proposed` calls
	/// `accept_beneficiary`. Replaces an earlier proposal.
	pub(crate) fn propose_beneficiary(who: &T::AccountId, proposed: T::AccountId) {
		PendingBeneficiaries::<T>::insert(who, &proposed);
		Self::deposit_event(Event::BeneficiaryProposed {
			miner: who.clone(),
			beneficiary: proposed,
		});
	}
}
