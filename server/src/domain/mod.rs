//! The rules of tasks and accounts, in one place that knows neither SQL nor
//! HTTP: handlers call these, and these call the [`Store`](crate::store::Store)
//! for nothing but reads and compare-and-set writes, so every backend obeys
//! the same rules.

pub mod accounts;
pub mod admin;
pub mod bulk;
pub mod credentials;
pub mod history;
pub mod importing;
pub mod task_ops;
pub mod tasks;
pub mod taskwarrior;
pub mod trash;
pub mod undo;

/// Messages per field, as DRF reports validation errors.
pub use common::list_query::FieldErrors;

/// How many times a write is tried again when another writer changed the
/// row between its read and its compare-and-set. Each retry means another
/// write succeeded, so running out needs that many writers on one row.
const MAX_WRITE_ATTEMPTS: usize = 32;
