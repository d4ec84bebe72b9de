//! Reads a server-sent event stream frame by frame, comments included, so
//! that tests see exactly what a client would.

use std::time::Duration;

use futures::StreamExt;
use reqwest::{header, StatusCode};
use serde_json::Value;

/// One block of the stream, up to its blank line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    pub event: Option<String>,
    pub id: Option<String>,
    pub data: String,
    pub retry: Option<String>,
    /// Comment lines (`: keep-alive`).
    pub comments: Vec<String>,
}

impl Frame {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|_| panic!("data not JSON: {self:?}"))
    }

    pub fn is_comment(&self) -> bool {
        self.event.is_none() && self.data.is_empty() && self.retry.is_none()
    }
}

/// What waiting for the next frame gave.
#[derive(Debug)]
pub enum Next {
    Frame(Frame),
    /// Nothing within the time given.
    Quiet,
    /// The server ended the stream.
    Ended,
}

pub struct Sse {
    body: futures::stream::BoxStream<'static, reqwest::Result<Vec<u8>>>,
    buffer: String,
}

impl Sse {
    /// Opens `GET url` with `token` (and `Last-Event-ID: last`), asserting a
    /// 200 event stream.
    pub async fn open(client: &reqwest::Client, url: &str, token: &str, last: Option<&str>) -> Sse {
        let response = Sse::request(client, url, token, last).await;
        assert_eq!(response.status(), StatusCode::OK, "opening {url}");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/event-stream",
            "{url}"
        );
        assert_eq!(response.headers()["x-accel-buffering"], "no");
        Sse {
            body: response
                .bytes_stream()
                .map(|chunk| chunk.map(|bytes| bytes.to_vec()))
                .boxed(),
            buffer: String::new(),
        }
    }

    pub async fn request(
        client: &reqwest::Client,
        url: &str,
        token: &str,
        last: Option<&str>,
    ) -> reqwest::Response {
        let mut request = client.get(url).bearer_auth(token);
        if let Some(last) = last {
            request = request.header("last-event-id", last);
        }
        request.send().await.unwrap()
    }

    /// The next frame, if one comes within `within`.
    pub async fn next(&mut self, within: Duration) -> Next {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                return Next::Frame(parse(&block));
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Err(_) => return Next::Quiet,
                Ok(None) | Ok(Some(Err(_))) => return Next::Ended,
                Ok(Some(Ok(bytes))) => self
                    .buffer
                    .push_str(&String::from_utf8_lossy(&bytes).replace("\r\n", "\n")),
            }
        }
    }

    /// The next frame that is not a keep-alive comment, within `within`.
    pub async fn event(&mut self, within: Duration) -> Next {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Next::Frame(frame) if frame.is_comment() => continue,
                other => return other,
            }
        }
    }

    /// The next event, which must come within 5 s and be of type `kind`.
    pub async fn expect(&mut self, kind: &str) -> Frame {
        match self.event(Duration::from_secs(5)).await {
            Next::Frame(frame) if frame.event.as_deref() == Some(kind) => frame,
            other => panic!("expected `event: {kind}`, got {other:?}"),
        }
    }

    /// Reads the opening `retry:` and the `ready` or `reset` after it.
    pub async fn opening(&mut self) -> Frame {
        match self.event(Duration::from_secs(5)).await {
            Next::Frame(frame) if frame.retry.is_some() => {}
            other => panic!("expected `retry:` first, got {other:?}"),
        }
        match self.event(Duration::from_secs(5)).await {
            Next::Frame(frame) => frame,
            other => panic!("expected ready or reset, got {other:?}"),
        }
    }

    /// Asserts that nothing but comments come within `within`.
    pub async fn assert_quiet(&mut self, within: Duration) {
        match self.event(within).await {
            Next::Quiet => {}
            other => panic!("expected nothing, got {other:?}"),
        }
    }
}

fn parse(block: &str) -> Frame {
    let mut frame = Frame::default();
    for line in block.lines() {
        if let Some(comment) = line.strip_prefix(':') {
            frame.comments.push(comment.trim().to_string());
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => frame.event = Some(value.to_string()),
            "id" => frame.id = Some(value.to_string()),
            "retry" => frame.retry = Some(value.to_string()),
            "data" => {
                if !frame.data.is_empty() {
                    frame.data.push('\n');
                }
                frame.data.push_str(value);
            }
            _ => {}
        }
    }
    frame
}
