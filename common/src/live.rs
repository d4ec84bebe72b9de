//! Following the server's change feed (`GET /api/events/`): what a client
//! needs to keep a view current without polling.

use std::{pin::Pin, time::Duration};

use eventsource_stream::Eventsource;
use futures_util::{Stream, StreamExt};

use crate::api::{LogoutEvent, StreamEnd, TaskEvent};
use crate::client::{ApiClient, ClientError};

/// The server sends a comment at least every 15 s; a stream silent for
/// this long is taken for dead (a vanished peer sends no reset).
pub const SILENCE: Duration = Duration::from_secs(45);

/// What the stream says.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// The stream is up and follows on from `cursor`.
    Ready { cursor: String },
    /// The cursor could not be resumed: reload everything, then follow on
    /// from `cursor`.
    Reset { cursor: String },
    /// One committed change; `cursor` resumes after it.
    Task {
        cursor: String,
        event: Box<TaskEvent>,
    },
    /// The stream ended: the access token expired (reconnecting refreshes
    /// it) or the login was revoked (reconnecting fails with
    /// [`ClientError::SessionExpired`]).
    LoggedOut(StreamEnd),
}

type Events = Pin<
    Box<
        dyn Stream<
                Item = Result<
                    eventsource_stream::Event,
                    eventsource_stream::EventStreamError<std::io::Error>,
                >,
            > + Send,
    >,
>;

/// An open event stream.
pub struct LiveStream {
    events: Events,
    url: String,
}

impl ApiClient {
    /// Opens the user's event stream, resumed after `cursor` when given.
    pub async fn follow(&self, cursor: Option<&str>) -> Result<LiveStream, ClientError> {
        let response = self.open_events(cursor).await?;
        let url = response.url().to_string();
        let bytes = response.bytes_stream();
        // Each read bounded by SILENCE: a dead connection ends the stream.
        let watched = futures_util::stream::unfold(Some(bytes), |bytes| async move {
            let mut bytes = bytes?;
            match tokio::time::timeout(SILENCE, bytes.next()).await {
                Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(bytes))),
                Ok(Some(Err(err))) => Some((Err(std::io::Error::other(err)), None)),
                Ok(None) => None,
                Err(_) => Some((
                    Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("nothing heard for {} s", SILENCE.as_secs()),
                    )),
                    None,
                )),
            }
        });
        Ok(LiveStream {
            events: Box::pin(watched.eventsource()),
            url,
        })
    }
}

impl LiveStream {
    /// The next event; `Ok(None)` when the server ended the stream.
    pub async fn next(&mut self) -> Result<Option<LiveEvent>, ClientError> {
        loop {
            let event = match self.events.next().await {
                None => return Ok(None),
                Some(Err(err)) => {
                    return Err(ClientError::Transport {
                        url: self.url.clone(),
                        detail: err.to_string(),
                    })
                }
                Some(Ok(event)) => event,
            };
            let cursor = event.id.clone();
            let parsed = match event.event.as_str() {
                "ready" => LiveEvent::Ready { cursor },
                "reset" => LiveEvent::Reset { cursor },
                "task" => LiveEvent::Task {
                    cursor,
                    event: Box::new(self.decode(&event.data)?),
                },
                "logout" => LiveEvent::LoggedOut(
                    self.decode::<LogoutEvent>(&event.data)
                        .map_or(StreamEnd::Revoked, |logout| logout.reason),
                ),
                // Kinds a later server may add.
                _ => continue,
            };
            return Ok(Some(parsed));
        }
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, data: &str) -> Result<T, ClientError> {
        serde_json::from_str(data).map_err(|err| ClientError::Protocol {
            url: self.url.clone(),
            detail: format!("an event's data is not the expected JSON ({err})"),
        })
    }
}
