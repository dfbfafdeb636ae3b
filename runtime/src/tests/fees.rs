//! What a transaction costs and where its fee goes (`DealWithFees`).

use super::{account, development_chain};
use crate::{
	configs::{self, TreasuryAccount},
	tx_extension, Authorship, Balance, Balances, Executive, RuntimeCall, RuntimeEvent,
	SignedPayload, System, UncheckedExtrinsic, CESS,
};
use codec::Encode;
use frame_support::{
	traits::fungible::Inspect,
	weights::{constants::ExtrinsicBaseWeight, WeightToFee as _},
};
use sp_keyring::Sr25519Keyring;
use sp_runtime::generic::Era;

/// `signer` signs `call` with the runtime's transaction extensions, immortal, with `tip`.
fn signed_extrinsic(signer: Sr25519Keyring, call: RuntimeCall, tip: Balance) -> UncheckedExtrinsic {
	let account = signer.to_account_id();
	let tx_ext = tx_extension(Era::Immortal, System::account_nonce(&account), tip);
	let payload = SignedPayload::new(call.clone(), tx_ext.clone()).expect("implicit data");
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	UncheckedExtrinsic::new_signed(call, account.into(), signature.into(), tx_ext)
}

/// Applies a signed remark of `signer` with `tip`; returns (fee paid, treasury's gain, author's
/// gain).
fn apply_remark(signer: Sr25519Keyring, tip: Balance) -> (Balance, Balance, Balance) {
	let (payer, author, treasury) =
		(signer.to_account_id(), account(Sr25519Keyring::Alice), TreasuryAccount::get());
	let before = [&payer, &author, &treasury].map(Balances::balance);
	let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![7; 100] });
	Executive::apply_extrinsic(signed_extrinsic(signer, call, tip))
		.expect("a valid transaction")
		.expect("the remark dispatches");
	let after = [&payer, &author, &treasury].map(Balances::balance);
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
fn base_extrinsic_costs_a_hundredth_of_a_cess() {
	let fee = configs::WeightToFee::weight_to_fee(&ExtrinsicBaseWeight::get());
	assert_eq!(fee, configs::BASE_EXTRINSIC_FEE);
	assert_eq!(configs::BASE_EXTRINSIC_FEE, CESS / 100);
}

#[test]
fn a_transaction_fee_goes_80_percent_to_the_treasury_and_20_percent_to_the_block_author() {
	// A block authored by Alice (the development chain's only validator).
	development_chain().execute_with(|| {
		assert_eq!(Authorship::author(), Some(account(Sr25519Keyring::Alice)));

		// The treasury's 80 % is rounded down, the author gets the rest: nothing is burnt.
		let check = |(paid, treasury, author): (Balance, Balance, Balance)| {
			assert_eq!(treasury, paid * 4 / 5, "treasury: ⌊80 % of fee + tip⌋");
			assert_eq!(author, paid - paid * 4 / 5, "author: the rest");
			assert_eq!(treasury + author, paid);
		};
		// Without a tip, then with one chosen so that fee + tip is not a multiple of 5 (the
		// rounding case; the two transactions have the same length and weight).
		let (fee, treasury, author) = apply_remark(Sr25519Keyring::Eve, 0);
		assert!(fee >= configs::BASE_EXTRINSIC_FEE);
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
