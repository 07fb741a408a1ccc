//! The vendor kit: what every adapter builds on, and nothing above it.

pub mod engine;
pub mod json;
pub mod keys;
pub mod emulate;
pub mod fixture;
