//! The daemon over real HTTP: each test starts its own `taskd` on a random
//! port with a fresh SQLite file. One test binary, one link.

mod accounts;
mod admin;
mod conditional;
mod daemon;
mod database_file;
mod django;
mod drf;
mod errors;
mod events;
mod export;
mod health;
mod helpers;
mod idempotency;
mod import;
mod isolation;
mod limits;
mod list_counts;
mod openapi;
mod password_judge;
mod postgres_faults;
mod proxies;
mod quotas;
mod read_cache;
mod resources;
mod richer_task;
mod several_daemons;
mod shared_feed;
mod sse;
mod store;
mod summaries;
mod task_links;
mod tasks;
mod tokens;
mod undo;
mod web;
