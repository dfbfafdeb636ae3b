//! Weights of the upstream FRAME pallets measured on this runtime
//! (`scripts/benchmark/run.sh frame`), in place of polkadot-sdk's reference-machine figures.
//! CESS's own pallets keep theirs in `pallets/<name>/src/weights.rs`.

pub mod frame_system;
pub mod pallet_balances;
pub mod pallet_conviction_voting;
pub mod pallet_preimage;
pub mod pallet_scheduler;
pub mod pallet_sudo;
pub mod pallet_timestamp;
pub mod pallet_treasury;
