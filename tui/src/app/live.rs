//! Keeping the rows current from the server's change feed, and undo and
//! redo, whose changes arrive there too.

use common::api::{ChangeOp, UndoStep};
use common::client::Direction;
use common::live::LiveEvent;

use super::{App, Live};
use crate::msg::{Command, Failure};

impl App {
    /// Opens the event stream from now, the rows to be loaded once it is up.
    pub(super) fn follow_fresh(&mut self) -> Command {
        self.cursor = None;
        self.load_when_live = true;
        self.live = Live::Connecting;
        Command::Follow { cursor: None }
    }

    /// Opens the event stream again, after the last event seen; with none
    /// seen, from now, and the rows are loaded once it is up.
    pub(super) fn follow_on(&mut self) -> Command {
        self.live = Live::Connecting;
        if self.cursor.is_none() {
            self.load_when_live = true;
        }
        Command::Follow {
            cursor: self.cursor.clone(),
        }
    }

    pub(super) fn on_reverted(
        &mut self,
        direction: Direction,
        result: Result<UndoStep, Failure>,
    ) -> Vec<Command> {
        let (done, verb) = match direction {
            Direction::Undo => ("Undone", "undo"),
            Direction::Redo => ("Redone", "redo"),
        };
        match result {
            Ok(step) => {
                self.info(format!("{done}: {}.", step.summary));
                vec![self.reload()]
            }
            Err(Failure::Problem(p)) if p.status == 404 => {
                self.info(format!("Nothing to {verb}."));
                Vec::new()
            }
            Err(Failure::Problem(p)) if p.status == 409 => {
                let conflicts: Vec<String> = p
                    .errors
                    .iter()
                    .flatten()
                    .map(|(task, reasons)| format!("{task} {}", reasons.join(", ")))
                    .collect();
                self.error(format!(
                    "Not {}: {}; `task {verb} --force` reverts anyway.",
                    done.to_lowercase(),
                    conflicts.join("; ")
                ));
                Vec::new()
            }
            Err(failure) => {
                self.change_failed(&failure);
                Vec::new()
            }
        }
    }

    pub(super) fn on_live(&mut self, event: LiveEvent) -> Vec<Command> {
        match event {
            LiveEvent::Ready { cursor } => {
                self.cursor = Some(cursor);
                self.live = Live::Up;
                self.live_lost = None;
                self.offline = None;
                if std::mem::take(&mut self.load_when_live) {
                    return vec![self.reload()];
                }
                Vec::new()
            }
            LiveEvent::Reset { cursor } => {
                self.cursor = Some(cursor);
                self.live = Live::Up;
                self.live_lost = None;
                self.offline = None;
                self.load_when_live = false;
                vec![self.reload()]
            }
            LiveEvent::Task { cursor, event } => {
                self.cursor = Some(cursor);
                let event = *event;
                let row = self.tasks.iter().position(|t| t.id == event.id);
                let newer = row.is_none_or(|row| self.tasks[row].version < event.version);
                match (event.op, row, event.task) {
                    (ChangeOp::Deleted, Some(row), _) => {
                        self.tasks.remove(row);
                        self.keep_selection();
                        self.changes_pending = true;
                    }
                    (ChangeOp::Deleted, None, _) => {}
                    // Shown at once where it is; the reload that follows
                    // puts it where the view's filter and order say.
                    (_, Some(row), Some(task)) if newer => {
                        self.tasks[row] = task;
                        self.changes_pending = true;
                    }
                    _ if newer => self.changes_pending = true,
                    _ => {}
                }
                Vec::new()
            }
            // An expired token is refreshed by reconnecting; a revoked
            // login fails to reconnect and asks for a login.
            LiveEvent::LoggedOut(_) => vec![self.follow_on()],
        }
    }

    pub(super) fn on_live_ended(&mut self, failure: Option<Failure>) -> Vec<Command> {
        let reason = match &failure {
            Some(failure) if failure.needs_login() => {
                self.require_login(failure);
                self.live = Live::Down { ticks: 0 };
                return Vec::new();
            }
            Some(Failure::Unreachable(reason)) => {
                self.offline = Some(reason.clone());
                reason.clone()
            }
            Some(failure) => failure.message(),
            None => "the server closed the stream".to_string(),
        };
        self.live = Live::Down { ticks: 0 };
        self.live_lost = Some(reason);
        // Rows waiting for the stream are loaded now, and polled until it
        // is back (and loaded once more then, if it starts from now).
        if self.load_when_live && self.loading.is_none() {
            return vec![self.reload()];
        }
        Vec::new()
    }
}
