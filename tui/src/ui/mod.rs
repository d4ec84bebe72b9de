//! The view: draws the model, does no I/O and changes nothing.

mod forms;
mod table;

use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use common::api::Task;
use common::display;

use crate::app::{App, Level, Overlay};
use crate::input::Input;
use crate::layout;
use crate::query::Scope;
use crate::text::{escape, truncate, wrap};

/// The rows the detail pane needs for the selected task at `width` (its
/// borders and padding included), its long lines wrapped: what the layout
/// gives it room for when it sits below the table.
pub fn detail_rows(app: &App, width: u16) -> u16 {
    app.selected_task().map_or(1, |task| {
        table::rows_of(&table::detail_lines(app, task), width)
    })
}

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if layout::too_small(area) {
        draw_too_small(frame, area);
        return;
    }
    if let Some(login) = &app.login {
        forms::draw_login(frame, area, app, login);
        return;
    }
    let areas = app.layout_for(area);
    table::draw_table(frame, areas.table, app);
    if let Some(detail) = areas.detail {
        table::draw_detail(frame, detail, app);
    }
    if let Some(filter) = areas.filter {
        draw_filter(frame, filter, app);
    }
    draw_status(frame, areas.status, app);
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => draw_help(frame, area, *scroll),
        Overlay::ConfirmDelete(task) => draw_confirm(frame, area, app, task),
        Overlay::Form(form) => forms::draw_task_form(frame, area, form, app.tz),
        Overlay::Prompt(prompt) => draw_prompt(frame, area, prompt),
    }
}

fn draw_too_small(frame: &mut Frame, area: Rect) {
    let lines = vec![
        Line::from("terminal too small".bold()),
        Line::from(format!(
            "{}×{}, needs at least {}×{}",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        )),
        Line::from("q: quit"),
    ];
    let top = area.height.saturating_sub(3) / 2;
    let rect = Rect {
        y: area.y + top,
        height: area.height.saturating_sub(top).min(3),
        ..area
    };
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}

/// An input's text that fits in `width` columns, scrolled to keep the cursor in
/// view, and the cursor's column in it.
pub(crate) fn visible_input(input: &Input, width: u16, masked: bool) -> (String, u16) {
    let width = usize::from(width.max(1));
    let (chars, cursor): (Vec<char>, usize) = if masked {
        (input.value().chars().map(|_| '•').collect(), input.cursor())
    } else {
        // A control character shows escaped (`\n`): the cursor moves with it.
        let before: String = input.value().chars().take(input.cursor()).collect();
        (
            escape(input.value()).chars().collect(),
            escape(&before).chars().count(),
        )
    };
    let cursor = cursor.min(chars.len());
    let start = cursor.saturating_sub(width - 1);
    let shown: String = chars.iter().skip(start).take(width).collect();
    (shown, u16::try_from(cursor - start).unwrap_or(0))
}

/// A multi-line input as shown in at most `rows` rows of `width` columns: the
/// lines around the cursor, each escaped, the cursor's line scrolled sideways
/// as [`visible_input`] scrolls a one-line input; and the cursor's column and
/// row among them.
pub(crate) fn visible_lines(input: &Input, width: u16, rows: usize) -> (Vec<String>, u16, u16) {
    let before: String = input.value().chars().take(input.cursor()).collect();
    let cursor_line = before.matches('\n').count();
    let cursor_column = before.rsplit('\n').next().unwrap_or("").chars().count();
    let first = cursor_line.saturating_sub(rows.max(1) - 1);
    let mut column = 0;
    let shown = input
        .value()
        .split('\n')
        .enumerate()
        .skip(first)
        .take(rows.max(1))
        .map(|(n, line)| {
            if n == cursor_line {
                let (shown, at) = visible_input(&Input::at(line, cursor_column), width, false);
                column = at;
                shown
            } else {
                escape(line).chars().take(usize::from(width)).collect()
            }
        })
        .collect();
    let row = u16::try_from(cursor_line - first).unwrap_or(0);
    (shown, column, row)
}

/// The filter as typed, marked when it does not parse; the error itself is
/// the status bar's notice, wrapped to the whole width of the screen.
fn draw_filter(frame: &mut Frame, area: Rect, app: &App) {
    let marked = app.filter.error.is_some();
    let input_width = area.width.saturating_sub(if marked { 4 } else { 2 });
    let (shown, cursor) = visible_input(&app.filter.input, input_width, false);
    let mut spans = vec![Span::styled("/ ", Style::new().fg(Color::Cyan).bold())];
    let pad = usize::from(input_width).saturating_sub(shown.chars().count());
    spans.push(Span::raw(shown));
    if marked {
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(" ✗", Style::new().fg(Color::Red)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    frame.set_cursor_position((area.x + 2 + cursor, area.y));
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let (mut pending, mut done) = (0usize, 0usize);
    for task in &app.tasks {
        match task.status {
            common::api::Status::Pending => pending += 1,
            common::api::Status::Done => done += 1,
        }
    }
    let sep = Span::styled(" │ ", Style::new().fg(Color::DarkGray));
    // A filter naming a status decides it, whatever the scope.
    let scope = app
        .filter
        .parsed
        .query
        .status
        .map_or(app.scope.label(), |status| status.as_str());
    let mixed = scope == Scope::All.label();
    // `w`'s choice shows beside it, where it says something: waiting
    // tasks are otherwise hidden, and no done task waits.
    let waiting = if app.show_waiting && scope != "done" {
        "+waiting"
    } else {
        ""
    };
    let scope = Span::styled(
        format!(" {scope}{waiting} "),
        Style::new().fg(Color::Black).bg(Color::Cyan),
    );
    let count = Span::raw(format!(
        " {} task{}",
        app.tasks.len(),
        if app.tasks.len() == 1 { "" } else { "s" }
    ));
    // How many of each, where the rows hold both: a view of one status
    // would only say its count again, and "0" of the other.
    let detail = Span::raw(if mixed {
        format!(" · {pending} pending · {done} done")
    } else {
        String::new()
    });
    let sort = Span::raw(format!("sort: {}", app.sort.label()));
    let filter = Some(app.filter.applied.trim())
        .filter(|applied| !applied.is_empty())
        .map(|applied| {
            Span::styled(
                format!("filter: {}", escape(applied)),
                Style::new().fg(Color::Yellow),
            )
        });
    // On a narrow screen the filter in force stays: the counts' detail,
    // then the sort, give way to it.
    let width = |spans: &[&Span]| spans.iter().map(|s| s.width()).sum::<usize>();
    let filter_width = filter.as_ref().map_or(0, |f| sep.width() + f.width());
    let least = width(&[&scope, &count]) + filter_width;
    let with_sort = least + sep.width() + sort.width();
    let show_sort = with_sort <= usize::from(area.width);
    let show_detail = show_sort && with_sort + detail.width() <= usize::from(area.width);
    let mut info = vec![scope, count];
    if show_detail {
        info.push(detail);
    }
    if show_sort {
        info.push(sep.clone());
        info.push(sort);
    }
    if let Some(filter) = filter {
        info.push(sep.clone());
        info.push(filter);
    }
    if let Some(user) = &app.username {
        let who = format!("{}@{}", escape(user), escape(&app.server));
        let used: usize = info.iter().map(|s| s.content.chars().count()).sum();
        // Who is logged in where, if it fits.
        if used + 3 + who.chars().count() <= usize::from(area.width) {
            info.push(sep);
            info.push(Span::styled(who, Style::new().fg(Color::DarkGray)));
        }
    }
    let second = if let Some((level, text)) = app.notice() {
        let style = match level {
            Level::Info => Style::new().fg(Color::Green),
            Level::Error if app.offline.is_some() => Style::new().fg(Color::White).bg(Color::Red),
            Level::Error => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        };
        // Wrapped as `App::layout` counted the lines.
        let lines: Vec<Line> = wrap(&format!(" {text}"), usize::from(area.width))
            .into_iter()
            .map(|line| Line::from(Span::styled(line, style)))
            .collect();
        Text::from(lines)
    } else if app.filter.editing {
        Text::from(filter_hints(usize::from(area.width)))
    } else if app.is_loading_slowly() {
        Text::from(Span::styled(" loading…", Style::new().fg(Color::Yellow)))
    } else {
        // On a narrow screen the last keys before help and quit give way:
        // those two say where the rest are.
        let mut keys = vec![
            ("a", "add"),
            ("e", "edit"),
            ("space", "done"),
            ("x", "delete"),
            ("/", "filter"),
            ("s", "sort"),
            ("tab", "all"),
            ("?", "help"),
            ("q", "quit"),
        ];
        while keys.len() > 2 && hints(&keys).width() > usize::from(area.width) {
            keys.remove(keys.len() - 3);
        }
        Text::from(hints(&keys))
    };
    let [first, rest] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Length(1),
        ratatui::layout::Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(Line::from(info)), first);
    frame.render_widget(Paragraph::new(second), rest);
}

/// The keys and words of the filter line, as many words as `width` holds:
/// the rarer ones give way first.
fn filter_hints(width: usize) -> Line<'static> {
    let mut words = vec![
        "+tag",
        "-tag",
        "pro:P",
        "pri:H",
        "status:done",
        "due.before:DATE",
        "1,3",
        "words",
    ];
    // The words a typed filter needs least give way first; a tag, a
    // project and naming tasks by number stay longest.
    let rarer = ["due.before:DATE", "status:done", "pri:H", "-tag", "pro:P"];
    let line = |words: &[&str]| {
        hints(&[
            ("enter", "keep filter"),
            ("esc", "restore"),
            ("", &words.join(" ")),
        ])
    };
    for word in rarer {
        if line(&words).width() <= width {
            break;
        }
        words.retain(|w| *w != word);
    }
    line(&words)
}

/// `key label` pairs, keys highlighted.
pub(crate) fn hints(pairs: &[(&str, &str)]) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for (n, (key, label)) in pairs.iter().enumerate() {
        spans.push(Span::styled(
            key.to_string(),
            Style::new().fg(Color::Cyan).bold(),
        ));
        let gap = if n + 1 < pairs.len() { "  " } else { "" };
        spans.push(Span::styled(
            format!(" {label}{gap}"),
            Style::new().fg(Color::DarkGray),
        ));
    }
    Line::from(spans)
}

/// Every key, as `?` shows them.
pub const KEYS: &[(&str, &str)] = &[
    ("j / ↓, k / ↑", "move down / up (or the mouse wheel)"),
    ("g / Home, G / End", "first / last task"),
    ("PgDn / PgUp", "a page down / up"),
    ("enter", "show / hide the details pane"),
    ("J / K", "scroll the details pane"),
    ("a, e", "add a task, edit the selected one"),
    ("space", "toggle done / pending"),
    ("S", "start / stop the selected task (active)"),
    ("A", "add a note (annotation) to it"),
    ("D", "set what it waits for (dependencies)"),
    ("x", "delete the selected task (asks first)"),
    ("u, U", "undo the last change, redo it"),
    ("/", "filter: +tag -tag project:P priority:H"),
    ("", "  status:done due.before:DATE words…"),
    ("", "  tasks by number: 1,3 or 2-4"),
    ("", "  (enter keeps it, esc restores the last)"),
    ("s", "cycle the sort order"),
    ("tab", "pending tasks / all tasks"),
    ("w", "show / hide waiting tasks"),
    ("r F5", "reload now"),
    ("? F1", "this help"),
    ("esc", "close the details pane, else clear the filter"),
    ("q", "quit"),
];

/// The help's box in `area`, its lines, and how many of them it shows: the
/// box less its border and the two closing lines.
fn help_box(area: Rect) -> (Rect, Vec<(&'static str, String)>, usize) {
    // As wide as its longest line (the key's column, the text, a margin,
    // the border), so that no line is cut where the screen has room for
    // it; on a narrower screen the texts wrap after the key's column.
    let widest = KEYS
        .iter()
        .map(|(_, what)| KEY_COLUMN + what.width())
        .max()
        .unwrap_or(0)
        + 3;
    let width = u16::try_from(widest).unwrap_or(u16::MAX).min(area.width);
    // A column kept free before the right border, where text ran into it.
    let lines = help_lines(usize::from(width.saturating_sub(3)));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(4);
    let rect = layout::centered(area, width, height);
    let room = usize::from(rect.height.saturating_sub(4)).max(1);
    (rect, lines, room)
}

/// Each key with its text wrapped to what `inner` columns leave after the
/// key's column; a text's further lines have no key, and keep its indent.
fn help_lines(inner: usize) -> Vec<(&'static str, String)> {
    let room = inner.saturating_sub(KEY_COLUMN).max(12);
    KEYS.iter()
        .flat_map(|(key, what)| {
            let text = what.trim_start();
            let indent = " ".repeat(what.len() - text.len());
            crate::text::wrap(text, room.saturating_sub(indent.len()))
                .into_iter()
                .enumerate()
                .map(move |(n, line)| (if n == 0 { *key } else { "" }, format!("{indent}{line}")))
        })
        .collect()
}

/// The key's column in the help: a space, then the key padded to 19.
const KEY_COLUMN: usize = 20;

/// How far the help scrolls on a screen of `size`: to its last line.
pub fn help_scroll_max(size: Rect) -> usize {
    let (_, lines, room) = help_box(size);
    lines.len().saturating_sub(room)
}

fn draw_help(frame: &mut Frame, area: Rect, scroll: usize) {
    let (rect, all, room) = help_box(area);
    let scroll = scroll.min(all.len().saturating_sub(room));
    let more = scroll + room < all.len();
    let mut lines: Vec<Line> = all
        .into_iter()
        .skip(scroll)
        .take(room)
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:<19}"), Style::new().fg(Color::Cyan).bold()),
                Span::raw(what),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(
        if more || scroll > 0 {
            " j/k scroll · any other key closes this"
        } else {
            " any key closes this"
        }
        .dark_gray(),
    ));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Keys ")
                .border_style(Style::new().fg(Color::Cyan)),
        ),
        rect,
    );
}

/// The `A` / `D` prompt: a box at the bottom with its hint and any error.
fn draw_prompt(frame: &mut Frame, area: Rect, prompt: &crate::prompt::Prompt) {
    let width = area.width.saturating_sub(4).min(76);
    let inner = width.saturating_sub(4);
    // An error is read whole, on as many lines as it takes (three at most).
    let under: Vec<Line> = match &prompt.error {
        Some(error) => wrap(&format!("✗ {}", escape(error)), usize::from(inner.max(1)))
            .into_iter()
            .take(3)
            .map(|line| Line::from(Span::styled(line, Style::new().fg(Color::Red))))
            .collect(),
        None => vec![Line::from(prompt.hint().dark_gray())],
    };
    let height = 4 + u16::try_from(under.len()).unwrap_or(3);
    let rect = Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.bottom().saturating_sub(height + 1),
        width,
        height: height.min(area.height),
    };
    let (shown, cursor) = visible_input(&prompt.input, inner, false);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("> ", Style::new().fg(Color::Cyan).bold()),
            Span::raw(shown),
        ]),
        Line::from(""),
    ];
    lines.extend(under);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(escape(&prompt.title()).into_owned())
                .border_style(Style::new().fg(Color::Cyan)),
        ),
        rect,
    );
    frame.set_cursor_position((rect.x + 3 + cursor, rect.y + 1));
}

/// What deleting `task` does to the tasks waiting for it: once it is in the
/// trash they wait for it no more. Named as the server found them (hidden
/// waiting tasks too), else from the rows loaded until it answers; a task
/// waited for by none of those is still said to be waited for.
fn waiting_for(app: &App, task: &Task) -> Option<String> {
    if !task.blocking {
        return None;
    }
    let names: Vec<String> = match &app.waiting_for_deleted {
        Some((id, names)) if *id == task.id => names.clone(),
        _ => app
            .tasks
            .iter()
            .filter(|t| t.status == common::api::Status::Pending && t.depends.contains(&task.id))
            .map(display::name)
            .collect(),
    };
    Some(display::waiting_note(&names, "it"))
}

fn draw_confirm(frame: &mut Frame, area: Rect, app: &App, task: &Task) {
    let mut lines = vec![
        Line::from(format!("Delete task {}?", display::name(task)).bold()),
        Line::from(escape(&task.title).into_owned()),
    ];
    // As wide as the note needs, within the screen; wrapped past that, to
    // a few lines.
    let note = waiting_for(app, task);
    let width = note
        .as_ref()
        .map_or(56, |note| (note.width() + 4).clamp(56, 76))
        .min(usize::from(area.width.saturating_sub(2)));
    if let Some(note) = note {
        let mut wrapped = wrap(&note, width.saturating_sub(4));
        if wrapped.len() > 4 {
            let rest = wrapped[3..].join(" ");
            wrapped.truncate(3);
            wrapped.push(truncate(&rest, width.saturating_sub(4)).into_owned());
        }
        lines.extend(wrapped.into_iter().map(|line| Line::from(line.yellow())));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled("y", Style::new().fg(Color::Red).bold()),
        Span::raw(" delete   "),
        Span::styled("n", Style::new().fg(Color::Cyan).bold()),
        Span::raw(" / "),
        Span::styled("esc", Style::new().fg(Color::Cyan).bold()),
        Span::raw(" keep it"),
    ]));
    let height = u16::try_from(lines.len()).unwrap_or(u16::MAX) + 3;
    let rect = layout::centered(area, u16::try_from(width).unwrap_or(56), height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).alignment(Alignment::Center).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Delete ")
                .border_style(Style::new().fg(Color::Red)),
        ),
        rect,
    );
}
