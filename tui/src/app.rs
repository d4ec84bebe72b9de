//! The model and `update`: every change of state happens here, from a [`Msg`],
//! and any I/O it needs is returned as [`Command`]s for the runtime to run.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use common::api::{Task, TaskQuery};
use common::filter::TaskFilter;
use common::task_ref::TaskRef;
use ratatui::layout::Rect;

use crate::form::TaskForm;
use crate::input::Input;
use crate::layout;
use crate::login::LoginForm;
use crate::msg::{Command, Failure, Msg};
use crate::prompt::Prompt;
use crate::query::{self, Scope, SortKey};
use crate::text::escape;

mod answers;
mod live;

/// Ticks per second of the event loop's clock.
pub const TICKS_PER_SECOND: u32 = 4;
/// Without the event stream, reload after this many ticks without one (3 s),
/// so changes made elsewhere show up.
pub const REFRESH_TICKS: u32 = 3 * TICKS_PER_SECOND;
/// How long to wait before opening the event stream again after it failed.
const RECONNECT_TICKS: u32 = 2 * TICKS_PER_SECOND;
/// A load that has not answered after this many ticks is started again.
const STALLED_TICKS: u32 = 15 * TICKS_PER_SECOND;
/// Only loads slower than this show "loading…", so refreshes do not flicker.
const SLOW_TICKS: u32 = 2;
/// How often the login form looks for a login saved by another client.
const ADOPT_TICKS: u32 = 2 * TICKS_PER_SECOND;
/// An edit of a task deleted since the form opened, which the form then
/// offers to save as a new task.
const DELETED_MEANWHILE: &str = "Deleted elsewhere since you opened it: nothing was saved. Enter \
     saves what is here as a new task (its notes stay with the deleted one); Esc drops it. The \
     deleted task stays in the trash for 30 days (task trash lists it, task restore brings it \
     back).";
/// How long a filter being typed waits for the next key before it is asked
/// of the server: a word typed is one query, not one a key.
pub const FILTER_PAUSE: Duration = Duration::from_millis(200);
/// How long a confirmation ("Created task 3.") stays in the status bar.
const INFO_TICKS: u32 = 5 * TICKS_PER_SECOND;
/// An error stays longer, and outranks the offline notice while it does.
const ERROR_TICKS: u32 = 10 * TICKS_PER_SECOND;

/// What is drawn over the table.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    None,
    /// The keys, scrolled down by `scroll` lines when the screen is short.
    Help {
        scroll: usize,
    },
    /// The task as shown: deleted only if still that version.
    ConfirmDelete(Box<Task>),
    Form(Box<TaskForm>),
    Prompt(Box<Prompt>),
}

/// The event stream that keeps the rows current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Live {
    /// Asked for, not answered yet.
    Connecting,
    /// Following: changes made elsewhere arrive as they happen.
    Up,
    /// Failed `ticks` ago: the rows are polled until it is back.
    Down { ticks: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub level: Level,
    pub text: String,
    age: u32,
}

/// The `/` prompt and the filter it last applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub input: Input,
    pub editing: bool,
    /// The last text that parsed, and what it parsed to.
    pub applied: String,
    pub parsed: TaskFilter,
    /// Why the text being typed does not parse (the last good filter stays applied).
    pub error: Option<String>,
    /// What to go back to when the prompt is left with `Esc`: the filter,
    /// and the task that was selected under it.
    before: (String, TaskFilter, Option<i64>),
}

impl Filter {
    /// Notes what `Esc` goes back to.
    pub(crate) fn remember(&mut self, selected: Option<i64>) {
        self.before = (self.applied.clone(), self.parsed.clone(), selected);
    }

    /// Goes back to the filter from before `/`: whether that changed the
    /// query, and the task that was selected then.
    pub(crate) fn restore(&mut self) -> (bool, Option<i64>) {
        let (text, parsed, selected) = self.before.clone();
        self.input.set(text.clone());
        self.applied = text;
        let changed = parsed != self.parsed;
        self.parsed = parsed;
        (changed, selected)
    }
}

pub struct App {
    /// The server's URL, for messages.
    pub server: String,
    pub username: Option<String>,
    /// `Some` while the login form replaces the task screen.
    pub login: Option<LoginForm>,
    pub overlay: Overlay,
    /// The rows: the tasks of the last load, in the server's order. A change
    /// made here replaces its task in place until the next load, so rows do
    /// not jump under the cursor.
    pub tasks: Vec<Task>,
    /// The query the tasks were loaded with, and the tasks it named.
    pub loaded_query: Option<(TaskQuery, Vec<TaskRef>)>,
    /// The selected row, an index into `tasks`.
    pub selected: usize,
    /// The first row the table shows.
    pub offset: usize,
    pub filter: Filter,
    pub scope: Scope,
    pub sort: SortKey,
    /// Waiting tasks (a `wait` still to come) are shown too (`w`).
    pub show_waiting: bool,
    pub show_detail: bool,
    /// The details pane scrolled by so many rows (`J`/`K`), for the task
    /// with this id; another task's details start at the top.
    pub detail_scroll: Option<(i64, u16)>,
    pub message: Option<Message>,
    /// The names of the tasks waiting for the task the delete question
    /// asks about, as the server found them: its id, then the names.
    pub waiting_for_deleted: Option<(i64, Vec<String>)>,
    /// What an empty view's `project:` may have meant, under its notice.
    pub empty_hint: Option<String>,
    /// Set while the server cannot be reached: the reason, kept until it answers.
    pub offline: Option<String>,
    pub size: Rect,
    /// The clock, from the last tick: relative dates are drawn against it.
    pub now: DateTime<Utc>,
    pub tz: FixedOffset,
    pub quit: bool,
    seq: u64,
    /// The load in flight, and how many ticks it has been running.
    loading: Option<(u64, u32)>,
    ticks_since_load: u32,
    /// Select this task once it shows up (after adding it).
    pub(crate) select_id: Option<i64>,
    /// The selected task's id, kept across reloads and re-sorts.
    pub(crate) selected_id: Option<i64>,
    pub live: Live,
    /// Why the event stream is not up, from when it failed until it is back.
    pub live_lost: Option<String>,
    /// Where the event stream resumes.
    cursor: Option<String>,
    /// The stream told of a change the rows may not show yet.
    changes_pending: bool,
    /// Load the rows once the stream is up (at start, after a login).
    load_when_live: bool,
}

impl App {
    /// A model for `server`; it shows the login form unless `logged_in`.
    pub fn new(
        server: impl Into<String>,
        username: Option<String>,
        logged_in: bool,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> App {
        App {
            server: server.into(),
            login: (!logged_in).then(|| LoginForm::new(username.clone())),
            username,
            overlay: Overlay::None,
            tasks: Vec::new(),
            loaded_query: None,
            selected: 0,
            offset: 0,
            filter: Filter::default(),
            scope: Scope::Pending,
            sort: SortKey::Urgency,
            show_waiting: false,
            show_detail: false,
            detail_scroll: None,
            message: None,
            waiting_for_deleted: None,
            empty_hint: None,
            offline: None,
            size: Rect::new(0, 0, layout::MIN_WIDTH, layout::MIN_HEIGHT),
            now,
            tz,
            quit: false,
            seq: 0,
            loading: None,
            ticks_since_load: 0,
            select_id: None,
            selected_id: None,
            live: Live::Connecting,
            live_lost: None,
            cursor: None,
            changes_pending: false,
            load_when_live: false,
        }
    }

    /// The commands to run at start-up, when logged in: follow the change
    /// feed, and load the rows once it is up (or has failed), so that no
    /// change falls between the two.
    pub fn start(&mut self) -> Vec<Command> {
        if self.login.is_some() {
            Vec::new()
        } else {
            vec![self.follow_fresh()]
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Command> {
        match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Mouse(mouse) => self.on_mouse(mouse),
            Msg::Paste(text) => self.on_paste(&text),
            Msg::Resize(width, height) => {
                self.size = Rect::new(0, 0, width, height);
                self.scroll_into_view();
                Vec::new()
            }
            Msg::Tick(now) => self.on_tick(now),
            Msg::Api(event) => self.on_api(*event),
            Msg::Quit => {
                self.quit = true;
                Vec::new()
            }
        }
    }

    // ----- queries -------------------------------------------------------

    pub fn task_at(&self, row: usize) -> Option<&Task> {
        self.tasks.get(row)
    }

    pub fn selected_task(&self) -> Option<&Task> {
        self.task_at(self.selected)
    }

    /// Whether the rows shown answer the view asked now. Just after a
    /// filter, sort or scope changes, the old rows stay until the new ones
    /// come: a key meant for a row of the new view must not act on them.
    pub fn rows_are_current(&self) -> bool {
        self.loaded_query.as_ref().is_none_or(|(query, names)| {
            *query == self.query() && *names == self.filter.parsed.names
        })
    }

    /// What is asked of the server now.
    pub fn query(&self) -> TaskQuery {
        query::effective(
            &self.filter.parsed.query,
            self.scope,
            self.sort,
            self.show_waiting,
        )
    }

    /// Whether a load has been running long enough to say so.
    pub fn is_loading_slowly(&self) -> bool {
        self.loading.is_some_and(|(_, ticks)| ticks >= SLOW_TICKS)
    }

    /// What the status bar's second line says, if anything, escaped for the
    /// terminal: an error message first (while it lasts), then why the
    /// filter being typed does not parse, then the server being
    /// unreachable, then other messages.
    pub fn notice(&self) -> Option<(Level, String)> {
        let message = self
            .message
            .as_ref()
            .map(|m| (m.level, escape(&m.text).into_owned()));
        // A filter being typed that does not parse: told in full, under it.
        let filter_error = self
            .filter
            .error
            .as_deref()
            .filter(|_| self.filter.editing && !matches!(message, Some((Level::Error, _))))
            .map(|error| (Level::Error, format!("✗ {}", escape(error))));
        if filter_error.is_some() {
            return filter_error;
        }
        match (&self.offline, message) {
            (_, Some(error @ (Level::Error, _))) => Some(error),
            (Some(reason), _) => Some((Level::Error, format!("{} (retrying)", escape(reason)))),
            (None, Some(message)) => Some(message),
            (None, None) => self.live_lost.as_ref().map(|reason| {
                (
                    Level::Error,
                    format!(
                        "Live updates lost ({}): reloading every {} s",
                        escape(reason),
                        REFRESH_TICKS / TICKS_PER_SECOND
                    ),
                )
            }),
        }
    }

    pub fn layout(&self) -> layout::Areas {
        self.layout_for(self.size)
    }

    /// The screen's parts in `area` (the view passes the frame's own size).
    pub fn layout_for(&self, area: Rect) -> layout::Areas {
        let width = usize::from(area.width.max(1));
        let notice_lines = self.notice().map_or(1, |(_, text)| {
            crate::text::wrap(&format!(" {text}"), width).len()
        });
        let status_lines = u16::try_from(notice_lines + 1).unwrap_or(u16::MAX);
        let detail = self
            .show_detail
            .then(|| crate::ui::detail_rows(self, area.width));
        layout::areas(area, detail, self.filter.editing, status_lines)
    }

    pub fn page_rows(&self) -> usize {
        layout::table_rows(self.layout().table)
    }

    // ----- state changes shared by the handlers ---------------------------

    pub(crate) fn reload(&mut self) -> Command {
        self.reload_after(Duration::ZERO)
    }

    /// [`reload`](Self::reload), sent once `after` has passed unless a
    /// newer load comes first.
    pub(crate) fn reload_after(&mut self, after: Duration) -> Command {
        self.seq += 1;
        self.loading = Some((self.seq, 0));
        self.ticks_since_load = 0;
        Command::LoadTasks {
            seq: self.seq,
            query: self.query(),
            names: self.filter.parsed.names.clone(),
            after,
        }
    }

    pub(crate) fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            level: Level::Info,
            text: text.into(),
            age: 0,
        });
    }

    pub(crate) fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            level: Level::Error,
            text: text.into(),
            age: 0,
        });
    }

    /// How far the details pane is scrolled for the selected task.
    pub fn detail_offset(&self) -> u16 {
        match (self.detail_scroll, self.selected_task()) {
            (Some((id, rows)), Some(task)) if task.id == id => rows,
            _ => 0,
        }
    }

    /// Scrolls the details pane by `delta` rows, within what it has to show.
    pub(crate) fn scroll_detail(&mut self, delta: i32) {
        let (Some(task), Some(pane)) = (self.selected_task(), self.layout().detail) else {
            return;
        };
        let id = task.id;
        let rows = crate::ui::detail_rows(self, pane.width);
        let most = rows.saturating_sub(pane.height.saturating_sub(2));
        let now = i32::from(self.detail_offset());
        let next = u16::try_from((now + delta).max(0)).unwrap_or(0).min(most);
        self.detail_scroll = Some((id, next));
    }

    /// Moves the selection by `delta` rows, clamped to the list.
    pub(crate) fn move_by(&mut self, delta: isize) {
        let last = self.tasks.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.scroll_into_view();
    }

    pub(crate) fn select(&mut self, row: usize) {
        self.selected = row.min(self.tasks.len().saturating_sub(1));
        self.scroll_into_view();
    }

    pub(crate) fn scroll_into_view(&mut self) {
        let rows = self.page_rows();
        let len = self.tasks.len();
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        self.offset = self.offset.min(len.saturating_sub(rows));
        self.selected_id = self.selected_task().map(|t| t.id);
    }

    /// Selects the task that was selected (or the one just added) again
    /// after the rows changed.
    pub(crate) fn keep_selection(&mut self) {
        let keep = self.select_id.take().or(self.selected_id);
        if let Some(row) = keep.and_then(|id| self.tasks.iter().position(|t| t.id == id)) {
            self.selected = row;
        }
        // Moved out of view by the new rows (a task just added, which
        // waited at the end until the sort put it in its place): shown in
        // the middle of the view, with the tasks around it, rather than at
        // its edge with those above it hidden.
        let rows = self.page_rows();
        if self.selected < self.offset || self.selected >= self.offset + rows {
            self.offset = self.selected.saturating_sub(rows / 2);
        }
        self.scroll_into_view();
    }

    /// Puts a task the server returned into the rows: in place of its old
    /// version, or at the end until the next load puts it where it belongs.
    fn upsert(&mut self, task: Task) {
        match self.tasks.iter_mut().find(|t| t.id == task.id) {
            Some(row) => *row = task,
            None => self.tasks.push(task),
        }
    }

    fn remove(&mut self, id: i64) {
        self.tasks.retain(|t| t.id != id);
    }

    /// Replaces the task screen with the login form, keeping everything else.
    fn require_login(&mut self, failure: &Failure) {
        let mut form = LoginForm::new(self.username.clone());
        form.error = Some(failure.message());
        self.login = Some(form);
        self.loading = None;
    }

    // ----- messages -------------------------------------------------------

    fn on_tick(&mut self, now: DateTime<Utc>) -> Vec<Command> {
        self.now = now;
        if let Some(message) = &mut self.message {
            message.age += 1;
            let lifetime = match message.level {
                Level::Info => INFO_TICKS,
                Level::Error => ERROR_TICKS,
            };
            if message.age >= lifetime {
                self.message = None;
            }
        }
        if let Some(form) = &mut self.login {
            // A login made meanwhile by another client (`task login`) is
            // taken up without asking for the password again.
            form.ticks = form.ticks.wrapping_add(1);
            if !form.busy && !form.touched && form.ticks % ADOPT_TICKS == 0 {
                return vec![Command::AdoptSavedLogin];
            }
            return Vec::new();
        }
        self.ticks_since_load = self.ticks_since_load.saturating_add(1);
        let mut commands = Vec::new();
        if let Live::Down { ticks, .. } = &mut self.live {
            *ticks += 1;
            if *ticks >= RECONNECT_TICKS {
                commands.push(self.follow_on());
            }
        }
        if self.changes_pending && self.loading.is_none() {
            self.changes_pending = false;
            commands.push(self.reload());
            return commands;
        }
        commands.extend(self.poll());
        commands
    }

    /// A stalled load started again; without the stream, a periodic reload.
    fn poll(&mut self) -> Vec<Command> {
        let polling = self.live != Live::Up;
        match &mut self.loading {
            Some((_, ticks)) => {
                *ticks += 1;
                if *ticks >= STALLED_TICKS {
                    return vec![self.reload()];
                }
                Vec::new()
            }
            None if polling && self.ticks_since_load >= REFRESH_TICKS => vec![self.reload()],
            None => Vec::new(),
        }
    }
}
