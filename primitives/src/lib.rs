//! Shared primitives (lead's build snapshot).
#![cfg_attr(not(feature = "std"), no_std)]
pub mod chain;
