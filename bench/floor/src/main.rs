//! What this machine serves with nothing in the way: one axum handler that
//! returns a small JSON object, on the same runtime and release profile as
//! `taskd`. `bench/run` reports each taskd scenario as a share of it.
//!
//! Usage: `floor ADDR` (e.g. `127.0.0.1:9000`).

use axum::{routing::get, Json, Router};
use serde_json::{json, Value};

async fn ok() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, Router::new().route("/", get(ok))).await
}
