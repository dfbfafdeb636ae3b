//! The chain's basic types and the units of the CESS token.

use sp_runtime::{
	generic,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiSignature,
};

/// Block number: 32 bits cover 800 years of 6-second blocks.
pub type BlockNumber = u32;

/// Signature of a transaction or of an off-chain statement (sr25519, ed25519 or ecdsa).
pub type Signature = MultiSignature;

/// An account is the public key behind a [`Signature`], 32 bytes.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// Balance of an account, in the smallest unit (10^-18 CESS).
pub type Balance = u128;

/// Transaction index of an account.
pub type Nonce = u32;

/// Hash of a block or of a storage value.
pub type Hash = sp_core::H256;

/// Hashing algorithm of blocks and the state trie.
pub type Hashing = BlakeTwo256;

/// Block header.
pub type Header = generic::Header<BlockNumber, Hashing>;

/// Token symbol shown by wallets.
pub const TOKEN_SYMBOL: &str = "CESS";

/// Decimal places of the token: 1 CESS = 10^18 units.
pub const TOKEN_DECIMALS: u8 = 18;

/// One CESS in the smallest unit.
pub const CESS: Balance = 1_000_000_000_000_000_000;

/// A thousandth of a CESS.
pub const MILLICESS: Balance = CESS / 1_000;

/// A millionth of a CESS.
pub const MICROCESS: Balance = CESS / 1_000_000;

/// Target time between blocks, in milliseconds (BABE slot duration).
pub const MILLISECS_PER_BLOCK: u64 = 6_000;

/// Blocks in a minute at the target block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);

/// Blocks in an hour.
pub const HOURS: BlockNumber = MINUTES * 60;

/// Blocks in a day.
pub const DAYS: BlockNumber = HOURS * 24;

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn units_match_token_decimals() {
		assert_eq!(CESS, 10u128.pow(TOKEN_DECIMALS as u32));
		assert_eq!(MINUTES, 10);
		assert_eq!(DAYS, 14_400);
	}
}
