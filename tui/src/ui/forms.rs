//! The add/edit form and the login form.

use chrono::FixedOffset;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Padding, Paragraph};
use ratatui::Frame;

use super::{hints, visible_input, visible_lines};
use crate::app::App;
use crate::form::{Field, TaskForm};
use crate::input::Input;
use crate::layout;
use crate::login::{LoginField, LoginForm};
use crate::text::{escape, truncate, wrap};

const LABEL_WIDTH: u16 = 13;
/// Lines of a multi-line description shown at once; the window follows the
/// cursor.
const DESCRIPTION_ROWS: usize = 4;

fn field_hint(field: Field) -> &'static str {
    match field {
        Field::Due => "2026-12-01, tomorrow, fri, 3d, eom…",
        // What each means, Taskwarrior's way; their dates are read as Due's.
        Field::Scheduled => "when you mean to start",
        Field::Wait => "hidden from the list until then",
        Field::Until => "deleted once past",
        Field::Tags => "space-separated",
        Field::Attributes => "name:value, as size:3 note:\"two words\"",
        Field::Project => "dotted: home.garden",
        Field::Priority => "←/→ or h m l n",
        Field::Status => "←/→ or p d",
        _ => "",
    }
}

/// The start of `input` that fits `width` columns, `…` marking the rest.
fn head(input: &Input, width: u16) -> String {
    let text = escape(input.value());
    let width = usize::from(width.max(1));
    if text.chars().count() <= width {
        return text.into_owned();
    }
    let mut shown: String = text.chars().take(width - 1).collect();
    shown.push('…');
    shown
}

/// A conflicting value on up to three lines `room` wide, the last cut
/// with an ellipsis when there is more.
fn value_lines(value: &str, room: usize) -> Vec<String> {
    const MOST: usize = 3;
    let mut lines = wrap(value, room);
    if lines.len() > MOST {
        let rest = lines[MOST - 1..].join(" ");
        lines.truncate(MOST - 1);
        lines.push(truncate(&rest, room).into_owned());
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Shown after a first Esc over unsaved changes.
const DISCARD_ASKED: &str = "Unsaved changes: Esc again drops them, Enter saves them.";

pub(super) fn draw_task_form(frame: &mut Frame, area: Rect, form: &TaskForm, tz: FixedOffset) {
    let width = area.width.saturating_sub(2).min(90);
    let input_width = width.saturating_sub(2 + LABEL_WIDTH + 1);
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    // The focused field's lines, its errors included.
    let mut focused_lines = 0..0;
    for field in Field::ALL {
        let focused = form.focus == field;
        let first_line = lines.len();
        let label_style = if focused {
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let marker = if focused { "›" } else { " " };
        let mut spans = vec![Span::styled(
            format!(
                "{marker}{:<width$}",
                field.label(),
                width = usize::from(LABEL_WIDTH) - 1
            ),
            label_style,
        )];
        let value_style = Style::new().bg(if focused {
            Color::DarkGray
        } else {
            Color::Reset
        });
        match form.input(field) {
            Some(input) if field == Field::Description && input.value().contains('\n') => {
                let rows = input.value().split('\n').count().min(DESCRIPTION_ROWS);
                let (shown, column, row) = visible_lines(input, input_width, rows);
                if focused {
                    cursor = Some((column, u16::try_from(lines.len()).unwrap_or(0) + row));
                }
                for (n, text) in shown.into_iter().enumerate() {
                    if n > 0 {
                        lines.push(Line::from(std::mem::take(&mut spans)));
                        spans.push(Span::raw(" ".repeat(usize::from(LABEL_WIDTH))));
                    }
                    let pad = usize::from(input_width).saturating_sub(text.chars().count());
                    spans.push(Span::styled(
                        format!("{text}{}", " ".repeat(pad)),
                        value_style,
                    ));
                }
            }
            Some(input) => {
                let (shown, column) = if focused {
                    visible_input(input, input_width, false)
                } else {
                    // Away from the cursor a field reads from its start.
                    (head(input, input_width), 0)
                };
                let hint = field_hint(field);
                if input.value().is_empty() && !hint.is_empty() && !focused {
                    spans.push(Span::styled(hint, Style::new().fg(Color::DarkGray)));
                } else {
                    let pad = usize::from(input_width).saturating_sub(shown.chars().count());
                    spans.push(Span::styled(
                        format!("{shown}{}", " ".repeat(pad)),
                        value_style,
                    ));
                }
                if focused {
                    cursor = Some((column, u16::try_from(lines.len()).unwrap_or(0)));
                }
            }
            None => {
                spans.push(Span::styled(
                    format!("◂ {} ▸", form.choice(field)),
                    value_style.add_modifier(Modifier::BOLD),
                ));
                if focused {
                    spans.push(Span::styled(
                        format!("  {}", field_hint(field)),
                        Style::new().fg(Color::DarkGray),
                    ));
                }
            }
        }
        lines.push(Line::from(spans));
        if let Some(error) = form.errors.get(&field) {
            let room = usize::from(width.saturating_sub(2 + LABEL_WIDTH));
            for line in wrap(&format!("✗ {}", escape(error)), room) {
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(usize::from(LABEL_WIDTH))),
                    Span::styled(line, Style::new().fg(Color::Red)),
                ]));
            }
        }
        if focused {
            focused_lines = first_line..lines.len();
        }
    }
    let fields_end = lines.len();
    lines.push(Line::from(""));
    if form.confirm_discard {
        let room = usize::from(width.saturating_sub(2));
        for line in wrap(DISCARD_ASKED, room) {
            lines.push(Line::from(line.yellow().bold()));
        }
    } else if let Some(error) = &form.error {
        let room = usize::from(width.saturating_sub(2));
        for line in wrap(&format!("✗ {}", escape(error)), room) {
            lines.push(Line::from(Span::styled(
                line,
                Style::new().fg(Color::Red).bold(),
            )));
        }
    } else if form.saving {
        lines.push(Line::from("saving…".yellow()));
    }
    // After a conflict: what is typed here, and what the server has now,
    // each on lines of its own, so that where they differ shows.
    let room = usize::from(width.saturating_sub(2 + LABEL_WIDTH + 7)).max(1);
    for (label, mine, theirs) in form.conflict_rows(tz) {
        for (side, value, style) in [
            ("yours ", mine, Style::new()),
            ("server", theirs, Style::new().fg(Color::DarkGray)),
        ] {
            for (n, part) in value_lines(&escape(&value), room).into_iter().enumerate() {
                let head = if side.starts_with('y') && n == 0 {
                    label
                } else {
                    ""
                };
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(" {head:<width$}", width = usize::from(LABEL_WIDTH) - 1),
                        Style::new().fg(Color::Yellow),
                    ),
                    Span::styled(
                        format!("{} {part}", if n == 0 { side } else { "      " }),
                        style,
                    ),
                ]));
            }
        }
    }
    let mut keys = vec![
        ("enter", "save"),
        ("tab/↑↓", "next field"),
        ("esc", "cancel"),
    ];
    if form.focus == Field::Description {
        keys.push(("ctrl-j", "new line"));
    }
    lines.push(hints(&keys));

    // Taller than the screen: the fields scroll to keep the focused one in
    // view, and what follows them (the error, the choice a conflict asks
    // for, the keys) always shows.
    let room = usize::from(area.height.saturating_sub(2));
    let hidden = lines.len().saturating_sub(room).min(fields_end);
    let shown_fields = fields_end - hidden;
    let skip = focused_lines
        .end
        .saturating_sub(shown_fields)
        .min(focused_lines.start)
        .min(hidden);
    let lines: Vec<Line> = lines
        .into_iter()
        .enumerate()
        .filter(|(n, _)| *n >= fields_end || (skip..skip + shown_fields).contains(n))
        .map(|(_, line)| line)
        .collect();
    let skipped = u16::try_from(skip).unwrap_or(u16::MAX);
    let cursor = cursor.and_then(|(column, row)| Some((column, row.checked_sub(skipped)?)));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = layout::centered(area, width, height);
    let title = match &form.original {
        Some(task) => format!(" Edit task {} ", common::display::name(task)),
        None => " Add task ".to_string(),
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(title)
                .border_style(Style::new().fg(Color::Cyan)),
        ),
        rect,
    );
    if let Some((column, row)) = cursor {
        let y = rect.y + 1 + row;
        if y < rect.bottom().saturating_sub(1) {
            frame.set_cursor_position((rect.x + 1 + LABEL_WIDTH + column, y));
        }
    }
}

pub(super) fn draw_login(frame: &mut Frame, area: Rect, app: &App, form: &LoginForm) {
    let width = 64.min(area.width);
    // Borders and a column of padding on each side.
    let input_width = width.saturating_sub(4 + LABEL_WIDTH + 1);
    let (action, other) = if form.register {
        ("Register", "log in instead")
    } else {
        ("Log in", "register a new account")
    };
    let field = |label: &str, input: &Input, focused: bool, masked: bool| {
        let (shown, column) = visible_input(input, input_width, masked);
        let pad = usize::from(input_width).saturating_sub(shown.chars().count());
        let style = if focused {
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let line = Line::from(vec![
            Span::styled(format!("{label:<w$}", w = usize::from(LABEL_WIDTH)), style),
            Span::styled(
                format!("{shown}{}", " ".repeat(pad)),
                Style::new().bg(Color::DarkGray),
            ),
        ]);
        (line, column)
    };
    let mut fields = vec![(LoginField::Username, "Username", &form.username, false)];
    fields.push((LoginField::Password, "Password", &form.password, true));
    if form.register {
        fields.push((LoginField::Again, "Again", &form.again, true));
    }
    let mut lines = vec![
        Line::from(vec![
            Span::raw(format!("{action} to taskd at ")),
            Span::styled(escape(&app.server).into_owned(), Style::new().bold()),
        ]),
        Line::from(""),
    ];
    let mut cursor = (0, 2);
    for (row, (name, label, input, masked)) in fields.into_iter().enumerate() {
        let (line, column) = field(label, input, form.focus == name, masked);
        if form.focus == name {
            cursor = (column, u16::try_from(row).unwrap_or(0) + 2);
        }
        lines.push(line);
    }
    lines.push(Line::from(""));
    if let Some(error) = &form.error {
        let room = usize::from(width.saturating_sub(4));
        for line in wrap(&format!("✗ {}", escape(error)), room) {
            lines.push(Line::from(Span::styled(
                line,
                Style::new().fg(Color::Red).bold(),
            )));
        }
    } else if form.busy {
        lines.push(Line::from("…".yellow()));
    } else {
        lines.push(Line::from(""));
    }
    lines.push(Line::from(""));
    let action_lower = action.to_lowercase();
    lines.push(hints(&[
        ("enter", action_lower.as_str()),
        ("tab", "switch field"),
        ("esc", "quit"),
    ]));
    lines.push(hints(&[("ctrl-r", other)]));

    let height = u16::try_from(lines.len()).unwrap_or(u16::MAX) + 2;
    let rect = layout::centered(area, width, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).alignment(Alignment::Left).block(
            Block::default()
                .borders(Borders::ALL)
                .padding(Padding::horizontal(1))
                .title(format!(" task-tui: {action_lower} "))
                .border_style(Style::new().fg(Color::Cyan)),
        ),
        rect,
    );
    let (column, row) = cursor;
    frame.set_cursor_position((rect.x + 2 + LABEL_WIDTH + column, rect.y + 1 + row));
}
