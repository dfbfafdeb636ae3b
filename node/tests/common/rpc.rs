//! A blocking JSON-RPC client of one node for synchronous test code: jsonrpsee's WebSocket client
//! (the one the node itself is built with) driven by a Tokio runtime of its own.

use jsonrpsee::{
	core::client::{ClientT, Error},
	ws_client::{WsClient, WsClientBuilder},
};
use serde_json::Value;
use std::{sync::Mutex, time::Duration};

/// Longest wait for one answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// Largest answer taken (block bodies, runtime metadata).
const MAX_RESPONSE_SIZE: u32 = 64 * 1024 * 1024;

/// Calls the JSON-RPC methods of the node at one address. It connects on first use and again
/// whenever the connection has gone (the node was killed or restarted), so that a call never
/// fails because of an earlier one.
pub struct RpcClient {
	url: String,
	runtime: tokio::runtime::Runtime,
	connection: Mutex<Option<WsClient>>,
}

impl RpcClient {
	/// A client of the node at `url` (`ws://…`); nothing is connected yet.
	pub fn new(url: String) -> Self {
		let runtime = tokio::runtime::Builder::new_current_thread()
			.enable_all()
			.build()
			.expect("a Tokio runtime for the RPC client");
		Self { url, runtime, connection: Mutex::new(None) }
	}

	/// The node's address.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// Calls `method` with `params` (a JSON array): `Ok(None)` when the node does not answer
	/// (not started yet, stopped, too slow), `Err` with the node's error when it refuses the
	/// call.
	pub fn call(&self, method: &str, params: &Value) -> Result<Option<Value>, String> {
		let params: Vec<Value> = params
			.as_array()
			.cloned()
			.unwrap_or_else(|| panic!("JSON-RPC params are a JSON array, not {params}"));
		let mut connection = self.connection.lock().unwrap_or_else(|e| e.into_inner());
		self.runtime.block_on(async {
			// A connection kept from an earlier call may have died since: one more try on a
			// fresh one.
			for _ in 0..2 {
				let reused = connection.as_ref().is_some_and(|c| c.is_connected());
				if !reused {
					*connection = self.connect().await;
				}
				let Some(client) = connection.as_ref() else { return Ok(None) };
				match client.request::<Value, _>(method, params.clone()).await {
					Ok(result) => return Ok(Some(result)),
					Err(Error::Call(error)) => return Err(error.to_string()),
					Err(_) => {
						*connection = None;
						if !reused {
							return Ok(None);
						}
					}
				}
			}
			Ok(None)
		})
	}

	async fn connect(&self) -> Option<WsClient> {
		WsClientBuilder::default()
			.request_timeout(REQUEST_TIMEOUT)
			.max_response_size(MAX_RESPONSE_SIZE)
			.build(&self.url)
			.await
			.ok()
	}
}
