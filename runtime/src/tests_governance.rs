//! The treasury DAO and the reward eras in the real runtime: a proposal voted by token holders
//! is paid automatically; one without quorum pays nothing; an era mints and splits its issuance.

#![allow(deprecated)] // `treasury.spend_local`: the call that is paid without a `payout`.

use crate::{
	configs::TreasuryAccount, governance::pallet_custom_origins::Origin as GovOrigin, AccountId,
	Balances, ConvictionVoting, Incentive, OriginCaller, Preimage, Referenda, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeOrigin, Scheduler, System, Treasury, CESS,
};
use frame_support::traits::{fungible::Inspect, schedule::DispatchTime, Hooks, StorePreimage};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use sp_keyring::Sr25519Keyring;

fn ext() -> sp_io::TestExternalities {
	crate::tests::genesis_ext(crate::tests::preset("development"))
}

fn who(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

/// Runs the hooks that move governance and rewards forward, block by block, up to `n`.
fn run_to_block(n: u32) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Scheduler::on_initialize(next);
		Treasury::on_initialize(next);
		Incentive::on_initialize(next);
	}
}

fn run_until(done: impl Fn() -> bool, max: u32) {
	let until = System::block_number() + max;
	while !done() && System::block_number() < until {
		run_to_block(System::block_number() + 1);
	}
	assert!(done(), "not done by block {until}");
}

fn referendum_event(index: u32, confirmed: bool) -> bool {
	System::events().iter().any(|r| match &r.event {
		RuntimeEvent::Referenda(pallet_referenda::Event::Confirmed { index: i, .. }) => {
			confirmed && *i == index
		}
		RuntimeEvent::Referenda(pallet_referenda::Event::Rejected { index: i, .. }) => {
			!confirmed && *i == index
		}
		_ => false,
	})
}

/// `proposer` asks the small-spender track to pay `amount` to `beneficiary`.
fn propose_spend(proposer: AccountId, amount: u128, beneficiary: AccountId) -> u32 {
	let call = RuntimeCall::Treasury(pallet_treasury::Call::spend_local {
		amount,
		beneficiary: beneficiary.into(),
	});
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	Referenda::submit(
		RuntimeOrigin::signed(proposer.clone()),
		Box::new(OriginCaller::Origins(GovOrigin::SmallSpender)),
		<Preimage as StorePreimage>::bound(call).unwrap(),
		DispatchTime::After(1),
	)
	.expect("any account may propose");
	Referenda::place_decision_deposit(RuntimeOrigin::signed(proposer), index)
		.expect("decision deposit");
	index
}

fn vote(voter: AccountId, index: u32, aye: bool, balance: u128) {
	ConvictionVoting::vote(
		RuntimeOrigin::signed(voter),
		index,
		AccountVote::Standard { vote: Vote { aye, conviction: Conviction::Locked1x }, balance },
	)
	.expect("vote");
}

fn fund_treasury(amount: u128) {
	Balances::transfer_keep_alive(
		RuntimeOrigin::signed(who(Sr25519Keyring::Eve)),
		TreasuryAccount::get().into(),
		amount,
	)
	.unwrap();
}

#[test]
fn a_spend_approved_by_token_holders_is_paid_automatically() {
	ext().execute_with(|| {
		fund_treasury(200_000 * CESS);
		let beneficiary = who(Sr25519Keyring::Ferdie);
		let before = Balances::balance(&beneficiary);
		let amount = 50_000 * CESS;

		let index = propose_spend(who(Sr25519Keyring::Charlie), amount, beneficiary.clone());
		// Alice, Bob and Dave (about a quarter of the active issuance) vote aye.
		for voter in [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Dave] {
			vote(who(voter), index, true, 800_000 * CESS);
		}
		vote(who(Sr25519Keyring::Charlie), index, false, 100_000 * CESS);

		run_until(|| referendum_event(index, true), 200);
		// Enacted by the scheduler, then paid at the treasury's next spend period: nobody acts.
		run_until(|| Balances::balance(&beneficiary) > before, 100);
		assert_eq!(Balances::balance(&beneficiary) - before, amount);
	});
}

#[test]
fn a_spend_without_quorum_pays_nothing() {
	ext().execute_with(|| {
		fund_treasury(200_000 * CESS);
		let beneficiary = who(Sr25519Keyring::Ferdie);
		let before = Balances::balance(&beneficiary);
		let treasury_before = Balances::balance(&TreasuryAccount::get());

		let index = propose_spend(who(Sr25519Keyring::Charlie), 50_000 * CESS, beneficiary.clone());
		// Unanimous, but 1 000 CESS of about 12 million active: far below the 2 % support floor.
		vote(who(Sr25519Keyring::Alice), index, true, 1_000 * CESS);

		run_until(|| referendum_event(index, false), 400);
		run_to_block(System::block_number() + 50);
		assert_eq!(Balances::balance(&beneficiary), before);
		assert!(Balances::balance(&TreasuryAccount::get()) >= treasury_before);
	});
}

#[test]
fn a_reward_era_mints_its_issuance_and_the_treasury_takes_its_share() {
	ext().execute_with(|| {
		let treasury_before = Balances::balance(&TreasuryAccount::get());
		let issuance_before = Balances::total_issuance();
		let era = pallet_incentive::Params::<Runtime>::get().era_length;
		run_to_block(era + 1);

		let closed = System::events().into_iter().find_map(|r| match r.event {
			RuntimeEvent::Incentive(pallet_incentive::Event::EraClosed {
				minted,
				to_treasury,
				..
			}) => Some((minted, to_treasury)),
			_ => None,
		});
		let (minted, to_treasury) = closed.expect("the first era closed");
		assert_eq!(minted, 10_000 * CESS, "the development chain's era issuance");
		assert_eq!(Balances::total_issuance() - issuance_before, minted);
		// No miner and no author reported in this test: their pots go to the fund too.
		assert_eq!(Balances::balance(&TreasuryAccount::get()) - treasury_before, to_treasury);
		assert!(to_treasury >= minted / 10);
	});
}
