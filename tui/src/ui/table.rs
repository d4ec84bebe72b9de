//! The task table and the detail pane.

use common::api::{Priority, Status, Task};
use common::display;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, HighlightSpacing, Padding, Paragraph, Row, Table, TableState, Wrap,
};
use ratatui::Frame;

use crate::app::App;
use crate::layout;
use unicode_width::UnicodeWidthStr;

use crate::text::{escape, escape_lines, relative, truncate};

fn priority_style(priority: Option<Priority>) -> Style {
    match priority {
        Some(Priority::High) => Style::new().fg(Color::Red).bold(),
        Some(Priority::Medium) => Style::new().fg(Color::Yellow),
        Some(Priority::Low) => Style::new().fg(Color::Blue),
        None => Style::new(),
    }
}

fn is_overdue(task: &Task, app: &App) -> bool {
    task.status == Status::Pending && task.due.is_some_and(|due| due < app.now)
}

fn tags_text(task: &Task) -> String {
    escape(&display::tags(task)).into_owned()
}

/// One letter for a task's state at a glance: active, blocked or waiting.
fn state_mark(task: &Task, app: &App) -> Span<'static> {
    if task.status == Status::Done {
        Span::raw("")
    } else if task.start.is_some() {
        Span::styled(
            "A",
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        )
    } else if task.blocked {
        Span::styled("B", Style::new().fg(Color::Yellow))
    } else if task.wait.is_some_and(|at| at > app.now) {
        Span::styled("W", Style::new().fg(Color::DarkGray))
    } else {
        Span::raw("")
    }
}

/// The title column's width below which other columns give way.
const TITLE_MIN: usize = 22;

pub(super) fn draw_table(frame: &mut Frame, area: Rect, app: &App) {
    let rows = layout::table_rows(area);
    let first = app.offset.min(app.tasks.len());
    let last = (first + rows).min(app.tasks.len());
    let shown: Vec<&Task> = app.tasks[first..last].iter().collect();

    // Columns as wide as what they show on this page, within limits.
    let narrow = area.width < layout::SIDE_BY_SIDE_WIDTH;
    let fit = |header: usize, widest: usize, max: usize| -> u16 {
        u16::try_from(header.max(widest).min(max)).unwrap_or(1)
    };
    let id_width = fit(
        2,
        shown
            .iter()
            .map(|t| display::name(t).len())
            .max()
            .unwrap_or(0),
        10,
    );
    let mut project_width = fit(
        7,
        shown
            .iter()
            .map(|t| t.project.as_deref().map_or(0, |p| escape(p).width()))
            .max()
            .unwrap_or(0),
        if narrow { 12 } else { 20 },
    );
    let mut tags_width = fit(
        4,
        shown
            .iter()
            .map(|t| tags_text(t).width())
            .max()
            .unwrap_or(0),
        if narrow { 14 } else { 24 },
    );

    // What is left for the title: the borders, the selection marker, the
    // other columns (state 1, priority 3, urgency 4, due 9) and the gaps
    // between the eight. On a narrow screen the tags, then the project,
    // give way (down to their headers) so that titles stay readable.
    let title_room = |project: u16, tags: u16| {
        usize::from(area.width)
            .saturating_sub(2 + 2 + 1 + 3 + 4 + 9 + 7 + usize::from(id_width + project + tags))
    };
    while title_room(project_width, tags_width) < TITLE_MIN && (tags_width > 4 || project_width > 7)
    {
        if tags_width > 4 {
            tags_width -= 1;
        } else {
            project_width -= 1;
        }
    }
    // Room the titles on this page do not need goes back to the tags, then
    // the project, that were cut for it.
    let widest_title = shown
        .iter()
        .map(|t| escape(&t.title).width())
        .max()
        .unwrap_or(0)
        .max("Title".len());
    let mut spare = title_room(project_width, tags_width).saturating_sub(widest_title);
    for (width, widest) in [
        (
            &mut tags_width,
            shown.iter().map(|t| tags_text(t).width()).max(),
        ),
        (
            &mut project_width,
            shown
                .iter()
                .map(|t| t.project.as_deref().map_or(0, |p| escape(p).width()))
                .max(),
        ),
    ] {
        let wanted = widest.unwrap_or(0).saturating_sub(usize::from(*width));
        let given = wanted.min(spare);
        *width = width.saturating_add(u16::try_from(given).unwrap_or(0));
        spare -= given;
    }
    let title_width = title_room(project_width, tags_width);
    let table_rows: Vec<Row> = shown
        .iter()
        .map(|task| {
            let overdue = is_overdue(task, app);
            let due = task.due.map(|d| relative(d, app.now)).unwrap_or_default();
            let due_style = if overdue {
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            let row = Row::new(vec![
                Cell::from(display::name(task)),
                Cell::from(state_mark(task, app)),
                Cell::from(
                    truncate(
                        &escape(task.project.as_deref().unwrap_or("")),
                        usize::from(project_width),
                    )
                    .into_owned(),
                ),
                Cell::from(Span::styled(
                    task.priority
                        .map(|p| p.letter().to_string())
                        .unwrap_or_default(),
                    priority_style(task.priority),
                )),
                // Shown to one decimal; a value that rounds to zero is 0.0, not -0.0.
                Cell::from(format!("{:>4.1}", task.urgency).replace("-0.0", " 0.0")),
                Cell::from(Span::styled(due, due_style)),
                Cell::from(Span::styled(
                    truncate(&tags_text(task), usize::from(tags_width)).into_owned(),
                    Style::new().fg(Color::Magenta),
                )),
                Cell::from(truncate(&escape(&task.title), title_width).into_owned()),
            ]);
            if task.status == Status::Done {
                row.style(
                    Style::new()
                        .fg(Color::DarkGray)
                        .add_modifier(Modifier::DIM | Modifier::CROSSED_OUT),
                )
            } else if overdue {
                row.style(Style::new().fg(Color::LightRed))
            } else {
                row
            }
        })
        .collect();

    let header = Row::new(["ID", "", "Project", "Pri", "Urg", "Due", "Tags", "Title"])
        .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED));
    let title = if app.tasks.is_empty() {
        " Tasks ".to_string()
    } else {
        format!(" Tasks {}/{} ", app.selected + 1, app.tasks.len())
    };
    let table = Table::new(
        table_rows,
        [
            Constraint::Length(id_width),
            Constraint::Length(1),
            Constraint::Length(project_width),
            Constraint::Length(3),
            Constraint::Length(4),
            Constraint::Length(9),
            Constraint::Length(tags_width),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .block(
        Block::default()
            .borders(Borders::ALL)
            .title(title)
            .border_style(Style::new().fg(Color::Cyan)),
    )
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
    .highlight_symbol("▶ ")
    // The columns stay where they are when there is nothing to select.
    .highlight_spacing(HighlightSpacing::Always);
    let mut state = TableState::default()
        .with_selected((!app.tasks.is_empty()).then(|| app.selected.saturating_sub(first)));
    frame.render_stateful_widget(table, area, &mut state);

    if app.tasks.is_empty() {
        draw_empty(frame, area, app);
    }
}

fn draw_empty(frame: &mut Frame, area: Rect, app: &App) {
    let text = if app.loaded_query.is_none() && app.offline.is_some() {
        "Waiting for the server…".to_string()
    } else if app.loaded_query.is_none() {
        "loading…".to_string()
    } else if app.filter.applied.trim().is_empty() {
        match app.scope {
            crate::query::Scope::Pending => "No pending tasks. Press a to add one.",
            crate::query::Scope::All => "No tasks. Press a to add one.",
        }
        .to_string()
    } else {
        "No task matches the filter. Press / to change it.".to_string()
    };
    let room = usize::from(area.width.saturating_sub(4)).max(1);
    let mut lines = vec![Line::from(text.dark_gray())];
    // What a `project:` that found nothing may have meant.
    if let Some(hint) = app
        .empty_hint
        .as_deref()
        .filter(|_| app.loaded_query.is_some())
    {
        lines.extend(
            crate::text::wrap(&escape(hint), room)
                .into_iter()
                .take(3)
                .map(|line| Line::from(line.yellow())),
        );
    }
    let inner = Rect {
        x: area.x + 1,
        y: area.y + area.height / 2,
        width: area.width.saturating_sub(2),
        height: u16::try_from(lines.len())
            .unwrap_or(1)
            .min(area.height.saturating_sub(area.height / 2 + 1)),
    };
    frame.render_widget(
        Paragraph::new(lines).alignment(ratatui::layout::Alignment::Center),
        inner,
    );
}

pub(super) fn draw_detail(frame: &mut Frame, area: Rect, app: &App) {
    let block = Block::default()
        .borders(Borders::ALL)
        .padding(Padding::horizontal(1))
        .border_style(Style::new().fg(Color::Cyan));
    let Some(task) = app.selected_task() else {
        frame.render_widget(
            Paragraph::new(" No task selected.".dark_gray()).block(block.title(" Details ")),
            area,
        );
        return;
    };
    // Said in the border when there is more above or below (`J`/`K`).
    let lines = detail_lines(app, task);
    let offset = app.detail_offset();
    let rows = rows_of(&lines, area.width);
    let more_below = rows > offset.saturating_add(area.height.saturating_sub(2));
    let more = match (offset > 0, more_below) {
        (false, false) => None,
        (true, false) => Some(" ↑ K "),
        (false, true) => Some(" J ↓ "),
        (true, true) => Some(" ↑ K · J ↓ "),
    };
    let mut block = block.title(format!(" Task {} ", display::name(task)));
    if let Some(more) = more {
        block = block.title_bottom(Line::from(more).right_aligned());
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((offset, 0))
            .block(block),
        area,
    );
}

/// The rows `lines` take in a pane `width` wide (its borders and padding
/// included), each long line wrapped.
pub(super) fn rows_of(lines: &[Line], width: u16) -> u16 {
    let inner = usize::from(width.saturating_sub(4)).max(1);
    let rows: usize = lines
        .iter()
        .map(|line| line.width().div_ceil(inner).max(1))
        .sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// What the detail pane says of `task`, a line each before wrapping.
pub(crate) fn detail_lines(app: &App, task: &Task) -> Vec<Line<'static>> {
    // Wide enough for "Scheduled" and a space; a longer name (a UDA's)
    // gets its space too.
    let label = |name: &str| Span::styled(format!("{name:<9} "), Style::new().fg(Color::DarkGray));
    let dot = || Span::styled(" · ", Style::new().fg(Color::DarkGray));
    let mut lines = vec![Line::from(Span::styled(
        escape(&task.title).into_owned(),
        Style::new().add_modifier(Modifier::BOLD),
    ))];
    let mut status = vec![label("Status"), Span::raw(task.status.as_str())];
    if let Some(at) = task.completed_at {
        status.push(Span::raw(format!(" {}", display::date(at, &app.tz))));
    }
    status.push(dot());
    status.push(Span::styled(
        match task.priority {
            Some(p) => format!("{} priority", p.as_str()),
            None => "no priority".to_string(),
        },
        priority_style(task.priority),
    ));
    status.push(dot());
    status.push(Span::raw(format!(
        "urgency {:.2}",
        common::urgency::urgency(task, app.now)
    )));
    lines.push(Line::from(status));
    lines.push(Line::from(vec![
        label("Project"),
        Span::raw(escape(task.project.as_deref().unwrap_or("none")).into_owned()),
    ]));
    let tags = if task.tags.is_empty() {
        Span::raw("none")
    } else {
        Span::styled(tags_text(task), Style::new().fg(Color::Magenta))
    };
    lines.push(Line::from(vec![label("Tags"), tags]));
    let due = match task.due {
        Some(due) => {
            let style = if is_overdue(task, app) {
                Style::new().fg(Color::Red).bold()
            } else {
                Style::new()
            };
            Span::styled(display::date_and_distance(due, app.now, &app.tz), style)
        }
        None => Span::raw("none"),
    };
    lines.push(Line::from(vec![label("Due"), due]));
    for (name, at) in [
        ("Active", task.start),
        ("Wait", task.wait),
        ("Scheduled", task.scheduled),
        ("Until", task.until),
    ] {
        if let Some(at) = at {
            lines.push(Line::from(vec![
                label(name),
                Span::raw(display::date_and_distance(at, app.now, &app.tz)),
            ]));
        }
    }
    if !task.depends.is_empty() || task.blocking {
        // Named as the user names them where they are on screen.
        let ids: Vec<String> = task
            .depends
            .iter()
            .map(|id| match app.tasks.iter().find(|t| t.id == *id) {
                Some(other) => display::name(other),
                None => format!("(id {id})"),
            })
            .collect();
        let mut spans = vec![label("Depends")];
        spans.push(Span::raw(if ids.is_empty() {
            "none".to_string()
        } else {
            ids.join(" ")
        }));
        if task.blocked {
            spans.push(dot());
            spans.push(Span::styled("blocked", Style::new().fg(Color::Yellow)));
        }
        if task.blocking {
            // Those it holds up, among the rows loaded.
            let waiting: Vec<String> = app
                .tasks
                .iter()
                .filter(|other| other.status == Status::Pending && other.depends.contains(&task.id))
                .map(display::name)
                .collect();
            spans.push(dot());
            spans.push(Span::styled(
                if waiting.is_empty() {
                    "blocking".to_string()
                } else {
                    format!("blocking {}", waiting.join(" "))
                },
                Style::new().fg(Color::Yellow),
            ));
        }
        lines.push(Line::from(spans));
    }
    for (name, value) in &task.udas {
        lines.push(Line::from(vec![
            label(&escape(name)),
            Span::raw(escape(&value.to_string()).into_owned()),
        ]));
    }
    lines.push(Line::from(vec![
        label("Created"),
        Span::raw(display::date(task.created_at, &app.tz)),
        dot(),
        Span::raw(format!(
            "modified {} (v{})",
            display::date(task.updated_at, &app.tz),
            task.version
        )),
    ]));
    lines.push(Line::from(""));
    if task.description.is_empty() {
        lines.push(Line::from("no description".dark_gray()));
    } else {
        lines.extend(escape_lines(&task.description).into_iter().map(Line::from));
    }
    // Notes under a heading of their own, apart from the description.
    if !task.annotations.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            label("Notes"),
            Span::raw(task.annotations.len().to_string()),
        ]));
    }
    for note in &task.annotations {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} ", display::date(note.entry, &app.tz)),
                Style::new().fg(Color::DarkGray),
            ),
            Span::raw(escape(&note.text).into_owned()),
        ]));
    }
    // How the urgency is made, last: the first thing to go on a small screen.
    let terms: Vec<String> = common::urgency::terms(task, app.now)
        .iter()
        .map(|term| format!("{} {:+.2}", term.name, term.value()))
        .collect();
    if !terms.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            label("Urgency"),
            Span::styled(terms.join(", "), Style::new().fg(Color::DarkGray)),
        ]));
    }
    lines
}
