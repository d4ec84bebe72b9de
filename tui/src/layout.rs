//! Where each part of the screen goes: shared by the view, which draws there,
//! and the model, which needs the table's height for paging and mouse clicks.

use ratatui::layout::{Constraint, Layout, Rect};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;
/// From this width the detail pane sits beside the table instead of below it.
pub const SIDE_BY_SIDE_WIDTH: u16 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// The task table, with its border.
    pub table: Rect,
    pub detail: Option<Rect>,
    /// The filter prompt while `/` is active.
    pub filter: Option<Rect>,
    /// Counts and filter, then messages (wrapped) or key hints.
    pub status: Rect,
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// `status_lines`: the status bar's height (a long message wraps).
pub fn areas(area: Rect, show_detail: bool, filtering: bool, status_lines: u16) -> Areas {
    let [main, filter, status] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(u16::from(filtering)),
        Constraint::Length(status_lines.clamp(2, 4)),
    ])
    .areas(area);
    let (table, detail) = if !show_detail {
        (main, None)
    } else if main.width >= SIDE_BY_SIDE_WIDTH {
        let [table, detail] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                .areas(main);
        (table, Some(detail))
    } else {
        let [table, detail] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(main);
        (table, Some(detail))
    };
    Areas {
        table,
        detail,
        filter: filtering.then_some(filter),
        status,
    }
}

/// How many task rows the table shows: its height less the border and header.
pub fn table_rows(table: Rect) -> usize {
    usize::from(table.height.saturating_sub(3)).max(1)
}

/// A centred box of at most `width` × `height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
