//! Login checks, asked together. Every authenticated request asks whether
//! its login is live and what its account's tasks epoch is; asked one query
//! each, PostgreSQL spent more on beginning and ending the queries than on
//! answering them, and the daemon a pooled connection and a round trip per
//! request. Checks asked while the queries under way are busy wait for the
//! next one, which answers them all.
//!
//! A check still sees every revocation committed before it was asked: its
//! query begins after it is queued.

use std::sync::{Arc, LazyLock};

use deadpool_postgres::Pool;
use tokio::sync::{mpsc, oneshot, Semaphore};

use super::{
    accounts::{user_from_row, USER_COLUMNS},
    bounded,
    cached::Cached,
    db_error, pool_error,
};
use crate::store::{AuthContext, StoreError, StoreResult};

/// Queries of checks under way at once, each on a pooled connection. One
/// would batch the most (measured alike with two, and ahead of four), but a
/// query stuck on a broken connection would then hold every request's
/// check until it times out.
const QUERIES: usize = 2;

/// Checks one query answers at most.
const CHECKS_PER_QUERY: usize = 128;

/// Each check's user and login, numbered as asked; a row per check whose
/// user exists, with whether its login is revoked (null when there is no
/// such login of that user).
static QUERY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {USER_COLUMNS}, s.revoked, u.tasks_changed, q.n \
         FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS q(user_id, session_id, n) \
         JOIN users u ON u.id = q.user_id \
         LEFT JOIN sessions s ON s.id = q.session_id AND s.user_id = u.id"
    )
});

type Answer = oneshot::Sender<StoreResult<Option<AuthContext>>>;

struct Check {
    user_id: i64,
    session_id: i64,
    answer: Answer,
}

pub(super) struct LoginChecks {
    queue: mpsc::UnboundedSender<Check>,
}

impl LoginChecks {
    /// Starts the task that asks PostgreSQL; it ends once this is dropped.
    pub(super) fn start(pool: Pool) -> LoginChecks {
        let (queue, checks) = mpsc::unbounded_channel();
        tokio::spawn(ask(pool, checks));
        LoginChecks { queue }
    }

    /// The user `user_id` and whether its login `session_id` is live, with
    /// the account's epoch; `None` when there is no such user.
    pub(super) async fn check(
        &self,
        user_id: i64,
        session_id: i64,
    ) -> StoreResult<Option<AuthContext>> {
        let (answer, answered) = oneshot::channel();
        let stopped = || StoreError::Unavailable(anyhow::anyhow!("the login checks stopped"));
        self.queue
            .send(Check {
                user_id,
                session_id,
                answer,
            })
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// Waits for a free query, then takes every check queued (at most
/// [`CHECKS_PER_QUERY`]) into it. The queue holds one check per request
/// waiting for its answer, so the requests in flight bound it.
async fn ask(pool: Pool, mut checks: mpsc::UnboundedReceiver<Check>) {
    let queries = Arc::new(Semaphore::new(QUERIES));
    loop {
        let Ok(query) = Arc::clone(&queries).acquire_owned().await else {
            return;
        };
        let Some(first) = checks.recv().await else {
            return;
        };
        let mut batch = vec![first];
        while batch.len() < CHECKS_PER_QUERY {
            match checks.try_recv() {
                Ok(check) => batch.push(check),
                Err(_) => break,
            }
        }
        let pool = pool.clone();
        tokio::spawn(async move {
            answer(&pool, batch).await;
            drop(query);
        });
    }
}

async fn answer(pool: &Pool, batch: Vec<Check>) {
    let users: Vec<i64> = batch.iter().map(|check| check.user_id).collect();
    let sessions: Vec<i64> = batch.iter().map(|check| check.session_id).collect();
    let asked = async {
        let client = pool.get().await.map_err(pool_error)?;
        client
            .query_cached(&QUERY, &[&users, &sessions])
            .await
            .map_err(db_error)
    };
    let rows = match bounded(asked).await {
        Ok(rows) => rows,
        Err(err) => return fail(batch, &err),
    };
    let mut found: Vec<Option<AuthContext>> = (0..batch.len()).map(|_| None).collect();
    for row in rows {
        let asked = usize::try_from(row.get::<_, i64>(10) - 1).ok();
        if let Some(slot) = asked.and_then(|n| found.get_mut(n)) {
            *slot = Some(AuthContext {
                user: user_from_row(&row),
                session_live: row.get::<_, Option<bool>>(8) == Some(false),
                tasks_changed: Some(row.get(9)),
            });
        }
    }
    for (check, context) in batch.into_iter().zip(found) {
        let _ = check.answer.send(Ok(context));
    }
}

/// Each check of a failed query hears of the failure.
fn fail(batch: Vec<Check>, err: &StoreError) {
    for check in batch {
        let copy = match err {
            StoreError::Unavailable(err) => StoreError::Unavailable(anyhow::anyhow!("{err:#}")),
            StoreError::Quota(quota) => StoreError::Quota(*quota),
            StoreError::Internal(err) => StoreError::Internal(anyhow::anyhow!("{err:#}")),
        };
        let _ = check.answer.send(Err(copy));
    }
}
