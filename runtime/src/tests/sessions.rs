//! Sessions keep the validators R²S draws and the proof data equivocation reports rely on, and
//! session keys are only accepted with their proof of possession.

use super::{account, genesis_ext, preset};
use crate::{Balances, Historical, Runtime, RuntimeOrigin, Session, SessionKeys, CESS};
use frame_support::traits::KeyOwnerProofSystem;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

#[test]
fn r2s_draws_the_qualified_candidates_each_session_and_historical_roots_are_recorded() {
	genesis_ext(preset("local_testnet")).execute_with(|| {
		// Four bonded candidates and eleven seats: R²S draws all four every session.
		let validators = pallet_session::Validators::<Runtime>::get();
		assert_eq!(validators.len(), 4);
		assert_eq!(pallet_r2s::Seats::<Runtime>::get(), 11);
		assert!(pallet_session::historical::HistoricalSessions::<Runtime>::get(0).is_some());
		for expected in 1..=3u32 {
			Session::rotate_session();
			assert_eq!(Session::current_index(), expected);
			assert_eq!(pallet_session::Validators::<Runtime>::get(), validators);
			// One more than the current: the queued set's root is recorded when it is queued.
			assert!(
				pallet_session::historical::HistoricalSessions::<Runtime>::get(expected + 1)
					.is_some(),
				"root of session {} recorded",
				expected + 1
			);
		}
	});
}

#[test]
fn key_ownership_of_a_validator_can_be_proven_for_equivocation_reports() {
	genesis_ext(preset("local_testnet")).execute_with(|| {
		let babe: sp_consensus_babe::AuthorityId = Sr25519Keyring::Bob.public().into();
		let proof = Historical::prove((sp_consensus_babe::KEY_TYPE, babe.clone()))
			.expect("Bob's BABE key is in the current session");
		let (owner, ()) = Historical::check_proof((sp_consensus_babe::KEY_TYPE, babe), proof)
			.expect("the proof checks against the recorded root");
		assert_eq!(owner, account(Sr25519Keyring::Bob));

		let grandpa: sp_consensus_grandpa::AuthorityId = Ed25519Keyring::Charlie.public().into();
		assert!(Historical::prove((sp_consensus_grandpa::KEY_TYPE, grandpa)).is_some());

		// A key no validator owns cannot be pinned on anybody.
		let stranger: sp_consensus_babe::AuthorityId = Sr25519Keyring::Ferdie.public().into();
		let key = (sp_consensus_babe::KEY_TYPE, stranger);
		assert!(Historical::prove(key.clone())
			.and_then(|proof| Historical::check_proof(key, proof))
			.is_none());
	});
}

#[test]
fn set_keys_checks_the_proof_of_possession_and_holds_the_key_deposit() {
	use codec::Encode;
	use sp_keystore::{testing::MemoryKeystore, KeystoreExt};

	let mut ext = genesis_ext(preset("development"));
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| {
		let eve = account(Sr25519Keyring::Eve);
		// What `author_rotateKeysWithOwner` does in the node: new keys, signed for their owner.
		let generated = SessionKeys::generate(&eve.encode(), None);
		let proof = generated.proof.encode();
		let free_before = Balances::free_balance(&eve);

		// A proof made for another owner is refused.
		let ferdie = account(Sr25519Keyring::Ferdie);
		assert!(Session::set_keys(
			RuntimeOrigin::signed(ferdie),
			generated.keys.clone(),
			proof.clone()
		)
		.is_err());

		Session::set_keys(RuntimeOrigin::signed(eve.clone()), generated.keys, proof)
			.expect("valid proof of possession");
		assert_eq!(free_before - Balances::free_balance(&eve), CESS, "one CESS held");
	});
}
