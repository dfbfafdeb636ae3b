//! The treasury DAO and the reward eras in the real runtime (`crate::governance`,
//! `configs::governance`): the tracks and their origins; a spend voted by token holders is paid
//! automatically, or by anyone's `payout`; one without quorum or without approval pays nothing;
//! a track cannot spend above its cap and Root cannot spend at all; the fund takes its share of
//! every era and the rewards nobody claimed.

#![allow(deprecated)] // `treasury.spend_local`: the call that is paid without a `payout`.

use super::{
	account, development_chain, era_closed, events, genesis_ext, new_chain, preset, run_to_block,
	run_until,
};
use crate::{
	configs::TreasuryAccount,
	governance::{pallet_custom_origins::Origin as GovOrigin, TracksInfo, SMALL_SPEND},
	AccountId, Balance, Balances, BlockNumber, ConvictionVoting, Incentive, OriginCaller, Preimage,
	Referenda, Runtime, RuntimeCall, RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, System,
	Treasury, CESS,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		schedule::DispatchTime,
		tokens::{Precision, Preservation},
		Get, StorePreimage,
	},
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_referenda::TracksInfo as _;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{DispatchError, Perbill, TokenError};

/// `proposer` submits a referendum on `origin`'s track to dispatch `call`, and places its
/// decision deposit; returns the referendum's index.
fn propose(proposer: AccountId, origin: GovOrigin, call: RuntimeCall) -> u32 {
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	Referenda::submit(
		RuntimeOrigin::signed(proposer.clone()),
		Box::new(OriginCaller::Origins(origin)),
		<Preimage as StorePreimage>::bound(call).unwrap(),
		DispatchTime::After(1),
	)
	.expect("any account may propose");
	Referenda::place_decision_deposit(RuntimeOrigin::signed(proposer), index)
		.expect("decision deposit");
	index
}

/// The (deprecated) spend that the treasury pays by itself at its next spend period.
fn spend_local(amount: Balance, beneficiary: &AccountId) -> RuntimeCall {
	RuntimeCall::Treasury(pallet_treasury::Call::spend_local {
		amount,
		beneficiary: beneficiary.clone().into(),
	})
}

/// `voter` votes on referendum `index` with `balance` at `conviction`.
fn vote(voter: Sr25519Keyring, index: u32, aye: bool, balance: Balance, conviction: Conviction) {
	ConvictionVoting::vote(
		RuntimeOrigin::signed(account(voter)),
		index,
		AccountVote::Standard { vote: Vote { aye, conviction }, balance },
	)
	.expect("vote");
}

/// Alice, Bob and Dave (about a fifth of the active issuance) vote aye on `index`.
fn three_holders_vote_aye(index: u32) {
	for voter in [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Dave] {
		vote(voter, index, true, 800_000 * CESS, Conviction::Locked1x);
	}
}

/// Whether referendum `index` passed (its call is scheduled for enactment).
fn confirmed(index: u32) -> bool {
	events().iter().any(|event| {
		matches!(event, RuntimeEvent::Referenda(pallet_referenda::Event::Confirmed { index: i, .. })
			if *i == index)
	})
}

/// Whether referendum `index` failed.
fn rejected(index: u32) -> bool {
	events().iter().any(|event| {
		matches!(event, RuntimeEvent::Referenda(pallet_referenda::Event::Rejected { index: i, .. })
			if *i == index)
	})
}

/// Eve gives the treasury 200 000 CESS to spend; returns who the tests' spends pay (Ferdie)
/// and his balance before any.
fn fund_treasury() -> (AccountId, Balance) {
	Balances::transfer_keep_alive(
		RuntimeOrigin::signed(account(Sr25519Keyring::Eve)),
		TreasuryAccount::get().into(),
		200_000 * CESS,
	)
	.unwrap();
	let beneficiary = account(Sr25519Keyring::Ferdie);
	let before = Balances::balance(&beneficiary);
	(beneficiary, before)
}

/// The fund: what the treasury's account holds.
fn treasury_balance() -> Balance {
	Balances::balance(&TreasuryAccount::get())
}

/// What the reward eras closed so far gave the treasury: their treasury shares and the
/// rewards of the eras that expired unclaimed.
fn paid_to_treasury_by_eras() -> Balance {
	events()
		.into_iter()
		.map(|event| match event {
			RuntimeEvent::Incentive(pallet_incentive::Event::EraClosed { to_treasury, .. }) => {
				to_treasury
			}
			RuntimeEvent::Incentive(pallet_incentive::Event::EraExpired { unclaimed, .. }) => {
				unclaimed
			}
			_ => 0,
		})
		.sum()
}

/// The rewards of `era` that expired unclaimed, once it has expired.
fn expired(era: u32) -> Option<Balance> {
	events().into_iter().find_map(|event| match event {
		RuntimeEvent::Incentive(pallet_incentive::Event::EraExpired { era: e, unclaimed })
			if e == era =>
		{
			Some(unclaimed)
		}
		_ => None,
	})
}

/// Blocks between the treasury's automatic payouts.
fn spend_period() -> BlockNumber {
	<Runtime as pallet_treasury::Config>::SpendPeriod::get()
}

#[test]
fn tracks_are_sorted_and_map_their_origins() {
	genesis_ext(preset("development")).execute_with(|| {
		assert_ok!(TracksInfo::check_integrity());
		assert_eq!(
			TracksInfo::track_for(&OriginCaller::system(frame_system::RawOrigin::Root)),
			Ok(0)
		);
		assert_eq!(TracksInfo::track_for(&OriginCaller::Origins(GovOrigin::SmallSpender)), Ok(1));
		assert_eq!(TracksInfo::track_for(&OriginCaller::Origins(GovOrigin::BigSpender)), Ok(2));
		let signed = frame_system::RawOrigin::Signed(account(Sr25519Keyring::Alice));
		assert_eq!(TracksInfo::track_for(&OriginCaller::system(signed)), Err(()));
	});
}

#[test]
fn a_spend_approved_by_token_holders_is_paid_automatically() {
	development_chain().execute_with(|| {
		let (beneficiary, before) = fund_treasury();
		let fund = treasury_balance();
		let from_eras = paid_to_treasury_by_eras();
		let amount = 50_000 * CESS;

		let submitted = System::block_number();
		let index = propose(
			account(Sr25519Keyring::Charlie),
			GovOrigin::SmallSpender,
			spend_local(amount, &beneficiary),
		);
		three_holders_vote_aye(index);
		vote(Sr25519Keyring::Charlie, index, false, 100_000 * CESS, Conviction::Locked1x);
		let voters = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Dave];
		let voters_before = voters.map(|voter| Balances::balance(&account(voter)));

		run_until(|| confirmed(index), 200);
		// Enacted by the scheduler, then paid at the treasury's next spend period: nobody acts.
		run_until(|| Balances::balance(&beneficiary) > before, 100);
		assert_eq!(Balances::balance(&beneficiary) - before, amount);
		let decision_period = TracksInfo::info(1).expect("small spender track").decision_period;
		assert!(System::block_number() <= submitted + decision_period + spend_period());

		// Approved as a spend, then awarded from the fund, which paid exactly the amount.
		let position = |wanted: &dyn Fn(&RuntimeEvent) -> bool| events().iter().position(wanted);
		let approved_at = position(&|event| {
			matches!(event, RuntimeEvent::Treasury(pallet_treasury::Event::SpendApproved {
				amount: a, beneficiary: b, ..
			}) if *a == amount && *b == beneficiary)
		});
		let awarded_at = position(&|event| {
			matches!(event, RuntimeEvent::Treasury(pallet_treasury::Event::Awarded {
				award, account, ..
			}) if *award == amount && *account == beneficiary)
		});
		assert!(approved_at.is_some() && awarded_at > approved_at);
		assert_eq!(treasury_balance(), fund - amount + (paid_to_treasury_by_eras() - from_eras));
		assert!(pallet_treasury::Approvals::<Runtime>::get().is_empty());

		// Voters' tokens are locked for the conviction period, not spent.
		assert_eq!(voters.map(|voter| Balances::balance(&account(voter))), voters_before);
		let bob = account(Sr25519Keyring::Bob);
		let unlocked = Balances::balance(&bob) - 800_000 * CESS;
		assert_noop!(
			<Balances as Mutate<_>>::transfer(
				&bob,
				&beneficiary,
				unlocked + 1,
				Preservation::Expendable
			),
			TokenError::Frozen
		);
	});
}

/// Charlie proposes that Ferdie be paid 50 000 CESS from a funded treasury and `vote_on` votes on
/// the referendum; checks that it is rejected and that nothing is paid.
fn assert_rejected_and_nothing_paid(vote_on: impl FnOnce(u32)) {
	let (beneficiary, before) = fund_treasury();
	let fund = treasury_balance();
	let from_eras = paid_to_treasury_by_eras();

	let index = propose(
		account(Sr25519Keyring::Charlie),
		GovOrigin::SmallSpender,
		spend_local(50_000 * CESS, &beneficiary),
	);
	vote_on(index);

	run_until(|| rejected(index), 400);
	run_to_block(System::block_number() + 50);
	assert!(!confirmed(index));
	assert!(pallet_treasury::Approvals::<Runtime>::get().is_empty());
	assert_eq!(Balances::balance(&beneficiary), before);
	// The fund only grew, by what the reward eras gave it.
	assert_eq!(treasury_balance(), fund + (paid_to_treasury_by_eras() - from_eras));
}

#[test]
fn a_spend_without_quorum_pays_nothing() {
	development_chain().execute_with(|| {
		// Unanimous, but 1 000 CESS of about 12 million active: far below the 2 % support floor.
		assert_rejected_and_nothing_paid(|index| {
			vote(Sr25519Keyring::Alice, index, true, 1_000 * CESS, Conviction::Locked1x)
		});
	});
}

#[test]
fn a_spend_without_approval_pays_nothing() {
	development_chain().execute_with(|| {
		// Support is above the track's ceiling (2.4 million aye tokens, a fifth of the active
		// issuance), but conviction-weighted nays win: 2.4 million ayes against 700 000 · 6 nays
		// is 36 % approval, below a majority.
		assert_rejected_and_nothing_paid(|index| {
			three_holders_vote_aye(index);
			vote(Sr25519Keyring::Eve, index, false, 700_000 * CESS, Conviction::Locked6x);
		});
	});
}

#[test]
fn a_track_cannot_spend_above_its_cap() {
	development_chain().execute_with(|| {
		let (beneficiary, before) = fund_treasury();
		let charlie = account(Sr25519Keyring::Charlie);
		let amount = SMALL_SPEND + CESS;

		// The referendum passes, but the small-spender origin may not spend that much: its
		// enactment fails.
		let index =
			propose(charlie.clone(), GovOrigin::SmallSpender, spend_local(amount, &beneficiary));
		three_holders_vote_aye(index);
		run_until(|| confirmed(index), 200);
		let refused = || {
			events().iter().any(|event| {
				matches!(event, RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched {
					result: Err(error), ..
				}) if *error == pallet_treasury::Error::<Runtime>::InsufficientPermission.into())
			})
		};
		run_until(refused, 100);
		run_to_block(System::block_number() + spend_period());
		assert!(pallet_treasury::Approvals::<Runtime>::get().is_empty());
		assert_eq!(Balances::balance(&beneficiary), before);

		// The same spend on the big-spender track passes its higher bar and is paid.
		let index = propose(charlie, GovOrigin::BigSpender, spend_local(amount, &beneficiary));
		three_holders_vote_aye(index);
		run_until(|| confirmed(index), 300);
		run_until(|| Balances::balance(&beneficiary) > before, 100);
		assert_eq!(Balances::balance(&beneficiary) - before, amount);
	});
}

#[test]
fn an_approved_asset_spend_is_paid_by_a_permissionless_payout() {
	development_chain().execute_with(|| {
		let (beneficiary, before) = fund_treasury();
		let amount = 70_000 * CESS;

		// The non-deprecated `spend`: approved by the referendum, paid by anyone's `payout`.
		let call = RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount,
			beneficiary: Box::new(beneficiary.clone().into()),
			valid_from: None,
		});
		let index = propose(account(Sr25519Keyring::Dave), GovOrigin::SmallSpender, call);
		three_holders_vote_aye(index);
		let approved = || {
			events().iter().any(|event| {
				matches!(event, RuntimeEvent::Treasury(pallet_treasury::Event::AssetSpendApproved {
					amount: a, ..
				}) if *a == amount)
			})
		};
		run_until(approved, 200);
		assert!(confirmed(index));
		let spend = pallet_treasury::SpendCount::<Runtime>::get() - 1;
		run_to_block(System::block_number() + spend_period());
		assert_eq!(Balances::balance(&beneficiary), before, "not paid by itself");

		let charlie = RuntimeOrigin::signed(account(Sr25519Keyring::Charlie));
		assert_ok!(Treasury::payout(charlie.clone(), spend));
		assert_eq!(Balances::balance(&beneficiary) - before, amount);
		assert_ok!(Treasury::check_status(charlie, spend));
	});
}

#[test]
fn a_reward_era_mints_its_issuance_and_the_treasury_takes_its_share() {
	use crate::configs::{NoteAuthorToIncentive, NoteBandwidth};
	use pallet_authorship::EventHandler;
	use pallet_file_bank::OnFragmentStored;

	development_chain().execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let treasury = TreasuryAccount::get();
		let pot = Incentive::pot_account();
		let params = pallet_incentive::Params::<Runtime>::get();
		let era = params.era_length;

		// Era 0 has a validator (Alice authors its blocks; one more is reported here) and a
		// miner (a confirmed fragment), reported through the runtime's adapters: each pot has
		// someone to pay.
		<NoteAuthorToIncentive as EventHandler<AccountId, BlockNumber>>::note_author(alice.clone());
		<NoteBandwidth as OnFragmentStored<AccountId>>::on_fragment_stored(
			&account(Sr25519Keyring::Ferdie),
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
		// 70 % / 20 % / 10 %: the validators get their share exactly; the miners' 70 % is capped
		// by what their work may earn (self-dealing never pays): Ferdie's only contribution is
		// bandwidth, which earns nothing (`bandwidth_cap` = 0), so the treasury gets its share
		// and the miners' share the cap kept back.
		assert_eq!(params.bandwidth_cap, Perbill::zero());
		assert_eq!(miners_pot, 0);
		assert_eq!(validators_pot, params.split.validators.mul_floor(minted));
		assert_eq!((miners_pot, validators_pot, to_treasury), (0, 2_000 * CESS, 8_000 * CESS));
		assert_eq!(
			to_treasury,
			params.split.treasury.mul_floor(minted) + params.split.miners.mul_floor(minted)
		);
		assert_eq!(Balances::balance(&treasury) - treasury_before, to_treasury);
		assert_eq!(Balances::balance(&pot) - pot_before, miners_pot + validators_pot);
		assert_eq!(Incentive::claimable(alice.clone()), validators_pot);
		assert_eq!(Incentive::claimable(account(Sr25519Keyring::Ferdie)), 0);

		// Era 1 has no contributor: nobody stores anything, and Alice's blocks earn no points
		// from here on, as she is no longer an R²S candidate (credit 0) — a validator that
		// withdrew its whole bond, kept in the set because nobody else qualifies.
		pallet_r2s::Candidates::<Runtime>::remove(&alice);
		let bond = RuntimeHoldReason::R2s(pallet_r2s::HoldReason::CandidateBond);
		Balances::release_all(&bond, &alice, Precision::Exact).expect("the bond is released");
		assert_eq!(crate::R2s::credit_of(&alice), 0);
		// So the miners' and validators' pots go to the fund too.
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
fn rewards_nobody_claims_go_to_the_treasury_when_their_era_expires() {
	// One-block eras, so that era 0 leaves the claim window (`MaxUnclaimedEras` eras) soon.
	let mut patch = preset("development");
	patch["incentive"]["params"]["eraLength"] = 1.into();
	new_chain(patch).execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let fund = treasury_balance();
		let window: BlockNumber = <Runtime as pallet_incentive::Config>::MaxUnclaimedEras::get();

		// Alice authors every block, so every era owes her the validators' pot; she never claims.
		run_until(|| expired(0).is_some(), window + 10);
		let (_, _, _, validators_pot, _) = era_closed(0).expect("era 0 closed");
		assert!(validators_pot > 0);
		assert_eq!(expired(0), Some(validators_pot), "era 0's pot expired unclaimed");
		// The fund got every era's treasury share and era 0's unclaimed pot, and nothing else.
		let shares: Balance = (0..pallet_incentive::CurrentEra::<Runtime>::get())
			.filter_map(era_closed)
			.map(|(_, _, _, _, to_treasury)| to_treasury)
			.sum();
		assert_eq!(treasury_balance() - fund, shares + validators_pot);
		// Alice can only claim the eras still in the window.
		let in_window: Balance = (1..pallet_incentive::CurrentEra::<Runtime>::get())
			.filter_map(era_closed)
			.map(|(_, _, _, validators_pot, _)| validators_pot)
			.sum();
		assert_eq!(Incentive::claimable(alice), in_window);
	});
}

#[test]
fn root_cannot_spend_the_treasury_only_a_spender_track_can() {
	use crate::Sudo;

	development_chain().execute_with(|| {
		let (beneficiary, before) = fund_treasury();
		let treasury = TreasuryAccount::get();
		let fund = Balances::balance(&treasury);
		let amount = 1_000 * CESS;

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
			RuntimeOrigin::signed(account(Sr25519Keyring::Alice)),
			Box::new(spend_local(amount, &beneficiary))
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

	genesis_ext(preset("development")).execute_with(|| {
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
			account(Sr25519Keyring::Ferdie).into()
		));
	});
}
