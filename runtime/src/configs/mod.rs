//! Configuration of every pallet in the runtime, grouped by concern.

mod accounts;
mod consensus;
mod system;

pub use accounts::*;
pub use consensus::*;
pub use system::*;
