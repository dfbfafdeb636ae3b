//! The storage path through the real runtime: a miner registers, a user declares a file encoded
//! with the real codec, the chain places its fragments, the miner confirms them, the audit
//! challenges the miner, and proofs made from the stored bytes are checked by the runtime.

use super::{
	account, answer_challenge, confirm_all, declare, development_chain, file_content,
	forged_proofs, genesis_ext, preset, register_miner, wait_for_challenge,
};
use crate::{
	configs::TreasuryAccount, AccountId, Audit, Balances, FileBank, Runtime, RuntimeEvent,
	RuntimeHoldReason, Sminer, System, CESS,
};
use cess_primitives::ProofError;
use frame_support::traits::fungible::{Inspect, InspectHold};
use pallet_file_bank::FragmentStatus;
use pallet_sminer::{SlashReason, StorageMiners};
use sp_keyring::Sr25519Keyring;

#[test]
fn a_storage_miner_registers_with_dev_collateral_and_slashes_go_to_the_treasury() {
	genesis_ext(preset("development")).execute_with(|| {
		let miner = account(Sr25519Keyring::Ferdie);
		let two_tib = 2u64 << 40;
		// Registration checks the peer key's signature of the binding message.
		register_miner(&miner, &miner, 7, two_tib);

		// The development chain asks one CESS per declared TiB.
		let held = Balances::balance_on_hold(
			&RuntimeHoldReason::Sminer(pallet_sminer::HoldReason::MinerCollateral),
			&miner,
		);
		assert_eq!(held, 2 * CESS);
		assert_eq!(<Sminer as StorageMiners<AccountId>>::free_space(&miner), two_tib);

		let treasury = TreasuryAccount::get();
		let before = Balances::free_balance(&treasury);
		let slashed = <Sminer as StorageMiners<AccountId>>::slash(
			&miner,
			sp_runtime::Perbill::from_percent(50),
			SlashReason::LostData,
		)
		.unwrap();
		assert_eq!(slashed, CESS);
		assert_eq!(Balances::free_balance(&treasury) - before, CESS);
		assert!(!<Sminer as StorageMiners<AccountId>>::is_active(&miner), "frozen");
	});
}

#[test]
fn declare_place_confirm_challenge_and_prove_in_the_runtime() {
	development_chain().execute_with(|| {
		let miner = account(Sr25519Keyring::Ferdie);
		let user = account(Sr25519Keyring::Eve);
		register_miner(&miner, &miner, 3, 100 << 30);

		let user_before = Balances::balance(&user);
		let (file, fragments) = declare(&user, &file_content(17 * 1024 * 1024));
		// 17 MiB in 16 MiB segments of 2 + 2: two segments, eight fragments.
		assert_eq!(fragments.len(), 8);
		assert!(Balances::balance(&user) < user_before, "the storage fee is charged");

		// Every fragment is placed on the only miner; it confirms them all.
		let mut placed = 0;
		for (_, info) in pallet_file_bank::Fragments::<Runtime>::iter_prefix(file) {
			assert_eq!(info.miner, miner);
			assert!(matches!(info.status, FragmentStatus::Pending { .. }));
			placed += 1;
		}
		assert_eq!(placed, 8);
		confirm_all(&miner, file);
		let view = FileBank::file_view(file).expect("the file exists");
		assert!(
			format!("{:?}", view.state).contains("Active"),
			"the file is active once every fragment is confirmed: {:?}",
			view.state
		);

		// An audit round challenges the miner; an honest proof from the stored bytes passes (a
		// forged one fails: see the next test).
		wait_for_challenge(&miner);
		assert!(answer_challenge(&miner, &fragments));
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Audit(pallet_audit::Event::ProofAccepted { .. })
		)));
		assert_eq!(Audit::record(&miner).strikes, 0);
	});
}

#[test]
fn a_miner_that_lost_its_data_fails_the_audit() {
	development_chain().execute_with(|| {
		let miner = account(Sr25519Keyring::Ferdie);
		register_miner(&miner, &miner, 3, 100 << 30);
		let (file, fragments) = declare(&account(Sr25519Keyring::Eve), &vec![42u8; 3 << 20]);
		confirm_all(&miner, file);

		let challenge = wait_for_challenge(&miner);
		// The miner lost its data: it answers with other bytes than the challenged leaves.
		let forged = forged_proofs(&challenge, &fragments);
		assert_eq!(forged.len(), challenge.fragments.len(), "one forged proof per fragment");
		// The call succeeds (the failure is recorded, not refused) and pays its fee.
		let info = Audit::submit_proof(
			crate::RuntimeOrigin::signed(miner.clone()),
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
