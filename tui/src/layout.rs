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

/// `detail`: the lines the detail pane has to show, `None` when it is
/// hidden; `status_lines`: the status bar's height, its counts' line and a
/// message wrapped to at most five more (a refused date's list of words
/// takes four on the narrowest screen; the table keeps the rest).
pub fn areas(area: Rect, detail: Option<u16>, filtering: bool, status_lines: u16) -> Areas {
    let [main, filter, status] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(u16::from(filtering)),
        Constraint::Length(status_lines.clamp(2, 6)),
    ])
    .areas(area);
    let (table, detail) = match detail {
        None => (main, None),
        Some(_) if main.width >= SIDE_BY_SIDE_WIDTH => {
            let [table, detail] =
                Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
                    .areas(main);
            (table, Some(detail))
        }
        Some(lines) => {
            // Below the table: half the height, more if the task has more
            // to say (its notes come last), while the table keeps a third.
            let half = main.height / 2;
            let most = main.height - main.height / 3;
            let height = lines.saturating_add(2).clamp(half, most.max(half));
            let [table, detail] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(height)]).areas(main);
            (table, Some(detail))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_detail_pane_grows_for_what_it_has_to_say_and_the_table_keeps_a_third() {
        let screen = Rect::new(0, 0, 100, 32);
        let height = |lines| {
            areas(screen, Some(lines), false, 2)
                .detail
                .map_or(0, |d| d.height)
        };
        // 30 rows above the status bar: half of them at least.
        assert_eq!(height(3), 15);
        assert_eq!(height(16), 18);
        assert_eq!(height(100), 20);
        let both = areas(screen, Some(100), false, 2);
        assert_eq!(both.table.height + both.detail.map_or(0, |d| d.height), 30);
        // Beside the table, on a wide screen, it has the full height.
        let wide = areas(Rect::new(0, 0, 160, 32), Some(3), false, 2);
        assert_eq!(wide.detail.map(|d| d.height), Some(30));
        assert_eq!(areas(screen, None, false, 2).detail, None);
    }
}
