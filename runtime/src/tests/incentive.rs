//! The incentive layer fed by the real runtime: the adapters that report work to
//! pallet-incentive (`NoteAuthorToIncentive`, `NoteBandwidth`, `NoteAudit`, `SminerSpace`,
//! `SminerPayee`) on the development chain, and the claims and vesting of what they earned.

use super::{
	account, answer_challenge, confirm_all, declare, development_chain, era_closed, file_content,
	next_block, register_miner, run_to_block,
};
use crate::{
	AccountId, Balance, Balances, Incentive, R2s, Runtime, RuntimeEvent, RuntimeFreezeReason,
	RuntimeOrigin, Sminer, System,
};
use frame_support::traits::{
	fungible::{Inspect, InspectFreeze},
	tokens::{Fortitude, Preservation},
};
use pallet_incentive::{Contributions, CurrentEra, EraRewards, NextEraAt, Params};
use pallet_sminer::StorageMiners;
use sp_keyring::Sr25519Keyring;

/// The last `RewardsClaimed` event: (earner, payee, amount, vesting).
fn last_claim() -> Option<(AccountId, AccountId, Balance, Balance)> {
	System::events().into_iter().rev().find_map(|r| match r.event {
		RuntimeEvent::Incentive(pallet_incentive::Event::RewardsClaimed {
			earner,
			payee,
			amount,
			vesting,
			..
		}) => Some((earner, payee, amount, vesting)),
		_ => None,
	})
}

#[test]
fn a_block_author_is_credited_and_earns_the_validators_pot_at_era_close() {
	development_chain().execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		assert_eq!(pallet_session::Validators::<Runtime>::get(), vec![alice.clone()]);
		let close = NextEraAt::<Runtime>::get();
		// Alice authored block 1 (pallet-authorship's `on_initialize` credited her) and authors
		// every later block of era 0, including the one that closes it (pallet-authorship runs
		// before pallet-incentive, so that block still counts for era 0).
		let credit = || u128::from(R2s::credit_of(&alice).min(pallet_incentive::MAX_CREDIT));
		let (mut blocks, mut points) = (1u32, credit());
		while System::block_number() < close {
			next_block();
			blocks += 1;
			points += credit();
		}
		assert!(points > 0, "a qualified genesis validator has credit");
		let record = Contributions::<Runtime>::get(0, &alice).expect("Alice was credited");
		assert_eq!(record.blocks, blocks);
		assert_eq!(record.validator_points, points, "blocks authored × credit");

		let (minted, fees, miners_pot, validators_pot, to_treasury) =
			era_closed(0).expect("era 0 closed");
		let params = Params::<Runtime>::get();
		assert_eq!(fees, 0);
		assert_eq!(validators_pot, params.split.validators.mul_floor(minted));
		assert!(validators_pot > 0);
		// No miner contributed: its pot went to the treasury with the treasury share.
		assert_eq!(miners_pot, 0);
		assert_eq!(to_treasury, minted - validators_pot);

		// The only validator is owed the whole validators' pot, paid to itself (not a miner).
		assert_eq!(Incentive::claimable(alice.clone()), validators_pot);
		let before = Balances::balance(&alice);
		Incentive::claim_rewards(RuntimeOrigin::signed(alice.clone())).expect("claim");
		assert_eq!(
			last_claim(),
			Some((alice.clone(), alice.clone(), validators_pot, validators_pot / 2))
		);
		assert_eq!(Balances::balance(&alice) - before, validators_pot);
		assert_eq!(Incentive::claimable(alice), 0);
	});
}

#[test]
fn an_audited_miner_earns_for_its_space_paid_to_its_beneficiary_half_at_once_half_vesting() {
	development_chain().execute_with(|| {
		let miner = account(Sr25519Keyring::Ferdie);
		let user = account(Sr25519Keyring::Eve);
		// A fresh account: everything it holds is the miner's reward.
		let beneficiary = AccountId::new([0xbe; 32]);
		register_miner(&miner, &beneficiary, 3, 100 << 30);
		// Named, the beneficiary is paid only once it accepts (until then, the miner is).
		assert_eq!(<Sminer as StorageMiners<AccountId>>::beneficiary(&miner), Some(miner.clone()));
		Sminer::accept_beneficiary(
			RuntimeOrigin::signed(beneficiary.clone()),
			miner.clone().into(),
		)
		.expect("the proposed beneficiary accepts");
		assert_eq!(
			<Sminer as StorageMiners<AccountId>>::beneficiary(&miner),
			Some(beneficiary.clone())
		);

		let (file, fragments) = declare(&user, &file_content(17 * 1024 * 1024));
		// The storage fee is held while the file is pending ...
		assert_eq!(pallet_incentive::PendingStorageFees::<Runtime>::get(), 0);
		confirm_all(&miner, file);
		// ... and joins the miners' pot when the file becomes active.
		let fee = pallet_incentive::PendingStorageFees::<Runtime>::get();
		assert!(fee > 0, "the storage fee joins the miners' pot");
		// NoteBandwidth: every confirmed fragment counts its bytes for era 0.
		let bytes: u64 = fragments.values().map(|f| f.len() as u64).sum();
		let record = Contributions::<Runtime>::get(0, &miner).expect("bandwidth noted");
		assert_eq!(record.bandwidth, u128::from(bytes));
		assert_eq!((record.service, record.idle, record.audits_passed), (0, 0, 0));

		// NoteAudit + SminerSpace: the first passed audit adds the miner's space as it is then.
		let mut audited_era = None;
		while audited_era.is_none_or(|era| CurrentEra::<Runtime>::get() <= era) {
			assert!(System::block_number() < 400, "audited and its era closed by block 400");
			run_to_block(System::block_number() + 1);
			let era = CurrentEra::<Runtime>::get();
			// Every later challenge is answered too: a missed one would forfeit the era.
			if answer_challenge(&miner, &fragments) && audited_era.is_none() {
				let space = <Sminer as StorageMiners<AccountId>>::space(&miner).unwrap();
				assert_eq!(space.used, bytes, "the confirmed fragments are its service space");
				assert_eq!(space.free, space.declared - space.used - space.locked);
				assert!(space.free > 0);
				let record = Contributions::<Runtime>::get(era, &miner).expect("audit noted");
				assert_eq!(record.audits_passed, 1);
				assert!(!record.audit_failed);
				assert_eq!(record.service, u128::from(space.used), "service = used space");
				assert_eq!(record.idle, u128::from(space.free), "idle = free declared space");
				audited_era = Some(era);
			}
		}
		let audited_era = audited_era.unwrap();
		let reward = EraRewards::<Runtime>::get(audited_era).expect("the audited era pays");
		assert!(reward.service_pot > 0 && reward.idle_pot > 0, "service and idle space earn");

		// Era 0 (the upload, the confirmations): the miners' share plus the storage fee, capped
		// by what the bytes may earn (self-dealing never pays): bandwidth earns nothing, so the
		// pot keeps back at least the bandwidth sub-pot and sends it to the treasury.
		let params = Params::<Runtime>::get();
		let (minted, fees, miners_pot, validators_pot, to_treasury) =
			era_closed(0).expect("era 0 closed");
		assert_eq!(fees, fee);
		assert_eq!(minted + fees, miners_pot + validators_pot + to_treasury);
		assert!(miners_pot < params.split.miners.mul_floor(minted) + fee);
		if let Some(era_0) = EraRewards::<Runtime>::get(0) {
			assert_eq!(era_0.bandwidth_pot, 0);
		}

		// The only miner is owed every miners' pot of the closed eras.
		let current = CurrentEra::<Runtime>::get();
		let owed: Balance = (0..current)
			.filter_map(EraRewards::<Runtime>::get)
			.map(|r| r.service_pot + r.idle_pot + r.bandwidth_pot)
			.sum();
		let announced: Balance = (0..current).filter_map(era_closed).map(|e| e.2).sum();
		assert_eq!(owed, announced);
		assert_eq!(Incentive::claimable(miner.clone()), owed);

		// SminerPayee: the claim pays the miner's beneficiary, not the miner.
		let miner_before = Balances::balance(&miner);
		Incentive::claim_rewards(RuntimeOrigin::signed(miner.clone())).expect("claim");
		let vesting = params.vested_share.mul_floor(owed);
		assert_eq!(vesting, owed / 2, "the development chain vests half");
		assert_eq!(last_claim(), Some((miner.clone(), beneficiary.clone(), owed, vesting)));
		assert_eq!(Balances::balance(&miner), miner_before);
		assert_eq!(Balances::balance(&beneficiary), owed);

		// Half is spendable at once, the other half frozen.
		let frozen = |who: &AccountId| {
			Balances::balance_frozen(
				&RuntimeFreezeReason::Incentive(pallet_incentive::FreezeReason::Vesting),
				who,
			)
		};
		let spendable = |who: &AccountId| {
			Balances::reducible_balance(who, Preservation::Preserve, Fortitude::Polite)
		};
		assert_eq!(frozen(&beneficiary), vesting);
		assert_eq!(spendable(&beneficiary), owed - vesting);
		assert!(Balances::transfer_keep_alive(
			RuntimeOrigin::signed(beneficiary.clone()),
			user.clone().into(),
			owed - vesting + 1,
		)
		.is_err());

		// A third of the vesting period later, a third (rounded down) is released.
		let start = System::block_number();
		let period = params.vesting_period;
		let later = start + period / 3;
		System::set_block_number(later);
		Incentive::release_vested(RuntimeOrigin::signed(beneficiary.clone())).expect("release");
		let remaining = u128::from(start + period - later);
		let still_locked = (vesting * remaining).div_ceil(u128::from(period));
		assert_eq!(frozen(&beneficiary), still_locked);
		assert!(still_locked < vesting);
		assert_eq!(spendable(&beneficiary), owed - still_locked);

		// At the end of the period everything is free.
		System::set_block_number(start + period);
		Incentive::release_vested(RuntimeOrigin::signed(beneficiary.clone())).expect("release");
		assert_eq!(frozen(&beneficiary), 0);
		assert!(pallet_incentive::Vesting::<Runtime>::get(&beneficiary).is_none());
		assert_eq!(spendable(&beneficiary), owed - crate::EXISTENTIAL_DEPOSIT);
	});
}
