//! Holds back the answer to a request that may have written by the store's
//! settling time (`Store::write_settling`), so that whatever the client does
//! next, on whichever daemon, finds the write heard; reads answer at once.
//!
//! A service of its own rather than `axum::middleware::from_fn`, which boxed
//! a copy of every layer inside it, and each request's future, even for the
//! reads it lets through untouched.

use std::{
    task::{Context, Poll},
    time::Duration,
};

use axum::http::{Method, Request};
use futures_util::future::{BoxFuture, Either};
use tower::{Layer, Service};

#[derive(Clone, Copy)]
pub struct SettleLayer(pub Duration);

impl<S> Layer<S> for SettleLayer {
    type Service = Settle<S>;

    fn layer(&self, inner: S) -> Settle<S> {
        Settle {
            inner,
            wait: self.0,
        }
    }
}

/// The service of [`SettleLayer`].
#[derive(Clone)]
pub struct Settle<S> {
    inner: S,
    wait: Duration,
}

impl<S, B> Service<Request<B>> for Settle<S>
where
    S: Service<Request<B>>,
    S::Future: Send + 'static,
    S::Response: Send,
    S::Error: Send,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Either<S::Future, BoxFuture<'static, Result<S::Response, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let reads = matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::OPTIONS
        );
        let answer = self.inner.call(request);
        if reads {
            return Either::Left(answer);
        }
        let wait = self.wait;
        Either::Right(Box::pin(async move {
            let answer = answer.await;
            tokio::time::sleep(wait).await;
            answer
        }))
    }
}
