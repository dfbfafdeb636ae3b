//! Helpers for tests that run real `cess-node` processes on 127.0.0.1.
//!
//! Every node gets its own temporary base path and free ports, its output goes to a log file in
//! that directory (printed when a test fails), and it is killed when its handle drops.
#![allow(dead_code)]

pub mod rpc;

use rpc::RpcClient;
use serde_json::{json, Value};
use std::{
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// The binary under test, built by cargo for this integration test.
pub const NODE_BIN: &str = env!("CARGO_BIN_EXE_cess-node");

/// A free TCP port on 127.0.0.1 (bound, read back, released).
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|l| l.local_addr())
		.map(|a| a.port())
		.expect("the OS hands out a free port")
}

/// Polls `check` every 500 ms until it returns `Some`, or panics with `what` after `timeout`.
pub fn wait_for<T>(timeout: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
	let start = Instant::now();
	loop {
		if let Some(v) = check() {
			return v;
		}
		if start.elapsed() > timeout {
			panic!("timed out after {timeout:?} waiting for {what}");
		}
		std::thread::sleep(Duration::from_millis(500));
	}
}

/// Runs `cess-node` with `args` to completion and returns its stdout; panics on failure.
pub fn run_cmd(args: &[&str]) -> String {
	let out = Command::new(NODE_BIN).args(args).output().expect("cess-node runs");
	assert!(
		out.status.success(),
		"cess-node {args:?} failed: {}\n{}",
		out.status,
		String::from_utf8_lossy(&out.stderr)
	);
	String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A running `cess-node` process.
pub struct Node {
	/// Name used in log messages.
	pub name: String,
	/// Its base path (database, keystore, log).
	pub base_path: PathBuf,
	/// JSON-RPC port (HTTP and WebSocket).
	pub rpc_port: u16,
	/// libp2p port.
	pub p2p_port: u16,
	args: Vec<String>,
	child: Option<Child>,
	rpc: RpcClient,
	_tmp: Option<tempfile::TempDir>,
}

impl Node {
	/// Starts a node in a new temporary base path with fresh ports; `args` come after the
	/// common ones (`--base-path`, ports, no mDNS/telemetry/prometheus).
	pub fn start(name: &str, args: &[&str]) -> Node {
		let tmp = tempfile::Builder::new().prefix(&format!("cess-{name}-")).tempdir().unwrap();
		let base_path = tmp.path().to_path_buf();
		let mut node = Node::start_in(name, &base_path, free_port(), free_port(), args);
		node._tmp = Some(tmp);
		node
	}

	/// Starts a node in `base_path` with the given ports (to restart a node on its database).
	pub fn start_in(
		name: &str,
		base_path: &Path,
		rpc_port: u16,
		p2p_port: u16,
		args: &[&str],
	) -> Node {
		let mut node = Node {
			name: name.to_string(),
			base_path: base_path.to_path_buf(),
			rpc_port,
			p2p_port,
			args: args.iter().map(|s| s.to_string()).collect(),
			child: None,
			rpc: RpcClient::new(format!("ws://127.0.0.1:{rpc_port}")),
			_tmp: None,
		};
		node.spawn();
		node
	}

	fn log_path(&self) -> PathBuf {
		self.base_path.join("node.log")
	}

	fn spawn(&mut self) {
		std::fs::create_dir_all(&self.base_path).unwrap();
		let log =
			std::fs::OpenOptions::new().create(true).append(true).open(self.log_path()).unwrap();
		let child = Command::new(NODE_BIN)
			.arg("--base-path")
			.arg(&self.base_path)
			.args(["--rpc-port", &self.rpc_port.to_string()])
			.args(["--no-mdns", "--no-telemetry", "--no-prometheus"])
			.args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{}", self.p2p_port)])
			.args(&self.args)
			.stdin(Stdio::null())
			.stdout(log.try_clone().unwrap())
			.stderr(log)
			.spawn()
			.expect("cess-node starts");
		self.child = Some(child);
	}

	/// Kills the process (SIGKILL: like a crash, no clean shutdown) and waits for it.
	pub fn kill(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}

	/// The process's id, while it runs.
	pub fn pid(&self) -> Option<u32> {
		self.child.as_ref().map(|child| child.id())
	}

	/// Starts the process again on the same base path and ports.
	pub fn restart(&mut self) {
		self.kill();
		self.spawn();
	}

	/// The node's log so far.
	pub fn log(&self) -> String {
		std::fs::read_to_string(self.log_path()).unwrap_or_default()
	}

	/// How many blocks this node authored (its "Pre-sealed block" log lines).
	pub fn blocks_authored(&self) -> usize {
		self.log().matches("Pre-sealed block for proposal").count()
	}

	/// The node's JSON-RPC endpoint, as `--rpc-url` takes it.
	pub fn rpc_url(&self) -> String {
		self.rpc.url().to_string()
	}

	/// Calls a JSON-RPC method (`params` a JSON array); `None` if the node does not answer
	/// (yet). Panics when the node answers with an error.
	pub fn try_rpc(&self, method: &str, params: Value) -> Option<Value> {
		match self.rpc.call(method, &params) {
			Ok(result) => result,
			Err(err) => panic!("{}: RPC {method} failed: {err}", self.name),
		}
	}

	/// Calls a JSON-RPC method, waiting up to 60 s for the node to answer.
	pub fn rpc(&self, method: &str, params: Value) -> Value {
		wait_for(Duration::from_secs(60), &format!("{} to answer {method}", self.name), || {
			self.try_rpc(method, params.clone())
		})
	}

	/// Number of the best block, if the node answers.
	pub fn best_number(&self) -> Option<u64> {
		let header = self.try_rpc("chain_getHeader", json!([]))?;
		hex_number(header.get("number")?)
	}

	/// Number of the last finalized block, if the node answers.
	pub fn finalized_number(&self) -> Option<u64> {
		let hash = self.try_rpc("chain_getFinalizedHead", json!([]))?;
		let header = self.try_rpc("chain_getHeader", json!([hash]))?;
		hex_number(header.get("number")?)
	}

	/// The raw storage value under `key` (`0x` hex) at block `at`; `None` when it is not set.
	pub fn storage_at(&self, key: &str, at: &Value) -> Option<Vec<u8>> {
		self.rpc("state_getStorage", json!([key, at])).as_str().map(hex_bytes)
	}

	/// Hash of the genesis block.
	pub fn genesis_hash(&self) -> String {
		self.rpc("chain_getBlockHash", json!([0])).as_str().unwrap().to_string()
	}

	/// Waits until the best block reaches `n`.
	pub fn wait_best(&self, n: u64, timeout: Duration) -> u64 {
		wait_for(timeout, &format!("{} to reach block #{n}", self.name), || {
			self.best_number().filter(|b| *b >= n)
		})
	}

	/// Waits until the finalized block reaches `n`.
	pub fn wait_finalized(&self, n: u64, timeout: Duration) -> u64 {
		wait_for(timeout, &format!("{} to finalize block #{n}", self.name), || {
			self.finalized_number().filter(|f| *f >= n)
		})
	}

	/// The multiaddress other nodes can use to reach this one, given its PeerId.
	pub fn multiaddr(&self, peer_id: &str) -> String {
		format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}", self.p2p_port)
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		self.kill();
		if std::thread::panicking() {
			print_log_tail(&self.name, &self.log(), 40);
		}
	}
}

/// Parses a JSON-RPC hex number ("0x1a").
pub fn hex_number(v: &Value) -> Option<u64> {
	u64::from_str_radix(v.as_str()?.trim_start_matches("0x"), 16).ok()
}

/// Decodes `0x`-prefixed hex; panics on anything else.
pub fn hex_bytes(s: &str) -> Vec<u8> {
	let s = s.trim_start_matches("0x");
	(0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Prints the last `lines` lines of `name`'s log (for a test that failed).
pub fn print_log_tail(name: &str, log: &str, lines: usize) {
	let all: Vec<&str> = log.lines().collect();
	let tail = all[all.len().saturating_sub(lines)..].join("\n");
	eprintln!("----- last lines of {name}'s log -----\n{tail}\n-----");
}

/// The SS58 address of a development secret URI (`cess-node key inspect`).
pub fn address_of(suri: &str) -> String {
	run_cmd(&["key", "inspect", suri])
		.lines()
		.find_map(|line| line.trim().strip_prefix("SS58 Address:").map(|a| a.trim().to_string()))
		.expect("key inspect prints the address")
}

/// Starts validator `name` (`--<name>` keys) of `chain` with a network key generated into
/// `dir`, as an operator of a non-development chain must, joining through `bootnode`.
pub fn start_validator(dir: &Path, name: &str, chain: &str, bootnode: &str) -> Node {
	let key = dir.join(format!("{name}.key"));
	let key = key.to_str().unwrap();
	run_cmd(&["key", "generate-node-key", "--file", key]);
	let flag = format!("--{name}");
	Node::start(name, &["--chain", chain, &flag, "--bootnodes", bootnode, "--node-key-file", key])
}

/// The PeerId of the node key stored in `key_file` (`cess-node key inspect-node-key`).
pub fn peer_id_of(key_file: &Path) -> String {
	run_cmd(&["key", "inspect-node-key", "--file", key_file.to_str().unwrap()]).trim().to_string()
}

/// A node key with a fixed secret, so that the node's PeerId is known before it starts.
const FIXED_NODE_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000001";

/// Starts `name` with `args` and a fixed network key written to `<dir>/<name>.key`, as the
/// bootnode of a network; returns the node and the multiaddress others join through
/// (`--bootnodes`).
pub fn start_bootnode(dir: &Path, name: &str, args: &[&str]) -> (Node, String) {
	let key = dir.join(format!("{name}.key"));
	std::fs::write(&key, FIXED_NODE_KEY).unwrap();
	let peer = peer_id_of(&key);
	let mut args = args.to_vec();
	args.extend(["--node-key-file", key.to_str().unwrap()]);
	let node = Node::start(name, &args);
	let bootnode = node.multiaddr(&peer);
	(node, bootnode)
}

/// `cess-node file …` against one node's RPC endpoint.
pub struct FileClient {
	rpc_url: String,
	key_dir: Option<PathBuf>,
	home: Option<PathBuf>,
}

impl FileClient {
	/// The file client of the node at `rpc_url`, with the default key directory.
	pub fn new(rpc_url: String) -> Self {
		Self { rpc_url, key_dir: None, home: None }
	}

	/// Keeps file keys in `dir` (`--key-dir`).
	pub fn with_key_dir(mut self, dir: &Path) -> Self {
		self.key_dir = Some(dir.to_path_buf());
		self
	}

	/// Runs with `HOME` set to `dir` (where the default key directory is).
	pub fn with_home(mut self, dir: &Path) -> Self {
		self.home = Some(dir.to_path_buf());
		self
	}

	/// Runs `cess-node file <args>`; returns (success, stdout, stderr).
	pub fn run(&self, args: &[&str]) -> (bool, String, String) {
		let mut command = Command::new(NODE_BIN);
		command.arg("file").args(args).args(["--rpc-url", &self.rpc_url]);
		if let Some(dir) = &self.key_dir {
			command.arg("--key-dir").arg(dir);
		}
		if let Some(home) = &self.home {
			command.env("HOME", home);
		}
		let out = command.output().expect("cess-node file runs");
		(
			out.status.success(),
			String::from_utf8_lossy(&out.stdout).into_owned(),
			String::from_utf8_lossy(&out.stderr).into_owned(),
		)
	}

	/// Runs `cess-node file <args>` and returns its stdout; panics, with both outputs, when
	/// it fails.
	pub fn ok(&self, args: &[&str]) -> String {
		let (ok, stdout, stderr) = self.run(args);
		assert!(ok, "cess-node file {args:?} failed:\n{stdout}\n{stderr}");
		stdout
	}
}

/// The file hash `cess-node file put` prints (its `file: 0x…` line).
pub fn put_file_hash(stdout: &str) -> String {
	stdout
		.lines()
		.find_map(|l| l.strip_prefix("file: "))
		.expect("put prints the file hash")
		.trim()
		.to_string()
}
