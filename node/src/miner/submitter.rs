//! The miner account's transactions. The worker (registration, confirmations) and the auditor
//! (proofs) submit at the same time, so nonces are handed out here: each transaction gets the
//! next one, even while an earlier one is still on its way into the pool.

use crate::chain_client::{ChainClient, ChainError, TxOutcome, TxSigner, WaitFor};
use cess_runtime::{AccountId, Nonce, RuntimeCall};
use std::{sync::Arc, time::Duration};

/// Longest wait for one of the worker's transactions (registration, confirmations) to be
/// included.
pub const TX_TIMEOUT: Duration = Duration::from_secs(90);

/// Signs and submits the miner account's transactions with consecutive nonces.
pub struct Submitter {
	chain: Arc<ChainClient>,
	signer: Arc<dyn TxSigner>,
	me: AccountId,
	/// The nonce after the last one handed out, or `None` to take the node's.
	next: tokio::sync::Mutex<Option<Nonce>>,
}

impl Submitter {
	/// Transactions of `signer`'s account through `chain`.
	pub fn new(chain: Arc<ChainClient>, signer: Arc<dyn TxSigner>) -> Self {
		let me = signer.account();
		Self { chain, signer, me, next: tokio::sync::Mutex::new(None) }
	}

	/// Reserves `count` consecutive nonces and returns the first.
	async fn reserve(&self, count: u32) -> Result<Nonce, ChainError> {
		let mut next = self.next.lock().await;
		// The node counts the account's transactions in its pool; ours may not be there yet.
		let pool = self.chain.next_nonce(&self.me).await?;
		let first = first_nonce(*next, pool);
		*next = Some(
			first
				.checked_add(count)
				.ok_or_else(|| ChainError::Invalid("the account's nonce overflows".into()))?,
		);
		Ok(first)
	}

	/// Takes the node's nonce next time: after a transaction that may not have entered the
	/// pool, so that its nonce is used again instead of leaving a gap that would hold up every
	/// later transaction.
	async fn forget(&self) {
		*self.next.lock().await = None;
	}

	/// Signs `call`, submits it and waits for `wait`.
	pub async fn submit(
		&self,
		call: RuntimeCall,
		wait: WaitFor,
		timeout: Duration,
	) -> Result<TxOutcome, ChainError> {
		self.submit_all(vec![call], wait, timeout)
			.await?
			.pop()
			.unwrap_or_else(|| Err(ChainError::Invalid("nothing was submitted".into())))
	}

	/// Signs `calls` with consecutive nonces, submits them together and waits for each; one
	/// result per call, in order. Nothing is submitted when one cannot be signed.
	pub async fn submit_all(
		&self,
		calls: Vec<RuntimeCall>,
		wait: WaitFor,
		timeout: Duration,
	) -> Result<Vec<Result<TxOutcome, ChainError>>, ChainError> {
		let count = u32::try_from(calls.len())
			.map_err(|_| ChainError::Invalid("too many transactions at once".into()))?;
		if count == 0 {
			return Ok(Vec::new());
		}
		let first = self.reserve(count).await?;
		let mut signed = Vec::with_capacity(calls.len());
		// `reserve` checked that `first + count` does not overflow.
		for (nonce, call) in (first..).zip(calls) {
			match self.chain.sign(call, &*self.signer, Some(nonce)).await {
				Ok(xt) => signed.push(xt),
				Err(e) => {
					self.forget().await;
					return Err(e);
				}
			}
		}
		let results = futures::future::join_all(
			signed.into_iter().map(|xt| self.chain.submit_extrinsic(xt, wait, timeout)),
		)
		.await;
		// A dispatch error was included in a block: its nonce is spent. Any other error may
		// have left the nonce unused.
		if results.iter().any(|r| matches!(r, Err(e) if !matches!(e, ChainError::Dispatch(_)))) {
			self.forget().await;
		}
		Ok(results)
	}
}

/// The first nonce of a new reservation: past our own reservations while the node's pool has
/// not seen them all, the node's once it has caught up (or after [`Submitter::forget`]).
fn first_nonce(reserved_until: Option<Nonce>, pool: Nonce) -> Nonce {
	reserved_until.filter(|&local| local > pool).unwrap_or(pool)
}

#[cfg(test)]
mod tests {
	use super::first_nonce;

	#[test]
	fn nonces_follow_our_reservations_and_the_pool() {
		// Nothing reserved yet: the node's.
		assert_eq!(first_nonce(None, 7), 7);
		// Two handed out (7, 8) and not in the pool yet: the next is 9, not the pool's 7.
		assert_eq!(first_nonce(Some(9), 7), 9);
		// The pool caught up, or went further (transactions sent by someone else).
		assert_eq!(first_nonce(Some(9), 9), 9);
		assert_eq!(first_nonce(Some(9), 12), 12);
	}
}
