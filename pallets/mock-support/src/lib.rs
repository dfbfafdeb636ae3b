//! Glue shared by the mock runtimes of the CESS pallets' tests.
//!
//! Each pallet's `mock.rs` declares its own runtime (`construct_runtime!` and the `Config`
//! implementations cannot be shared); what every mock then does the same way lives here:
//! building the genesis of frame-system and pallet-balances, starting at block 1, running the
//! hooks block by block, reading one pallet's events, a randomness that changes with the block,
//! and the small file layout of the storage pallets' mocks. Test doubles of a pallet's own
//! interfaces stay in that pallet's mock.
//!
//! Dev-only: a dev-dependency of the pallets, never a dependency of the runtime or the node.

#![warn(missing_docs)]

mod blocks;
mod events;
mod layout;
mod randomness;

pub use blocks::{genesis, genesis_with_balances, run_to_block, start_at_block_one};
pub use events::events;
pub use layout::SMALL_LAYOUT;
pub use randomness::BlockRandomness;
