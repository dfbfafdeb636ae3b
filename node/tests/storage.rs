//! End-to-end decentralized storage on real processes: a development validator with its
//! embedded storage miner (Ferdie) and three more nodes running storage miners (Charlie, Dave,
//! Eve), all on 127.0.0.1; files go in and out through `cess-node file …`.
//!
//! One network, in phases (starting it dominates the cost):
//! 1. a 100 MiB random file is put and got back byte-identical; an account that does not own it
//!    cannot get it (the miners refuse its ticket, nothing is written); an account without
//!    funds cannot put one (and declares nothing); a miner refuses a fragment the chain did not
//!    assign to it, even with an owner's ticket; honest miners pass their audits;
//! 2. with two miners killed (as many as the 2 + 2 development layout's parity allows) it is
//!    still got back;
//! 3. with a third one down it cannot be (not enough fragments, nothing written); the
//!    first two restart on their stores, lose and duplicate nothing (same fragments, no second
//!    registration, their network record updated) and keep serving: with the third still
//!    down, the file can only be rebuilt with their help;
//! 4. a miner that deletes its fragments fails its next audit and is punished; its fragments
//!    are repaired onto the other miners (which read the segment's other fragments on their
//!    repair assignment, without a ticket), and the file survives it;
//! 5. a miner that announces its exit sees its fragments rebuilt on the others, cannot
//!    withdraw before the cooldown, and the file survives it going away;
//! 6. a deleted file's fragments are dropped by the miners.
//!
//! Between 1 and 2, under attack: 64 hostile peers against the four miners (every holder, so
//! that no read escapes them) — per miner, 8 Sybils of one owner asking for as many trickling
//! reads as its whole GET pool holds, forged uploads racing the owner to freshly assigned roots,
//! garbage, fresh identities announcing fake addresses — while Alice puts and gets 64 MiB: the
//! put's push and the get (median of 3) each take at most twice their time on the same network
//! unloaded, measured just before (taken as at least 0.5 s: on loopback both take less), and
//! the miners' memory and open files stay bounded (docs/security.md §3.7).

mod common;
mod hostile;

use cess_dht::{Authorization, ErrorCode, Multiaddr, PeerId, TransferError};
use cess_primitives::{
	access::{AccessProof, AccessTicket, Rights},
	FileHash, FileLayout, FragmentHash,
};
use common::{address_of, hex_bytes, put_file_hash, start_bootnode, wait_for, FileClient, Node};
use serde_json::json;
use sp_core::Pair;
use std::{
	path::{Path, PathBuf},
	sync::{atomic::AtomicBool, atomic::Ordering, Arc},
	time::{Duration, Instant},
};

const SIZE: usize = 100 * 1024 * 1024;

/// A field of `file miner`'s "audits:" line, e.g. `failed`.
fn audit_count(files: &FileClient, miner: &str, field: &str) -> Option<u64> {
	let (ok, stdout, _) = files.run(&["miner", miner]);
	if !ok {
		return None;
	}
	let line = stdout.lines().find(|l| l.starts_with("audits:"))?;
	let mut words = line.split_whitespace();
	words.position(|w| w == field)?;
	words.next()?.parse().ok()
}

/// The directory of a miner node's fragment store.
fn store_dir(node: &Node) -> PathBuf {
	node.base_path.join("chains/cess_dev/miner/fragments")
}

/// The fragment files in a miner node's store.
fn stored_fragments(node: &Node) -> Vec<PathBuf> {
	fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
		for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
			let path = entry.path();
			if path.is_dir() {
				walk(&path, out);
			} else {
				out.push(path);
			}
		}
	}
	let mut out = Vec::new();
	walk(&store_dir(node).join("fragments"), &mut out);
	out.sort();
	out
}

/// A miner's PeerId and addresses as registered on chain (`file miner`).
fn network_record(files: &FileClient, miner: &str) -> (PeerId, Vec<Multiaddr>) {
	let record = files.ok(&["miner", miner]);
	let peer: PeerId = record
		.lines()
		.find_map(|l| l.strip_prefix("peer id: "))
		.and_then(|p| p.trim().parse().ok())
		.unwrap_or_else(|| panic!("`file miner` shows the PeerId: {record}"));
	let addresses: Vec<Multiaddr> = record
		.lines()
		.filter_map(|l| l.strip_prefix("address: "))
		.filter_map(|a| a.trim().parse().ok())
		.collect();
	assert!(!addresses.is_empty(), "`file miner` shows the addresses: {record}");
	(peer, addresses)
}

/// Puts `len` random bytes as Alice and gets them back three times: the file, the time the put
/// took to push its fragments (as it reports it: from the declaration's block to the last
/// fragment stored, so without the waits for blocks) and the median time of a whole get.
fn timed_put_get(files: &FileClient, dir: &Path, name: &str, len: usize) -> (String, f64, f64) {
	let data = random_bytes(len, name.len() as u64 ^ 0x7157_0000);
	let source = dir.join(name);
	std::fs::write(&source, &data).unwrap();
	let stdout = files.ok(&["put", source.to_str().unwrap(), "--suri", "//Alice"]);
	let put: f64 = stdout
		.split(" fragment bytes in ")
		.nth(1)
		.and_then(|rest| rest.split(" s").next())
		.and_then(|seconds| seconds.trim().parse().ok())
		.unwrap_or_else(|| panic!("`file put` reports its push time: {stdout}"));
	let file = put_file_hash(&stdout);
	let out = dir.join(format!("{name}.out"));
	let mut gets: Vec<f64> = (0..3)
		.map(|_| {
			let _ = std::fs::remove_file(&out);
			let started = Instant::now();
			files.ok(&["get", &file, "-o", out.to_str().unwrap(), "--suri", "//Alice"]);
			let get = started.elapsed().as_secs_f64();
			assert!(std::fs::read(&out).unwrap() == data, "{name} came back different");
			get
		})
		.collect();
	gets.sort_by(f64::total_cmp);
	let get = gets[1];
	for path in [&source, &out] {
		std::fs::remove_file(path).unwrap();
	}
	(file, put, get)
}

/// Alice's 64 MiB put and get, unloaded and then under attack by 64 hostile peers against the
/// `targets` (their nodes and SS58 accounts), among all the `miners`: see the module docs.
fn under_attack(
	dir: &Path,
	validator: &Node,
	files: &FileClient,
	miners: &[&Node],
	targets: &[(&Node, String)],
) {
	const SIZE: usize = 64 * 1024 * 1024;
	let stores_before: Vec<Vec<PathBuf>> =
		miners.iter().map(|node| stored_fragments(node)).collect();
	let layout: FileLayout =
		serde_json::from_value(validator.rpc("fileBank_layout", json!([]))).unwrap();

	// The hostile owner: Bob stores a small file, whose tickets his Sybils hold.
	let small = dir.join("bob.bin");
	std::fs::write(&small, random_bytes(1 << 20, 0xb0b)).unwrap();
	let bob_file = put_file_hash(&files.ok(&["put", small.to_str().unwrap(), "--suri", "//Bob"]));
	let placement = validator.rpc("fileBank_placement", json!([bob_file, 0, 64]));
	let fragments: Vec<(String, [u8; 32])> = placement
		.as_array()
		.expect("a page of fragments")
		.iter()
		.map(|entry| {
			let hash: FragmentHash = serde_json::from_value(entry["hash"].clone()).unwrap();
			(entry["miner"].as_str().unwrap().to_string(), hash.0)
		})
		.collect();
	let owner = hostile::HostileOwner {
		pair: sp_core::sr25519::Pair::from_string("//Bob", None).unwrap(),
		genesis: hex_bytes(&validator.genesis_hash()).try_into().unwrap(),
		file: bob_file.parse().unwrap(),
		fragments,
		expires: best_block(validator) + 600,
	};
	let hostile_targets: Vec<hostile::Target> = targets
		.iter()
		.map(|(_, account)| {
			let (peer, addresses) = network_record(files, account);
			hostile::Target { account: account.clone(), peer, addresses }
		})
		.collect();

	// Unloaded, on the same network, just before.
	let (calm_file, calm_put, calm_get) = timed_put_get(files, dir, "calm.bin", SIZE);

	let pids: Vec<u32> = targets.iter().map(|(node, _)| node.pid().expect("running")).collect();
	let before: Vec<(u64, usize)> =
		pids.iter().map(|pid| hostile::process_usage(*pid).expect("/proc")).collect();
	let sampling = Arc::new(AtomicBool::new(false));
	let sampler = hostile::sample_usage(pids, sampling.clone());
	// Per miner: 8 Sybils of one owner asking for 4 reads each (its whole GET pool but for
	// the owner's share), 3 racers, and garbage and fresh identities on the side.
	let plan = hostile::Plan {
		get_tricklers: 32,
		put_racers: 12,
		garbage: 10,
		fresh_identities: 10,
		limit: Duration::from_secs(600),
		fragment_size: u64::from(layout.fragment_size()),
	};
	let peers = plan.peers();
	let attack = hostile::Attack::start(plan, hostile_targets, owner, validator.rpc_url());
	// The load builds up: every trickler holds its streams, identities come and go.
	std::thread::sleep(Duration::from_secs(5));
	let (loaded_file, loaded_put, loaded_get) = timed_put_get(files, dir, "loaded.bin", SIZE);
	let tally = attack.stop();
	sampling.store(true, Ordering::Relaxed);
	let peaks = sampler.join().unwrap();

	eprintln!(
		"under attack by {peers} hostile peers: put pushed in {loaded_put:.2} s (unloaded \
		 {calm_put:.2} s, ×{:.2}), get {loaded_get:.2} s (unloaded {calm_get:.2} s, ×{:.2}; \
		 medians of 3); {tally}",
		loaded_put / calm_put,
		loaded_get / calm_get,
	);
	for ((node, _), (before, peak)) in targets.iter().zip(before.iter().zip(&peaks)) {
		eprintln!(
			"{}: memory {} MiB before, {} MiB at most under attack; open files {} before, {} at \
			 most",
			node.name,
			before.0 / 1024,
			peak.0 / 1024,
			before.1,
			peak.1
		);
		// Bounded: connection limits (256 incoming, 2 a peer) and per-peer shares keep both
		// far from what 64 peers and a stream of identities would take unchecked.
		assert!(peak.0 < before.0 + 512 * 1024, "{}'s memory grew without bound", node.name);
		assert!(peak.1 < before.1 + 600, "{}'s open files grew without bound", node.name);
	}
	let seen = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
	assert!(seen(&tally.roots_watched) > 0, "the racers saw the honest upload's roots");
	assert!(seen(&tally.puts_sent) > 0 && seen(&tally.puts_admitted) == 0, "{tally}");
	assert!(seen(&tally.gets_admitted) > 0, "the hostile owner's reads were served: {tally}");
	assert!(
		seen(&tally.gets_refused_principal) > 0,
		"the owner's Sybils ran into the owner's share: {tally}"
	);
	assert!(seen(&tally.identities) > 0, "fresh identities reached the miners: {tally}");
	// Twice the unloaded time, that time taken as at least half a second: on loopback both
	// take well under a second, where a scheduling hiccup of the two cores (four nodes, 64
	// peers and the client on them) is as long as the operation itself.
	let bound = |unloaded: f64| 2.0 * unloaded.max(0.5);
	assert!(
		loaded_put <= bound(calm_put),
		"put pushed in {loaded_put:.2} s, unloaded {calm_put:.2} s"
	);
	assert!(loaded_get <= bound(calm_get), "get took {loaded_get:.2} s, unloaded {calm_get:.2} s");

	// Gone again, so that the later phases see the one file they are about.
	for (file, suri) in [(&calm_file, "//Alice"), (&loaded_file, "//Alice"), (&bob_file, "//Bob")] {
		files.ok(&["delete", file, "--suri", suri]);
	}
	std::fs::remove_file(&small).unwrap();
	wait_for(Duration::from_secs(300), "the miners to drop the deleted files", || {
		miners
			.iter()
			.zip(&stores_before)
			.all(|(node, before)| &stored_fragments(node) == before)
			.then_some(())
	});
}

/// Pushes a fragment the chain never assigned — random bytes of the layout's fragment size,
/// under their correct Merkle root — to `miner` at the PeerId and addresses of its on-chain
/// record (`file miner`), with a valid ticket of `file`'s owner Alice for the pushing peer, as
/// any client of the storage network could; returns the root and the miner's answer.
fn push_unassigned(
	node: &Node,
	files: &FileClient,
	miner: &str,
	file: &str,
) -> ([u8; 32], Result<cess_dht::TransferReport, TransferError>) {
	let (peer, addresses) = network_record(files, miner);
	let layout: FileLayout =
		serde_json::from_value(node.rpc("fileBank_layout", json!([]))).unwrap();
	let bytes = random_bytes(layout.fragment_size() as usize, 0xbad_f00d);
	let root = cess_primitives::merkle::fragment_root(&layout, &bytes).unwrap().0;
	let keypair = cess_dht::Keypair::generate_ed25519();
	let genesis: [u8; 32] = hex_bytes(&node.genesis_hash()).try_into().unwrap();
	let ticket = AccessTicket::sign_sr25519(
		&sp_core::sr25519::Pair::from_string("//Alice", None).unwrap(),
		&genesis,
		file.parse::<FileHash>().unwrap(),
		keypair.public().to_peer_id().to_bytes(),
		Rights::ALL,
		best_block(node) + 600,
	);
	let auth = Authorization::new(AccessProof::Ticket(ticket).to_bytes()).unwrap();
	let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
	let answer = runtime.block_on(async {
		let client = storage_client(keypair, &layout, &[(peer, addresses)]).await;
		client.put_fragment(peer, root, bytes, auth, None).await
	});
	(root, answer)
}

/// A client of the storage network with `keypair`'s identity that knows the addresses of
/// `miners` (call within a Tokio runtime).
async fn storage_client(
	keypair: cess_dht::Keypair,
	layout: &FileLayout,
	miners: &[(PeerId, Vec<Multiaddr>)],
) -> cess_dht::Client {
	let verifier = Arc::new(cess_dht::Blake2Verifier);
	let mut config =
		cess_dht::Config { kademlia_mode: cess_dht::KademliaMode::Client, ..Default::default() };
	config.limits.max_fragment_size = u64::from(layout.fragment_size());
	config.retry.attempts = 1;
	let (client, service, _events) = cess_dht::new(cess_dht::Params {
		config,
		keypair,
		store: Arc::new(cess_dht::MemoryStore::new(verifier.clone())),
		policy: Arc::new(cess_dht::PeerAllowList::default()),
		verifier,
		registry: None,
	})
	.unwrap();
	tokio::spawn(service.run());
	for (peer, addresses) in miners {
		for address in addresses {
			client.add_address(*peer, address.clone()).await.unwrap();
		}
	}
	client
}

/// Every fragment of `file` (paged through `fileBank_placement`): segment, miner, root.
fn placement_of(node: &Node, file: &str) -> Vec<(u64, String, [u8; 32])> {
	let mut out = Vec::new();
	loop {
		let page = node.rpc("fileBank_placement", json!([file, out.len(), 64]));
		let page = page.as_array().expect("a page of fragments");
		if page.is_empty() {
			return out;
		}
		for entry in page {
			let hash: FragmentHash = serde_json::from_value(entry["hash"].clone()).unwrap();
			let segment = entry["segment"].as_u64().unwrap();
			out.push((segment, entry["miner"].as_str().unwrap().to_string(), hash.0));
		}
	}
}

/// Outsourcing, as a miner that lost its fragments would try it before its audit: with the
/// network identity of `miner` (its node's key), asks the other holders of each segment it
/// had a fragment of for their fragments, claiming a repair and then with no proof at all.
/// Returns how many requests were made; panics on any answer but a refusal as unauthorized.
fn try_outsourcing(
	node: &Node,
	files: &FileClient,
	miner_node: &Node,
	miner: &str,
	file: &str,
) -> usize {
	let mut secret = std::fs::read(store_dir(miner_node).parent().unwrap().join("network_key"))
		.expect("the miner's network key");
	let keypair = cess_dht::Keypair::ed25519_from_bytes(&mut secret).unwrap();
	let layout: FileLayout =
		serde_json::from_value(node.rpc("fileBank_layout", json!([]))).unwrap();
	let placement = placement_of(node, file);
	let segments: std::collections::BTreeSet<u64> =
		placement.iter().filter(|(_, m, _)| m == miner).map(|(segment, _, _)| *segment).collect();
	let wanted: Vec<(String, [u8; 32])> = placement
		.iter()
		.filter(|(segment, m, _)| segments.contains(segment) && m != miner)
		.map(|(_, m, root)| (m.clone(), *root))
		.take(8)
		.collect();
	assert!(!wanted.is_empty(), "{miner}'s segments have fragments on other miners");
	let holders: std::collections::BTreeSet<&String> = wanted.iter().map(|(m, _)| m).collect();
	let records: Vec<(String, PeerId, Vec<Multiaddr>)> = holders
		.into_iter()
		.map(|m| {
			let (peer, addresses) = network_record(files, m);
			(m.clone(), peer, addresses)
		})
		.collect();
	let repair = AccessProof::Repair { file: file.parse::<FileHash>().unwrap() };
	let proofs = [Authorization::new(repair.to_bytes()).unwrap(), Authorization::default()];
	let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
	runtime.block_on(async {
		let known: Vec<_> = records.iter().map(|(_, p, a)| (*p, a.clone())).collect();
		let client = storage_client(keypair, &layout, &known).await;
		let mut asked = 0;
		for (holder, root) in &wanted {
			let peer = records.iter().find(|(m, _, _)| m == holder).unwrap().1;
			for proof in &proofs {
				asked += 1;
				match client.get_fragment(peer, *root, proof.clone(), None).await {
					Err(TransferError::Rejected { code: ErrorCode::Unauthorized, .. }) => {}
					other => panic!(
						"{holder} did not refuse {miner}'s outsourcing as unauthorized: {:?}",
						other.map(|fetched| fetched.data.len())
					),
				}
			}
		}
		asked
	})
}

/// The node's best block number.
fn best_block(node: &Node) -> u32 {
	node.best_number().expect("the node answers") as u32
}

/// Random bytes from a fixed seed (xorshift64*), so a failure can be replayed.
fn random_bytes(len: usize, mut seed: u64) -> Vec<u8> {
	let mut out = Vec::with_capacity(len + 8);
	while out.len() < len {
		seed ^= seed >> 12;
		seed ^= seed << 25;
		seed ^= seed >> 27;
		out.extend_from_slice(&seed.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
	}
	out.truncate(len);
	out
}

/// Waits until each of `miners` (name, SS58) has passed an audit, and checks it failed none.
fn wait_passed_audits(files: &FileClient, miners: &[(&str, &str)]) {
	for (name, address) in miners {
		wait_for(Duration::from_secs(240), &format!("{name} to pass an audit"), || {
			audit_count(files, address, "passed").filter(|&n| n >= 1)
		});
		assert_eq!(
			audit_count(files, address, "failed"),
			Some(0),
			"{name} failed an audit: {}",
			files.ok(&["miner", address])
		);
	}
}

fn get_and_compare(files: &FileClient, file: &str, out: &Path, expected: &[u8]) {
	let _ = std::fs::remove_file(out);
	let started = Instant::now();
	let stdout = files.ok(&["get", file, "-o", out.to_str().unwrap(), "--suri", "//Alice"]);
	eprintln!("get: {} ({:.1} s)", stdout.trim(), started.elapsed().as_secs_f64());
	let got = std::fs::read(out).unwrap();
	assert!(got == expected, "the file came back different ({} bytes)", got.len());
}

fn wait_log(node: &Node, needle: &str, count: usize, timeout: Duration) {
	wait_for(timeout, &format!("{} to log `{needle}` {count}×", node.name), || {
		(node.log().matches(needle).count() >= count).then_some(())
	});
}

#[test]
fn files_survive_miner_failures_audits_and_repair() {
	let dir = tempfile::tempdir().unwrap();
	let key_dir = dir.path().join("keys");

	// The validator (Alice) with its embedded miner (Ferdie), and three miner nodes.
	let (validator, bootnode) = start_bootnode(dir.path(), "validator", &["--dev"]);
	let files = FileClient::new(validator.rpc_url()).with_key_dir(&key_dir);
	let start_miner = |name: &str| {
		let suri = format!("//{name}");
		Node::start(
			name,
			&["--chain", "dev", "--storage-miner", "--miner-key", &suri, "--bootnodes", &bootnode],
		)
	};
	let mut charlie = start_miner("Charlie");
	let mut dave = start_miner("Dave");
	let mut eve = start_miner("Eve");
	for node in [&validator, &charlie, &dave, &eve] {
		wait_log(node, "registered as storage miner", 1, Duration::from_secs(180));
	}

	// 1. Put and get 100 MiB.
	let data = random_bytes(SIZE, 0x5eed_cafe);
	let source = dir.path().join("data.bin");
	std::fs::write(&source, &data).unwrap();
	let started = Instant::now();
	let stdout = files.ok(&["put", source.to_str().unwrap(), "--suri", "//Alice"]);
	eprintln!("put: {stdout} ({:.1} s)", started.elapsed().as_secs_f64());
	let file = put_file_hash(&stdout);
	let status = files.ok(&["status", &file]);
	assert!(status.contains("state: Active"), "{status}");
	// The same through the JSON-RPC a script would use.
	let view = validator.rpc("fileBank_file", json!([file]));
	assert_eq!(view["state"], "active", "{view}");
	assert_eq!(view["size"], SIZE as u64, "{view}");
	let placement = validator.rpc("fileBank_placement", json!([file, 0, 8]));
	let placement = placement.as_array().expect("a page of fragments");
	assert_eq!(placement.len(), 8);
	assert!(placement.iter().enumerate().all(|(i, entry)| entry["index"] == i as u64
		&& entry["miner"].as_str().is_some_and(|m| !m.is_empty())));
	// 2 + 2 fragments per segment on four miners: every miner holds some.
	for (name, node) in
		[("Ferdie", &validator), ("Charlie", &charlie), ("Dave", &dave), ("Eve", &eve)]
	{
		assert!(!stored_fragments(node).is_empty(), "{name} stores fragments");
	}
	// Gets write into a directory of their own, so that a failed one can be seen to leave
	// nothing behind.
	let out_dir = dir.path().join("got");
	std::fs::create_dir(&out_dir).unwrap();
	let out = out_dir.join("out.bin");
	get_and_compare(&files, &file, &out, &data);

	// A wrong key is named as such and writes nothing.
	let wrong = "11".repeat(32);
	let out_arg = out.to_str().unwrap();
	let (ok, _, stderr) =
		files.run(&["get", &file, "-o", out_arg, "--key", &wrong, "--suri", "//Alice"]);
	assert!(!ok && stderr.contains("wrong key"), "{stderr}");
	// So is a file the chain does not have.
	let missing = format!("0x{}", "ab".repeat(32));
	let (ok, _, stderr) = files.run(&["get", &missing, "-o", out_arg, "--suri", "//Alice"]);
	assert!(!ok && stderr.contains("no such file"), "{stderr}");

	// Only an owner reads a file's fragments. Without a key to sign a ticket, `get` says so;
	// with Bob's key (he does not own the file, though he holds its decryption key here) every
	// miner refuses his ticket, the refusal reaches him in words, and nothing is written.
	std::fs::remove_file(&out).unwrap();
	let (ok, _, stderr) = files.run(&["get", &file, "-o", out_arg]);
	assert!(!ok && stderr.contains("needs an owner's key (--suri)"), "{stderr}");
	let (ok, _, stderr) = files.run(&["get", &file, "-o", out_arg, "--suri", "//Bob"]);
	assert!(
		!ok && stderr.contains("refused") && stderr.contains("does not own the file"),
		"{stderr}"
	);
	assert!(!stderr.contains("Rejected {"), "no Debug rendering: {stderr}");
	let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().flatten().map(|e| e.path()).collect();
	assert!(left.is_empty(), "a refused get left {left:?}");

	// An account that holds nothing cannot pay: named as such, and nothing is declared (no
	// transaction, no file, no key kept).
	let no_funds = address_of("//NoFunds");
	let keys_before = std::fs::read_dir(&key_dir).unwrap().count();
	let (ok, _, stderr) = files.run(&["put", source.to_str().unwrap(), "--suri", "//NoFunds"]);
	assert!(!ok && stderr.contains("insufficient balance"), "{stderr}");
	assert_eq!(validator.rpc("system_accountNextIndex", json!([no_funds])), json!(0));
	let (_, _, listed) = files.run(&["ls", "--owner", &no_funds]);
	assert!(listed.contains("0 file(s) owned by"), "{listed}");
	assert_eq!(std::fs::read_dir(&key_dir).unwrap().count(), keys_before);

	// A miner takes only what the chain assigned to it: a well-formed fragment pushed by
	// anyone else, even with a valid ticket of an owner, is refused as unauthorized, and
	// nothing of it is stored.
	let ferdie_address = address_of("//Ferdie");
	let ferdie_before = stored_fragments(&validator);
	let (root, answer) = push_unassigned(&validator, &files, &ferdie_address, &file);
	match answer {
		Err(TransferError::Rejected { code: ErrorCode::Unauthorized, message }) => {
			assert!(message.contains("not assigned"), "{message}")
		}
		other => panic!("an unassigned fragment was not refused as unauthorized: {other:?}"),
	}
	let hex: String = root.iter().map(|b| format!("{b:02x}")).collect();
	assert!(!store_dir(&validator).join("fragments").join(&hex[..2]).join(&hex).exists());
	assert!(!store_dir(&validator).join("partial").join(format!("{hex}.part")).exists());
	assert_eq!(stored_fragments(&validator), ferdie_before);

	// Honest miners answer their audits in time and pass them.
	let charlie_address = address_of("//Charlie");
	let dave_address = address_of("//Dave");
	let eve_address = address_of("//Eve");
	wait_passed_audits(
		&files,
		&[
			("Ferdie", &ferdie_address),
			("Charlie", &charlie_address),
			("Dave", &dave_address),
			("Eve", &eve_address),
		],
	);

	// Under attack (see the module docs).
	under_attack(
		dir.path(),
		&validator,
		&files,
		&[&validator, &charlie, &dave, &eve],
		&[
			(&validator, ferdie_address.clone()),
			(&charlie, charlie_address.clone()),
			(&dave, dave_address.clone()),
			(&eve, eve_address.clone()),
		],
	);

	// 2. Two miners down: every segment still has two fragments.
	let charlie_before = stored_fragments(&charlie);
	let dave_before = stored_fragments(&dave);
	assert!(!charlie_before.is_empty() && !dave_before.is_empty());
	charlie.kill();
	dave.kill();
	get_and_compare(&files, &file, &out, &data);

	// 3. With Eve down too, Ferdie alone holds one fragment of each segment: the get fails,
	//    naming the cause, and leaves no output (nor a partial one) behind.
	eve.kill();
	let _ = std::fs::remove_file(&out);
	let (ok, _, stderr) = files.run(&["get", &file, "-o", out_arg, "--suri", "//Alice"]);
	assert!(!ok && stderr.contains("not enough fragments"), "{stderr}");
	let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().flatten().map(|e| e.path()).collect();
	assert!(left.is_empty(), "a failed get left {left:?}");

	// Charlie and Dave restart on their stores (Eve stays down): each segment needs one of
	// them now. A restarted miner listens on a new port and updates its record on chain; it
	// does not register again, and its store holds what it held.
	charlie.restart();
	dave.restart();
	for node in [&charlie, &dave] {
		wait_log(node, "updated the network record of storage miner", 1, Duration::from_secs(120));
	}
	get_and_compare(&files, &file, &out, &data);
	for (node, before) in [(&charlie, &charlie_before), (&dave, &dave_before)] {
		assert_eq!(&stored_fragments(node), before, "{} lost or gained fragments", node.name);
		// The log is appended to across restarts: one registration over the process's life.
		let registrations = node.log().matches("registered as storage miner").count();
		assert_eq!(registrations, 1, "{} registered {registrations}×", node.name);
	}
	eve.restart();
	wait_log(&eve, "updated the network record of storage miner", 1, Duration::from_secs(120));

	// 4. Eve loses every fragment: her next audit fails, then she is punished, and her
	//    fragments are rebuilt on the others.
	let lost = stored_fragments(&eve);
	assert!(!lost.is_empty());
	for path in &lost {
		std::fs::remove_file(path).unwrap();
	}
	// She cannot rebuild them from the honest miners (all online) to answer her challenge:
	// asked with her own network identity, as a repairer or with no proof, each refuses.
	let asked = try_outsourcing(&validator, &files, &eve, &eve_address, &file);
	eprintln!("outsourcing: {asked} requests by Eve's identity, all refused as unauthorized");
	wait_for(Duration::from_secs(300), "Eve to fail an audit", || {
		audit_count(&files, &eve_address, "failed").filter(|&n| n >= 1)
	});
	wait_for(Duration::from_secs(300), "Eve to be punished", || {
		audit_count(&files, &eve_address, "punished").filter(|&n| n >= 1)
	});
	let eve_line = format!("miner {eve_address}:");
	wait_for(Duration::from_secs(300), "Eve's fragments to be repaired elsewhere", || {
		let status = files.ok(&["status", &file]);
		(!status.contains(&eve_line) && status.contains("(0 unconfirmed, 0 lost)")).then_some(())
	});
	// Ferdie, never down, has failed none of the rounds so far.
	assert_eq!(audit_count(&files, &ferdie_address, "failed"), Some(0));
	eve.kill();
	get_and_compare(&files, &file, &out, &data);

	// 5. Dave leaves: the chain moves his fragments, rebuilt by the other miners (Eve is back,
	//    with an empty store), before he goes away. Her second restart: a second update.
	eve.restart();
	wait_log(&eve, "updated the network record of storage miner", 2, Duration::from_secs(120));
	// An exit starts only without strikes: a round Dave missed while down (2 and 3) is cleared
	// by the rounds he passed since (two on a development chain).
	wait_for(Duration::from_secs(300), "Dave's strikes to clear", || {
		audit_count(&files, &dave_address, "strikes").filter(|&n| n == 0)
	});
	let stdout = files.ok(&["miner-exit", "--suri", "//Dave"]);
	assert!(stdout.contains("exit started"), "{stdout}");
	let record = files.ok(&["miner", &dave_address]);
	assert!(record.contains("Exiting"), "{record}");
	let dave_line = format!("miner {dave_address}:");
	wait_for(Duration::from_secs(300), "Dave's fragments to be rebuilt elsewhere", || {
		let status = files.ok(&["status", &file]);
		(!status.contains(&dave_line) && status.contains("(0 unconfirmed, 0 lost)")).then_some(())
	});
	// The exit cooldown (ten minutes on a development chain) has not passed.
	let (ok, _, stderr) = files.run(&["miner-withdraw", "--suri", "//Dave"]);
	assert!(!ok && stderr.contains("CooldownNotElapsed"), "{stderr}");
	dave.kill();
	get_and_compare(&files, &file, &out, &data);

	// 6. Deleted: the file is gone from the chain, and the miners drop its fragments.
	files.ok(&["delete", &file, "--suri", "//Alice"]);
	wait_for(Duration::from_secs(60), "the file to leave the chain", || {
		let (ok, stdout, stderr) = files.run(&["status", &file]);
		(!ok && stderr.contains("no such file") || stdout.contains("Removing")).then_some(())
	});
	wait_for(Duration::from_secs(300), "the miners to drop the fragments", || {
		[&validator, &charlie, &eve]
			.iter()
			.all(|node| stored_fragments(node).is_empty())
			.then_some(())
	});
}
