//! Statements through each connection's statement cache.
//!
//! A statement sent as text is parsed and planned again every time, and
//! costs a second round trip (tokio-postgres prepares it, then runs it).
//! Prepared once per connection, it costs a bind. Statements go through
//! here (or through `prepare_cached` itself where one statement runs many
//! times: a page read row by row, a batch of inserts). Some SQL whose text
//! is built per request from a filter or a search (facet counts, the admin
//! panel's searches) is sent as text, which keeps it out of each
//! connection's cache.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use tokio_postgres::{types::ToSql, Error, Row};

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// `execute` and the `query` family for statements of fixed text, on a
/// pooled connection or a transaction.
#[async_trait]
pub(super) trait Cached: GenericClient {
    async fn execute_cached(&self, sql: &str, params: Params<'_>) -> Result<u64, Error> {
        let statement = self.prepare_cached(sql).await?;
        self.execute(&statement, params).await
    }

    async fn query_cached(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, Error> {
        let statement = self.prepare_cached(sql).await?;
        self.query(&statement, params).await
    }

    async fn query_one_cached(&self, sql: &str, params: Params<'_>) -> Result<Row, Error> {
        let statement = self.prepare_cached(sql).await?;
        self.query_one(&statement, params).await
    }

    async fn query_opt_cached(&self, sql: &str, params: Params<'_>) -> Result<Option<Row>, Error> {
        let statement = self.prepare_cached(sql).await?;
        self.query_opt(&statement, params).await
    }
}

impl<C: GenericClient> Cached for C {}
