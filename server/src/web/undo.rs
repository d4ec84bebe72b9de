//! The notice after a change made on the list ("Completed … · Undo") and
//! the undo and redo it offers, the same steps as `task undo` and `u` in
//! the TUI.

use axum::{
    extract::State,
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use chrono::Utc;
use common::{
    api::{Status, Task},
    display,
};
use serde::Deserialize;

use super::{
    capitalized,
    error::PageResult,
    local_path,
    session::{self, Browser, FormBody, SESSION_COOKIE},
    shown,
};
use crate::{domain::undo, forwarded::RequestOrigin, store::journal::Direction, AppState};

/// Set for the next page after a change (`undo`) or an undo (`redo`): it
/// offers that step.
pub const NOTICE_COOKIE: &str = "taskd_notice";

/// What the notice says, and the step its button takes.
pub struct Notice {
    pub text: String,
    /// `undo` or `redo`: the form's path.
    pub action: &'static str,
    pub label: &'static str,
    /// The change set the button reverts, and only that one: a change made
    /// since (in another tab, by the CLI) is not what the notice names.
    pub step: i64,
    /// Whether it offers a step at all ("Nothing changed." does not).
    pub button: bool,
}

/// The cookie that asks the next page for the notice offering `direction`.
pub fn offer(origin: &RequestOrigin, direction: Direction) -> CookieJar {
    notice(
        origin,
        match direction {
            Direction::Undo => "undo",
            Direction::Redo => "redo",
        },
    )
}

/// The cookie after a change that left `task` as it is: it offers the
/// change's undo, and warns when the task is past its until date, or says
/// it waits (hidden from the list until then).
pub fn offer_after(origin: &RequestOrigin, task: &Task) -> CookieJar {
    let now = Utc::now();
    if display::expiry_warning(task, now).is_some() {
        notice(origin, EXPIRING)
    } else if task.status == Status::Pending && task.wait.is_some_and(|wait| wait > now) {
        notice(origin, WAITING)
    } else {
        offer(origin, Direction::Undo)
    }
}

/// The cookie after a save that changed nothing.
pub fn unchanged(origin: &RequestOrigin) -> CookieJar {
    notice(origin, UNCHANGED)
}

fn notice(origin: &RequestOrigin, value: &str) -> CookieJar {
    let mut cookie = session::cookie(NOTICE_COOKIE, value.into(), origin, None);
    cookie.set_max_age(time::Duration::minutes(1));
    CookieJar::new().add(cookie)
}

/// The notice cookie's value after a change that left its task expiring.
const EXPIRING: &str = "undo-expiring";
/// After a change that left its task waiting.
const WAITING: &str = "undo-waiting";
/// After a save that changed nothing.
const UNCHANGED: &str = "unchanged";
/// The notice cookie's values after a step was not taken because another
/// change came since the notice offered it.
const MOVED_UNDO: &str = "undo-moved";
const MOVED_REDO: &str = "redo-moved";

/// The notice this page shows, once: the cookie is cleared as it is read.
pub async fn take_notice(
    state: &AppState,
    user_id: i64,
    jar: CookieJar,
) -> (Option<Notice>, CookieJar) {
    let Some(asked) = jar.get(NOTICE_COOKIE).map(|c| c.value().to_string()) else {
        return (None, jar);
    };
    let jar = jar.remove(Cookie::build(NOTICE_COOKIE).path("/"));
    if asked == UNCHANGED {
        let notice = Notice {
            text: "Nothing changed.".into(),
            action: "undo",
            label: "",
            step: 0,
            button: false,
        };
        return (Some(notice), jar);
    }
    let (direction, action, label) = match asked.as_str() {
        "undo" | EXPIRING | WAITING | MOVED_UNDO => (Direction::Undo, "undo", "Undo"),
        "redo" | MOVED_REDO => (Direction::Redo, "redo", "Redo"),
        _ => return (None, jar),
    };
    let Ok(step) = undo::next_step(state.store.as_ref(), user_id, direction).await else {
        return (None, jar);
    };
    let summary = in_plain_words(&step.summary);
    let text = match direction {
        _ if asked == MOVED_UNDO || asked == MOVED_REDO => format!(
            "Nothing was {}: another change came meanwhile. The last is now: {}.",
            match direction {
                Direction::Undo => "undone",
                Direction::Redo => "redone",
            },
            summary
        ),
        Direction::Undo if asked == EXPIRING => {
            format!("{}. {}", capitalized(&summary), display::EXPIRING)
        }
        Direction::Undo if asked == WAITING => {
            let until = match step.task_ids.as_slice() {
                [id] => crate::domain::task_ops::get(state.store.as_ref(), user_id, *id)
                    .await
                    .ok()
                    .and_then(|task| task.wait),
                _ => None,
            };
            let until = until
                .map(|wait| format!(" until {}", super::task_form::local(Some(wait))))
                .unwrap_or_default();
            format!(
                "{}. It waits{until}: the Waiting view lists it.",
                capitalized(&summary)
            )
        }
        Direction::Undo => format!("{}.", capitalized(&summary)),
        Direction::Redo => format!("Undone: {}.", summary),
    };
    (
        Some(Notice {
            text: shown(&text),
            action,
            label,
            step: step.change_set,
            button: true,
        }),
        jar,
    )
}

/// A step's words for a browser: Taskwarrior's `annotated` and `denotated`,
/// which the CLI says, in plain words.
fn in_plain_words(summary: &str) -> String {
    if let Some(rest) = summary.strip_prefix("annotated ") {
        format!("added a note to {rest}")
    } else if let Some(rest) = summary.strip_prefix("denotated ") {
        format!("removed a note from {rest}")
    } else {
        summary.to_string()
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    back: String,
    /// The change set the notice offered; without one (an older page), the
    /// latest.
    #[serde(default)]
    step: String,
}

async fn step(
    state: &AppState,
    browser: &Browser,
    origin: &RequestOrigin,
    headers: &HeaderMap,
    form: &StepForm,
    direction: Direction,
) -> PageResult<Response> {
    session::check_form(state, headers, origin, SESSION_COOKIE, &form.csrf)?;
    // A page's own form names its step; an older page's has none.
    let expected = match form.step.trim() {
        "" => None,
        step => Some(step.parse::<i64>().map_err(|_| {
            super::error::PageError::bad_request("This undo names no step: reload the page.")
        })?),
    };
    let back = Redirect::to(&local_path(&form.back));
    match undo::revert(
        state.store.as_ref(),
        browser.user.id,
        direction,
        false,
        expected,
    )
    .await
    {
        Ok(_) => {}
        // Said on the page it goes back to, with the step there is now.
        Err(undo::RevertError::Moved) => {
            let moved = match direction {
                Direction::Undo => MOVED_UNDO,
                Direction::Redo => MOVED_REDO,
            };
            return Ok((notice(origin, moved), back).into_response());
        }
        Err(err) => return Err(crate::error::ApiError::from(err).into()),
    }
    let next = match direction {
        Direction::Undo => Direction::Redo,
        Direction::Redo => Direction::Undo,
    };
    Ok((offer(origin, next), back).into_response())
}

pub async fn undo(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    FormBody(form): FormBody<StepForm>,
) -> PageResult<Response> {
    step(&state, &browser, &origin, &headers, &form, Direction::Undo).await
}

pub async fn redo(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    FormBody(form): FormBody<StepForm>,
) -> PageResult<Response> {
    step(&state, &browser, &origin, &headers, &form, Direction::Redo).await
}
