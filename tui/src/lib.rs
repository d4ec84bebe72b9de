//! `task-tui`: the task manager's terminal UI.
//!
//! Model, message, update, view: [`app::App`] holds the state and its
//! `update` turns a [`msg::Msg`] into new state plus [`msg::Command`]s;
//! [`ui::draw`] draws the state; [`event::Events`] merges terminal input,
//! ticks and API results into one channel; [`runtime::Runtime`] runs the
//! commands in spawned tasks that answer with messages.
#![forbid(unsafe_code)]

pub mod app;
pub mod event;
#[doc(hidden)]
pub mod fixtures;
pub mod form;
pub mod input;
mod keys;
pub mod layout;
pub mod login;
pub mod msg;
pub mod parse;
pub mod prompt;
pub mod query;
pub mod runtime;
pub mod text;
pub mod ui;
pub mod view_state;

#[cfg(test)]
mod tests;

pub use keys::normalize;
