//! The treasury DAO and the reward eras in the real runtime: a proposal voted by token holders
//! is paid automatically; one without quorum pays nothing; Root cannot spend; an era mints and
//! splits its issuance.

#![allow(deprecated)] // `treasury.spend_local`: the call that is paid without a `payout`.

use crate::{
	configs::TreasuryAccount, governance::pallet_custom_origins::Origin as GovOrigin,
	tests::era_closed, AccountId, Balances, BlockNumber, ConvictionVoting, Incentive, OriginCaller,
	Preimage, Referenda, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, Scheduler, System,
	Treasury, CESS,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect, schedule::DispatchTime, Hooks, StorePreimage},
};
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
	use crate::configs::{NoteAuthorToIncentive, NoteBandwidth};
	use pallet_authorship::EventHandler;
	use pallet_file_bank::OnFragmentStored;

	ext().execute_with(|| {
		let treasury = TreasuryAccount::get();
		let pot = Incentive::pot_account();
		let params = pallet_incentive::Params::<Runtime>::get();
		let era = params.era_length;

		// Era 0 has a validator (a block authored) and a miner (a confirmed fragment), reported
		// through the runtime's adapters: each pot has someone to pay.
		<NoteAuthorToIncentive as EventHandler<AccountId, BlockNumber>>::note_author(who(
			Sr25519Keyring::Alice,
		));
		<NoteBandwidth as OnFragmentStored<AccountId>>::on_fragment_stored(
			&who(Sr25519Keyring::Ferdie),
			8 << 20,
		);
		let treasury_before = Balances::balance(&treasury);
		let pot_before = Balances::balance(&pot);
		let issuance_before = Balances::total_issuance();
		run_to_block(era + 1);

		let (minted, fees, miners_pot, validators_pot, to_treasury) =
			era_closed(0).expect("the first era closed");
		assert_eq!(minted, 10_000 * CESS, "the development chain's era issuance");
		assert_eq!(fees, 0);
		assert_eq!(Balances::total_issuance() - issuance_before, minted);
		// 70 % / 20 % / 10 %, exactly: the treasury gets its share and no more.
		assert_eq!(miners_pot, params.split.miners.mul_floor(minted));
		assert_eq!(validators_pot, params.split.validators.mul_floor(minted));
		assert_eq!(
			(miners_pot, validators_pot, to_treasury),
			(7_000 * CESS, 2_000 * CESS, 1_000 * CESS)
		);
		assert_eq!(to_treasury, params.split.treasury.mul_floor(minted));
		assert_eq!(Balances::balance(&treasury) - treasury_before, to_treasury);
		assert_eq!(Balances::balance(&pot) - pot_before, miners_pot + validators_pot);
		assert_eq!(Incentive::claimable(who(Sr25519Keyring::Alice)), validators_pot);
		assert_eq!(Incentive::claimable(who(Sr25519Keyring::Ferdie)), miners_pot);

		// Era 1 has no contributor: the miners' and validators' pots go to the fund too.
		let treasury_before = Balances::balance(&treasury);
		let pot_before = Balances::balance(&pot);
		run_to_block(2 * era + 1);
		let (minted, _, miners_pot, validators_pot, to_treasury) =
			era_closed(1).expect("the second era closed");
		assert_eq!((miners_pot, validators_pot), (0, 0));
		assert_eq!(to_treasury, minted);
		assert_eq!(Balances::balance(&treasury) - treasury_before, minted);
		assert_eq!(Balances::balance(&pot), pot_before);
	});
}

#[test]
fn root_cannot_spend_the_treasury_only_a_spender_track_can() {
	use crate::{governance::SMALL_SPEND, Sudo};
	use sp_runtime::DispatchError;

	ext().execute_with(|| {
		fund_treasury(200_000 * CESS);
		let treasury = TreasuryAccount::get();
		let beneficiary = who(Sr25519Keyring::Ferdie);
		let before = Balances::balance(&beneficiary);
		let fund = Balances::balance(&treasury);
		let amount = 1_000 * CESS;
		let spend = || {
			RuntimeCall::Treasury(pallet_treasury::Call::spend_local {
				amount,
				beneficiary: beneficiary.clone().into(),
			})
		};

		// Root is not a spend origin, for either spend call ...
		assert_noop!(
			Treasury::spend_local(RuntimeOrigin::root(), amount, beneficiary.clone().into()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Treasury::spend(
				RuntimeOrigin::root(),
				Box::new(()),
				amount,
				Box::new(beneficiary.clone().into()),
				None
			),
			DispatchError::BadOrigin
		);
		// ... nor through sudo: the sudo key's call is refused inside.
		assert_ok!(Sudo::sudo(
			RuntimeOrigin::signed(who(Sr25519Keyring::Alice)),
			Box::new(spend())
		));
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Sudo(pallet_sudo::Event::Sudid {
				sudo_result: Err(DispatchError::BadOrigin)
			})
		)));
		assert!(pallet_treasury::Approvals::<Runtime>::get().is_empty());
		run_to_block(System::block_number() + 30);
		assert_eq!(Balances::balance(&beneficiary), before);
		assert!(Balances::balance(&treasury) >= fund);

		// The origin a referendum on a spender track dispatches with approves, up to its cap
		// (the whole referendum path: `a_spend_approved_by_token_holders_is_paid_automatically`).
		let small = || RuntimeOrigin::from(GovOrigin::SmallSpender);
		assert_noop!(
			Treasury::spend_local(small(), SMALL_SPEND + 1, beneficiary.clone().into()),
			pallet_treasury::Error::<Runtime>::InsufficientPermission
		);
		assert_ok!(Treasury::spend_local(small(), amount, beneficiary.clone().into()));
		run_until(|| Balances::balance(&beneficiary) > before, 100);
		assert_eq!(Balances::balance(&beneficiary) - before, amount);
	});
}

/// The treasury's benchmarks take their spend origin from `SpendOrigin::try_successful_origin`:
/// without Root it is the big-spender track's origin, which may spend what they spend.
#[cfg(feature = "runtime-benchmarks")]
#[test]
fn the_treasury_benchmarks_have_a_spend_origin() {
	use crate::governance::{Spender, BIG_SPEND};
	use frame_support::traits::EnsureOrigin;

	ext().execute_with(|| {
		let origin = <<Runtime as pallet_treasury::Config>::SpendOrigin as EnsureOrigin<
			RuntimeOrigin,
		>>::try_successful_origin()
		.expect("a spend origin for the benchmarks");
		assert_eq!(
			<Spender as EnsureOrigin<RuntimeOrigin>>::try_origin(origin.clone()).ok(),
			Some(BIG_SPEND)
		);
		assert!(<frame_system::EnsureRoot<AccountId> as EnsureOrigin<RuntimeOrigin>>::try_origin(
			origin.clone()
		)
		.is_err());
		// The benchmarks spend 100 times the existential deposit.
		assert_ok!(Treasury::spend_local(
			origin,
			100 * crate::EXISTENTIAL_DEPOSIT,
			who(Sr25519Keyring::Ferdie).into()
		));
	});
}
