//! `task` end to end: the real binary, with its own config dir, against a
//! real `taskd` on a random port with its own SQLite file. One test binary.

mod accounts;
mod add;
mod edit;
mod errors;
mod export;
mod grammar;
mod helpers;
mod ids;
mod import;
mod list;
mod quickstart;
mod reports;
mod richer;
mod scripting;
mod session;
mod shell;
mod taskwarrior;
mod undo;
