//! The floor for durable writes: what this machine acknowledges through
//! SQLite with nothing else in the way. `bench/write_floor` measures taskd's
//! creates and patches beside it and beside the floor server.
//!
//! `POST /api/tasks/` inserts a row (a key, a title, an instant, one index
//! beside the key) and `PATCH /api/tasks/{id}/` sets a row's title, each
//! answered only once its transaction has committed. One writer thread
//! commits whatever has queued meanwhile in one transaction, in WAL mode
//! with `synchronous = NORMAL`, as taskd's writer does. It never
//! checkpoints (the WAL grows for as long as it runs), never reads a row
//! back, keeps no undo, feed or tallies, checks nothing, and needs no
//! login: an upper bound for any durable write through one SQLite writer on
//! this machine, not a design.
//!
//! Usage: `write_floor ADDR DATABASE` (e.g. `127.0.0.1:9001 /tmp/w.sqlite3`).

use std::sync::mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{patch, post};
use axum::{Json, Router};
use rusqlite::{params, Connection};
use serde_json::{json, Value};
use tokio::sync::oneshot;

/// Rows written before the server answers, so that patches find them.
const SEEDED: i64 = 1_000;
/// At most this many writes go into one transaction.
const BATCH: usize = 256;

enum Write {
    Insert(String),
    Update(i64, String),
}

type Job = (Write, oneshot::Sender<Option<i64>>);

fn open(path: &str) -> rusqlite::Result<Connection> {
    let db = Connection::open(path)?;
    db.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA temp_store = MEMORY;
         PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE IF NOT EXISTS rows (
             id INTEGER PRIMARY KEY,
             title TEXT NOT NULL,
             created INTEGER NOT NULL
         );
         CREATE INDEX IF NOT EXISTS rows_created ON rows (created);",
    )?;
    Ok(db)
}

fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

fn write(db: &Connection, write: &Write) -> rusqlite::Result<Option<i64>> {
    match write {
        Write::Insert(title) => {
            db.prepare_cached("INSERT INTO rows (title, created) VALUES (?1, ?2)")?
                .execute(params![title, now_micros()])?;
            Ok(Some(db.last_insert_rowid()))
        }
        Write::Update(id, title) => {
            let changed = db
                .prepare_cached("UPDATE rows SET title = ?1 WHERE id = ?2")?
                .execute(params![title, id])?;
            Ok((changed == 1).then_some(*id))
        }
    }
}

/// Takes what has queued, writes it in one transaction, commits, then
/// answers each write.
fn writer(mut db: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let answers: rusqlite::Result<Vec<Option<i64>>> = (|| {
            let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let answers = batch
                .iter()
                .map(|(job, _)| write(&tx, job))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.commit()?;
            Ok(answers)
        })();
        match answers {
            Ok(answers) => {
                for ((_, reply), answer) in batch.into_iter().zip(answers) {
                    let _ = reply.send(answer);
                }
            }
            Err(e) => {
                eprintln!("write_floor: {e}");
                for (_, reply) in batch {
                    let _ = reply.send(None);
                }
            }
        }
    }
}

#[derive(Clone)]
struct Writer(mpsc::Sender<Job>);

impl Writer {
    async fn run(&self, job: Write) -> Option<i64> {
        let (reply, answer) = oneshot::channel();
        self.0.send((job, reply)).ok()?;
        answer.await.ok().flatten()
    }
}

fn title_of(body: &Value) -> Option<String> {
    body.get("title")?.as_str().map(str::to_string)
}

async fn create(
    State(writer): State<Writer>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let Some(title) = title_of(&body) else {
        return (StatusCode::BAD_REQUEST, Json(json!({"title": "required"})));
    };
    match writer.run(Write::Insert(title.clone())).await {
        Some(id) => (StatusCode::CREATED, Json(json!({"id": id, "title": title}))),
        None => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({}))),
    }
}

async fn update(
    State(writer): State<Writer>,
    Path(id): Path<i64>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let Some(title) = title_of(&body) else {
        return (StatusCode::BAD_REQUEST, Json(json!({"title": "required"})));
    };
    match writer.run(Write::Update(id, title.clone())).await {
        Some(id) => (StatusCode::OK, Json(json!({"id": id, "title": title}))),
        None => (StatusCode::NOT_FOUND, Json(json!({}))),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:9001".into());
    let path = args.next().ok_or("usage: write_floor ADDR DATABASE")?;
    let db = open(&path)?;
    db.execute_batch("BEGIN")?;
    for n in 0..SEEDED {
        write(&db, &Write::Insert(format!("seeded {n}")))?;
    }
    db.execute_batch("COMMIT")?;
    let (jobs, queue) = mpsc::channel();
    std::thread::Builder::new()
        .name("writer".into())
        .spawn(move || writer(db, queue))?;
    let app = Router::new()
        .route("/api/tasks/", post(create))
        .route("/api/tasks/{id}/", patch(update))
        .with_state(Writer(jobs));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
