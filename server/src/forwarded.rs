//! Who a request comes from and where it was sent, behind reverse proxies:
//! `X-Forwarded-For`, `-Proto` and `-Host` count only when the peer is a
//! proxy the operator trusts (`--trusted-proxy`), so nobody else can spoof
//! them; `--public-url` fixes the origin of the links the API writes.

use std::{
    future::Future,
    net::IpAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts, HeaderMap, Request},
};
use ipnet::IpNet;
use tower::{Layer, Service};

/// What the operator said about proxies and the public address.
#[derive(Debug, Clone, Default)]
pub struct Forwarding {
    pub trusted: Vec<IpNet>,
    /// `https://tasks.example.com`: the origin of every link written.
    pub public_url: Option<String>,
}

/// Where a request comes from, and the origin it was sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestOrigin {
    /// The client's address: the peer's, or, from a trusted proxy, the
    /// right-most address of `X-Forwarded-For` that is not a trusted proxy.
    pub client: Option<IpAddr>,
    /// `https://tasks.example.com`, as links to this server start.
    pub origin: String,
}

/// `127.0.0.1/32`, `10.0.0.0/8`, `::1`: a network, or one address.
pub fn parse_trusted(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is not an address or a network (10.0.0.0/8, ::1)"))
}

impl Forwarding {
    fn trusts(&self, addr: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&addr))
    }

    /// Where a request from `peer` with `headers` comes from and was sent to.
    pub fn resolve(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> RequestOrigin {
        let via_proxy = peer.is_some_and(|peer| self.trusts(peer));
        let client = match via_proxy {
            true => self.forwarded_client(headers).or(peer),
            false => peer,
        };
        let origin = match &self.public_url {
            Some(url) => url.clone(),
            None => {
                let forwarded = |name: &str| {
                    via_proxy
                        .then(|| headers.get(name).and_then(|v| v.to_str().ok()))
                        .flatten()
                        .and_then(|v| v.split(',').next())
                        .map(str::trim)
                };
                let scheme = match forwarded("x-forwarded-proto") {
                    Some("https") => "https",
                    _ => "http",
                };
                let host = forwarded("x-forwarded-host")
                    .filter(|host| is_authority(host))
                    .or_else(|| {
                        headers
                            .get(header::HOST)
                            .and_then(|h| h.to_str().ok())
                            .filter(|host| is_authority(host))
                    })
                    .unwrap_or("localhost");
                format!("{scheme}://{host}")
            }
        };
        RequestOrigin { client, origin }
    }

    /// The right-most address of `X-Forwarded-For` that is not one of our
    /// proxies: the left part of the list is the client's to write.
    fn forwarded_client(&self, headers: &HeaderMap) -> Option<IpAddr> {
        let mut hops: Vec<IpAddr> = Vec::new();
        for value in headers.get_all("x-forwarded-for") {
            let text = value.to_str().ok()?;
            for hop in text.split(',') {
                hops.push(hop.trim().parse().ok()?);
            }
        }
        hops.iter()
            .rev()
            .find(|hop| !self.trusts(**hop))
            .or(hops.first())
            .copied()
    }
}

/// A host and maybe a port, nothing else: what may go into a link.
fn is_authority(host: &str) -> bool {
    host.parse::<axum::http::uri::Authority>()
        .is_ok_and(|authority| !authority.as_str().contains('@') && !authority.host().is_empty())
}

/// Works out each request's [`RequestOrigin`], keeps it for the handlers
/// and names the client in the request's log line.
///
/// A service of its own rather than `axum::middleware::from_fn`, which
/// boxed a copy of every layer inside it and the request's whole future,
/// for each request.
#[derive(Clone)]
pub struct ResolveLayer(Arc<Forwarding>);

impl ResolveLayer {
    pub fn new(forwarding: Forwarding) -> ResolveLayer {
        ResolveLayer(Arc::new(forwarding))
    }
}

impl<S> Layer<S> for ResolveLayer {
    type Service = Resolve<S>;

    fn layer(&self, inner: S) -> Resolve<S> {
        Resolve {
            inner,
            forwarding: Arc::clone(&self.0),
        }
    }
}

/// The service of [`ResolveLayer`].
#[derive(Clone)]
pub struct Resolve<S> {
    inner: S,
    forwarding: Arc<Forwarding>,
}

impl<S, B> Service<Request<B>> for Resolve<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Resolved<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let peer = request
            .extensions()
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        let origin = self.forwarding.resolve(peer, request.headers());
        let client = origin.client;
        request.extensions_mut().insert(origin);
        Resolved {
            inner: self.inner.call(request),
            client,
        }
    }
}

pin_project_lite::pin_project! {
    /// The request's future, which notes the client when first polled: the
    /// access log's note of the request is in scope then, not in `call`.
    pub struct Resolved<F> {
        #[pin]
        inner: F,
        client: Option<IpAddr>,
    }
}

impl<F: Future> Future for Resolved<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if let Some(client) = this.client.take() {
            crate::access_log::note_client(client);
        }
        this.inner.poll(cx)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(match parts.extensions.get::<RequestOrigin>() {
            Some(origin) => origin.clone(),
            // Not behind the middleware (a router built without it): the
            // peer and its Host, as a daemon with no proxy sees them.
            None => Forwarding::default().resolve(
                parts
                    .extensions
                    .get::<ConnectInfo<std::net::SocketAddr>>()
                    .map(|info| info.0.ip()),
                &parts.headers,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let forwarding = Forwarding {
            trusted: vec![
                parse_trusted("127.0.0.1").unwrap(),
                parse_trusted("10.0.0.0/8").unwrap(),
            ],
            public_url: None,
        };
        let sent = headers(&[
            ("x-forwarded-for", "6.6.6.6, 1.2.3.4, 10.0.0.9"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "tasks.example.com"),
            ("host", "internal:8000"),
        ]);
        let proxied = forwarding.resolve(Some("127.0.0.1".parse().unwrap()), &sent);
        assert_eq!(proxied.client, Some("1.2.3.4".parse().unwrap()));
        assert_eq!(proxied.origin, "https://tasks.example.com");
        let direct = forwarding.resolve(Some("8.8.8.8".parse().unwrap()), &sent);
        assert_eq!(direct.client, Some("8.8.8.8".parse().unwrap()));
        assert_eq!(direct.origin, "http://internal:8000");
        let fixed = Forwarding {
            public_url: Some("https://tasks.example.org".into()),
            ..forwarding
        };
        assert_eq!(
            fixed
                .resolve(Some("8.8.8.8".parse().unwrap()), &sent)
                .origin,
            "https://tasks.example.org"
        );
        assert!(parse_trusted("not a network").is_err());
    }
}
