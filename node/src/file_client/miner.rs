//! The storage-miner commands: `file miner` shows a miner's record; `file miner-exit` and
//! `file miner-withdraw` start and end the exit of the `--suri` miner.

use super::{output::format_cess, signer, submit_final, FileError};
use crate::{chain_client::ChainClient, storage_net::parse_multiaddr};
use cess_runtime::{AccountId, RuntimeCall, RuntimeEvent};
use sp_core::Pair;
use std::time::{Duration, Instant};

/// How long `file miner-exit` waits for the miner's open audit challenge to be judged (its
/// node answers it, or it expires after the response window) before it gives up.
const JUDGEMENT_WAIT: Duration = Duration::from_secs(300);

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
///
/// The chain refuses an exit while the miner has strikes or an audit challenge not judged yet
/// (a miner cannot leave to escape a punishment). A challenge is judged within the response
/// window, so the command waits for it (at most [`JUDGEMENT_WAIT`]); strikes are reported, since
/// only passed rounds (or the punishment) clear them.
pub async fn exit(chain: &ChainClient, suri: Option<&str>) -> Result<(), FileError> {
	let miner = AccountId::from(signer(suri)?.public());
	let started = Instant::now();
	let outcome = loop {
		if chain.challenge(&miner).await?.is_some() {
			if started.elapsed() > JUDGEMENT_WAIT {
				return Err(FileError::Other(format!(
					"{miner} still has an open audit challenge after {JUDGEMENT_WAIT:?}; an exit \
					 starts only once it is judged"
				)));
			}
			tokio::time::sleep(Duration::from_secs(2)).await;
			continue;
		}
		let strikes = chain.audit_record(&miner).await?.strikes;
		if strikes > 0 {
			return Err(FileError::Other(format!(
				"{miner} has {strikes} strike(s) from failed audits (OpenStrikes): an exit starts \
				 only once they are cleared by passing the next rounds, or punished"
			)));
		}
		let call = RuntimeCall::Sminer(pallet_sminer::Call::prepare_exit {});
		match submit_final(chain, suri, call).await {
			// A challenge issued between the check and the inclusion: wait for it too.
			Err(e)
				if e.to_string().contains("UnjudgedChallenge")
					&& started.elapsed() <= JUDGEMENT_WAIT =>
			{
				continue
			}
			result => break result?,
		}
	};
	println!("exit started (finalized in block {:?})", outcome.block);
	for event in outcome.events {
		if let RuntimeEvent::Sminer(pallet_sminer::Event::ExitPrepared { unlock_at, .. }) = event {
			println!(
				"withdraw possible from block {unlock_at}, once every fragment's new holder has \
				 confirmed it (the miner keeps and proves its copies until then)"
			);
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
