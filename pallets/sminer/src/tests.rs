//! Tests of the calls, the `StorageMiners` trait and the storage invariants.

use crate::{mock::*, *};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Hooks,
	},
};
use sp_core::{ed25519, Pair};
use sp_runtime::{traits::BadOrigin, BuildStorage, DispatchError, DispatchResult, Perbill};

type Miners = crate::Miners<Test>;
type Error = crate::Error<Test>;
type Event = crate::Event<Test>;

const SPACE: u64 = 2 * TIB;
const FRAGMENT: u64 = 8 << 20;

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::MinerCollateral.into(), &who)
}

fn register(who: AccountId, peer_seed: u8, declared_space: u64) {
	let (public, signature) = peer_binding(peer_seed, who);
	assert_ok!(try_register(who, public, signature, multiaddrs(1, 16), declared_space));
}

/// `register` by `who` as its own beneficiary.
fn try_register(
	who: AccountId,
	public: ed25519::Public,
	signature: ed25519::Signature,
	addrs: MultiaddrsOf<Test>,
	declared_space: u64,
) -> DispatchResult {
	Sminer::register(RuntimeOrigin::signed(who), who, public, signature, addrs, declared_space)
}

fn info(who: AccountId) -> MinerInfoOf<Test> {
	Miners::get(who).expect("registered")
}

fn state(who: AccountId) -> Option<MinerState<u64>> {
	<Sminer as StorageMiners<AccountId>>::state(&who)
}

fn last_event() -> Event {
	cess_mock_support::events::<Test, Event>().pop().expect("an sminer event")
}

fn has_event(event: Event) -> bool {
	cess_mock_support::events::<Test, Event>().contains(&event)
}

/// Slashes `who` below its requirement so that it is `Frozen`.
fn freeze(who: AccountId) {
	assert_ok!(Sminer::slash(&who, Perbill::from_percent(50), SlashReason::InvalidProof));
	assert_eq!(state(who), Some(MinerState::Frozen));
}

/// Moves past the exit cooldown of a miner that exits now.
fn exit_and_wait(who: AccountId) {
	assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(who)));
	System::set_block_number(System::block_number() + EXIT_COOLDOWN);
}

/// The rejections shared by the calls that change one of the caller's amounts: an unregistered
/// caller (with `amount`), a zero amount, the call's own `(amount, error)` cases on a new miner of
/// [`SPACE`] bytes, and an exiting miner (with `amount`).
fn assert_amount_call_rejections<A: Copy + Default>(
	call: impl Fn(RuntimeOrigin, A) -> DispatchResult,
	amount: A,
	own: Vec<(A, Error)>,
) {
	assert_noop!(call(RuntimeOrigin::signed(1), amount), Error::NotRegistered);
	register(1, 1, SPACE);
	assert_noop!(call(RuntimeOrigin::signed(1), A::default()), Error::ZeroAmount);
	for (amount, error) in own {
		assert_noop!(call(RuntimeOrigin::signed(1), amount), error);
	}
	assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(1)));
	assert_noop!(call(RuntimeOrigin::signed(1), amount), Error::MinerExiting);
}

/// Base58 (Bitcoin alphabet), to compare PeerIds with their usual text form.
fn base58(bytes: &[u8]) -> String {
	const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
	let mut digits: Vec<u8> = Vec::new(); // little-endian base-58 digits
	for byte in bytes {
		let mut carry = u32::from(*byte);
		for digit in digits.iter_mut() {
			carry += u32::from(*digit) << 8;
			*digit = (carry % 58) as u8;
			carry /= 58;
		}
		while carry > 0 {
			digits.push((carry % 58) as u8);
			carry /= 58;
		}
	}
	let zeros = bytes.iter().take_while(|byte| **byte == 0).count();
	core::iter::repeat_n('1', zeros)
		.chain(digits.iter().rev().map(|digit| ALPHABET[usize::from(*digit)] as char))
		.collect()
}

// --- genesis and parameters ---

#[test]
fn genesis_sets_parameters_and_registers_miners() {
	build_and_execute(|| {
		assert_eq!(CollateralPerTiB::<Test>::get(), COLLATERAL_PER_TIB);
		assert_eq!(ExitCooldown::<Test>::get(), EXIT_COOLDOWN);
		let miner = info(GENESIS_MINER);
		assert_eq!(miner.beneficiary, GENESIS_MINER);
		assert_eq!(miner.state, MinerState::Active);
		assert_eq!(miner.declared_space, GENESIS_MINER_SPACE);
		assert_eq!(miner.collateral, 3 * COLLATERAL_PER_TIB);
		assert_eq!(held(GENESIS_MINER), 3 * COLLATERAL_PER_TIB);
		assert_eq!(Sminer::peer_id(&GENESIS_MINER), Some(peer_id(GENESIS_MINER_PEER)));
		assert!(Peers::<Test>::get(GENESIS_MINER).unwrap().multiaddrs.is_empty());
		assert_eq!(
			Sminer::totals(),
			SpaceTotals {
				miners: 1,
				active_miners: 1,
				declared: GENESIS_MINER_SPACE.into(),
				used: 0,
				locked: 0
			}
		);
	});
}

#[test]
fn parameters_fall_back_to_config_defaults_without_genesis() {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert_eq!(CollateralPerTiB::<Test>::get(), 1);
		assert_eq!(ExitCooldown::<Test>::get(), 1_000);
		assert_eq!(Sminer::required_collateral(5 * TIB), 5);
	});
}

#[test]
#[should_panic(expected = "ZeroSpace")]
fn genesis_rejects_a_miner_without_space() {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	crate::GenesisConfig::<Test> {
		miners: vec![(1, peer_pair(1).public().0, 0)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
}

#[test]
fn integrity_test_passes() {
	new_test_ext().execute_with(Sminer::integrity_test);
}

#[test]
fn required_collateral_charges_every_started_tib() {
	build_and_execute(|| {
		assert_eq!(Sminer::required_collateral(0), 0);
		assert_eq!(Sminer::required_collateral(1), COLLATERAL_PER_TIB);
		assert_eq!(Sminer::required_collateral(TIB), COLLATERAL_PER_TIB);
		assert_eq!(Sminer::required_collateral(TIB + 1), 2 * COLLATERAL_PER_TIB);
		assert_eq!(Sminer::required_collateral(u64::MAX), (1 << 24) * COLLATERAL_PER_TIB);
	});
}

// --- PeerId ---

#[test]
fn peer_id_matches_libp2p_for_a_known_node_key() {
	// `--node-key 0000…0001` is the PeerId every Substrate and libp2p tutorial shows.
	let mut secret = [0u8; 32];
	secret[31] = 1;
	let public = ed25519::Pair::from_seed(&secret).public();
	let peer = PeerId::from_ed25519(&public);
	assert_eq!(peer.as_bytes()[..6], ED25519_PEER_ID_PREFIX);
	assert_eq!(peer.as_bytes()[6..], public.0);
	assert_eq!(base58(peer.as_bytes()), "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp");
	assert_eq!(peer.ed25519_public(), public);
	assert_eq!(peer.encode().len(), PEER_ID_LEN);
}

#[test]
fn binding_message_is_the_domain_tag_and_the_scale_account() {
	let message = peer_binding_message(&7u64);
	assert_eq!(&message[..PEER_BINDING_CONTEXT.len()], b"cess/sminer/bind-peer");
	assert_eq!(&message[PEER_BINDING_CONTEXT.len()..], &7u64.encode()[..]);
}

// --- register ---

#[test]
fn register_holds_collateral_and_binds_the_peer() {
	build_and_execute(|| {
		let (public, signature) = peer_binding(1, 1);
		let free_before = Balances::balance(&1);
		assert_ok!(Sminer::register(
			RuntimeOrigin::signed(1),
			2,
			public,
			signature,
			multiaddrs(2, 16),
			SPACE
		));
		let collateral = 2 * COLLATERAL_PER_TIB;
		// Account 2 is only proposed: the miner is paid until 2 accepts.
		assert_eq!(
			info(1),
			MinerInfo {
				beneficiary: 1,
				state: MinerState::Active,
				collateral,
				declared_space: SPACE,
				used_space: 0,
				locked_space: 0,
				registered_at: 1,
			}
		);
		assert_eq!(held(1), collateral);
		assert_eq!(Balances::balance(&1), free_before - collateral);
		assert_eq!(
			Peers::<Test>::get(1),
			Some(PeerInfo { peer_id: peer_id(1), multiaddrs: multiaddrs(2, 16) })
		);
		assert_eq!(Sminer::miner_of_peer(&peer_id(1)), Some(1));
		assert_eq!(Sminer::beneficiary(&1), Some(1));
		assert_eq!(PendingBeneficiaries::<Test>::get(1), Some(2));
		assert_eq!(Sminer::active_miner_count(), 2);
		assert_eq!(Sminer::totals().declared, u128::from(SPACE + GENESIS_MINER_SPACE));
		// Free 2 TiB: bucket 41, behind the genesis miner (free 3 TiB).
		assert_eq!(SamplingSlots::<Test>::get(1), Some((41, 1)));
		assert!(has_event(Event::Registered {
			miner: 1,
			beneficiary: 1,
			peer_id: peer_id(1),
			declared_space: SPACE,
			collateral
		}));
		assert_eq!(last_event(), Event::BeneficiaryProposed { miner: 1, beneficiary: 2 });
	});
}

#[test]
fn a_miner_that_names_itself_proposes_nothing() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_eq!(Sminer::beneficiary(&1), Some(1));
		assert_eq!(PendingBeneficiaries::<Test>::get(1), None);
		assert!(matches!(last_event(), Event::Registered { beneficiary: 1, .. }));
	});
}

#[test]
fn register_rounds_collateral_up_to_whole_tib() {
	build_and_execute(|| {
		register(1, 1, 1);
		assert_eq!(held(1), COLLATERAL_PER_TIB);
		register(2, 2, TIB + 1);
		assert_eq!(held(2), 2 * COLLATERAL_PER_TIB);
	});
}

#[test]
fn register_rejects_a_second_registration() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		let (public, signature) = peer_binding(2, 1);
		assert_noop!(
			try_register(1, public, signature, multiaddrs(1, 8), SPACE),
			Error::AlreadyRegistered
		);
	});
}

#[test]
fn register_rejects_zero_space() {
	build_and_execute(|| {
		let (public, signature) = peer_binding(1, 1);
		assert_noop!(try_register(1, public, signature, multiaddrs(1, 8), 0), Error::ZeroSpace);
	});
}

#[test]
fn register_rejects_a_signature_for_another_account() {
	build_and_execute(|| {
		let (public, signature) = peer_binding(1, 2);
		assert_noop!(
			try_register(1, public, signature, multiaddrs(1, 8), SPACE),
			Error::InvalidPeerSignature
		);
	});
}

#[test]
fn register_rejects_a_signature_by_another_key() {
	build_and_execute(|| {
		let (_, signature) = peer_binding(1, 1);
		let (other_public, _) = peer_binding(2, 1);
		assert_noop!(
			try_register(1, other_public, signature, multiaddrs(1, 8), SPACE),
			Error::InvalidPeerSignature
		);
	});
}

#[test]
fn register_rejects_a_signature_without_the_domain_tag() {
	build_and_execute(|| {
		let pair = peer_pair(1);
		let signature = pair.sign(&1u64.encode());
		assert_noop!(
			try_register(1, pair.public(), signature, multiaddrs(1, 8), SPACE),
			Error::InvalidPeerSignature
		);
	});
}

#[test]
fn register_rejects_a_peer_bound_to_another_miner() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		let (public, signature) = peer_binding(1, 2);
		assert_noop!(
			try_register(2, public, signature, multiaddrs(1, 8), SPACE),
			Error::PeerIdInUse
		);
	});
}

#[test]
fn register_rejects_an_empty_multiaddr() {
	build_and_execute(|| {
		let (public, signature) = peer_binding(1, 1);
		let addrs: MultiaddrsOf<Test> =
			vec![MultiaddrOf::<Test>::try_from(vec![1u8; 4]).unwrap(), Default::default()]
				.try_into()
				.unwrap();
		assert_noop!(try_register(1, public, signature, addrs, SPACE), Error::EmptyMultiaddr);
	});
}

#[test]
fn register_rejects_an_account_that_cannot_hold_the_collateral() {
	build_and_execute(|| {
		let (public, signature) = peer_binding(1, POOR);
		assert_noop!(
			try_register(POOR, public, signature, multiaddrs(1, 8), SPACE),
			Error::InsufficientBalance
		);
		// Enough space that the requirement exceeds any endowment.
		let (public, signature) = peer_binding(1, 1);
		assert_noop!(
			try_register(1, public, signature, multiaddrs(1, 8), u64::MAX),
			Error::InsufficientBalance
		);
	});
}

#[test]
fn register_rejects_unsigned_origins() {
	build_and_execute(|| {
		let (public, signature) = peer_binding(1, 1);
		assert_noop!(
			Sminer::register(RuntimeOrigin::none(), 1, public, signature, multiaddrs(1, 8), SPACE),
			BadOrigin
		);
	});
}

#[test]
fn too_many_or_too_long_multiaddrs_do_not_decode() {
	// Bounds are part of the call's type: such a call never reaches the runtime logic.
	let (public, signature) = peer_binding(1, 1);
	let encode_call = |addrs: Vec<Vec<u8>>| {
		let mut call = RuntimeCall::Sminer(crate::Call::register {
			beneficiary: 1,
			peer_public: public,
			peer_signature: signature,
			multiaddrs: Default::default(),
			declared_space: SPACE,
		})
		.encode();
		// Replace the empty list (one byte, before the compact space) with `addrs`.
		let space = codec::Compact(SPACE).encode();
		let tail = call.split_off(call.len() - space.len() - 1);
		assert_eq!(tail[0], 0, "the empty multiaddr list");
		call.extend(addrs.encode());
		call.extend(space);
		call
	};
	let fits = encode_call(vec![vec![1; 64]; 4]);
	assert!(RuntimeCall::decode(&mut &fits[..]).is_ok());
	let too_many = encode_call(vec![vec![1; 8]; 5]);
	assert!(RuntimeCall::decode(&mut &too_many[..]).is_err());
	let too_long = encode_call(vec![vec![1; 65]]);
	assert!(RuntimeCall::decode(&mut &too_long[..]).is_err());
}

// --- increase_collateral ---

#[test]
fn increase_collateral_adds_to_the_hold() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::increase_collateral(RuntimeOrigin::signed(1), 500));
		assert_eq!(info(1).collateral, 2 * COLLATERAL_PER_TIB + 500);
		assert_eq!(held(1), 2 * COLLATERAL_PER_TIB + 500);
		assert_eq!(
			last_event(),
			Event::CollateralIncreased {
				miner: 1,
				amount: 500,
				collateral: 2 * COLLATERAL_PER_TIB + 500
			}
		);
	});
}

#[test]
fn increase_collateral_rejections() {
	build_and_execute(|| {
		assert_amount_call_rejections(
			Sminer::increase_collateral,
			5,
			vec![(ENDOWMENT, Error::InsufficientBalance)],
		);
	});
}

// --- update_peer ---

#[test]
fn update_peer_rebinds_the_peer_id_and_replaces_addresses() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		let (public, signature) = peer_binding(2, 1);
		assert_ok!(Sminer::update_peer(
			RuntimeOrigin::signed(1),
			public,
			signature,
			multiaddrs(3, 20)
		));
		assert_eq!(
			Peers::<Test>::get(1),
			Some(PeerInfo { peer_id: peer_id(2), multiaddrs: multiaddrs(3, 20) })
		);
		assert_eq!(Sminer::miner_of_peer(&peer_id(2)), Some(1));
		assert_eq!(Sminer::miner_of_peer(&peer_id(1)), None);
		assert_eq!(last_event(), Event::PeerUpdated { miner: 1, peer_id: peer_id(2) });
		// The old key is free for another miner now.
		register(2, 1, SPACE);
	});
}

#[test]
fn update_peer_with_the_same_key_only_replaces_addresses() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		let (public, signature) = peer_binding(1, 1);
		assert_ok!(Sminer::update_peer(
			RuntimeOrigin::signed(1),
			public,
			signature,
			multiaddrs(4, 64)
		));
		assert_eq!(Peers::<Test>::get(1).unwrap().multiaddrs, multiaddrs(4, 64));
		assert_eq!(Sminer::miner_of_peer(&peer_id(1)), Some(1));
	});
}

#[test]
fn update_peer_is_allowed_while_exiting() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(1)));
		let (public, signature) = peer_binding(3, 1);
		assert_ok!(Sminer::update_peer(
			RuntimeOrigin::signed(1),
			public,
			signature,
			multiaddrs(1, 8)
		));
		assert_eq!(Sminer::peer_id(&1), Some(peer_id(3)));
	});
}

#[test]
fn update_peer_rejections() {
	build_and_execute(|| {
		let (public, signature) = peer_binding(1, 1);
		assert_noop!(
			Sminer::update_peer(RuntimeOrigin::signed(1), public, signature, multiaddrs(1, 8)),
			Error::NotRegistered
		);
		register(1, 1, SPACE);
		register(2, 2, SPACE);
		let (public, _) = peer_binding(3, 1);
		let (_, wrong_signature) = peer_binding(3, 2);
		assert_noop!(
			Sminer::update_peer(
				RuntimeOrigin::signed(1),
				public,
				wrong_signature,
				multiaddrs(1, 8)
			),
			Error::InvalidPeerSignature
		);
		let (public, signature) = peer_binding(2, 1);
		assert_noop!(
			Sminer::update_peer(RuntimeOrigin::signed(1), public, signature, multiaddrs(1, 8)),
			Error::PeerIdInUse
		);
		let (public, signature) = peer_binding(3, 1);
		let empty: MultiaddrsOf<Test> = vec![Default::default()].try_into().unwrap();
		assert_noop!(
			Sminer::update_peer(RuntimeOrigin::signed(1), public, signature, empty),
			Error::EmptyMultiaddr
		);
	});
}

// --- increase_space / decrease_space ---

#[test]
fn increase_space_holds_the_extra_requirement() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::increase_space(RuntimeOrigin::signed(1), TIB + 1));
		assert_eq!(info(1).declared_space, 3 * TIB + 1);
		assert_eq!(held(1), 4 * COLLATERAL_PER_TIB);
		assert_eq!(
			last_event(),
			Event::SpaceIncreased {
				miner: 1,
				declared_space: 3 * TIB + 1,
				collateral: 4 * COLLATERAL_PER_TIB
			}
		);
		assert_eq!(Sminer::totals().declared, u128::from(3 * TIB + 1 + GENESIS_MINER_SPACE));
	});
}

#[test]
fn increase_space_uses_collateral_already_held() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::increase_collateral(RuntimeOrigin::signed(1), 3 * COLLATERAL_PER_TIB));
		assert_ok!(Sminer::increase_space(RuntimeOrigin::signed(1), 2 * TIB));
		assert_eq!(held(1), 5 * COLLATERAL_PER_TIB, "no new hold: 4 TiB need 4, 5 are held");
	});
}

#[test]
fn increase_space_rejections() {
	build_and_execute(|| {
		assert_amount_call_rejections(
			Sminer::increase_space,
			TIB,
			vec![(u64::MAX, Error::SpaceOverflow), (2_000 * TIB, Error::InsufficientBalance)],
		);
	});
}

#[test]
fn decrease_space_keeps_the_collateral() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::decrease_space(RuntimeOrigin::signed(1), TIB));
		assert_eq!(info(1).declared_space, TIB);
		assert_eq!(held(1), 2 * COLLATERAL_PER_TIB);
		assert_eq!(last_event(), Event::SpaceDecreased { miner: 1, declared_space: TIB });
		assert_eq!(SamplingSlots::<Test>::get(1).map(|slot| slot.0), Some(40));
	});
}

#[test]
fn decrease_space_never_goes_below_used_and_locked_space() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::lock_space(&1, TIB / 2));
		assert_ok!(Sminer::commit_space(&1, TIB / 4));
		assert_ok!(Sminer::lock_space(&1, TIB));
		// used = TiB/4, locked = TiB + TiB/4: 1.5 TiB must stay declared.
		assert_noop!(
			Sminer::decrease_space(RuntimeOrigin::signed(1), TIB / 2 + 1),
			Error::SpaceBelowUsage
		);
		assert_ok!(Sminer::decrease_space(RuntimeOrigin::signed(1), TIB / 2));
		assert_eq!(info(1).free_space(), 0);
		assert_eq!(SamplingSlots::<Test>::get(1), None, "no free space: not sampled");
	});
}

#[test]
fn decrease_space_rejections() {
	build_and_execute(|| {
		assert_amount_call_rejections(
			Sminer::decrease_space,
			1,
			vec![(SPACE, Error::ZeroSpace), (SPACE + 1, Error::SpaceBelowUsage)],
		);
	});
}

// --- update_beneficiary ---

/// `update_beneficiary` by `miner` of `beneficiary`, then its acceptance by `beneficiary`.
fn name_beneficiary(miner: AccountId, beneficiary: AccountId) {
	assert_ok!(Sminer::update_beneficiary(RuntimeOrigin::signed(miner), beneficiary));
	assert_ok!(Sminer::accept_beneficiary(RuntimeOrigin::signed(beneficiary), miner));
}

#[test]
fn update_beneficiary_works_in_every_state() {
	build_and_execute(|| {
		assert_noop!(Sminer::update_beneficiary(RuntimeOrigin::signed(1), 3), Error::NotRegistered);
		register(1, 1, SPACE);
		assert_ok!(Sminer::update_beneficiary(RuntimeOrigin::signed(1), 3));
		assert_eq!(last_event(), Event::BeneficiaryProposed { miner: 1, beneficiary: 3 });
		assert_ok!(Sminer::accept_beneficiary(RuntimeOrigin::signed(3), 1));
		assert_eq!(Sminer::beneficiary(&1), Some(3));
		assert_eq!(last_event(), Event::BeneficiaryUpdated { miner: 1, beneficiary: 3 });
		freeze(1);
		name_beneficiary(1, 4);
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(1)));
		name_beneficiary(1, 5);
		assert_eq!(Sminer::beneficiary(&1), Some(5));
	});
}

#[test]
fn a_beneficiary_may_withdraw_its_consent_and_the_rewards_go_back_to_the_miner() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::update_beneficiary(RuntimeOrigin::signed(1), 3));
		assert_ok!(Sminer::accept_beneficiary(RuntimeOrigin::signed(3), 1));
		assert_eq!(Sminer::beneficiary(&1), Some(3));
		// Only the current beneficiary renounces, and the miner cannot renounce itself.
		for who in [4, 1] {
			assert_noop!(
				Sminer::renounce_beneficiary(RuntimeOrigin::signed(who), 1),
				Error::NotCurrentBeneficiary
			);
		}
		assert_noop!(
			Sminer::renounce_beneficiary(RuntimeOrigin::signed(3), 2),
			Error::NotRegistered
		);
		assert_ok!(Sminer::renounce_beneficiary(RuntimeOrigin::signed(3), 1));
		assert_eq!(Sminer::beneficiary(&1), Some(1));
		assert_eq!(last_event(), Event::BeneficiaryUpdated { miner: 1, beneficiary: 1 });
		// Paying 3 again needs its consent again.
		assert_ok!(Sminer::update_beneficiary(RuntimeOrigin::signed(1), 3));
		assert_eq!(Sminer::beneficiary(&1), Some(1));
	});
}

#[test]
fn a_beneficiary_is_paid_only_once_it_accepts() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::update_beneficiary(RuntimeOrigin::signed(1), 3));
		// Until 3 accepts, the rewards go to the miner itself.
		assert_eq!(Sminer::beneficiary(&1), Some(1));
		assert_eq!(PendingBeneficiaries::<Test>::get(1), Some(3));
		// Nobody but the proposed account accepts, and only what was proposed to it.
		assert_noop!(
			Sminer::accept_beneficiary(RuntimeOrigin::signed(4), 1),
			Error::NotProposedBeneficiary
		);
		assert_noop!(
			Sminer::accept_beneficiary(RuntimeOrigin::signed(3), 2),
			Error::NotProposedBeneficiary
		);
		assert_noop!(
			Sminer::accept_beneficiary(RuntimeOrigin::signed(1), 1),
			Error::NotProposedBeneficiary
		);
		// A new proposal replaces the old one.
		assert_ok!(Sminer::update_beneficiary(RuntimeOrigin::signed(1), 4));
		assert_noop!(
			Sminer::accept_beneficiary(RuntimeOrigin::signed(3), 1),
			Error::NotProposedBeneficiary
		);
		assert_ok!(Sminer::accept_beneficiary(RuntimeOrigin::signed(4), 1));
		assert_eq!(Sminer::beneficiary(&1), Some(4));
		assert_eq!(PendingBeneficiaries::<Test>::get(1), None);
		// A proposal pending while the beneficiary that accepted keeps being paid.
		assert_ok!(Sminer::update_beneficiary(RuntimeOrigin::signed(1), 5));
		assert_eq!(Sminer::beneficiary(&1), Some(4));
		// The miner's own account takes effect at once and drops the proposal.
		assert_ok!(Sminer::update_beneficiary(RuntimeOrigin::signed(1), 1));
		assert_eq!(Sminer::beneficiary(&1), Some(1));
		assert_eq!(last_event(), Event::BeneficiaryUpdated { miner: 1, beneficiary: 1 });
		assert_noop!(
			Sminer::accept_beneficiary(RuntimeOrigin::signed(5), 1),
			Error::NotProposedBeneficiary
		);
	});
}

#[test]
fn a_proposal_ends_with_the_miner() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::update_beneficiary(RuntimeOrigin::signed(1), 3));
		exit_and_wait(1);
		assert_ok!(Sminer::withdraw(RuntimeOrigin::signed(1)));
		assert_eq!(PendingBeneficiaries::<Test>::get(1), None);
		assert_noop!(
			Sminer::accept_beneficiary(RuntimeOrigin::signed(3), 1),
			Error::NotProposedBeneficiary
		);
	});
}

// --- prepare_exit / withdraw ---

#[test]
fn prepare_exit_stops_new_fragments_and_calls_the_repair_hook() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(1)));
		let unlock_at = 1 + EXIT_COOLDOWN;
		assert_eq!(state(1), Some(MinerState::Exiting { unlock_at }));
		assert_eq!(last_event(), Event::ExitPrepared { miner: 1, unlock_at });
		assert_eq!(repaired_miners(), vec![1]);
		assert_eq!(Sminer::active_miner_count(), 1);
		assert_eq!(SamplingSlots::<Test>::get(1), None);
		assert_noop!(Sminer::lock_space(&1, FRAGMENT), Error::MinerNotActive);
	});
}

#[test]
fn prepare_exit_rejections() {
	build_and_execute(|| {
		assert_noop!(Sminer::prepare_exit(RuntimeOrigin::signed(1)), Error::NotRegistered);
		register(1, 1, SPACE);
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(1)));
		assert_noop!(Sminer::prepare_exit(RuntimeOrigin::signed(1)), Error::AlreadyExiting);
	});
}

#[test]
fn a_miner_with_strikes_or_an_unjudged_challenge_cannot_start_an_exit() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		// It holds fragments (or is about to).
		assert_ok!(Sminer::lock_space(&1, TIB / 4));
		// One strike short of the punishment: leaving now would escape it.
		set_obligations(1, 1, false);
		assert_noop!(Sminer::prepare_exit(RuntimeOrigin::signed(1)), Error::OpenStrikes);
		// A challenge that is not judged yet may still be failed.
		set_obligations(1, 0, true);
		assert_noop!(Sminer::prepare_exit(RuntimeOrigin::signed(1)), Error::UnjudgedChallenge);
		assert!(repaired_miners().is_empty());
		assert_eq!(state(1), Some(MinerState::Active));
		// Strikes cleared, challenge judged: the miner may go.
		set_obligations(1, 0, false);
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(1)));
		assert_eq!(repaired_miners(), vec![1]);
	});
}

#[test]
fn a_miner_holding_nothing_may_leave_with_strikes_and_pays_for_them_at_withdraw() {
	build_and_execute(|| {
		let free_before = Balances::balance(&1);
		register(1, 1, SPACE);
		// A round missed, then its files gone: never challenged again, its strikes could never
		// clear, and it holds nothing to escape with.
		set_obligations(1, 1, false);
		exit_and_wait(1);
		assert_ok!(Sminer::withdraw(RuntimeOrigin::signed(1)));
		let owed = SLASH_PER_STRIKE.mul_floor(2 * COLLATERAL_PER_TIB);
		assert!(has_event(Event::Slashed {
			miner: 1,
			amount: owed,
			reason: SlashReason::StrikesAtExit
		}));
		assert_eq!(Balances::balance(&1), free_before - owed);
	});
}

#[test]
fn withdraw_waits_for_the_last_challenge_and_charges_strikes_earned_while_leaving() {
	build_and_execute(|| {
		let free_before = Balances::balance(&1);
		register(1, 1, SPACE);
		exit_and_wait(1);
		// Its fragments were audited until handed over: the last challenge is still open.
		set_obligations(1, 2, true);
		assert_noop!(Sminer::withdraw(RuntimeOrigin::signed(1)), Error::UnjudgedChallenge);
		// Judged (failed): two strikes cost two fifths of the punishment's 20 %.
		set_obligations(1, 2, false);
		let collateral = 2 * COLLATERAL_PER_TIB;
		let owed = Perbill::from_percent(10).mul_floor(collateral);
		assert_ok!(Sminer::withdraw(RuntimeOrigin::signed(1)));
		assert!(has_event(Event::Slashed {
			miner: 1,
			amount: owed,
			reason: SlashReason::StrikesAtExit
		}));
		assert_eq!(last_event(), Event::Exited { miner: 1, collateral: collateral - owed });
		assert_eq!(Balances::balance(&1), free_before - owed);
		assert_eq!(Balances::balance(&TREASURY), ENDOWMENT + owed);
		// The strikes are settled: a later registration starts clean.
		assert_eq!(<MockAudit as AuditObligations<AccountId>>::strikes(&1), 0);
	});
}

#[test]
fn a_frozen_miner_can_exit() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		freeze(1);
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(1)));
		assert!(matches!(state(1), Some(MinerState::Exiting { .. })));
	});
}

#[test]
fn withdraw_returns_the_collateral_and_clears_the_miner() {
	build_and_execute(|| {
		let free_before = Balances::balance(&1);
		register(1, 1, SPACE);
		exit_and_wait(1);
		assert_ok!(Sminer::withdraw(RuntimeOrigin::signed(1)));
		assert_eq!(Balances::balance(&1), free_before);
		assert_eq!(held(1), 0);
		assert_eq!(Miners::get(1), None);
		assert_eq!(Peers::<Test>::get(1), None);
		assert_eq!(Sminer::miner_of_peer(&peer_id(1)), None);
		assert_eq!(state(1), None);
		assert_eq!(Sminer::totals().miners, 1);
		assert_eq!(last_event(), Event::Exited { miner: 1, collateral: 2 * COLLATERAL_PER_TIB });
		// Exited: the account and its key may register again.
		register(1, 1, SPACE);
	});
}

#[test]
fn withdraw_returns_what_is_left_after_slashes() {
	build_and_execute(|| {
		let free_before = Balances::balance(&1);
		register(1, 1, SPACE);
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(1)));
		// Still slashable during the cooldown, and still exiting afterwards.
		assert_ok!(Sminer::slash(&1, Perbill::from_percent(25), SlashReason::MissedProof));
		assert!(matches!(state(1), Some(MinerState::Exiting { .. })));
		System::set_block_number(1 + EXIT_COOLDOWN);
		assert_ok!(Sminer::withdraw(RuntimeOrigin::signed(1)));
		assert_eq!(last_event(), Event::Exited { miner: 1, collateral: 1_500 });
		assert_eq!(Balances::balance(&1), free_before - 500);
	});
}

#[test]
fn withdraw_rejections() {
	build_and_execute(|| {
		assert_noop!(Sminer::withdraw(RuntimeOrigin::signed(1)), Error::NotRegistered);
		register(1, 1, SPACE);
		assert_noop!(Sminer::withdraw(RuntimeOrigin::signed(1)), Error::NotExiting);
		assert_ok!(Sminer::lock_space(&1, FRAGMENT));
		assert_ok!(Sminer::lock_space(&1, FRAGMENT));
		assert_ok!(Sminer::commit_space(&1, FRAGMENT));
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(1)));
		System::set_block_number(EXIT_COOLDOWN);
		assert_noop!(Sminer::withdraw(RuntimeOrigin::signed(1)), Error::CooldownNotElapsed);
		System::set_block_number(1 + EXIT_COOLDOWN);
		assert_noop!(Sminer::withdraw(RuntimeOrigin::signed(1)), Error::SpaceStillInUse);
		// The file bank moves the fragment away and cancels the pending deal.
		assert_ok!(Sminer::release_space(&1, FRAGMENT));
		assert_noop!(Sminer::withdraw(RuntimeOrigin::signed(1)), Error::SpaceStillInUse);
		assert_ok!(Sminer::unlock_space(&1, FRAGMENT));
		assert_ok!(Sminer::withdraw(RuntimeOrigin::signed(1)));
	});
}

// --- space accounting through the trait ---

#[test]
fn lock_commit_unlock_release_move_space_between_states() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::lock_space(&1, 3 * FRAGMENT));
		assert_eq!(last_event(), Event::SpaceLocked { miner: 1, bytes: 3 * FRAGMENT });
		assert_ok!(Sminer::commit_space(&1, 2 * FRAGMENT));
		assert_eq!(last_event(), Event::SpaceCommitted { miner: 1, bytes: 2 * FRAGMENT });
		assert_ok!(Sminer::unlock_space(&1, FRAGMENT));
		assert_eq!(last_event(), Event::SpaceUnlocked { miner: 1, bytes: FRAGMENT });
		assert_ok!(Sminer::release_space(&1, FRAGMENT));
		assert_eq!(last_event(), Event::SpaceReleased { miner: 1, bytes: FRAGMENT });
		assert_eq!(
			Sminer::space(&1),
			Some(MinerSpace { declared: SPACE, used: FRAGMENT, locked: 0, free: SPACE - FRAGMENT })
		);
		assert_eq!(Sminer::used_space(&1), FRAGMENT);
		assert_eq!(Sminer::locked_space(&1), 0);
		assert_eq!(Sminer::free_space(&1), SPACE - FRAGMENT);
		assert_eq!(Sminer::free_space(&77), 0);
		let totals = Sminer::totals();
		assert_eq!((totals.used, totals.locked), (u128::from(FRAGMENT), 0));
	});
}

#[test]
fn space_accounting_rejections() {
	build_and_execute(|| {
		assert_noop!(Sminer::lock_space(&1, FRAGMENT), Error::NotRegistered);
		assert_noop!(Sminer::unlock_space(&1, FRAGMENT), Error::NotRegistered);
		assert_noop!(Sminer::commit_space(&1, FRAGMENT), Error::NotRegistered);
		assert_noop!(Sminer::release_space(&1, FRAGMENT), Error::NotRegistered);
		register(1, 1, SPACE);
		assert_noop!(Sminer::lock_space(&1, 0), Error::ZeroAmount);
		assert_noop!(Sminer::unlock_space(&1, 0), Error::ZeroAmount);
		assert_noop!(Sminer::commit_space(&1, 0), Error::ZeroAmount);
		assert_noop!(Sminer::release_space(&1, 0), Error::ZeroAmount);
		assert_noop!(Sminer::lock_space(&1, SPACE + 1), Error::InsufficientFreeSpace);
		assert_ok!(Sminer::lock_space(&1, FRAGMENT));
		assert_noop!(Sminer::unlock_space(&1, FRAGMENT + 1), Error::InsufficientLockedSpace);
		assert_noop!(Sminer::commit_space(&1, FRAGMENT + 1), Error::InsufficientLockedSpace);
		assert_noop!(Sminer::release_space(&1, 1), Error::InsufficientUsedSpace);
		assert_ok!(Sminer::lock_space(&1, SPACE - FRAGMENT));
		assert_noop!(Sminer::lock_space(&1, 1), Error::InsufficientFreeSpace);
	});
}

#[test]
fn frozen_and_exiting_miners_still_commit_and_release() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::lock_space(&1, 2 * FRAGMENT));
		freeze(1);
		assert_noop!(Sminer::lock_space(&1, FRAGMENT), Error::MinerNotActive);
		assert_ok!(Sminer::commit_space(&1, FRAGMENT));
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(1)));
		assert_ok!(Sminer::commit_space(&1, FRAGMENT));
		assert_ok!(Sminer::release_space(&1, 2 * FRAGMENT));
		assert_eq!(Sminer::used_space(&1), 0);
	});
}

#[test]
fn free_space_changes_move_a_miner_between_sampling_buckets() {
	build_and_execute(|| {
		// Bucket 41 holds free space in [2 TiB, 4 TiB): the genesis miner (3 TiB) comes first.
		register(1, 1, SPACE);
		register(2, 2, SPACE);
		assert_eq!(SamplingSlots::<Test>::get(GENESIS_MINER), Some((41, 0)));
		assert_eq!(SamplingSlots::<Test>::get(1), Some((41, 1)));
		assert_eq!(SamplingSlots::<Test>::get(2), Some((41, 2)));
		// Free space just below 2 TiB: bucket 40; miner 2 takes miner 1's place in bucket 41.
		assert_ok!(Sminer::lock_space(&1, FRAGMENT));
		assert_eq!(SamplingSlots::<Test>::get(1), Some((40, 0)));
		assert_eq!(SamplingSlots::<Test>::get(2), Some((41, 1)));
		assert_eq!(BucketMembers::<Test>::get(41, 1), Some(2));
		assert_eq!(BucketMembers::<Test>::get(41, 2), None);
		assert_eq!(BucketLens::<Test>::get().get(41), 2);
		assert_eq!(BucketLens::<Test>::get().get(40), 1);
		// A change within the bucket moves nothing.
		assert_ok!(Sminer::lock_space(&1, FRAGMENT));
		assert_eq!(SamplingSlots::<Test>::get(1), Some((40, 0)));
		assert_ok!(Sminer::unlock_space(&1, 2 * FRAGMENT));
		assert_eq!(SamplingSlots::<Test>::get(1), Some((41, 2)));
		assert_eq!(BucketLens::<Test>::get().get(40), 0);
	});
}

// --- slashing and freezing ---

#[test]
fn slash_moves_the_amount_to_the_treasury_and_freezes() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		let issuance = Balances::total_issuance();
		let treasury = Balances::balance(&TREASURY);
		let slashed = Sminer::slash(&1, Perbill::from_percent(10), SlashReason::MissedProof);
		assert_eq!(slashed, Ok(200));
		assert_eq!(held(1), 1_800);
		assert_eq!(info(1).collateral, 1_800);
		assert_eq!(Balances::balance(&TREASURY), treasury + 200);
		assert_eq!(Balances::total_issuance(), issuance, "moved, not burned");
		assert!(has_event(Event::Slashed {
			miner: 1,
			amount: 200,
			reason: SlashReason::MissedProof
		}));
		assert_eq!(
			last_event(),
			Event::Frozen { miner: 1, collateral: 1_800, required: 2 * COLLATERAL_PER_TIB }
		);
		assert_eq!(state(1), Some(MinerState::Frozen));
		assert!(!Sminer::is_active(&1));
		assert_eq!(Sminer::active_miner_count(), 1);
		assert_eq!(SamplingSlots::<Test>::get(1), None);
	});
}

#[test]
fn a_slash_that_leaves_the_requirement_covered_does_not_freeze() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_ok!(Sminer::increase_collateral(RuntimeOrigin::signed(1), 1_000));
		assert_eq!(Sminer::slash(&1, Perbill::from_percent(10), SlashReason::LostData), Ok(300));
		assert_eq!(state(1), Some(MinerState::Active));
		assert_eq!(
			last_event(),
			Event::Slashed { miner: 1, amount: 300, reason: SlashReason::LostData }
		);
	});
}

#[test]
fn slash_of_an_unknown_account_fails() {
	build_and_execute(|| {
		assert_eq!(
			Sminer::slash(&1, Perbill::one(), SlashReason::InvalidProof),
			Err(DispatchError::from(Error::NotRegistered))
		);
	});
}

#[test]
fn slashing_everything_leaves_no_collateral() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		assert_eq!(Sminer::slash(&1, Perbill::one(), SlashReason::LostData), Ok(2_000));
		assert_eq!(held(1), 0);
		assert_eq!(Sminer::slash(&1, Perbill::one(), SlashReason::LostData), Ok(0));
		assert_eq!(state(1), Some(MinerState::Frozen));
	});
}

#[test]
fn topping_up_collateral_unfreezes() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		freeze(1); // 1_000 of 2_000 left
		assert_ok!(Sminer::increase_collateral(RuntimeOrigin::signed(1), 999));
		assert_eq!(state(1), Some(MinerState::Frozen), "one short of the requirement");
		assert_ok!(Sminer::increase_collateral(RuntimeOrigin::signed(1), 1));
		assert_eq!(state(1), Some(MinerState::Active));
		assert_eq!(last_event(), Event::Unfrozen { miner: 1 });
		assert!(SamplingSlots::<Test>::get(1).is_some());
		assert_ok!(Sminer::lock_space(&1, FRAGMENT));
	});
}

#[test]
fn increasing_space_unfreezes_with_a_full_top_up() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		freeze(1); // 1_000 of 2_000 left
		assert_ok!(Sminer::increase_space(RuntimeOrigin::signed(1), TIB));
		assert_eq!(held(1), 3 * COLLATERAL_PER_TIB);
		assert_eq!(state(1), Some(MinerState::Active));
		assert_eq!(last_event(), Event::Unfrozen { miner: 1 });
	});
}

#[test]
fn decreasing_space_to_what_the_collateral_covers_unfreezes() {
	build_and_execute(|| {
		register(1, 1, SPACE);
		freeze(1); // 1_000 left: covers 1 TiB
		assert_ok!(Sminer::decrease_space(RuntimeOrigin::signed(1), TIB));
		assert_eq!(state(1), Some(MinerState::Active));
		assert_eq!(last_event(), Event::Unfrozen { miner: 1 });
	});
}

// --- lookups, paging and sampling ---

#[test]
fn paging_visits_every_active_miner_once() {
	build_and_execute(|| {
		for who in 1..=7 {
			register(who, who as u8, SPACE);
		}
		freeze(3);
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(5)));
		let mut seen = Vec::new();
		let mut cursor = None;
		let mut pages = 0;
		loop {
			let page = Sminer::active_miners_page(cursor.as_ref(), 3);
			assert!(page.active.len() <= 3);
			seen.extend(page.active);
			pages += 1;
			match page.next {
				Some(next) => cursor = Some(next),
				None => break,
			}
		}
		assert_eq!(pages, 3, "8 records in pages of 3");
		seen.sort();
		assert_eq!(seen, vec![1, 2, 4, 6, 7, GENESIS_MINER]);
		assert_eq!(Sminer::active_miner_count(), 6);
		let empty = Sminer::active_miners_page(Some(&1), 0);
		assert_eq!(empty, MinersPage { active: vec![], next: Some(1) });
	});
}

#[test]
fn a_paging_cursor_survives_miners_leaving() {
	build_and_execute(|| {
		for who in 1..=6 {
			register(who, who as u8, SPACE);
		}
		let first = Sminer::active_miners_page(None, 2);
		let cursor = first.next.expect("more pages");
		assert!(first.active.contains(&cursor));
		let unseen = (1..=6).find(|who| !first.active.contains(who)).expect("more miners");
		// The miner the cursor points at, and one not visited yet, leave before the next page.
		for leaving in [cursor, unseen] {
			exit_and_wait(leaving);
			assert_ok!(Sminer::withdraw(RuntimeOrigin::signed(leaving)));
		}
		let mut seen = first.active;
		let mut next = Some(cursor);
		while let Some(cursor) = next {
			let page = Sminer::active_miners_page(Some(&cursor), 2);
			seen.extend(page.active);
			next = page.next;
		}
		let mut expected: Vec<_> =
			(1..=6).chain([GENESIS_MINER]).filter(|who| *who != unseen).collect();
		seen.sort();
		expected.sort();
		assert_eq!(seen, expected, "every miner once, the cursor's from the first page");
	});
}

#[test]
fn sampling_is_weighted_by_free_space() {
	build_and_execute(|| {
		// Only the three miners below are active: free 1 TiB, 1.5 TiB (both bucket 40), 3 TiB.
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(GENESIS_MINER)));
		register(1, 1, TIB);
		register(2, 2, TIB + TIB / 2);
		register(3, 3, 3 * TIB);
		let mut hits = [0u32; 3];
		let draws = 6_000u32;
		for i in 0..draws {
			let seed = sp_io::hashing::blake2_256(&i.encode());
			for who in Sminer::sample_miners(&seed, 1, 0, &[]) {
				hits[who as usize - 1] += 1;
			}
		}
		let total: u32 = hits.iter().sum();
		assert!(total > draws * 99 / 100, "almost every draw succeeds: {total}");
		for (hits, weight) in hits.iter().zip([1.0, 1.5, 3.0]) {
			let share = f64::from(*hits) / f64::from(total);
			let expected = weight / 5.5;
			assert!((share - expected).abs() < 0.03, "share {share} vs {expected}");
		}
	});
}

#[test]
fn sampling_returns_distinct_eligible_miners_and_respects_filters() {
	build_and_execute(|| {
		register(1, 1, TIB);
		register(2, 2, 2 * TIB);
		register(3, 3, 2 * TIB);
		register(4, 4, 2 * TIB);
		freeze(3);
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(4)));
		register(5, 5, TIB);
		assert_ok!(Sminer::lock_space(&5, TIB)); // no free space left
										   // Only active miners with free space, each at most once; over a few seeds, all of them.
		let mut union = Vec::new();
		for i in 0..20u8 {
			let drawn = Sminer::sample_miners(&[i; 32], 10, 0, &[]);
			let mut distinct = drawn.clone();
			distinct.sort();
			distinct.dedup();
			assert_eq!(distinct.len(), drawn.len(), "no miner twice");
			assert!(drawn.len() <= 3);
			union.extend(drawn);
		}
		union.sort();
		union.dedup();
		assert_eq!(union, vec![1, 2, GENESIS_MINER]);
		// Deterministic in the seed.
		let seed = [7u8; 32];
		assert_eq!(
			Sminer::sample_miners(&seed, 10, 0, &[]),
			Sminer::sample_miners(&seed, 10, 0, &[])
		);
		// Minimum free space: miner 1 has exactly 1 TiB.
		let big = Sminer::sample_miners(&seed, 10, TIB + 1, &[]);
		assert!(!big.contains(&1) && !big.is_empty());
		assert!(Sminer::sample_miners(&seed, 10, 4 * TIB, &[]).is_empty());
		for i in 0..20u8 {
			let excluded = Sminer::sample_miners(&[i; 32], 10, 0, &[2, GENESIS_MINER]);
			assert!(excluded.iter().all(|who| *who == 1));
		}
		assert_eq!(Sminer::sample_miners(&seed, 2, 0, &[]).len(), 2);
		assert!(Sminer::sample_miners(&seed, 0, 0, &[]).is_empty());
	});
}

#[test]
fn sampling_work_is_bounded_by_the_indexed_miners() {
	build_and_execute(|| {
		// A huge request with every candidate excluded ends after 8 attempts (one indexed miner
		// × SamplingAttemptsPerMiner), not after u32::MAX × 8.
		assert!(Sminer::sample_miners(&[1; 32], u32::MAX, 0, &[GENESIS_MINER]).is_empty());
		assert_eq!(Sminer::sample_miners(&[1; 32], u32::MAX, 0, &[]), vec![GENESIS_MINER]);
	});
}

#[test]
fn sampling_an_empty_index_returns_nothing() {
	build_and_execute(|| {
		assert_ok!(Sminer::prepare_exit(RuntimeOrigin::signed(GENESIS_MINER)));
		assert!(Sminer::sample_miners(&[0; 32], 12, 0, &[]).is_empty());
	});
}

// --- invariants under a long mixed sequence ---

#[test]
fn invariants_hold_under_a_random_sequence_of_operations() {
	build_and_execute(|| {
		let mut rng: u64 = 0x5eed;
		let mut next = move |bound: u64| {
			rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
			(rng >> 33) % bound
		};
		let mut ok = 0;
		for step in 0..1_500u32 {
			let who = 1 + next(8);
			let bytes = (1 + next(64)) * FRAGMENT * 1024;
			let origin = RuntimeOrigin::signed(who);
			let result = match next(12) {
				0 => {
					let (public, signature) = peer_binding(who as u8 + 100 * (next(2) as u8), who);
					Sminer::register(origin, who, public, signature, multiaddrs(1, 8), bytes)
				}
				1 => Sminer::lock_space(&who, bytes / 4),
				2 => Sminer::commit_space(&who, bytes / 8),
				3 => Sminer::unlock_space(&who, bytes / 8),
				4 => Sminer::release_space(&who, bytes / 16),
				5 => Sminer::slash(
					&who,
					Perbill::from_percent(next(30) as u32),
					SlashReason::LostData,
				)
				.map(|_| ()),
				6 => Sminer::increase_collateral(origin, u128::from(next(2_000) as u32)),
				7 => Sminer::increase_space(origin, bytes),
				8 => Sminer::decrease_space(origin, bytes / 2),
				9 if next(4) == 0 => Sminer::prepare_exit(origin),
				10 => {
					System::set_block_number(System::block_number() + next(6));
					Sminer::withdraw(origin)
				}
				_ => Sminer::lock_space(&who, FRAGMENT),
			};
			ok += u32::from(result.is_ok());
			if let Err(e) = Sminer::do_try_state() {
				panic!("invariant broken at step {step}: {e:?}");
			}
			let totals = Sminer::totals();
			assert!(u64::from(totals.active_miners) >= BucketLens::<Test>::get().total());
		}
		assert!(ok > 300, "the sequence exercised successful paths too: {ok}");
	});
}
