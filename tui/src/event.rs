//! One channel for everything the model reacts to: terminal input (read on its
//! own thread), the clock's ticks, and the results the runtime sends back.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::app::TICKS_PER_SECOND;
use crate::msg::Msg;

/// The message for a terminal event, if the model cares about it.
pub fn from_terminal(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
        Event::Key(_) => None,
        Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        Event::Resize(width, height) => Some(Msg::Resize(width, height)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::FocusGained | Event::FocusLost => None,
    }
}

pub struct Events {
    tx: UnboundedSender<Msg>,
    rx: UnboundedReceiver<Msg>,
    stop: Arc<AtomicBool>,
}

impl Default for Events {
    fn default() -> Self {
        Events::new()
    }
}

impl Events {
    pub fn new() -> Events {
        let (tx, rx) = unbounded_channel();
        Events {
            tx,
            rx,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Where the runtime sends API results.
    pub fn sender(&self) -> UnboundedSender<Msg> {
        self.tx.clone()
    }

    /// Reads the terminal on a thread of its own (crossterm's reads block).
    pub fn read_terminal(&self) {
        let tx = self.tx.clone();
        let stop = Arc::clone(&self.stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match event::poll(Duration::from_millis(100)) {
                    Ok(false) => continue,
                    Ok(true) => {}
                    Err(_) => break,
                }
                let Ok(event) = event::read() else { break };
                if let Some(msg) = from_terminal(event) {
                    if tx.send(msg).is_err() {
                        break;
                    }
                }
            }
        });
    }

    /// Sends [`Msg::Tick`] with the wall clock, [`TICKS_PER_SECOND`] times a second.
    pub fn tick(&self) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let mut interval =
                tokio::time::interval(Duration::from_millis(1000 / u64::from(TICKS_PER_SECOND)));
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                interval.tick().await;
                if tx.send(Msg::Tick(Utc::now())).is_err() {
                    break;
                }
            }
        });
    }

    /// Turns SIGTERM, SIGHUP and SIGINT into [`Msg::Quit`], so that being
    /// killed still restores the terminal.
    #[cfg(unix)]
    pub fn signals(&self) {
        use tokio::signal::unix::{signal, SignalKind};
        for kind in [
            SignalKind::terminate(),
            SignalKind::hangup(),
            SignalKind::interrupt(),
        ] {
            let Ok(mut stream) = signal(kind) else {
                continue;
            };
            let tx = self.tx.clone();
            tokio::spawn(async move {
                if stream.recv().await.is_some() {
                    let _ = tx.send(Msg::Quit);
                }
            });
        }
    }

    #[cfg(not(unix))]
    pub fn signals(&self) {}

    /// The next message, waiting for one.
    pub async fn next(&mut self) -> Option<Msg> {
        self.rx.recv().await
    }

    /// A message already waiting, if any.
    pub fn try_next(&mut self) -> Option<Msg> {
        self.rx.try_recv().ok()
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventState, KeyModifiers};

    #[test]
    fn key_releases_are_dropped() {
        let mut key = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert!(matches!(from_terminal(Event::Key(key)), Some(Msg::Key(_))));
        key.kind = KeyEventKind::Release;
        key.state = KeyEventState::NONE;
        assert!(from_terminal(Event::Key(key)).is_none());
        assert!(matches!(
            from_terminal(Event::Resize(100, 30)),
            Some(Msg::Resize(100, 30))
        ));
        assert!(from_terminal(Event::FocusLost).is_none());
    }

    #[tokio::test]
    async fn results_and_ticks_share_one_channel() {
        let mut events = Events::new();
        events.tick();
        events
            .sender()
            .send(Msg::Resize(1, 2))
            .expect("channel open");
        let mut saw_resize = false;
        let mut saw_tick = false;
        while !(saw_resize && saw_tick) {
            match events.next().await {
                Some(Msg::Resize(1, 2)) => saw_resize = true,
                Some(Msg::Tick(_)) => saw_tick = true,
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}
