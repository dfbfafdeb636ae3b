//! R²S on a real network: five validator candidates, three seats. The chain spec is
//! `build-spec --chain local` edited as an operator would (Eve added as a fifth genesis
//! candidate with her session keys and bond, `r2s.seats = 3`), turned raw, and run by five
//! validator nodes on 127.0.0.1. The test reads `Session.Validators` and `Session.CurrentIndex`
//! at the finalized head over RPC and shows that
//!
//! - the genesis set respects the seats (three of the five: the runtime builds the R²S genesis
//!   before the session genesis, which asks R²S for the first set);
//! - every set the chain uses has three members, all of them candidates;
//! - the draws rotate the set at least twice: a later session seats another set than the
//!   genesis one, and a session after that another set again;
//! - GRANDPA keeps finalizing after each change, on every node.

mod common;

use common::{hex_number, run_cmd, start_bootnode, start_validator, wait_for, Node};
use serde_json::{json, Value};
use std::{
	collections::{BTreeMap, BTreeSet},
	time::Duration,
};

/// Storage key of `Session::Validators`: twox128("Session") ++ twox128("Validators").
const SESSION_VALIDATORS_KEY: &str =
	"0xcec5070d609dd3497f72bde07fc96ba088dcde934c658227ee1dfafcd6e16903";

/// Storage key of `Session::CurrentIndex`: twox128("Session") ++ twox128("CurrentIndex").
const SESSION_CURRENT_INDEX_KEY: &str =
	"0xcec5070d609dd3497f72bde07fc96ba072763800a36a99fdfc7c10f6415f6ee6";

/// The five validators, as `--<name>` flags and `//Name` development keys.
const VALIDATORS: [&str; 5] = ["alice", "bob", "charlie", "dave", "eve"];

/// Seats of the edited chain: fewer than the five candidates, so that the draw chooses.
const SEATS: usize = 3;

/// A public key as `cess-node key inspect` prints it.
struct PublicKey {
	/// SS58 form, as the human-readable chain spec writes accounts and session keys.
	ss58: String,
	/// `0x`-prefixed lowercase hex of the 32 bytes (for sr25519 also the account id).
	hex: String,
}

/// The public key of the development secret URI `suri` under `scheme` (sr25519, ed25519).
fn inspect(scheme: &str, suri: &str) -> PublicKey {
	let out = run_cmd(&["key", "inspect", "--output-type", "json", "--scheme", scheme, suri]);
	let v: Value = serde_json::from_str(&out)
		.unwrap_or_else(|e| panic!("key inspect printed no JSON ({e}):\n{out}"));
	let field = |name: &str| {
		v[name]
			.as_str()
			.unwrap_or_else(|| panic!("key inspect JSON has no {name}: {v}"))
			.to_string()
	};
	PublicKey { ss58: field("ss58PublicKey"), hex: field("publicKey").to_lowercase() }
}

fn to_hex(bytes: &[u8]) -> String {
	let mut s = String::from("0x");
	for b in bytes {
		s.push_str(&format!("{b:02x}"));
	}
	s
}

/// Decodes a SCALE compact length prefix: `(value, bytes it took)`.
fn decode_compact(b: &[u8]) -> (usize, usize) {
	match b[0] & 0b11 {
		0b00 => ((b[0] >> 2) as usize, 1),
		0b01 => ((u16::from_le_bytes([b[0], b[1]]) >> 2) as usize, 2),
		0b10 => ((u32::from_le_bytes([b[0], b[1], b[2], b[3]]) >> 2) as usize, 4),
		_ => panic!("compact length of more than 2^30 in a validator set"),
	}
}

/// Decodes a SCALE `Vec<AccountId32>` into `0x` hex account ids.
fn decode_accounts(bytes: &[u8]) -> Vec<String> {
	let (len, offset) = decode_compact(bytes);
	let body = &bytes[offset..];
	assert_eq!(body.len(), len * 32, "Vec<AccountId32> of {len} with {} bytes", body.len());
	body.chunks(32).map(to_hex).collect()
}

/// `Session::Validators` at block `at`.
fn validators_at(node: &Node, at: &Value) -> Vec<String> {
	decode_accounts(&node.storage_at(SESSION_VALIDATORS_KEY, at).expect("Session::Validators set"))
}

/// `Session::CurrentIndex` at block `at` (0 until the first rotation writes it).
fn session_at(node: &Node, at: &Value) -> u32 {
	node.storage_at(SESSION_CURRENT_INDEX_KEY, at)
		.map_or(0, |b| u32::from_le_bytes(b.try_into().expect("a u32")))
}

/// The finalized head's number, session index and validator set, read at one block hash.
/// (Finalized rather than best: two BABE forks may draw different sets for one session, since
/// the seed depends on the VRF outputs each fork carries.)
fn snapshot(node: &Node) -> (u64, u32, Vec<String>) {
	let hash = node.rpc("chain_getFinalizedHead", json!([]));
	let number = hex_number(&node.rpc("chain_getHeader", json!([hash]))["number"])
		.expect("a header has a number");
	(number, session_at(node, &hash), validators_at(node, &hash))
}

/// Checks a set the chain uses: `SEATS` distinct members, all of them candidates.
fn check_set(set: &[String], candidates: &[String], what: &str) {
	assert_eq!(set.len(), SEATS, "{what} has {} validators: {set:?}", set.len());
	let distinct: BTreeSet<&String> = set.iter().collect();
	assert_eq!(distinct.len(), SEATS, "{what} repeats a validator: {set:?}");
	for v in set {
		assert!(candidates.contains(v), "{what}: {v} is not one of the candidates");
	}
}

#[test]
fn five_candidates_rotate_on_three_seats_and_finality_follows() {
	let dir = tempfile::tempdir().unwrap();

	// The development keys of the five: sr25519 (account and BABE) and ed25519 (GRANDPA).
	let sr: Vec<PublicKey> =
		VALIDATORS.iter().map(|n| inspect("sr25519", &format!("//{}", capitalize(n)))).collect();
	let ed: Vec<PublicKey> =
		VALIDATORS.iter().map(|n| inspect("ed25519", &format!("//{}", capitalize(n)))).collect();
	let candidates: Vec<String> = sr.iter().map(|k| k.hex.clone()).collect();
	let (eve_sr, eve_ed) = (&sr[4], &ed[4]);

	// The operator's edit of the human-readable spec.
	let mut spec: Value = serde_json::from_str(&run_cmd(&["build-spec", "--chain", "local"]))
		.expect("build-spec prints a JSON chain spec");
	let patch = spec
		.pointer_mut("/genesis/runtimeGenesis/patch")
		.expect("a preset spec keeps its genesis as genesis.runtimeGenesis.patch");

	// Session keys: [account, validator id, {babe, grandpa}], in the SS58 form `key inspect`
	// prints (checked on Alice's entry before Eve's is copied from it).
	let keys = patch["session"]["keys"].as_array_mut().expect("session.keys in the local spec");
	assert_eq!(keys.len(), 4, "the local chain has four genesis validators");
	let alice_entry = keys
		.iter()
		.find(|k| k[0] == sr[0].ss58.as_str())
		.unwrap_or_else(|| panic!("no session keys of Alice ({}) in {keys:?}", sr[0].ss58))
		.clone();
	assert_eq!(alice_entry[1], sr[0].ss58.as_str(), "validator id = account: {alice_entry}");
	assert_eq!(alice_entry[2]["babe"], sr[0].ss58.as_str(), "BABE key is sr25519: {alice_entry}");
	assert_eq!(alice_entry[2]["grandpa"], ed[0].ss58.as_str(), "GRANDPA is ed25519: {alice_entry}");
	let mut eve_entry = alice_entry;
	eve_entry[0] = json!(eve_sr.ss58);
	eve_entry[1] = json!(eve_sr.ss58);
	eve_entry[2]["babe"] = json!(eve_sr.ss58);
	eve_entry[2]["grandpa"] = json!(eve_ed.ss58);
	keys.push(eve_entry);

	// Eve is endowed already (every well-known development account is).
	let endowed = patch["balances"]["balances"].as_array().expect("balances.balances");
	assert!(
		endowed.iter().any(|b| b[0] == eve_sr.ss58.as_str()),
		"Eve ({}) is not endowed in the local spec",
		eve_sr.ss58
	);

	// R²S: Eve bonds what the others bond; three seats, and a draw as soon as three qualify.
	let r2s = patch.get_mut("r2s").expect("the R2s pallet's genesis is under \"r2s\"");
	let genesis_candidates = r2s["candidates"].as_array_mut().expect("r2s.candidates");
	assert_eq!(genesis_candidates.len(), 4);
	// The bond is copied as the JSON value it is (it does not fit in a u64).
	let bond = genesis_candidates[0][1].clone();
	genesis_candidates.push(Value::Array(vec![json!(eve_sr.ss58), bond]));
	r2s["seats"] = json!(SEATS);
	r2s["minActive"] = json!(SEATS);

	let edited = dir.path().join("five.json");
	std::fs::write(&edited, serde_json::to_string_pretty(&spec).unwrap()).unwrap();
	let raw_spec = dir.path().join("five-raw.json");
	std::fs::write(
		&raw_spec,
		run_cmd(&["build-spec", "--chain", edited.to_str().unwrap(), "--raw"]),
	)
	.unwrap();
	let chain = raw_spec.to_str().unwrap();

	// Alice is the bootnode (fixed node key, known PeerId); the others generate their keys.
	let (alice, bootnode) = start_bootnode(dir.path(), "alice", &["--chain", chain, "--alice"]);
	let others: Vec<Node> = VALIDATORS[1..]
		.iter()
		.map(|name| start_validator(dir.path(), name, chain, &bootnode))
		.collect();
	let nodes: Vec<&Node> = std::iter::once(&alice).chain(others.iter()).collect();

	let genesis = alice.genesis_hash();
	for n in &nodes {
		assert_eq!(n.genesis_hash(), genesis, "{} has another genesis", n.name);
	}

	// Genesis: three of the five. All five start with the same credit, so the genesis set is
	// the first three accounts in account order (the pallet's tie rule).
	let genesis_set = validators_at(&alice, &json!(genesis));
	check_set(&genesis_set, &candidates, "the genesis set");
	let mut by_account = candidates.clone();
	by_account.sort();
	assert_eq!(genesis_set, by_account[..SEATS].to_vec(), "top credit, ties by account");

	// Sessions are one minute (10 slots). Sessions 0 and 1 both run the genesis set; the first
	// draw is made when session 1 starts, for session 2, so a new set can appear about two
	// minutes in. A draw may seat the same three again: the seed is BABE's randomness of one
	// epoch ago, which is the genesis randomness (all zero) for the first epochs, hashed with
	// the session index, so consecutive draws are still different lotteries; but with five
	// close credits (equal until the first era closes) each one repeats the set in force with a
	// probability of about 1/10. Each wait allows about ten sessions, which makes a false
	// failure negligible; a wait ends as soon as the set changes (typically the first change
	// comes within three or four minutes and the second one a session or two later).
	let mut sets: BTreeMap<u32, Vec<String>> = BTreeMap::new();
	sets.insert(0, genesis_set.clone());
	let mut observe = |node: &Node| {
		let (number, session, set) = snapshot(node);
		check_set(&set, &candidates, &format!("the set of session {session}"));
		if let Some(known) = sets.get(&session) {
			assert_eq!(known, &set, "the set changed within session {session}");
		} else {
			eprintln!("session {session} (from block #{number}): {set:?}");
			sets.insert(session, set.clone());
		}
		(number, session, set)
	};

	// Two rotations away from the genesis set: the set changes, and then changes again. After
	// each change finality must go on: the block that starts the new session was still
	// finalized by the old GRANDPA set, the blocks after it need the votes of the new set (all
	// three, with three seats), and every node must see them finalized.
	const ROTATIONS: usize = 2;
	let mut in_force = genesis_set.clone();
	let mut last_session = 0;
	let mut changes: Vec<(u32, Vec<String>)> = Vec::new();
	for rotation in 1..=ROTATIONS {
		let (changed_at, changed_session, new_set) = wait_for(
			Duration::from_secs(if rotation == 1 { 12 * 60 } else { 10 * 60 }),
			&format!("set change #{rotation} (a session with another set than {in_force:?})"),
			|| {
				let (number, session, set) = observe(&alice);
				(set != in_force).then_some((number, session, set))
			},
		);
		assert!(changed_session >= 2, "the genesis set serves sessions 0 and 1");
		assert!(changed_session > last_session, "a change is seen in a later session");
		eprintln!(
			"change #{rotation}: session {changed_session} (block #{changed_at}) seats \
			 {new_set:?} instead of {in_force:?}"
		);

		let target = changed_at + 5;
		wait_for(Duration::from_secs(300), &format!("alice to finalize #{target}"), || {
			observe(&alice);
			alice.finalized_number().filter(|f| *f >= target)
		});
		for n in &nodes {
			n.wait_finalized(target, Duration::from_secs(120));
		}
		let (_, finalized_session, _) = observe(&alice);
		assert!(finalized_session >= changed_session);

		changes.push((changed_session, new_set.clone()));
		in_force = new_set;
		last_session = changed_session;
	}

	// Three sets in force one after the other (the third may be the genesis set again), each
	// change seen in a later session than the one before.
	assert_eq!(changes.len(), ROTATIONS);
	assert_ne!(changes[0].1, genesis_set);
	assert_ne!(changes[1].1, changes[0].1);
	assert!(changes[1].0 > changes[0].0);
	eprintln!("sessions and sets seen: {sets:?}");
}

/// `alice` → `Alice`, for the `//Alice` development URIs.
fn capitalize(name: &str) -> String {
	let mut chars = name.chars();
	match chars.next() {
		Some(first) => first.to_uppercase().chain(chars).collect(),
		None => String::new(),
	}
}
