//! Runtime tests: the genesis presets build the state the chain needs, sessions keep the
//! validators and the proof data equivocation reports rely on, and fees are what the docs say.

use crate::{
	chain_params, configs, genesis_config_presets as presets, AccountId, Babe, Balances, FileBank,
	Historical, Runtime, RuntimeEvent, RuntimeGenesisConfig, RuntimeOrigin, Session, SessionKeys,
	Sminer, System, CESS, DEV_EPOCH_DURATION_IN_SLOTS, PRODUCTION_EPOCH_DURATION_IN_SLOTS,
};
use cess_primitives::{
	codec::{encode_bytes, FileKey},
	FileHash, FragmentHash,
};
use frame_support::{
	traits::{Get, KeyOwnerProofSystem},
	weights::{constants::ExtrinsicBaseWeight, WeightToFee as _},
};
use serde_json::Value;
use sp_core::{ed25519, Pair};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::BuildStorage;
use std::collections::BTreeMap;

/// Applies a preset patch on top of the default genesis, as the node does.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (k, v) in patch {
				merge(base.entry(k).or_insert(Value::Null), v);
			}
		}
		(base, patch) => *base = patch,
	}
}

pub(crate) fn genesis_ext(patch: Value) -> sp_io::TestExternalities {
	let mut json = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut json, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(json).expect("preset is valid JSON");
	let storage = config.build_storage().expect("genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

pub(crate) fn preset(name: &str) -> Value {
	let bytes = presets::get_preset(&name.into()).expect("preset exists");
	serde_json::from_slice(&bytes).unwrap()
}

/// Registers `miner` (paying `beneficiary`) with the ed25519 peer key of `seed`.
pub(crate) fn register_miner(miner: &AccountId, beneficiary: &AccountId, seed: u8, space: u64) {
	let peer = ed25519::Pair::from_seed(&[seed; 32]);
	Sminer::register(
		RuntimeOrigin::signed(miner.clone()),
		beneficiary.clone().into(),
		peer.public(),
		peer.sign(&pallet_sminer::peer_binding_message(miner)),
		vec![b"/ip4/127.0.0.1/tcp/15001".to_vec().try_into().unwrap()].try_into().unwrap(),
		space,
	)
	.expect("miner registers");
}

/// Encodes and declares `data` for `owner`; returns the file hash and every fragment's bytes,
/// keyed by the fragment's index in the file.
pub(crate) fn declare(owner: &AccountId, data: &[u8]) -> (FileHash, BTreeMap<u32, Vec<u8>>) {
	let layout = FileBank::layout();
	let (manifest, segments) =
		encode_bytes(layout, &FileKey::from_bytes([9; 32]), data).expect("codec");
	let roots: Vec<frame_support::BoundedVec<FragmentHash, _>> =
		manifest.segments.iter().map(|s| s.fragments.clone().try_into().unwrap()).collect();
	FileBank::upload_declaration(
		RuntimeOrigin::signed(owner.clone()),
		manifest.hash,
		roots.try_into().unwrap(),
		manifest.size,
		b"photo.jpg".to_vec().try_into().unwrap(),
		1,
	)
	.expect("declaration accepted");
	let shards = layout.data_shards + layout.parity_shards;
	let mut bytes = BTreeMap::new();
	for (s, segment) in (0u32..).zip(&segments) {
		for (i, _, fragment) in segment.fragments() {
			bytes.insert(s * shards as u32 + i, fragment.to_vec());
		}
	}
	(manifest.hash, bytes)
}

/// The `EraClosed` event of `era`: (minted, storage fees, miners' pot, validators' pot, to the
/// treasury).
pub(crate) fn era_closed(era: u32) -> Option<(u128, u128, u128, u128, u128)> {
	System::events().into_iter().find_map(|r| match r.event {
		RuntimeEvent::Incentive(pallet_incentive::Event::EraClosed {
			era: e,
			minted,
			storage_fees,
			miners_pot,
			validators_pot,
			to_treasury,
		}) if e == era => Some((minted, storage_fees, miners_pot, validators_pot, to_treasury)),
		_ => None,
	})
}

fn account(who: Sr25519Keyring) -> AccountId {
	who.to_account_id()
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
	let four = {
		let mut v: Vec<_> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.into_iter()
		.map(account)
		.collect();
		v.sort();
		v
	};
	for (name, epoch) in [
		("local_testnet", DEV_EPOCH_DURATION_IN_SLOTS),
		("staging", PRODUCTION_EPOCH_DURATION_IN_SLOTS),
	] {
		genesis_ext(preset(name)).execute_with(|| {
			assert_eq!(pallet_session::Validators::<Runtime>::get(), four, "{name}");
			assert_eq!(Babe::authorities().len(), 4, "{name}");
			assert_eq!(chain_params::EpochDuration::<Runtime>::get(), epoch, "{name}");
		});
	}
	assert_eq!(PRODUCTION_EPOCH_DURATION_IN_SLOTS, 600, "one hour of 6 s slots");
}

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
	use frame_support::traits::fungible::InspectHold;
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
fn base_extrinsic_costs_a_hundredth_of_a_cess() {
	let fee = configs::WeightToFee::weight_to_fee(&ExtrinsicBaseWeight::get());
	assert_eq!(fee, configs::BASE_EXTRINSIC_FEE);
	assert_eq!(configs::BASE_EXTRINSIC_FEE, CESS / 100);
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
			crate::RuntimeOrigin::signed(ferdie),
			generated.keys.clone(),
			proof.clone()
		)
		.is_err());

		Session::set_keys(crate::RuntimeOrigin::signed(eve.clone()), generated.keys, proof)
			.expect("valid proof of possession");
		assert_eq!(free_before - Balances::free_balance(&eve), CESS, "one CESS held");
	});
}

#[test]
fn a_storage_miner_registers_with_dev_collateral_and_slashes_go_to_the_treasury() {
	use frame_support::traits::fungible::InspectHold;
	use pallet_sminer::{SlashReason, StorageMiners};
	use sp_core::{ed25519, Pair};

	genesis_ext(preset("development")).execute_with(|| {
		let miner = account(Sr25519Keyring::Ferdie);
		let peer = ed25519::Pair::from_seed(&[7u8; 32]);
		let signature = peer.sign(&pallet_sminer::peer_binding_message(&miner));
		let two_tib = 2u64 << 40;

		crate::Sminer::register(
			crate::RuntimeOrigin::signed(miner.clone()),
			miner.clone().into(),
			peer.public(),
			signature,
			vec![b"/ip4/127.0.0.1/tcp/30444".to_vec().try_into().unwrap()].try_into().unwrap(),
			two_tib,
		)
		.expect("registration with a valid peer signature");

		// The development chain asks one CESS per declared TiB.
		let held = Balances::balance_on_hold(
			&crate::RuntimeHoldReason::Sminer(pallet_sminer::HoldReason::MinerCollateral),
			&miner,
		);
		assert_eq!(held, 2 * CESS);
		assert_eq!(<crate::Sminer as StorageMiners<AccountId>>::free_space(&miner), two_tib);

		let treasury = configs::TreasuryAccount::get();
		let before = Balances::free_balance(&treasury);
		let slashed = <crate::Sminer as StorageMiners<AccountId>>::slash(
			&miner,
			sp_runtime::Perbill::from_percent(50),
			SlashReason::LostData,
		)
		.unwrap();
		assert_eq!(slashed, CESS);
		assert_eq!(Balances::free_balance(&treasury) - before, CESS);
		assert!(!<crate::Sminer as StorageMiners<AccountId>>::is_active(&miner), "frozen");
	});
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
		let mut four: Vec<AccountId> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.into_iter()
		.map(account)
		.collect();
		four.sort();
		assert_eq!(validators, four[..2].to_vec());
	});
}
