//! What `taskd`, `task` and `task-tui` share: the API's wire types and, with
//! the `client` feature, the HTTP client, config and credential files.
//!
//! - [`api`]: the wire types.
//! - [`dates`]: the DATE forms (`tomorrow`, `eom`, `in 3 days`, …) and relative rendering.
//! - [`display`]: a task's name, dates and tags as both clients show them.
//! - [`filter`]: the filter and modifier words (`+tag`, `project:P`, `due:eow`, …).
//! - [`list_query`]: the task list's query, as clients build it and the server reads it.
//! - [`task_ref`]: how people name tasks (`3`, `4-6`, a uuid prefix).
//! - [`text`]: escaping server text for a terminal.
//! - [`typed_line`]: the words of a line typed into a box, quotes and all.
//! - `client` (feature `client`): the async HTTP client.
//! - `config` (feature `client`): the credentials file shared by the clients.
//! - `live` (feature `client`): following the server's change feed.
//! - `ops` (feature `client`): what the clients do to a task, done one way.
#![forbid(unsafe_code)]

pub mod api;
pub mod dates;
pub mod display;
pub mod filter;
pub mod list_query;
pub mod merge;
pub mod rfc3339;
pub mod task_ref;
pub mod text;
pub mod typed_line;
pub mod urgency;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod config;
#[cfg(feature = "client")]
pub mod live;
#[cfg(feature = "client")]
pub mod ops;
