//! What flows into `update` (messages) and out of it (commands).

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::api::UndoStep;
use common::api::{NewTask, Problem, Status, Task, TaskPatch, TaskQuery};
use common::client::Direction;
use common::filter::Modifications;
use common::live::LiveEvent;
use common::task_ref::TaskRef;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

/// Everything that can change the model: terminal input, the clock, API results.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize(u16, u16),
    /// A few times a second, with the wall clock.
    Tick(DateTime<Utc>),
    Api(Box<ApiEvent>),
    /// A signal asked the program to end (SIGTERM, SIGHUP, SIGINT).
    Quit,
}

/// The result of a [`Command`] that the runtime ran.
#[derive(Debug, Clone)]
pub enum ApiEvent {
    /// Every page of the tasks that `query` selects, only those of `names`
    /// when the filter names several.
    TasksLoaded {
        seq: u64,
        query: TaskQuery,
        names: Vec<TaskRef>,
        result: Result<Vec<Task>, Failure>,
        /// For a view its `project:` leaves empty, the projects starting
        /// so that would fill it ([`common::ops::project_hint`]).
        hint: Option<String>,
    },
    TaskSaved {
        /// What asked for the change: its answer closes that, or tells it
        /// why not.
        source: Source,
        created: bool,
        /// What was done, for the status bar: `Completed`, `Started`, …
        verb: &'static str,
        /// How the user knew the task when asking (its number then), so that
        /// "Completed task 3." names what was typed on.
        shown_as: Option<String>,
        result: Result<Task, Failure>,
    },
    TaskDeleted {
        task: Box<Task>,
        result: Result<(), Failure>,
    },
    /// A login another client saved meanwhile, now this client's.
    LoginAdopted { username: String },
    LoggedIn {
        username: String,
        result: Result<(), Failure>,
    },
    /// The server's version of a task, read after an edit conflict.
    TaskFetched {
        id: i64,
        result: Result<Task, Failure>,
    },
    /// The names of the tasks waiting for a task, for the delete question.
    WaitingFound {
        id: i64,
        result: Result<Vec<String>, Failure>,
    },
    /// What an undo or redo reverted.
    Reverted {
        direction: Direction,
        result: Result<UndoStep, Failure>,
    },
    /// What the event stream said.
    Live(LiveEvent),
    /// The event stream ended: the server closed it (`None`) or it failed.
    LiveEnded(Option<Failure>),
}

/// Work for the runtime: each runs in its own task and answers with one [`ApiEvent`].
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Fetch every page, once `after` has passed; a newer `LoadTasks`
    /// supersedes an unfinished one, and one still waiting sends nothing.
    LoadTasks {
        seq: u64,
        query: TaskQuery,
        names: Vec<TaskRef>,
        after: Duration,
    },
    /// A new task; `depends` are the tasks its title line named, looked up
    /// before it is sent.
    CreateTask {
        task: NewTask,
        depends: Vec<TaskRef>,
    },
    /// The edit form's changes; `version` is sent as `If-Match`, so a change
    /// made elsewhere is not overwritten.
    UpdateTask {
        id: i64,
        version: Option<i64>,
        patch: TaskPatch,
        /// The task's name as the form showed it: a task done there loses
        /// its number, and the message names it as the user knew it.
        shown_as: String,
    },
    /// A change made the way the CLI makes it ([`common::ops`]), from the
    /// task as shown (its version sent as `If-Match`).
    Change {
        task: Box<Task>,
        change: Change,
    },
    /// Deleted only if still the version shown.
    DeleteTask {
        task: Box<Task>,
    },
    /// Reads one task as the server has it now.
    FetchTask {
        id: i64,
    },
    /// Names the pending tasks, waiting ones too, that wait for a task.
    FindWaiting {
        id: i64,
    },
    /// Undoes the user's latest change set (whichever client made it), or
    /// redoes the latest undo.
    Revert {
        direction: Direction,
    },
    /// Follows the server's change feed, after `cursor` when given; a newer
    /// `Follow` replaces the stream.
    Follow {
        cursor: Option<String>,
    },
    Login {
        username: String,
        password: String,
    },
    /// Register, then log in.
    Register {
        username: String,
        password: String,
    },
    /// Takes up a login saved meanwhile by another client (`task login`),
    /// answered as a login when there is one.
    AdoptSavedLogin,
}

/// What asked for a change to be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The add or edit form.
    Form,
    /// The note (`A`) or dependency (`D`) prompt.
    Prompt,
    /// A key on the list (space, `S`).
    Key,
}

/// The changes [`Command::Change`] makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Status(Status),
    Active(bool),
    Annotate(String),
    /// Modifier words already parsed (`depends:2,-3`).
    Modify(Box<Modifications>),
}

impl Change {
    /// The prompts type notes and dependencies; keys do the rest.
    pub fn source(&self) -> Source {
        match self {
            Change::Annotate(_) | Change::Modify(_) => Source::Prompt,
            Change::Status(_) | Change::Active(_) => Source::Key,
        }
    }

    pub fn verb(&self) -> &'static str {
        match self {
            Change::Status(Status::Done) => "Completed",
            Change::Status(Status::Pending) => "Reopened",
            Change::Active(true) => "Started",
            Change::Active(false) => "Stopped",
            Change::Annotate(_) => "Annotated",
            Change::Modify(_) => "Modified",
        }
    }
}

/// What the form's save says it did: a status set there reads as the
/// key that sets it would.
pub fn form_verb(patch: &TaskPatch) -> &'static str {
    match patch.status {
        Some(Status::Done) => "Completed",
        Some(Status::Pending) => "Reopened",
        None => "Modified",
    }
}

/// Why an API call failed, as the UI needs to tell it apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The server did not answer; the message says where it was looked for.
    Unreachable(String),
    /// The refresh token no longer works.
    SessionExpired,
    /// An admin has deactivated the account.
    AccountInactive,
    NotLoggedIn,
    /// The server's problem body.
    Problem(Problem),
    Other(String),
}

impl Failure {
    /// One line for the status bar.
    pub fn message(&self) -> String {
        match self {
            Failure::Unreachable(message) | Failure::Other(message) => message.clone(),
            Failure::SessionExpired => {
                "the login has ended (logged out, or expired): log in again".to_string()
            }
            Failure::AccountInactive => {
                "this account has been deactivated: an admin can reactivate it".to_string()
            }
            Failure::NotLoggedIn => "not logged in".to_string(),
            Failure::Problem(problem) => problem.summary(),
        }
    }

    /// Whether the user has to log in before anything else works.
    pub fn needs_login(&self) -> bool {
        matches!(
            self,
            Failure::SessionExpired | Failure::AccountInactive | Failure::NotLoggedIn
        )
    }
}
