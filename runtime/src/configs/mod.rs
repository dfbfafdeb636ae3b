//! Configuration of every pallet in the runtime, grouped by concern.

mod accounts;
mod consensus;
mod storage;
mod system;

pub use accounts::*;
pub use consensus::*;
pub use storage::*;
pub use system::*;
