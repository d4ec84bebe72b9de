//! The errors hyper answers itself, before a request reaches the service
//! (an unreadable request 400, an address too long 414, headers too large
//! 431), as problem+json like every other error: hyper writes them with an
//! empty body and offers no hook, so the connection's writer recognises
//! them on their way out and writes the problem in their place.

use std::{
    io,
    pin::Pin,
    task::{ready, Context, Poll},
};

use axum::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection's stream, whose writes are watched for hyper's own errors.
pub struct ProblemWriter<S> {
    inner: S,
    /// A problem being written in place of hyper's response, how much of
    /// it is written, and how many bytes of hyper's to report when done.
    replacing: Option<(Vec<u8>, usize, usize)>,
}

impl<S> ProblemWriter<S> {
    pub fn new(inner: S) -> ProblemWriter<S> {
        ProblemWriter {
            inner,
            replacing: None,
        }
    }
}

/// The status of `head` if it is an error response hyper wrote itself:
/// an empty error without a content type, and without the
/// `x-content-type-options` that every response of the service carries.
fn hypers_own_error(head: &[u8]) -> Option<StatusCode> {
    let rest = head.strip_prefix(b"HTTP/1.1 ")?;
    // The status first: every answer passes through here, and only an
    // error needs its head read.
    let status = std::str::from_utf8(rest.get(..3)?)
        .ok()?
        .parse::<u16>()
        .ok()
        .and_then(|code| StatusCode::from_u16(code).ok())
        .filter(|status| status.is_client_error() || status.is_server_error())?;
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let lower = head[..end].to_ascii_lowercase();
    let has = |name: &[u8]| lower.windows(name.len()).any(|w| w == name);
    if has(b"x-content-type-options") || has(b"content-type") || !has(b"content-length: 0") {
        return None;
    }
    Some(status)
}

fn problem_response(status: StatusCode) -> Vec<u8> {
    let detail = match status {
        StatusCode::URI_TOO_LONG => "The request's address is too long.",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "The request's headers are too large.",
        StatusCode::BAD_REQUEST => "The request could not be read as HTTP/1.1.",
        _ => "The request could not be served.",
    };
    let title = status.canonical_reason().unwrap_or("Error");
    let body = serde_json::json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    })
    .to_string();
    format!(
        "HTTP/1.1 {} {title}\r\ncontent-type: application/problem+json\r\n\
         x-content-type-options: nosniff\r\nconnection: close\r\ncontent-length: {}\r\n\
         date: {}\r\n\r\n{body}",
        status.as_u16(),
        body.len(),
        chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT")
    )
    .into_bytes()
}

impl<S: AsyncRead + Unpin> AsyncRead for ProblemWriter<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> ProblemWriter<S> {
    /// Writes the problem under way; then reports hyper's bytes as written.
    fn poll_replacing(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let this = self;
        while let Some((bytes, written, claimed)) = this.replacing.as_mut() {
            if *written == bytes.len() {
                let claimed = *claimed;
                this.replacing = None;
                return Poll::Ready(Ok(claimed));
            }
            let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(0))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ProblemWriter<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.replacing.is_none() {
            match hypers_own_error(buf) {
                Some(status) => self.replacing = Some((problem_response(status), 0, buf.len())),
                None => return Pin::new(&mut self.inner).poll_write(cx, buf),
            }
        }
        self.poll_replacing(cx)
    }

    // hyper writes a head in one buffer, the body in others: an error of
    // its own, bodiless, is the first buffer alone.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.replacing.is_none() {
            let head = bufs.iter().find(|buf| !buf.is_empty());
            match head.and_then(|head| hypers_own_error(head)) {
                Some(status) => {
                    let claimed = bufs.iter().map(|buf| buf.len()).sum();
                    self.replacing = Some((problem_response(status), 0, claimed));
                }
                None => return Pin::new(&mut self.inner).poll_write_vectored(cx, bufs),
            }
        }
        self.poll_replacing(cx)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_own_errors_are_replaced() {
        let hypers = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(
            hypers_own_error(hypers),
            Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        );
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\nx-content-type-options: nosniff\r\n\r\n{}";
        assert_eq!(hypers_own_error(ours), None);
        let fine = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(hypers_own_error(fine), None);
        let response = String::from_utf8(problem_response(StatusCode::URI_TOO_LONG)).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 414);
    }
}
