//! The storage miner's keys: the account that signs transactions and the libp2p network key
//! whose PeerId the chain binds to that account.

use crate::chain_client::{KeystoreSigner, TxSigner};
use cess_dht::Keypair;
use sp_core::{crypto::KeyTypeId, sr25519, Pair};
use std::{io::Write, path::Path, sync::Arc};

/// Keystore key type of the miner account's sr25519 key.
pub const MINER_KEY_TYPE: KeyTypeId = KeyTypeId(*b"cmin");

/// The account signer: from `suri` when given, otherwise the first `cmin` key in the keystore.
pub fn account_signer(
	suri: Option<&str>,
	keystore: sp_keystore::KeystorePtr,
) -> Result<Arc<dyn TxSigner>, String> {
	if let Some(suri) = suri {
		let pair = sr25519::Pair::from_string(suri, None)
			.map_err(|e| format!("--miner-key is not a valid secret URI: {e:?}"))?;
		return Ok(Arc::new(pair));
	}
	let public = keystore.sr25519_public_keys(MINER_KEY_TYPE).into_iter().next().ok_or(
		"the storage miner has no account key: insert one with `cess-node key insert --key-type \
		 cmin --scheme sr25519 --suri <secret>` (or give --miner-key on a development chain)",
	)?;
	Ok(Arc::new(KeystoreSigner { keystore, key_type: MINER_KEY_TYPE, public }))
}

/// Loads the ed25519 network key from `path` (32 secret bytes), creating it on first use with
/// owner-only permissions.
pub fn load_or_create_network_key(path: &Path) -> Result<Keypair, String> {
	match std::fs::read(path) {
		Ok(mut bytes) => Keypair::ed25519_from_bytes(&mut bytes)
			.map_err(|e| format!("the network key {} is unreadable: {e}", path.display())),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
			let keypair = Keypair::generate_ed25519();
			let secret = keypair
				.clone()
				.try_into_ed25519()
				.map_err(|e| format!("network key: {e}"))?
				.secret();
			write_private(path, secret.as_ref())
				.map_err(|e| format!("cannot write the network key {}: {e}", path.display()))?;
			Ok(keypair)
		}
		Err(e) => Err(format!("cannot read the network key {}: {e}", path.display())),
	}
}

/// Writes `bytes` to `path` atomically (temp file, fsync, rename), readable by the owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
	let tmp = path.with_extension("tmp");
	{
		let mut file = crate::private_file::create(&tmp)?;
		file.write_all(bytes)?;
		file.sync_all()?;
	}
	std::fs::rename(&tmp, path)
}

/// The ed25519 public key and the signature binding the network key to `account`
/// (`pallet_sminer::peer_binding_message`).
pub fn peer_binding(
	network_key: &Keypair,
	account: &cess_runtime::AccountId,
) -> Result<(sp_core::ed25519::Public, sp_core::ed25519::Signature), String> {
	let ed = network_key.clone().try_into_ed25519().map_err(|e| format!("network key: {e}"))?;
	let message = pallet_sminer::peer_binding_message(account);
	let signature: [u8; 64] =
		ed.sign(&message).try_into().map_err(|_| "an ed25519 signature is 64 bytes".to_string())?;
	Ok((
		sp_core::ed25519::Public::from_raw(ed.public().to_bytes()),
		sp_core::ed25519::Signature::from_raw(signature),
	))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn network_key_persists_and_binding_verifies() {
		let dir = std::env::temp_dir().join(format!("cess-miner-key-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let path = dir.join("network_key");
		let _ = std::fs::remove_file(&path);
		let first = load_or_create_network_key(&path).unwrap();
		let again = load_or_create_network_key(&path).unwrap();
		assert_eq!(first.public().to_peer_id(), again.public().to_peer_id(), "same PeerId");

		let account: cess_runtime::AccountId = sp_keyring::Sr25519Keyring::Ferdie.to_account_id();
		let (public, signature) = peer_binding(&first, &account).unwrap();
		let message = pallet_sminer::peer_binding_message(&account);
		assert!(sp_io::crypto::ed25519_verify(&signature, &message, &public));
		// The chain derives the same PeerId from the key as libp2p does.
		assert_eq!(
			pallet_sminer::PeerId::from_ed25519(&public).0.to_vec(),
			first.public().to_peer_id().to_bytes()
		);
		std::fs::remove_dir_all(&dir).unwrap();
	}
}
