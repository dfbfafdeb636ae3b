//! The storage-miner commands: `file miner` shows a miner's record; `file miner-exit` and
//! `file miner-withdraw` start and end the exit of the `--suri` miner.

use super::{output::format_cess, submit_final, FileError};
use crate::{chain_client::ChainClient, storage_net::parse_multiaddr};
use cess_runtime::{AccountId, RuntimeCall, RuntimeEvent};

/// Runs `file miner`.
pub async fn show(chain: &ChainClient, account: &AccountId) -> Result<(), FileError> {
	let info = chain
		.miner_info(account)
		.await?
		.ok_or_else(|| FileError::Other(format!("{account} is not a registered storage miner")))?;
	let record = chain.audit_record(account).await?;
	println!("miner: {account}");
	println!("state: {:?}", info.state);
	println!("collateral: {}", info.collateral);
	println!(
		"space: declared {} used {} locked {}",
		info.declared_space, info.used_space, info.locked_space
	);
	if let Some(peer) = chain.peer_info(account).await? {
		if let Ok(peer_id) = cess_dht::PeerId::from_bytes(&peer.peer_id.0) {
			println!("peer id: {peer_id}");
		}
		for bytes in peer.multiaddrs.iter() {
			match parse_multiaddr(bytes) {
				Some(address) => println!("address: {address}"),
				None => println!(
					"address: unreadable (0x{})",
					sp_core::hexdisplay::HexDisplay::from(&bytes.as_slice())
				),
			}
		}
	}
	println!(
		"audits: passed {} failed {} strikes {} punished {} last round {:?}",
		record.passed, record.failed, record.strikes, record.punished, record.last_round
	);
	Ok(())
}

/// Runs `file miner-exit`: `Sminer::prepare_exit`, and when the withdrawal becomes possible.
pub async fn exit(chain: &ChainClient, suri: Option<&str>) -> Result<(), FileError> {
	let call = RuntimeCall::Sminer(pallet_sminer::Call::prepare_exit {});
	let outcome = submit_final(chain, suri, call).await?;
	println!("exit started (finalized in block {:?})", outcome.block);
	for event in outcome.events {
		if let RuntimeEvent::Sminer(pallet_sminer::Event::ExitPrepared { unlock_at, .. }) = event {
			println!("withdraw possible from block {unlock_at}, once every fragment has moved");
		}
	}
	Ok(())
}

/// Runs `file miner-withdraw`: `Sminer::withdraw`, and the collateral it released.
pub async fn withdraw(chain: &ChainClient, suri: Option<&str>) -> Result<(), FileError> {
	let call = RuntimeCall::Sminer(pallet_sminer::Call::withdraw {});
	let outcome = submit_final(chain, suri, call).await?;
	for event in outcome.events {
		if let RuntimeEvent::Sminer(pallet_sminer::Event::Exited { collateral, .. }) = event {
			println!("exited: {} CESS of collateral released", format_cess(collateral));
		}
	}
	Ok(())
}
