//! What the TUI shows, remembered between runs: the filter line, the sort,
//! pending or all, waiting tasks shown, the details pane. Kept beside the
//! credentials as `tui-view.json`; a missing or damaged file, or a filter
//! that no longer parses, is the defaults, never an error.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::parse;
use crate::query::{Scope, SortKey};

/// The file's name in the config directory.
pub const FILE: &str = "tui-view.json";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewState {
    pub filter: String,
    /// A [`SortKey::label`].
    pub sort: String,
    /// A [`Scope::label`].
    pub scope: String,
    pub show_waiting: bool,
    pub show_detail: bool,
}

impl ViewState {
    pub fn of(app: &App) -> ViewState {
        ViewState {
            filter: app.filter.applied.clone(),
            sort: app.sort.label().to_string(),
            scope: app.scope.label().to_string(),
            show_waiting: app.show_waiting,
            show_detail: app.show_detail,
        }
    }

    /// Sets `app` to show what this says, before its first load.
    pub fn apply(&self, app: &mut App) {
        let mut sort = SortKey::Urgency;
        for _ in 0..8 {
            if sort.label() == self.sort {
                app.sort = sort;
                break;
            }
            sort = sort.next();
        }
        for scope in [Scope::Pending, Scope::All] {
            if scope.label() == self.scope {
                app.scope = scope;
            }
        }
        app.show_waiting = self.show_waiting;
        app.show_detail = self.show_detail;
        if let Ok(parsed) = parse::filter(&self.filter, app.now, app.tz) {
            app.filter.input.set(self.filter.clone());
            app.filter.applied = self.filter.clone();
            app.filter.parsed = parsed;
        }
    }

    /// The state in `dir`, or the defaults.
    pub async fn load(dir: &Path) -> ViewState {
        match tokio::fs::read(dir.join(FILE)).await {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
            Err(_) => ViewState::default(),
        }
    }

    /// Writes the state to `dir`, whole or not at all (a temporary file
    /// renamed over the old one).
    pub async fn save(&self, dir: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        tokio::fs::create_dir_all(dir).await?;
        let temporary = dir.join(format!("{FILE}.tmp"));
        tokio::fs::write(&temporary, bytes).await?;
        tokio::fs::rename(&temporary, dir.join(FILE)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use crate::tests::{app_with, press, type_text};
    use ratatui::crossterm::event::KeyCode;

    #[tokio::test]
    async fn a_view_comes_back_as_it_was_left() {
        let mut app = app_with(fixtures::sample());
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "+shop pri:H");
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('s'));
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Char('w'));
        press(&mut app, KeyCode::Enter);
        let state = ViewState::of(&app);

        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        state
            .save(dir.path())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let loaded = ViewState::load(dir.path()).await;
        assert_eq!(loaded, state);

        let mut fresh = App::new("http://x", None, true, fixtures::now(), app.tz);
        loaded.apply(&mut fresh);
        assert_eq!(fresh.query(), app.query());
        assert_eq!(fresh.filter.applied, "+shop pri:H");
        assert!(fresh.show_detail && fresh.show_waiting);

        // Damaged, or a filter that no longer parses: the defaults.
        tokio::fs::write(dir.path().join(FILE), b"{not json")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ViewState::load(dir.path()).await, ViewState::default());
        let bad = ViewState {
            filter: "pri:X".into(),
            ..state
        };
        let mut fresh = App::new("http://x", None, true, fixtures::now(), app.tz);
        bad.apply(&mut fresh);
        assert_eq!(fresh.filter.applied, "");
    }
}
