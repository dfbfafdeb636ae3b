//! Configuration of every pallet in the runtime, grouped by concern.

mod accounts;
mod consensus;
mod governance;
mod incentive;
mod storage;
mod system;

pub use accounts::*;
pub use consensus::*;
pub use governance::*;
pub use incentive::*;
pub use storage::*;
pub use system::*;
