//! The incentive layer fed by the real runtime: the adapters that report work to
//! pallet-incentive (`NoteAuthorToIncentive`, `NoteBandwidth`, `NoteAudit`, `SminerSpace`,
//! `SminerPayee`) on the development genesis, and where transaction fees go (`DealWithFees`).

use crate::{
	configs::TreasuryAccount,
	tests::{declare, era_closed, genesis_ext, preset, register_miner},
	AccountId, Audit, Authorship, Balance, Balances, BlockNumber, Executive, FileBank, Incentive,
	R2s, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeOrigin, SignedPayload,
	Sminer, System, TxExtension, UncheckedExtrinsic,
};
use cess_primitives::{proof::prove_fragment, FragmentHash};
use codec::Encode;
use frame_support::traits::{
	fungible::{Inspect, InspectFreeze},
	tokens::{Fortitude, Preservation},
	Hooks,
};
use pallet_incentive::{Contributions, CurrentEra, EraRewards, NextEraAt, Params};
use pallet_sminer::StorageMiners;
use sp_consensus_babe::{
	digests::{PreDigest, SecondaryPlainPreDigest},
	BABE_ENGINE_ID,
};
use sp_core::H256;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{generic::Era, Digest, DigestItem};
use std::collections::BTreeMap;

fn ext() -> sp_io::TestExternalities {
	genesis_ext(preset("development"))
}

fn who(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

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

/// The pre-runtime digest of a BABE block by the validator at `authority_index` of the set.
fn babe_digest(authority_index: u32, slot: u64) -> Digest {
	let pre =
		PreDigest::SecondaryPlain(SecondaryPlainPreDigest { authority_index, slot: slot.into() });
	Digest { logs: vec![DigestItem::PreRuntime(BABE_ENGINE_ID, pre.encode())] }
}

/// Starts the next block with a BABE digest naming the validator at `authority_index`.
fn start_block_by(authority_index: u32) -> BlockNumber {
	let n = System::block_number() + 1;
	System::initialize(&n, &H256::repeat_byte(n as u8), &babe_digest(authority_index, n.into()));
	n
}

/// A block authored by the validator at `authority_index`, with the hooks that credit it in
/// the runtime's order: pallet-authorship (whose handlers include `NoteAuthorToIncentive`)
/// before pallet-incentive, which closes the era when it is due.
fn author_block(authority_index: u32) {
	let n = start_block_by(authority_index);
	Authorship::on_initialize(n);
	Incentive::on_initialize(n);
	Authorship::on_finalize(n);
}

/// Runs the storage and reward hooks, in the runtime's order, up to block `n`.
fn run_to_block(n: BlockNumber) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Incentive::on_initialize(next);
		FileBank::on_initialize(next);
		Audit::on_initialize(next);
	}
}

/// Answers `miner`'s open challenge, if any, with honest proofs; returns whether it answered.
fn answer_challenge(miner: &AccountId, fragments: &BTreeMap<u32, Vec<u8>>) -> bool {
	let Some(challenge) = Audit::challenge_view(miner) else { return false };
	let proofs: Vec<_> = challenge
		.fragments
		.iter()
		.map(|f| {
			prove_fragment(&challenge.layout, &challenge.challenge, &f.hash, &fragments[&f.index])
				.expect("proof from the stored bytes")
		})
		.collect();
	Audit::submit_proof(
		RuntimeOrigin::signed(miner.clone()),
		challenge.round,
		proofs.try_into().unwrap(),
	)
	.expect("proof submitted");
	assert!(Audit::challenge_view(miner).is_none(), "the challenge is closed");
	true
}

#[test]
fn a_block_author_is_credited_and_earns_the_validators_pot_at_era_close() {
	ext().execute_with(|| {
		let alice = who(Sr25519Keyring::Alice);
		assert_eq!(pallet_session::Validators::<Runtime>::get(), vec![alice.clone()]);
		let close = NextEraAt::<Runtime>::get();
		let (mut blocks, mut points) = (0u32, 0u128);
		// Alice authors every block of era 0, including the one that closes it (pallet-authorship
		// runs before pallet-incentive, so that block still counts for era 0).
		while System::block_number() < close {
			author_block(0);
			blocks += 1;
			points += u128::from(R2s::credit_of(&alice).min(pallet_incentive::MAX_CREDIT));
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
	ext().execute_with(|| {
		let miner = who(Sr25519Keyring::Ferdie);
		let user = who(Sr25519Keyring::Eve);
		// A fresh account: everything it holds is the miner's reward.
		let beneficiary = AccountId::new([0xbe; 32]);
		register_miner(&miner, &beneficiary, 3, 100 << 30);

		let data: Vec<u8> = (0..17 * 1024 * 1024u32).map(|i| (i * 31 + 7) as u8).collect();
		let (file, fragments) = declare(&user, &data);
		// The storage fee is held while the file is pending ...
		assert_eq!(pallet_incentive::PendingStorageFees::<Runtime>::get(), 0);
		let placed: Vec<(u32, FragmentHash)> =
			pallet_file_bank::Fragments::<Runtime>::iter_prefix(file)
				.map(|(index, info)| (index, info.hash))
				.collect();
		FileBank::confirm_stored(
			RuntimeOrigin::signed(miner.clone()),
			file,
			placed.try_into().unwrap(),
		)
		.expect("the assigned miner confirms");
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
		while audited_era.map_or(true, |era| CurrentEra::<Runtime>::get() <= era) {
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

		// Era 0 (the upload, the confirmations): the miners' share plus the storage fee.
		let params = Params::<Runtime>::get();
		let (minted, fees, miners_pot, _, _) = era_closed(0).expect("era 0 closed");
		assert_eq!(fees, fee);
		assert_eq!(miners_pot, params.split.miners.mul_floor(minted) + fee);

		// The only miner is owed every miners' pot of the closed eras.
		let current = CurrentEra::<Runtime>::get();
		let owed: Balance = (0..current)
			.filter_map(|era| EraRewards::<Runtime>::get(era))
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

/// `signer` signs `call` with the runtime's transaction extensions, immortal, with `tip`.
fn signed_extrinsic(signer: Sr25519Keyring, call: RuntimeCall, tip: Balance) -> UncheckedExtrinsic {
	let account = signer.to_account_id();
	let tx_ext: TxExtension = (
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(System::account_nonce(&account)),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip),
		frame_system::WeightReclaim::<Runtime>::new(),
	);
	let payload = SignedPayload::new(call.clone(), tx_ext.clone()).expect("implicit data");
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	UncheckedExtrinsic::new_signed(call, account.into(), signature.into(), tx_ext)
}

/// Applies a signed remark of `signer` with `tip`; returns (fee paid, treasury's gain, author's
/// gain).
fn apply_remark(signer: Sr25519Keyring, tip: Balance) -> (Balance, Balance, Balance) {
	let (payer, author, treasury) =
		(signer.to_account_id(), who(Sr25519Keyring::Alice), TreasuryAccount::get());
	let before = [&payer, &author, &treasury].map(|a| Balances::balance(a));
	let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![7; 100] });
	Executive::apply_extrinsic(signed_extrinsic(signer, call, tip))
		.expect("a valid transaction")
		.expect("the remark dispatches");
	let after = [&payer, &author, &treasury].map(|a| Balances::balance(a));
	let paid = before[0] - after[0];
	let fee_event = System::events().into_iter().rev().find_map(|r| match r.event {
		RuntimeEvent::TransactionPayment(
			pallet_transaction_payment::Event::TransactionFeePaid {
				who: account,
				actual_fee,
				tip: t,
			},
		) if account == payer => Some((actual_fee, t)),
		_ => None,
	});
	assert_eq!(fee_event, Some((paid, tip)), "the payer lost exactly the fee and tip");
	(paid, after[2] - before[2], after[1] - before[1])
}

#[test]
fn a_transaction_fee_goes_80_percent_to_the_treasury_and_20_percent_to_the_block_author() {
	ext().execute_with(|| {
		// A block authored by Alice (the development chain's only validator).
		start_block_by(0);
		assert_eq!(Authorship::author(), Some(who(Sr25519Keyring::Alice)));

		// The treasury's 80 % is rounded down, the author gets the rest: nothing is burnt.
		let check = |(paid, treasury, author): (Balance, Balance, Balance)| {
			assert_eq!(treasury, paid * 4 / 5, "treasury: ⌊80 % of fee + tip⌋");
			assert_eq!(author, paid - paid * 4 / 5, "author: the rest");
			assert_eq!(treasury + author, paid);
		};
		// Without a tip, then with one chosen so that fee + tip is not a multiple of 5 (the
		// rounding case; the two transactions have the same length and weight).
		let (fee, treasury, author) = apply_remark(Sr25519Keyring::Eve, 0);
		assert!(fee >= crate::configs::BASE_EXTRINSIC_FEE);
		check((fee, treasury, author));
		let tip = (1..=5u128).find(|t| (fee + t) % 5 == 4).unwrap();
		let (paid, treasury, author) = apply_remark(Sr25519Keyring::Ferdie, tip);
		assert_eq!(paid, fee + tip, "the tip is paid on top of the same fee");
		check((paid, treasury, author));
		// fee + tip = 5k + 4: the treasury gets 4k + 3 (⌊3.2⌋), the author k + 1 (its exact 20 %
		// would be k + 0.8): the author receives the rounding.
		assert_eq!(paid % 5, 4);
		assert_eq!(author, paid / 5 + 1);
		assert_eq!(treasury, paid / 5 * 4 + 3);
	});
}
