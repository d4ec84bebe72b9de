//! How tasks look on a terminal: the list table and the detail view. Text
//! from the server is escaped ([`common::text::escape_control`]) before it is
//! measured or printed.

use std::borrow::Cow;
use std::io::IsTerminal;

use chrono::{DateTime, Local, Utc};
use common::api::{Priority, Status, Task};
use common::dates::relative;
use common::display;
use common::text::{escape_control, escape_control_keep_newlines, truncate};
use unicode_width::UnicodeWidthStr;

/// ANSI styling, on only for a terminal and never with `NO_COLOR`.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub enabled: bool,
}

impl Style {
    pub fn detect(json: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Style {
            enabled: !json && !no_color && !dumb && std::io::stdout().is_terminal(),
        }
    }

    fn paint<'a>(&self, code: &str, text: &'a str) -> Cow<'a, str> {
        if self.enabled && !text.is_empty() {
            Cow::Owned(format!("\x1b[{code}m{text}\x1b[0m"))
        } else {
            Cow::Borrowed(text)
        }
    }

    pub fn bold<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.paint("1", text)
    }
    pub fn dim<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.paint("2", text)
    }
    pub fn red<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.paint("31", text)
    }
    pub fn underline<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.paint("4", text)
    }
}

fn priority_letter(priority: Option<Priority>) -> String {
    priority.map(|p| p.letter().to_string()).unwrap_or_default()
}

fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

struct Column {
    header: &'static str,
    align: Align,
    /// The narrowest this column is squeezed to before others give way.
    min: usize,
    cells: Vec<String>,
    width: usize,
}

impl Column {
    fn new(header: &'static str, align: Align, min: usize, cells: Vec<String>) -> Column {
        let width = cells
            .iter()
            .map(|c| c.width())
            .chain(std::iter::once(header.width()))
            .max()
            .unwrap_or(0);
        Column {
            header,
            align,
            min: min.min(width),
            cells,
            width,
        }
    }
}

/// The `task list` table: ID, project, priority, due (relative), when
/// started, until when waiting, when completed, tags, title; with
/// `show_status`, a status column where the tasks' statuses differ, and
/// with `urgency` the urgency (the reports ordered by it).
/// Fitted to `width` by narrowing the title first, then tags and project.
pub fn task_table(
    tasks: &[Task],
    width: Option<usize>,
    show_status: bool,
    urgency: bool,
    style: Style,
    now: DateTime<Utc>,
) -> String {
    let text = |s: &str| escape_control(s).into_owned();
    let mut columns = vec![
        Column::new(
            "ID",
            Align::Right,
            2,
            tasks.iter().map(display::name).collect(),
        ),
        Column::new(
            "Project",
            Align::Left,
            7,
            tasks
                .iter()
                .map(|t| text(t.project.as_deref().unwrap_or("")))
                .collect(),
        ),
        Column::new(
            "Pri",
            Align::Left,
            3,
            tasks.iter().map(|t| priority_letter(t.priority)).collect(),
        ),
        date_column("Due", tasks, now, |t| t.due),
    ];
    // How long ago the active tasks were started, and when the waiting ones
    // show again; like every column, left out when no task has a value.
    columns.push(date_column("Active", tasks, now, |t| t.start));
    columns.push(date_column("Wait", tasks, now, |t| {
        t.wait
            .filter(|wait| t.status == Status::Pending && *wait > now)
    }));
    columns.push(date_column("Completed", tasks, now, |t| t.completed_at));
    // A status column only where the statuses differ: every task of
    // `task completed` is done.
    let mixed = tasks.iter().any(|t| t.status != tasks[0].status);
    if show_status && mixed {
        columns.push(Column::new(
            "Status",
            Align::Left,
            4,
            tasks
                .iter()
                .map(|t| t.status.as_str().to_string())
                .collect(),
        ));
    }
    columns.push(Column::new(
        "Tags",
        Align::Left,
        4,
        tasks.iter().map(|t| text(&display::tags(t))).collect(),
    ));
    if urgency {
        columns.push(Column::new(
            "Urg",
            Align::Right,
            3,
            // Rounded first and zero added, so that a tiny negative is 0.0.
            tasks
                .iter()
                .map(|t| format!("{:.1}", (t.urgency * 10.0).round() / 10.0 + 0.0))
                .collect(),
        ));
    }
    columns.push(Column::new(
        "Title",
        Align::Left,
        10,
        tasks.iter().map(|t| text(&t.title)).collect(),
    ));

    // Columns that are empty for every task are left out.
    columns.retain(|c| {
        c.header == "ID" || c.header == "Title" || c.cells.iter().any(|s| !s.is_empty())
    });

    if let Some(width) = width {
        fit(&mut columns, width);
    }

    let mut out = String::new();
    let headers: Vec<String> = columns
        .iter()
        .map(|c| align(&truncate(c.header, c.width), c.width, c.align))
        .collect();
    let header = headers.join(" ");
    out.push_str(&style.underline(header.trim_end()));
    out.push('\n');
    for (row, task) in tasks.iter().enumerate() {
        let overdue = task.status == Status::Pending && task.due.is_some_and(|d| d < now);
        let mut cells = Vec::with_capacity(columns.len());
        for column in &columns {
            let cell = align(
                &truncate(&column.cells[row], column.width),
                column.width,
                column.align,
            );
            let cell = match column.header {
                "Due" if overdue => style.red(&cell).into_owned(),
                "Pri" if task.priority == Some(Priority::High) => style.bold(&cell).into_owned(),
                _ => cell,
            };
            cells.push(cell);
        }
        let line = cells.join(" ");
        let line = line.trim_end();
        if task.status == Status::Done {
            out.push_str(&style.dim(line));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

fn align(text: &str, width: usize, align: Align) -> String {
    match align {
        Align::Left => pad(text, width),
        Align::Right => format!("{}{text}", " ".repeat(width.saturating_sub(text.width()))),
    }
}

/// Fits the table into `width`: the title gets what the other columns
/// leave, at least [`MIN_TITLE`] columns; to make room, tags and project are
/// narrowed first, then columns are left out (tags, status, project, due,
/// priority), and only then is the title cut further.
fn fit(columns: &mut Vec<Column>, width: usize) {
    const MIN_TITLE: usize = 12;
    let others = |columns: &[Column]| -> usize {
        columns
            .iter()
            .filter(|c| c.header != "Title")
            .map(|c| c.width + 1)
            .sum()
    };
    let title_room = |columns: &[Column]| width.saturating_sub(others(columns));
    let set_title = |columns: &mut Vec<Column>, room: usize| {
        if let Some(title) = columns.iter_mut().find(|c| c.header == "Title") {
            title.width = title.width.min(room).max(1);
        }
    };
    let natural_title = columns
        .iter()
        .find(|c| c.header == "Title")
        .map_or(0, |c| c.width);
    let wanted = natural_title.min(MIN_TITLE);
    if title_room(columns) >= wanted {
        let room = title_room(columns);
        return set_title(columns, room);
    }
    for column in columns.iter_mut() {
        if column.header == "Tags" || column.header == "Project" {
            column.width = column.min.max(1);
        }
    }
    for drop in ["Tags", "Status", "Project", "Due", "Pri"] {
        if title_room(columns) >= wanted {
            break;
        }
        columns.retain(|c| c.header != drop);
    }
    let room = title_room(columns);
    set_title(columns, room);
}

/// The tasks a task is linked to, both ways.
#[derive(Debug, Default)]
pub struct Links {
    /// The tasks it waits for.
    pub depends: Vec<Task>,
    /// The pending tasks that wait for it.
    pub blocking: Vec<Task>,
}

/// A column of instants shown relative to `now` ("2d", "-3h").
fn date_column(
    name: &'static str,
    tasks: &[Task],
    now: DateTime<Utc>,
    at: impl Fn(&Task) -> Option<DateTime<Utc>>,
) -> Column {
    Column::new(
        name,
        Align::Left,
        3,
        tasks
            .iter()
            .map(|t| at(t).map(|d| relative(d, now)).unwrap_or_default())
            .collect(),
    )
}

/// `task show`: one field a line. `links` are the tasks this one waits for
/// and the pending ones that wait for it, as read, so that they are named as
/// the user names them.
pub fn task_detail(task: &Task, links: &Links, style: Style, now: DateTime<Utc>) -> String {
    let depends = &links.depends;
    let when = |at: DateTime<Utc>| display::date_and_distance(at, now, &Local);
    let indent = format!("\n{}", " ".repeat(12));
    let mut rows: Vec<(String, String)> = vec![
        ("ID".into(), display::name(task)),
        ("Title".into(), escape_control(&task.title).into_owned()),
        ("Status".into(), task.status.as_str().to_string()),
    ];
    let mut row = |name: &str, value: String| rows.push((name.to_string(), value));
    if !task.uuid.is_empty() {
        row("UUID", escape_control(&task.uuid).into_owned());
    }
    if let Some(priority) = task.priority {
        row("Priority", priority.as_str().to_string());
    }
    if let Some(due) = task.due {
        let text = when(due);
        let overdue = task.status == Status::Pending && due < now;
        row(
            "Due",
            if overdue {
                style.red(&text).into_owned()
            } else {
                text
            },
        );
    }
    for (name, at) in [
        ("Start", task.start),
        ("Wait", task.wait),
        ("Scheduled", task.scheduled),
        ("Until", task.until),
    ] {
        if let Some(at) = at {
            row(name, when(at));
        }
    }
    if let Some(project) = &task.project {
        row("Project", escape_control(project).into_owned());
    }
    if !task.tags.is_empty() {
        row("Tags", escape_control(&display::tags(task)).into_owned());
    }
    if !depends.is_empty() {
        let lines: Vec<String> = depends
            .iter()
            .map(|t| {
                let state = match t.status {
                    Status::Pending => "",
                    Status::Done => " (done)",
                };
                format!("{} {}{state}", display::name(t), escape_control(&t.title))
            })
            .collect();
        row("Depends", lines.join(&indent));
    }
    // Only a pending task waits: a done one is past its dependencies.
    if task.blocked && task.status == Status::Pending {
        // A row of its own: beside the last dependency it read as that
        // task's state.
        let pending = depends
            .iter()
            .filter(|t| t.status == Status::Pending)
            .count();
        let blocked = match pending {
            0 => "yes".to_string(),
            1 => "yes, until the task it waits for is done".to_string(),
            n => format!("yes, until the {n} tasks it waits for are done"),
        };
        row("Blocked", blocked);
    }
    if !links.blocking.is_empty() {
        let lines: Vec<String> = links
            .blocking
            .iter()
            .map(|t| format!("{} {}", display::name(t), escape_control(&t.title)))
            .collect();
        row("Blocking", lines.join(&indent));
    } else if task.blocking {
        row("Blocking", "another pending task waits for this one".into());
    }
    for (name, value) in &task.udas {
        let value = escape_control(&value.to_string()).into_owned();
        row(&format!("uda.{name}"), value);
    }
    row("Created", when(task.created_at));
    row("Updated", when(task.updated_at));
    if let Some(completed) = task.completed_at {
        row("Completed", when(completed));
    }
    row("Version", task.version.to_string());
    if !task.description.is_empty() {
        let text = escape_control_keep_newlines(&task.description).replace('\n', &indent);
        row("Description", text);
    }
    if !task.annotations.is_empty() {
        let notes: Vec<String> = task
            .annotations
            .iter()
            .map(|note| {
                // Further lines under the note's first, past the date, so
                // that they read as the note's and not as a note of their own.
                let date = display::date(note.entry, &Local);
                let under = format!("{indent}{}", " ".repeat(date.chars().count() + 1));
                let text = escape_control_keep_newlines(&note.text).replace('\n', &under);
                format!("{date} {text}")
            })
            .collect();
        row("Annotations", notes.join(&indent));
    }
    let terms = common::urgency::terms(task, now);
    let mut urgency = format!("{:.4}", common::urgency::urgency(task, now));
    for term in &terms {
        urgency.push_str(&format!(
            "{indent}{:<12}{:>8.4} × {:>5} = {:>8.4}",
            term.name,
            term.factor,
            term.coefficient,
            term.value()
        ));
    }
    row("Urgency", urgency);
    // As wide as the longest name (a UDA's may be longer than ours), the
    // values' further lines moved over with them.
    let width = rows
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0)
        .max(11);
    let further = format!("\n{}", " ".repeat(width - 11));
    let mut out = String::new();
    for (name, value) in rows {
        out.push_str(&style.bold(&format!("{name:<width$}")));
        out.push(' ');
        out.push_str(&value.replace('\n', &further));
        out.push('\n');
    }
    out
}

/// Each item on a line of its own, as Taskwarrior's helper commands write
/// them for scripts.
pub fn lines(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    items.into_iter().fold(String::new(), |mut text, item| {
        text.push_str(item.as_ref());
        text.push('\n');
        text
    })
}
