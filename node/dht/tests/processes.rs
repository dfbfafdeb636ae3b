//! Peers in separate processes (`cess-dht-peer`) on 127.0.0.1, driven by a client in this one:
//! discovery through a bootstrap process, 8 MiB PUT/GET, authorization, and a miner process
//! killed in the middle of an upload and restarted.

mod common;

use cess_dht::{
	root_to_hex, AllowAll, Authorization, Config, ErrorCode, KademliaMode, PeerId, TransferError,
};
use common::*;
use std::{sync::Arc, time::Duration};

fn client_config(bootnode: &PeerProcess) -> Config {
	Config {
		bootstrap_peers: vec![bootnode.address.clone()],
		kademlia_mode: KademliaMode::Client,
		..test_config()
	}
}

fn fragment_file(store: &std::path::Path, root: &[u8; 32]) -> std::path::PathBuf {
	let hex = root_to_hex(root);
	store.join("fragments").join(&hex[..2]).join(hex)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_processes_discover_store_and_serve_8_mib_fragments() {
	let dir = tempfile::tempdir().unwrap();
	let bootnode = PeerProcess::spawn(&["--seed".into(), "11".into()]).await;
	let store = dir.path().to_string_lossy().into_owned();
	let mut miner = PeerProcess::spawn(&[
		"--seed".into(),
		"12".into(),
		"--store".into(),
		store,
		"--bootstrap".into(),
		bootnode.address.to_string(),
	])
	.await;
	let client = spawn_node(client_config(&bootnode), memory_store(), Arc::new(AllowAll)).await;

	let found =
		eventually(Duration::from_secs(15), "the miner process to be discoverable", || async {
			client.client.find_peer(miner.peer_id).await.ok()
		})
		.await;
	assert!(found.contains(&without_p2p(&miner.address)), "found {found:?}");

	let (root, bytes) = fragment(FRAGMENT_SIZE, 21);
	let report = client
		.client
		.put_fragment(miner.peer_id, root, bytes.clone(), Authorization::empty(), None)
		.await
		.unwrap();
	assert_eq!(report.attempts, 1);
	assert_eq!(miner.next_stored().await, (root_to_hex(&root), FRAGMENT_SIZE as u64));
	assert_eq!(std::fs::read(fragment_file(dir.path(), &root)).unwrap(), bytes);

	let fetched = client
		.client
		.get_fragment(miner.peer_id, root, Authorization::empty(), None)
		.await
		.unwrap();
	assert_eq!(fetched.data, bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_separate_process_refuses_an_unauthorized_put() {
	let dir = tempfile::tempdir().unwrap();
	let only = PeerId::random();
	let miner = PeerProcess::spawn(&[
		"--store".into(),
		dir.path().to_string_lossy().into_owned(),
		"--allow-put".into(),
		only.to_string(),
	])
	.await;
	let client = spawn_client(test_config(), &miner.address).await;
	let (root, bytes) = fragment(FRAGMENT_SIZE, 22);

	let error = client
		.client
		.put_fragment(miner.peer_id, root, bytes, Authorization::empty(), None)
		.await
		.unwrap_err();
	assert!(
		matches!(error, TransferError::Rejected { code: ErrorCode::Unauthorized, .. }),
		"{error:?}"
	);
	let error = client
		.client
		.get_fragment(miner.peer_id, root, Authorization::empty(), None)
		.await
		.unwrap_err();
	assert!(
		matches!(error, TransferError::Rejected { code: ErrorCode::NotFound, .. }),
		"{error:?}"
	);
	assert!(!fragment_file(dir.path(), &root).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_miner_process_killed_mid_upload_is_restarted_and_the_put_resumes_to_success() {
	let dir = tempfile::tempdir().unwrap();
	let store = dir.path().to_string_lossy().into_owned();
	let exit_after: u64 = 3 * 1024 * 1024;
	let mut miner = PeerProcess::spawn(&[
		"--seed".into(),
		"13".into(),
		"--store".into(),
		store.clone(),
		"--exit-after-bytes".into(),
		exit_after.to_string(),
	])
	.await;
	let client = spawn_client(retrying_config(30), &miner.address).await;
	let (root, bytes) = fragment(FRAGMENT_SIZE, 23);

	let peer = miner.peer_id;
	let put = spawn_put(&client.client, peer, root, bytes.clone());

	// The miner dies abruptly once 3 MiB of the upload are on its disk.
	let status = tokio::time::timeout(Duration::from_secs(30), miner.child.wait())
		.await
		.expect("the miner process exits mid-upload")
		.unwrap();
	assert_eq!(status.code(), Some(3), "the fault injection ended the process");
	assert!(!put.is_finished(), "the upload cannot have succeeded against a dead miner");

	// Same identity, same port, same disk.
	let mut restarted = PeerProcess::spawn(&[
		"--seed".into(),
		"13".into(),
		"--store".into(),
		store,
		"--listen".into(),
		format!("/ip4/127.0.0.1/tcp/{}", miner.port()),
	])
	.await;
	assert_eq!(restarted.peer_id, peer);

	assert_resumed_to_success(put, exit_after).await;
	assert_eq!(restarted.next_stored().await, (root_to_hex(&root), FRAGMENT_SIZE as u64));
	assert_eq!(std::fs::read(fragment_file(dir.path(), &root)).unwrap(), bytes);
}
