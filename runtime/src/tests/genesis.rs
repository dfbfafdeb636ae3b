//! The genesis presets build the state the chain needs: their validators are bonded, qualified
//! R²S candidates up to the seats, and their session lengths are what the presets say.

use super::{account, genesis_ext, preset};
use crate::{
	chain_params, genesis_config_presets as presets, AccountId, Babe, Balances, Runtime,
	DEV_EPOCH_DURATION_IN_SLOTS, PRODUCTION_EPOCH_DURATION_IN_SLOTS,
};
use frame_support::traits::{fungible::InspectHold, Get};
use sp_keyring::Sr25519Keyring;

/// The validators of `local_testnet` and `staging` (Alice, Bob, Charlie, Dave), in account
/// order.
fn four_validators() -> Vec<AccountId> {
	let mut four: Vec<AccountId> =
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave]
			.into_iter()
			.map(account)
			.collect();
	four.sort();
	four
}

#[test]
fn preset_names_are_listed_and_unknown_names_rejected() {
	let names = presets::preset_names();
	for name in ["development", "local_testnet", "staging"] {
		assert!(names.contains(&name.into()), "{name} listed");
		assert!(presets::get_preset(&name.into()).is_some());
	}
	assert!(presets::get_preset(&"nope".into()).is_none());
}

#[test]
fn development_genesis_has_alice_as_sole_validator_with_one_minute_sessions() {
	genesis_ext(preset("development")).execute_with(|| {
		assert_eq!(
			pallet_session::Validators::<Runtime>::get(),
			vec![account(Sr25519Keyring::Alice)]
		);
		assert_eq!(chain_params::EpochDuration::<Runtime>::get(), DEV_EPOCH_DURATION_IN_SLOTS);
		assert_eq!(<Runtime as pallet_babe::Config>::EpochDuration::get(), 10);
		assert_eq!(Babe::authorities().len(), 1);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(account(Sr25519Keyring::Alice)));
		assert_eq!(Balances::free_balance(account(Sr25519Keyring::Bob)), presets::DEV_ENDOWMENT);
	});
}

#[test]
fn local_and_staging_genesis_have_four_validators() {
	for (name, epoch) in [
		("local_testnet", DEV_EPOCH_DURATION_IN_SLOTS),
		("staging", PRODUCTION_EPOCH_DURATION_IN_SLOTS),
	] {
		genesis_ext(preset(name)).execute_with(|| {
			assert_eq!(pallet_session::Validators::<Runtime>::get(), four_validators(), "{name}");
			assert_eq!(Babe::authorities().len(), 4, "{name}");
			assert_eq!(chain_params::EpochDuration::<Runtime>::get(), epoch, "{name}");
		});
	}
	assert_eq!(PRODUCTION_EPOCH_DURATION_IN_SLOTS, 600, "one hour of 6 s slots");
}

#[test]
#[should_panic(expected = "epochDurationInSlots must be at least")]
fn too_short_sessions_are_refused_at_genesis() {
	let mut patch = preset("development");
	patch["chainParams"]["epochDurationInSlots"] = 2.into();
	genesis_ext(patch);
}

#[test]
fn unset_session_length_means_production_length() {
	let mut patch = preset("development");
	patch["chainParams"]["epochDurationInSlots"] = 0.into();
	genesis_ext(patch).execute_with(|| {
		assert_eq!(
			chain_params::EpochDuration::<Runtime>::get(),
			PRODUCTION_EPOCH_DURATION_IN_SLOTS
		);
	});
}

#[test]
fn genesis_validators_are_bonded_qualified_r2s_candidates() {
	for name in ["development", "local_testnet", "staging"] {
		genesis_ext(preset(name)).execute_with(|| {
			for validator in pallet_session::Validators::<Runtime>::get() {
				let held = Balances::balance_on_hold(
					&crate::RuntimeHoldReason::R2s(pallet_r2s::HoldReason::CandidateBond),
					&validator,
				);
				assert_eq!(held, presets::GENESIS_VALIDATOR_BOND, "{name}");
				let credit = crate::R2s::credit_of(&validator);
				assert!(
					credit >= <Runtime as pallet_r2s::Config>::CreditThreshold::get(),
					"{name}: genesis validator qualifies (credit {credit})"
				);
			}
		});
	}
}

#[test]
fn genesis_set_respects_the_seats_of_r2s() {
	// Four keyed, bonded candidates and two seats: Session's genesis asks R2s, whose genesis has
	// already run (declaration order), so only two validate from block 1.
	let mut patch = preset("local_testnet");
	patch["r2s"]["seats"] = 2.into();
	genesis_ext(patch).execute_with(|| {
		let validators = pallet_session::Validators::<Runtime>::get();
		assert_eq!(validators.len(), 2, "genesis set is capped at the seats");
		for validator in &validators {
			assert!(pallet_r2s::Candidates::<Runtime>::contains_key(validator));
		}
		// Equal credit: ties go by account, so the set is the two lowest account ids.
		assert_eq!(validators, four_validators()[..2].to_vec());
	});
}
