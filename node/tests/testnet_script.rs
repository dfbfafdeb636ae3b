//! `scripts/local-testnet.sh`, as the README tells an operator to use it: `start` brings up four
//! validators and four storage miners on 127.0.0.1 in their own directories (here a temporary
//! one, and ports moved by `CESS_TESTNET_PORT_OFFSET` to free ones), the miners register, a
//! file goes in and comes back byte-identical, and `stop` ends every process.

mod common;

use common::{address_of, print_log_tail, put_file_hash, wait_for, FileClient, NODE_BIN};
use std::{
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Command, Stdio},
	time::{Duration, Instant},
};

/// The script's ports before the offset (validators, miners, their Prometheus and storage
/// network).
const BASE_PORTS: [u16; 28] = [
	30333, 30334, 30335, 30336, 9944, 9945, 9946, 9947, 9615, 9616, 9617, 9618, 30343, 30344,
	30345, 30346, 9954, 9955, 9956, 9957, 9625, 9626, 9627, 9628, 15001, 15002, 15003, 15004,
];

/// The nodes the script starts, by the name of their pid and log files.
const NODES: [&str; 8] = [
	"alice",
	"bob",
	"charlie",
	"dave",
	"miner-eve",
	"miner-ferdie",
	"miner-alice-stash",
	"miner-bob-stash",
];

fn script() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/local-testnet.sh")
}

/// An offset under which every port of the script is free now.
fn free_offset() -> u16 {
	let seed = std::process::id() as u64
		^ std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map_or(0, |d| d.as_nanos() as u64);
	// Offsets 1 000–30 000 in steps of 100: ports stay within 10 615–60 346.
	(0..300u64)
		.map(|i| 1_000 + ((seed.wrapping_add(i * 7919)) % 291) as u16 * 100)
		.find(|offset| {
			BASE_PORTS.iter().all(|port| TcpListener::bind(("127.0.0.1", port + offset)).is_ok())
		})
		.expect("a free range of ports")
}

/// Whether process `pid` runs (a zombie, exited and not yet reaped, does not).
fn running(pid: u32) -> bool {
	match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
		Ok(stat) => stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')),
		Err(_) => false,
	}
}

/// The network in `dir`; dropping it stops the nodes (also when the test fails, after
/// printing the ends of their logs).
struct Testnet {
	dir: PathBuf,
	offset: u16,
}

impl Testnet {
	fn run(&self, command: &str) -> (bool, String) {
		let out = Command::new("bash")
			.arg(script())
			.arg(command)
			.env("CESS_TESTNET_DIR", &self.dir)
			.env("CESS_TESTNET_PORT_OFFSET", self.offset.to_string())
			.env("CESS_TESTNET_NODE", NODE_BIN)
			.stdin(Stdio::null())
			.output()
			.expect("bash runs the script");
		let text = format!(
			"{}{}",
			String::from_utf8_lossy(&out.stdout),
			String::from_utf8_lossy(&out.stderr)
		);
		(out.status.success(), text)
	}

	fn pids(&self) -> Vec<(&'static str, u32)> {
		NODES
			.iter()
			.filter_map(|name| {
				let text = std::fs::read_to_string(self.dir.join(format!("{name}.pid"))).ok()?;
				Some((*name, text.trim().parse().ok()?))
			})
			.collect()
	}

	/// `cess-node file …` against Alice, keeping file keys in the network's directory.
	fn files(&self) -> FileClient {
		FileClient::new(format!("ws://127.0.0.1:{}", 9944 + self.offset))
			.with_key_dir(&self.dir.join("keys"))
	}
}

impl Drop for Testnet {
	fn drop(&mut self) {
		if std::thread::panicking() {
			for name in NODES {
				let log = std::fs::read_to_string(self.dir.join(format!("{name}.log")))
					.unwrap_or_default();
				print_log_tail(name, &log, 15);
			}
		}
		let pids = self.pids();
		let _ = self.run("stop");
		// Whatever the script left (it failed, or the test failed before it ran).
		for (_, pid) in pids {
			if running(pid) {
				let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
			}
		}
	}
}

#[test]
fn local_testnet_script_starts_stores_and_stops() {
	let tmp = tempfile::Builder::new().prefix("cess-testnet-").tempdir().unwrap();
	let net = Testnet { dir: tmp.path().join("net"), offset: free_offset() };
	let started = Instant::now();
	let (ok, out) = net.run("start");
	assert!(ok, "local-testnet.sh start failed:\n{out}");
	let pids = net.pids();
	assert_eq!(pids.len(), 8, "one pid file per node: {pids:?}\n{out}");
	for (name, pid) in &pids {
		assert!(running(*pid), "{name} (pid {pid}) runs");
		assert!(net.dir.join(name).is_dir(), "{name} has its own directory");
	}

	// The four miners register on chain.
	let files = net.files();
	for suri in ["//Eve", "//Ferdie", "//Alice//stash", "//Bob//stash"] {
		let address = address_of(suri);
		wait_for(Duration::from_secs(150), &format!("miner {suri} to register"), || {
			let (ok, stdout, _) = files.run(&["miner", &address]);
			(ok && stdout.contains("state:")).then_some(())
		});
	}
	eprintln!("miners registered after {:.0} s", started.elapsed().as_secs_f64());

	// A small file goes in and comes back.
	let data: Vec<u8> =
		(0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
	let source = tmp.path().join("small.bin");
	std::fs::write(&source, &data).unwrap();
	let file = put_file_hash(&files.ok(&["put", source.to_str().unwrap(), "--suri", "//Alice"]));
	let copy = tmp.path().join("copy.bin");
	files.ok(&["get", &file, "-o", copy.to_str().unwrap(), "--suri", "//Alice"]);
	assert!(std::fs::read(&copy).unwrap() == data, "the file came back different");

	// One command stops all eight, and returns once they are gone.
	let (ok, out) = net.run("stop");
	assert!(ok, "local-testnet.sh stop failed:\n{out}");
	for (name, pid) in &pids {
		assert!(!running(*pid), "{name} (pid {pid}) still runs after stop");
	}
	assert!(net.pids().is_empty(), "stop removes the pid files");
	eprintln!("whole run: {:.0} s", started.elapsed().as_secs_f64());
}
