//! Self-dealing never pays (docs/security.md row A3, §3.3): an uploader that is also the storage
//! miner of its own files — with as many accounts as it likes, no disk (the chain cannot tell
//! generated fragments from real ones) and any share of the network's space — pays the storage
//! fee and collects rewards. Under the production parameters it never earns back what it paid.
//!
//! The chain is the `staging` preset (production parameters). Declarations, placement,
//! confirmations, the fee's hold and payment, the era closes and the claims run through the
//! real pallets; audits are reported through the runtime's adapter (`NoteAudit`) as passed in
//! every era, as a miner that answers them all would be — the proofs themselves are tested in
//! `storage.rs` and change nothing here (a generated fragment passes its audit).

use super::{account, genesis_ext, preset, register_miner};
use crate::{
	configs::NoteAudit, AccountId, Balance, Balances, FileBank, Incentive, Runtime, RuntimeOrigin,
	System, CESS,
};
use cess_primitives::{
	hashing::{file_hash, segment_hash},
	FileHash, FragmentHash,
};
use codec::Encode;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Hooks,
};
use pallet_audit::OnAuditResult;
use pallet_incentive::{NextEraAt, Params, SELF_DEALING_MARGIN};
use sp_keyring::Sr25519Keyring;

/// Fragments per segment and their size under the production layout.
const SHARDS: u32 = 12;
const FRAGMENT: u64 = 8 << 20;

/// A fresh account for `role` number `n`, endowed with `amount`.
fn funded(role: u8, n: u8, amount: Balance) -> AccountId {
	let mut raw = [0xd5; 32];
	raw[0] = role;
	raw[1] = n;
	let who = AccountId::new(raw);
	Balances::mint_into(&who, amount).expect("minted");
	who
}

/// Registers `SHARDS` miners that each hold exactly one fragment per segment of `segments`
/// segments (no idle space), paying `beneficiary`. `role` and the peer seeds keep the accounts
/// and PeerIds of the two groups apart.
fn miners(role: u8, seed_base: u8, segments: u64, beneficiary: &AccountId) -> Vec<AccountId> {
	(0..SHARDS as u8)
		.map(|n| {
			let miner = funded(role, n, 100_000 * CESS);
			register_miner(&miner, beneficiary, seed_base + n, segments * FRAGMENT);
			// The attacker's own accounts: its beneficiary consents to be paid.
			if beneficiary != &miner {
				frame_support::assert_ok!(crate::Sminer::accept_beneficiary(
					RuntimeOrigin::signed(beneficiary.clone()),
					miner.clone().into()
				));
			}
			miner
		})
		.collect()
}

/// Declares a file of `segments` full segments with generated fragment roots (nothing on chain
/// distinguishes them from the roots of an encoded file) for one period; returns its hash and
/// the fee held.
fn declare_generated(owner: &AccountId, tag: u8, segments: u32) -> (FileHash, Balance) {
	let layout = FileBank::layout();
	assert_eq!((layout.total_shards(), u64::from(layout.fragment_size())), (SHARDS, FRAGMENT));
	let roots: Vec<Vec<FragmentHash>> = (0..segments)
		.map(|s| {
			(0..SHARDS)
				.map(|i| FragmentHash(sp_io::hashing::blake2_256(&(tag, s, i).encode())))
				.collect()
		})
		.collect();
	let size = u64::from(layout.segment_capacity()) * u64::from(segments);
	let hashes: Vec<_> = roots.iter().map(|r| segment_hash(r)).collect();
	let hash = file_hash(&layout, size, &hashes);
	let fee = FileBank::storage_fee(size, 1).expect("fee");
	let bounded: Vec<frame_support::BoundedVec<FragmentHash, _>> =
		roots.into_iter().map(|r| r.try_into().unwrap()).collect();
	FileBank::upload_declaration(
		RuntimeOrigin::signed(owner.clone()),
		hash,
		bounded.try_into().unwrap(),
		size,
		b"generated".to_vec().try_into().unwrap(),
		1,
	)
	.expect("declaration accepted");
	(hash, fee)
}

/// Every miner of `file` confirms its fragments; returns the miners it was placed on.
fn confirm(file: FileHash) -> Vec<AccountId> {
	let mut by_miner: std::collections::BTreeMap<AccountId, Vec<(u32, FragmentHash)>> =
		Default::default();
	for (index, info) in pallet_file_bank::Fragments::<Runtime>::iter_prefix(file) {
		by_miner.entry(info.miner).or_default().push((index, info.hash));
	}
	for (miner, placed) in &by_miner {
		FileBank::confirm_stored(
			RuntimeOrigin::signed(miner.clone()),
			file,
			placed.clone().try_into().unwrap(),
		)
		.expect("the assigned miner confirms");
	}
	by_miner.into_keys().collect()
}

/// Closes the era in progress: its last block passes and the next one opens (the incentive
/// pallet's `on_initialize` closes it).
fn close_era() {
	let at = NextEraAt::<Runtime>::get();
	System::set_block_number(at);
	<Incentive as Hooks<crate::BlockNumber>>::on_initialize(at);
}

/// The attacker's profit (rewards claimed − storage fee paid, in plancks) when its own files
/// are `own` segments and honest users' files `honest` segments, each group on its own twelve
/// miners: the attacker holds `own / (own + honest)` of the service space.
fn self_dealing_profit(own: u32, honest: u32) -> (i128, Balance) {
	let mut profit = 0;
	let mut fee_paid = 0;
	genesis_ext(preset("staging")).execute_with(|| {
		// The production parameters: one-day eras, 30-day periods, κ_s = 80 %, κ_b = 0.
		let params = Params::<Runtime>::get();
		assert_eq!(params, pallet_incentive::RewardParams::default());
		assert_eq!(FileBank::params(), crate::configs::FileBankDefaults::get());

		// Honest users' files fill twelve honest miners exactly (declared first, so that the
		// attacker's miners get none of them); their fees join the pots like the attacker's.
		if honest > 0 {
			let bob = account(Sr25519Keyring::Bob);
			let honest_miners = miners(1, 100, u64::from(honest), &bob);
			let (file, _) = declare_generated(&bob, 1, honest);
			let placed = confirm(file);
			assert_eq!(placed.len(), honest_miners.len());
		}

		// The attacker: one account uploads and receives every reward of its twelve miners.
		let attacker = funded(3, 0, 1_000_000 * CESS);
		let own_miners = miners(2, 200, u64::from(own), &attacker);
		let before = Balances::balance(&attacker);
		let (file, fee) = declare_generated(&attacker, 2, own);
		let mut placed = confirm(file);
		placed.sort();
		let mut expected = own_miners.clone();
		expected.sort();
		assert_eq!(placed, expected, "the attacker's file lies on its own miners only");
		assert_eq!(before - Balances::balance(&attacker), fee, "the fee was paid, not held");

		// Every miner passes an audit in every era its bytes may meet: the 30 eras of the term
		// and the two more the bound allows (the term straddles era boundaries).
		let audited: Vec<AccountId> = pallet_sminer::Miners::<Runtime>::iter_keys().collect();
		let eras = params.era_length;
		let term = FileBank::params().period / eras + 2;
		for round in 0..term {
			for miner in &audited {
				NoteAudit::on_audit_result(miner, round, true);
			}
			close_era();
		}
		for miner in &own_miners {
			Incentive::claim_rewards(RuntimeOrigin::signed(miner.clone()))
				.expect("the attacker's miners earned something");
		}
		profit =
			i128::try_from(Balances::balance(&attacker)).unwrap() - i128::try_from(before).unwrap();
		fee_paid = fee;

		// Without the caps, its share of one era's service pot alone (70 % of 500 000 CESS,
		// all to service: no idle space, no bandwidth after era 0) would repay the fee many
		// times over.
		let share = (u128::from(own), u128::from(own + honest));
		let uncapped_one_era = 350_000 * CESS * share.0 / share.1;
		assert!(uncapped_one_era > 100 * fee, "the attack would pay without the caps");
	});
	(profit, fee_paid)
}

#[test]
fn attack_self_dealing_never_pays() {
	// The attacker's share of the service space: 1 %, 10 %, 50 %, 100 %.
	for (own, honest) in [(1u32, 99u32), (1, 9), (1, 1), (1, 0)] {
		let share = 100 * own / (own + honest);
		let (profit, fee) = self_dealing_profit(own, honest);
		let fee = i128::try_from(fee).unwrap();
		assert!(fee > 0);
		println!(
			"{share:>3} % of the service space: fee {fee}, profit {profit} ({:.1} %)",
			100.0 * profit as f64 / fee as f64
		);
		assert!(profit > -fee, "{share} %: the attacker earned something back");
		assert!(profit <= 0, "{share} %: self-dealing paid {profit} on a fee of {fee}");
		// The inequality leaves a margin ε: the attacker loses at least 5 % of what it paid.
		let margin = i128::try_from(SELF_DEALING_MARGIN.mul_floor(fee as u128)).unwrap();
		assert!(profit <= -margin, "{share} %: profit {profit}, fee {fee}");
	}
}

#[test]
#[should_panic(expected = "SelfDealingWouldPay")]
fn genesis_rejects_params_where_self_dealing_pays() {
	// A service byte earning 90 % of its price per era earns 0.9 · 32 = 28.8 days of price in a
	// 30-day term: more than the 95 % · 30 = 28.5 days the bound allows.
	let mut patch = preset("staging");
	patch["incentive"]["params"]["serviceCap"] = 900_000_000u32.into();
	genesis_ext(patch);
}

#[test]
#[should_panic(expected = "SelfDealingWouldPay")]
fn genesis_rejects_a_storage_period_where_self_dealing_pays() {
	// A storage period as short as a reward era: a byte paid for one era may earn in three
	// (and in the hour of expiry overhang). The file bank's genesis, which runs after the
	// incentive pallet's, checks its price against the reward caps.
	let mut patch = preset("development");
	let era = patch["incentive"]["params"]["eraLength"].clone();
	patch["fileBank"]["params"]["period"] = era;
	genesis_ext(patch);
}

#[test]
fn every_preset_satisfies_the_self_dealing_inequality_and_governance_cannot_break_it() {
	for name in ["development", "local_testnet", "staging"] {
		genesis_ext(preset(name)).execute_with(|| {
			let params = Params::<Runtime>::get();
			assert!(Incentive::check_params(&params).is_ok(), "{name}");
			// Governance may not raise the service cap past the bound ...
			let mut greedy = params;
			greedy.service_cap = sp_runtime::Perbill::from_percent(95);
			assert_eq!(
				Incentive::set_parameters(RuntimeOrigin::root(), greedy),
				Err(pallet_incentive::Error::<Runtime>::SelfDealingWouldPay.into()),
				"{name}"
			);
			// ... nor pay bandwidth on top of the service cap ...
			let mut bandwidth = params;
			bandwidth.bandwidth_cap = sp_runtime::Perbill::from_percent(20);
			assert_eq!(
				Incentive::set_parameters(RuntimeOrigin::root(), bandwidth),
				Err(pallet_incentive::Error::<Runtime>::SelfDealingWouldPay.into()),
				"{name}"
			);
			// ... nor lengthen eras until a byte's term meets many more eras than it paid for.
			let mut long = params;
			long.era_length = FileBank::params().period;
			assert_eq!(
				Incentive::set_parameters(RuntimeOrigin::root(), long),
				Err(pallet_incentive::Error::<Runtime>::SelfDealingWouldPay.into()),
				"{name}"
			);
			assert_eq!(Params::<Runtime>::get(), params);
		});
	}
}
