//! The vendor kit: what every adapter builds on, and nothing above it.

pub mod engine;
pub mod json;
pub mod keys;
pub mod emulate;
pub mod fixture;

/// A vendor folder's fixtures, embedded by the build script:
/// `fixtures!("twilio")` is `&[("balance.http", "…"), …]`.
#[macro_export]
macro_rules! fixtures {
    ($folder:literal) => {
        include!(concat!(env!("OUT_DIR"), "/fixtures/", $folder, ".rs"))
    };
}
