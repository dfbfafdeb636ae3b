//! The storage path through the real runtime: a miner registers, a user declares a file encoded
//! with the real codec, the chain places its fragments, the miner confirms them, the audit
//! challenges the miner, and proofs made from the stored bytes are checked by the runtime.

use crate::{
	tests::{declare, genesis_ext, preset, register_miner},
	Audit, Balances, FileBank, Incentive, Runtime, RuntimeEvent, RuntimeOrigin, System,
};
use cess_primitives::{proof::prove_fragment, FragmentHash, ProofError};
use frame_support::traits::{fungible::Inspect, Hooks};
use pallet_file_bank::FragmentStatus;
use sp_keyring::Sr25519Keyring;

fn run_to_block(n: u32) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		FileBank::on_initialize(next);
		Audit::on_initialize(next);
		Incentive::on_initialize(next);
	}
}

#[test]
fn declare_place_confirm_challenge_and_prove_in_the_runtime() {
	genesis_ext(preset("development")).execute_with(|| {
		let miner = Sr25519Keyring::Ferdie.to_account_id();
		let user = Sr25519Keyring::Eve.to_account_id();
		register_miner(&miner, &miner, 3, 100 << 30);

		let user_before = Balances::balance(&user);
		let data: Vec<u8> = (0..17 * 1024 * 1024u32).map(|i| (i * 31 + 7) as u8).collect();
		let (file, fragments) = declare(&user, &data);
		// 17 MiB in 16 MiB segments of 2 + 2: two segments, eight fragments.
		assert_eq!(fragments.len(), 8);
		assert!(Balances::balance(&user) < user_before, "the storage fee is charged");

		// Every fragment is placed on the only miner; it confirms them all.
		let placed: Vec<(u32, FragmentHash)> =
			pallet_file_bank::Fragments::<Runtime>::iter_prefix(file)
				.map(|(index, info)| {
					assert_eq!(info.miner, miner);
					assert!(matches!(info.status, FragmentStatus::Pending { .. }));
					(index, info.hash)
				})
				.collect();
		assert_eq!(placed.len(), 8);
		FileBank::confirm_stored(
			RuntimeOrigin::signed(miner.clone()),
			file,
			placed.try_into().unwrap(),
		)
		.expect("the assigned miner confirms");
		let view = FileBank::file_view(file).expect("the file exists");
		assert!(
			format!("{:?}", view.state).contains("Active"),
			"the file is active once every fragment is confirmed: {:?}",
			view.state
		);

		// An audit round challenges the miner; an honest proof from the stored bytes passes.
		let challenge = (1..200)
			.find_map(|n| {
				run_to_block(n);
				Audit::challenge_view(&miner)
			})
			.expect("the miner is challenged within 200 blocks");
		let proofs: Vec<_> = challenge
			.fragments
			.iter()
			.map(|f| {
				prove_fragment(
					&challenge.layout,
					&challenge.challenge,
					&f.hash,
					&fragments[&f.index],
				)
				.expect("proof from the stored bytes")
			})
			.collect();

		// An honest proof passes (a forged one fails: see the next test).
		Audit::submit_proof(
			RuntimeOrigin::signed(miner.clone()),
			challenge.round,
			proofs.try_into().unwrap(),
		)
		.expect("proof submitted");
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Audit(pallet_audit::Event::ProofAccepted { .. })
		)));
		assert!(Audit::challenge_view(&miner).is_none(), "the challenge is closed");
		assert_eq!(Audit::record(&miner).strikes, 0);
	});
}

#[test]
fn a_miner_that_lost_its_data_fails_the_audit() {
	genesis_ext(preset("development")).execute_with(|| {
		let miner = Sr25519Keyring::Ferdie.to_account_id();
		let user = Sr25519Keyring::Eve.to_account_id();
		register_miner(&miner, &miner, 3, 100 << 30);
		let data = vec![42u8; 3 * 1024 * 1024];
		let (file, fragments) = declare(&user, &data);
		let placed: Vec<(u32, FragmentHash)> =
			pallet_file_bank::Fragments::<Runtime>::iter_prefix(file)
				.map(|(index, info)| (index, info.hash))
				.collect();
		FileBank::confirm_stored(
			RuntimeOrigin::signed(miner.clone()),
			file,
			placed.try_into().unwrap(),
		)
		.unwrap();

		let challenge = (1..200)
			.find_map(|n| {
				run_to_block(n);
				Audit::challenge_view(&miner)
			})
			.expect("challenged");
		// The miner lost its data: it kept the Merkle paths of an honest proof (as if cached)
		// but not the challenged leaves, and sends other bytes in their place (each byte of
		// the real leaf inverted, so that every leaf differs, padding included).
		let forged: Vec<_> = challenge
			.fragments
			.iter()
			.map(|f| {
				let mut proof = prove_fragment(
					&challenge.layout,
					&challenge.challenge,
					&f.hash,
					&fragments[&f.index],
				)
				.expect("honest proof to start from");
				for leaf in proof.leaves.iter_mut() {
					for byte in leaf.leaf.iter_mut() {
						*byte ^= 0xff;
					}
				}
				proof
			})
			.collect();
		assert_eq!(forged.len(), challenge.fragments.len(), "one forged proof per fragment");
		// The call succeeds (the failure is recorded, not refused) and pays its fee.
		let info = Audit::submit_proof(
			RuntimeOrigin::signed(miner.clone()),
			challenge.round,
			forged.try_into().unwrap(),
		)
		.expect("a wrong proof is judged, not refused");
		assert_eq!(info.pays_fee, frame_support::dispatch::Pays::Yes);
		let rejected: Vec<_> = System::events()
			.into_iter()
			.filter_map(|r| match r.event {
				RuntimeEvent::Audit(pallet_audit::Event::ProofRejected {
					miner: m,
					round,
					error,
					strikes,
				}) if m == miner => Some((round, error, strikes)),
				_ => None,
			})
			.collect();
		assert_eq!(rejected, vec![(challenge.round, ProofError::RootMismatch, 1)]);
		assert!(Audit::challenge_view(&miner).is_none(), "one answer per round");
		assert_eq!(Audit::record(&miner).failed, 1);
		assert_eq!(Audit::record(&miner).strikes, 1);
	});
}
