//! Equivocation reports on the real runtime, from the proof to the punishment.
//!
//! The tests drive the `local_testnet` genesis (Alice, Bob, Charlie and Dave validate, each
//! bonded `GENESIS_VALIDATOR_BOND`) block by block, with BABE pre-digests and the timestamp
//! inherent, so BABE, GRANDPA, pallet-session and R²S run as on a node. They build real
//! equivocations:
//!
//! - BABE: two different headers claiming the same slot, both sealed with the offender's BABE
//!   key;
//! - GRANDPA: two prevotes (or two precommits) for different blocks in the same round, both
//!   signed with the offender's GRANDPA key;
//!
//! take the key-ownership proof from the runtime APIs the node calls
//! (`BabeApi`/`GrandpaApi::generate_key_ownership_proof`, i.e. pallet-session's historical
//! tries), check that `ValidateUnsigned` accepts the report from the local node, and dispatch
//! `report_equivocation_unsigned` with the `None` origin. pallet-offences hands the offence to
//! R²S within that dispatch, so the tests then check what R²S did: the bond slashed by the
//! offence's fraction (`min((3k/n)², 1)`, at least `MinSlash`), exactly that amount in the
//! treasury, the credit cut below the qualification threshold, the offender out of the next
//! draw; and that a repeated report is rejected and a second offence in the same session does
//! not punish twice.

// BABE and GRANDPA still validate their unsigned reports with `ValidateUnsigned`, which is what
// the transaction pool runs for them; the tests check it.
#![allow(deprecated)]

use super::{account, babe_pre_digest, new_chain, next_block, preset, FIRST_SLOT};
use crate::{
	configs::{R2sMinSlash, TreasuryAccount},
	AccountId, Babe, Balance, Balances, Block, BlockNumber, Hash, Header, R2s, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeOrigin, Session, System, CESS,
};
use codec::{DecodeAll, Encode};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Get,
	},
};
use sp_consensus_babe::{
	digests::CompatibleDigestItem, AuthorityId as BabeId,
	EquivocationProof as BabeEquivocationProof, Slot,
};
use sp_consensus_grandpa::{
	AuthorityId as GrandpaId, AuthoritySignature as GrandpaSignature,
	EquivocationProof as GrandpaEquivocationProof, RoundNumber, SetId,
};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::{
	traits::{Dispatchable, Header as _, ValidateUnsigned},
	transaction_validity::{InvalidTransaction, TransactionSource},
	Digest, DigestItem, Perbill,
};
use sp_session::MembershipProof;
use sp_staking::offence::Kind;

/// pallet-offences' kind of a BABE equivocation.
const BABE_EQUIVOCATION: Kind = *b"babe:equivocatio";

/// pallet-offences' kind of a GRANDPA equivocation.
const GRANDPA_EQUIVOCATION: Kind = *b"grandpa:equivoca";

// ---------------------------------------------------------------------------------------------
// A chain that produces blocks
// ---------------------------------------------------------------------------------------------

/// Produces blocks until the block in progress is not authored by `who`, so that disabling
/// `who` does not invalidate the block its report is in; returns `who`'s account.
fn next_block_not_by(who: Sr25519Keyring) -> AccountId {
	let who = account(who);
	next_block();
	while pallet_authorship::Pallet::<Runtime>::author().as_ref() == Some(&who) {
		next_block();
	}
	who
}

/// Produces blocks until session `index` has started (sessions are 10 slots on `local`).
fn run_to_session(index: u32) {
	let limit = System::block_number() + 100 * (index + 1);
	while Session::current_index() < index {
		assert!(System::block_number() < limit, "session {index} never started");
		next_block();
	}
	assert_eq!(Session::current_index(), index);
}

/// The `local_testnet` chain, inside its block 1, plus `blocks` more blocks.
fn local_chain(blocks: u32) -> sp_io::TestExternalities {
	let mut ext = new_chain(preset("local_testnet"));
	ext.execute_with(|| {
		assert_eq!(u64::from(pallet_babe::GenesisSlot::<Runtime>::get()), FIRST_SLOT);
		for _ in 0..blocks {
			next_block();
		}
		assert_eq!(Session::current_index(), 0);
		assert_eq!(Session::validators().len(), 4);
	});
	ext
}

// ---------------------------------------------------------------------------------------------
// Equivocations and key-ownership proofs
// ---------------------------------------------------------------------------------------------

/// The index of `key` among the BABE authorities of the current epoch.
fn babe_authority_index(key: &BabeId) -> u32 {
	Babe::authorities()
		.iter()
		.position(|(authority, _)| authority == key)
		.expect("the key is a BABE authority") as u32
}

/// A BABE equivocation of `offender` at `slot`: two headers of the block in progress that
/// differ (in their state root) and both claim `slot` for `authority_index`, each sealed with
/// the offender's key over its pre-hash, as BABE's block import checks seals.
fn babe_equivocation(
	offender: Sr25519Keyring,
	authority_index: u32,
	slot: Slot,
) -> BabeEquivocationProof<Header> {
	let number = System::block_number();
	let parent = System::parent_hash();
	let sealed = |state_root: Hash| {
		let digest = Digest { logs: vec![babe_pre_digest(authority_index, slot)] };
		let mut header = Header::new(number, Hash::zero(), state_root, parent, digest);
		let seal = offender.sign(header.hash().as_ref());
		header.digest_mut().push(DigestItem::babe_seal(seal.into()));
		header
	};
	BabeEquivocationProof {
		slot,
		offender: offender.public().into(),
		first_header: sealed(Hash::repeat_byte(1)),
		second_header: sealed(Hash::repeat_byte(2)),
	}
}

/// GRANDPA's vote types, for this runtime's header.
type GrandpaMessage = sp_consensus_grandpa::Message<Header>;
type Prevote = sp_consensus_grandpa::Prevote<Header>;
type Precommit = sp_consensus_grandpa::Precommit<Header>;

/// A GRANDPA equivocation of `offender` in round `round` of set `set_id`: two prevotes (or,
/// with `precommit`, two precommits) for `targets`, each signed as GRANDPA signs votes (the
/// localized payload `(message, round, set_id)`).
///
/// `sp_consensus_grandpa::Equivocation` wraps `finality_grandpa::Equivocation`, which that
/// crate does not re-export and the runtime does not depend on, so the proof is decoded from
/// its SCALE layout: `set_id`, the variant (prevote 0, precommit 1), the round, the offender,
/// then each vote (its target, encoded as `(hash, number)` like `Prevote` and `Precommit`) with
/// its signature. The result is checked field by field and by GRANDPA's own proof check.
fn grandpa_equivocation(
	offender: Ed25519Keyring,
	set_id: SetId,
	round: RoundNumber,
	precommit: bool,
	targets: [(Hash, BlockNumber); 2],
) -> GrandpaEquivocationProof<Hash, BlockNumber> {
	let vote = |(target_hash, target_number): (Hash, BlockNumber)| {
		let message = if precommit {
			GrandpaMessage::Precommit(Precommit { target_hash, target_number })
		} else {
			GrandpaMessage::Prevote(Prevote { target_hash, target_number })
		};
		let payload = sp_consensus_grandpa::localized_payload(round, set_id, &message);
		let signature: GrandpaSignature = offender.sign(&payload).into();
		((target_hash, target_number), signature)
	};
	let identity: GrandpaId = offender.public().into();
	let encoded =
		(set_id, u8::from(precommit), round, identity.clone(), vote(targets[0]), vote(targets[1]))
			.encode();
	let proof = GrandpaEquivocationProof::<Hash, BlockNumber>::decode_all(&mut &encoded[..])
		.expect("the SCALE layout of a GRANDPA equivocation proof");
	assert_eq!((proof.set_id(), proof.round(), proof.offender()), (set_id, round, &identity));
	proof
}

/// The key-ownership proof of a BABE key, from the runtime API the node calls before it
/// submits a report; there is one for a key of a validator of the current session.
fn babe_key_owner_proof(slot: Slot, key: &BabeId) -> MembershipProof {
	use sp_consensus_babe::runtime_decl_for_babe_api::BabeApi;
	let proof = <Runtime as BabeApi<Block>>::generate_key_ownership_proof(slot, key.clone());
	proof.and_then(|proof| proof.decode()).expect("a validator's MembershipProof")
}

/// The key-ownership proof of a GRANDPA key, from the runtime API the node calls.
fn grandpa_key_owner_proof(set_id: SetId, key: &GrandpaId) -> MembershipProof {
	use sp_consensus_grandpa::runtime_decl_for_grandpa_api::GrandpaApi;
	let proof = <Runtime as GrandpaApi<Block>>::generate_key_ownership_proof(set_id, key.clone());
	proof.and_then(|proof| proof.decode()).expect("a validator's MembershipProof")
}

fn babe_report(
	proof: BabeEquivocationProof<Header>,
	key_owner_proof: MembershipProof,
) -> RuntimeCall {
	RuntimeCall::Babe(pallet_babe::Call::report_equivocation_unsigned {
		equivocation_proof: Box::new(proof),
		key_owner_proof,
	})
}

fn grandpa_report(
	proof: GrandpaEquivocationProof<Hash, BlockNumber>,
	key_owner_proof: MembershipProof,
) -> RuntimeCall {
	RuntimeCall::Grandpa(pallet_grandpa::Call::report_equivocation_unsigned {
		equivocation_proof: Box::new(proof),
		key_owner_proof,
	})
}

/// Whether the transaction pool would take the unsigned report from `source`.
fn pool_accepts(source: TransactionSource, call: &RuntimeCall) -> Result<(), InvalidTransaction> {
	<Runtime as ValidateUnsigned>::validate_unsigned(source, call).map(|_| ()).map_err(
		|e| match e {
			sp_runtime::transaction_validity::TransactionValidityError::Invalid(i) => i,
			other => panic!("unexpected validity error {other:?}"),
		},
	)
}

/// Checks that the pool takes the report from the local node (the node's own report, or a
/// block's) and from nobody else, then dispatches it as a block does: `None` origin.
fn submit(call: &RuntimeCall) {
	assert_eq!(pool_accepts(TransactionSource::Local, call), Ok(()));
	assert_eq!(pool_accepts(TransactionSource::InBlock, call), Ok(()));
	assert_eq!(pool_accepts(TransactionSource::External, call), Err(InvalidTransaction::Call));
	assert_ok!(<Runtime as ValidateUnsigned>::pre_dispatch(call));
	assert_ok!(call.clone().dispatch(RuntimeOrigin::none()));
}

/// Dispatches `call` with the `None` origin and returns its error, if any.
fn dispatch_error(call: &RuntimeCall) -> Option<sp_runtime::DispatchError> {
	call.clone().dispatch(RuntimeOrigin::none()).err().map(|e| e.error)
}

// ---------------------------------------------------------------------------------------------
// What the punishment looks like
// ---------------------------------------------------------------------------------------------

/// The slash fraction BABE and GRANDPA give one offender among `validators` (`min((3k/n)², 1)`
/// with `k = 1`), raised to R²S's `MinSlash`.
fn equivocation_fraction(validators: u32) -> Perbill {
	Perbill::from_rational(3u32, validators).square().max(R2sMinSlash::get())
}

/// What a punishment changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Standing {
	bond: Balance,
	on_hold: Balance,
	total: Balance,
	credit: u32,
	offences: u32,
	treasury: Balance,
	issuance: Balance,
}

fn standing(who: &AccountId) -> Standing {
	let candidate = pallet_r2s::Candidates::<Runtime>::get(who).expect("a bonded candidate");
	Standing {
		bond: candidate.bond,
		on_hold: Balances::balance_on_hold(
			&crate::RuntimeHoldReason::R2s(pallet_r2s::HoldReason::CandidateBond),
			who,
		),
		total: Balances::total_balance(who),
		credit: candidate.credit,
		offences: pallet_r2s::Performances::<Runtime>::get(who).current.offences,
		treasury: Balances::total_balance(&TreasuryAccount::get()),
		issuance: Balances::total_issuance(),
	}
}

/// R²S's punishments in the block in progress.
fn punishments() -> Vec<pallet_r2s::Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::R2s(event @ pallet_r2s::Event::OffencePunished { .. }) => Some(event),
			_ => None,
		})
		.collect()
}

/// The offences pallet-offences accepted in the block in progress, by kind.
fn offences() -> Vec<Kind> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Offences(pallet_offences::Event::Offence { kind, .. }) => Some(kind),
			_ => None,
		})
		.collect()
}

/// Checks the one punishment of `who` (standing `before` the report) for an offence in
/// `session` at `fraction`, and returns the amount slashed.
fn assert_punished(who: &AccountId, before: Standing, fraction: Perbill, session: u32) -> Balance {
	let after = standing(who);
	// Nothing was unbonding, so the whole slash comes from the bond.
	let slashed = fraction.mul_floor(before.bond);
	assert!(slashed > 0);
	assert_eq!(after.bond, before.bond - slashed, "bond slashed by {fraction:?}");
	assert_eq!(after.on_hold, after.bond, "the hold follows the ledger");
	assert_eq!(before.total - after.total, slashed, "the offender lost exactly the slash");
	assert_eq!(after.treasury - before.treasury, slashed, "the treasury got exactly the slash");
	assert_eq!(after.issuance, before.issuance, "slashed funds are moved, not burnt");

	assert_eq!(after.offences, before.offences + 1, "the offence is on the record");
	let record = pallet_r2s::Performances::<Runtime>::get(who);
	assert_eq!(after.credit, R2s::compute_credit(&record, after.bond));
	let cut = <Runtime as pallet_r2s::Config>::OffenceCreditCut::get();
	assert!(
		before.credit - after.credit >= cut,
		"credit {} -> {}: cut by less than {cut}",
		before.credit,
		after.credit
	);
	assert!(after.credit < <Runtime as pallet_r2s::Config>::CreditThreshold::get());
	assert!(!R2s::qualified().iter().any(|(candidate, _)| candidate == who));

	assert_eq!(
		punishments(),
		vec![pallet_r2s::Event::OffencePunished {
			offender: who.clone(),
			session,
			fraction,
			slashed,
			credit: after.credit,
		}]
	);
	slashed
}

/// Whether `who` is in the set pallet-session has queued for the next session.
fn queued(who: &AccountId) -> bool {
	pallet_session::QueuedKeys::<Runtime>::get().iter().any(|(v, _)| v == who)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn babe_equivocation_slashes_the_bond_into_the_treasury_and_cuts_the_credit() {
	local_chain(3).execute_with(|| {
		let bob = next_block_not_by(Sr25519Keyring::Bob);
		let key: BabeId = Sr25519Keyring::Bob.public().into();
		let slot = pallet_babe::CurrentSlot::<Runtime>::get();
		let proof = babe_equivocation(Sr25519Keyring::Bob, babe_authority_index(&key), slot);
		assert!(sp_consensus_babe::check_equivocation_proof(proof.clone()));
		let key_owner_proof = babe_key_owner_proof(slot, &key);
		assert_eq!((key_owner_proof.session, key_owner_proof.validator_count), (0, 4));
		let report = babe_report(proof, key_owner_proof);

		let before = standing(&bob);
		assert_eq!(before.bond, crate::genesis_config_presets::GENESIS_VALIDATOR_BOND);
		submit(&report);

		// One offender of four: (3/4)² = 56.25 % of the bond.
		let fraction = equivocation_fraction(4);
		assert_eq!(fraction, Perbill::from_parts(562_500_000));
		let slashed = assert_punished(&bob, before, fraction, 0);
		assert_eq!(slashed, 56_250 * CESS);
		assert_eq!(offences(), vec![BABE_EQUIVOCATION]);
		// An offence of the current session also reaches pallet-session's disabling strategy.
		let index = Session::validators().iter().position(|v| *v == bob).unwrap() as u32;
		assert_eq!(Session::disabled_validators(), vec![index]);

		// The same report again: the pool calls it stale, the call fails, nothing changes.
		let punished = standing(&bob);
		assert_eq!(pool_accepts(TransactionSource::Local, &report), Err(InvalidTransaction::Stale));
		assert_noop!(call_result(&report), pallet_babe::Error::<Runtime>::DuplicateOffenceReport);
		assert_eq!(standing(&bob), punished);
		assert_eq!(punishments().len(), 1);

		// Session 1's set was queued at genesis; the draw made when session 1 starts (for
		// session 2) leaves Bob out: his credit no longer qualifies.
		run_to_session(1);
		assert!(Session::validators().contains(&bob));
		assert!(!queued(&bob));
		run_to_session(2);
		assert!(!Session::validators().contains(&bob));
		assert_eq!(Session::validators().len(), 3);
		assert_eq!(standing(&bob).bond, punished.bond);
	});
}

#[test]
fn grandpa_prevote_equivocation_is_punished_once_per_session() {
	local_chain(3).execute_with(|| {
		let charlie = next_block_not_by(Sr25519Keyring::Charlie);
		let key: GrandpaId = Ed25519Keyring::Charlie.public().into();
		let set_id = pallet_grandpa::CurrentSetId::<Runtime>::get();
		let number = System::block_number() - 1;
		let targets = [(Hash::repeat_byte(0xa1), number), (Hash::repeat_byte(0xb2), number)];
		let proof = grandpa_equivocation(Ed25519Keyring::Charlie, set_id, 7, false, targets);
		assert!(sp_consensus_grandpa::check_equivocation_proof(proof.clone()));
		let key_owner_proof = grandpa_key_owner_proof(set_id, &key);
		assert_eq!((key_owner_proof.session, key_owner_proof.validator_count), (0, 4));
		let report = grandpa_report(proof, key_owner_proof.clone());

		let before = standing(&charlie);
		submit(&report);
		let fraction = equivocation_fraction(4);
		let slashed = assert_punished(&charlie, before, fraction, 0);
		assert_eq!(slashed, 56_250 * CESS);
		assert_eq!(offences(), vec![GRANDPA_EQUIVOCATION]);

		// The same report again is a duplicate.
		let punished = standing(&charlie);
		assert_eq!(pool_accepts(TransactionSource::Local, &report), Err(InvalidTransaction::Stale));
		assert_noop!(
			call_result(&report),
			pallet_grandpa::Error::<Runtime>::DuplicateOffenceReport
		);
		assert_eq!(standing(&charlie), punished);

		// Another equivocation of Charlie in the same session (precommits of round 8) is a new
		// offence for pallet-offences, but R²S punishes an offender once per session (at the
		// highest fraction reported, and this one is the same).
		let proof = grandpa_equivocation(Ed25519Keyring::Charlie, set_id, 8, true, targets);
		submit(&grandpa_report(proof, key_owner_proof));
		assert_eq!(offences(), vec![GRANDPA_EQUIVOCATION, GRANDPA_EQUIVOCATION]);
		assert_eq!(standing(&charlie), punished, "not slashed nor cut a second time");
		assert_eq!(punishments().len(), 1);
	});
}

#[test]
fn grandpa_precommit_equivocation_of_a_past_session_is_punished() {
	local_chain(0).execute_with(|| {
		run_to_session(1);
		next_block();
		let dave = account(Sr25519Keyring::Dave);
		let key: GrandpaId = Ed25519Keyring::Dave.public().into();
		// Dave equivocates in session 1; the proofs are gathered then...
		let set_id = pallet_grandpa::CurrentSetId::<Runtime>::get();
		let number = System::block_number() - 1;
		let targets = [(Hash::repeat_byte(0x0d), number), (Hash::repeat_byte(0x0e), number)];
		let proof = grandpa_equivocation(Ed25519Keyring::Dave, set_id, 3, true, targets);
		let key_owner_proof = grandpa_key_owner_proof(set_id, &key);
		assert_eq!(key_owner_proof.session, 1);

		// ...and reported in session 2, against session 1's recorded key-ownership root.
		run_to_session(2);
		next_block();
		let before = standing(&dave);
		submit(&grandpa_report(proof, key_owner_proof));
		assert_punished(&dave, before, equivocation_fraction(4), 1);
		// Not an offence of the current session: nobody is disabled now.
		assert!(Session::disabled_validators().is_empty());

		// The draw made when session 3 starts leaves Dave out.
		run_to_session(3);
		assert!(!queued(&dave));
		assert_eq!(pallet_session::QueuedKeys::<Runtime>::get().len(), 3);
	});
}

#[test]
fn invalid_equivocation_reports_punish_nobody() {
	local_chain(3).execute_with(|| {
		let validators = Session::validators();
		let before: Vec<Standing> = validators.iter().map(standing).collect();
		let slot = pallet_babe::CurrentSlot::<Runtime>::get();
		let bob_key: BabeId = Sr25519Keyring::Bob.public().into();
		let charlie_key: BabeId = Sr25519Keyring::Charlie.public().into();
		let bob_index = babe_authority_index(&bob_key);
		let invalid_babe: Option<sp_runtime::DispatchError> =
			Some(pallet_babe::Error::<Runtime>::InvalidEquivocationProof.into());

		// Bob's equivocation with Charlie's key-ownership proof: the pool refuses the proof and
		// so does the call.
		let proof = babe_equivocation(Sr25519Keyring::Bob, bob_index, slot);
		let report = babe_report(proof.clone(), babe_key_owner_proof(slot, &charlie_key));
		assert_eq!(
			pool_accepts(TransactionSource::Local, &report),
			Err(InvalidTransaction::BadProof)
		);
		assert_eq!(
			dispatch_error(&report),
			Some(pallet_babe::Error::<Runtime>::InvalidKeyOwnershipProof.into())
		);

		// Headers sealed by Bob blamed on Charlie (with Charlie's genuine ownership proof): the
		// seals do not verify with Charlie's key.
		let mut framed = proof.clone();
		framed.offender = charlie_key.clone();
		let report = babe_report(framed, babe_key_owner_proof(slot, &charlie_key));
		assert_eq!(dispatch_error(&report), invalid_babe.clone());

		// The same header twice is no equivocation.
		let mut same = proof.clone();
		same.second_header = same.first_header.clone();
		assert_eq!(
			dispatch_error(&babe_report(same, babe_key_owner_proof(slot, &bob_key))),
			invalid_babe.clone()
		);

		// Two headers for different slots are no equivocation either.
		let other_slot =
			babe_equivocation(Sr25519Keyring::Bob, bob_index, Slot::from(u64::from(slot) + 1));
		let mut two_slots = proof;
		two_slots.second_header = other_slot.second_header;
		assert_eq!(
			dispatch_error(&babe_report(two_slots, babe_key_owner_proof(slot, &bob_key))),
			invalid_babe.clone()
		);

		// GRANDPA: two votes for the same block are no equivocation.
		let set_id = pallet_grandpa::CurrentSetId::<Runtime>::get();
		let target = (Hash::repeat_byte(0x33), System::block_number() - 1);
		let proof = grandpa_equivocation(Ed25519Keyring::Bob, set_id, 1, false, [target, target]);
		let bob_grandpa: GrandpaId = Ed25519Keyring::Bob.public().into();
		assert_eq!(
			dispatch_error(&grandpa_report(proof, grandpa_key_owner_proof(set_id, &bob_grandpa))),
			Some(pallet_grandpa::Error::<Runtime>::InvalidEquivocationProof.into())
		);

		assert!(offences().is_empty());
		assert!(punishments().is_empty());
		let after: Vec<Standing> = validators.iter().map(standing).collect();
		assert_eq!(after, before);
		assert!(Session::disabled_validators().is_empty());
	});
}

/// The dispatch result of `call` with the `None` origin, without its post-dispatch info.
fn call_result(call: &RuntimeCall) -> sp_runtime::DispatchResult {
	call.clone().dispatch(RuntimeOrigin::none()).map(|_| ()).map_err(|e| e.error)
}
