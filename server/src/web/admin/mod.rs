//! The admin panel: every account and everyone's tasks, for admins only.
//! Each change goes through the rules the API's admin routes use, and each
//! lands in the admin log.

pub mod tasks;
pub mod users;

use askama::Template;
use axum::{
    extract::{FromRequestParts, State},
    http::{request::Parts, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
};
use chrono::{DateTime, Local, Utc};

use super::{
    error::{PageError, PageResult},
    render,
    session::{self, Browser, SESSION_COOKIE},
    shown, Chrome,
};
use crate::{
    domain::admin::Actor,
    forwarded::RequestOrigin,
    store::admin::{AdminAction, Verb, Via},
    task_query::{AdminTaskQuery, PageWindow, UserQuery},
    AppState,
};

/// The most entries the admin index and a user's history show.
const LOG_LINES: u32 = 30;

/// A logged-in admin's browser; anyone else logged in gets a 403 page.
pub struct AdminBrowser(pub Browser);

impl FromRequestParts<AppState> for AdminBrowser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> PageResult<AdminBrowser> {
        let browser = Browser::from_request_parts(parts, state).await?;
        if !browser.user.is_admin {
            return Err(PageError::Refused {
                chrome: Box::new(Chrome::browser(&browser)),
                message: "The admin panel is for admins only. An admin can make you one.".into(),
            });
        }
        Ok(AdminBrowser(browser))
    }
}

impl AdminBrowser {
    fn actor(&self) -> Actor {
        Actor::new(&self.0.user, Via::Web)
    }

    fn chrome(&self) -> Chrome {
        Chrome::browser(&self.0)
    }
}

/// A form of the admin panel, as the pairs it sent (checkboxes repeat a
/// name), after its CSRF check.
pub struct Posted(Vec<(String, String)>);

impl Posted {
    fn check(
        pairs: Vec<(String, String)>,
        state: &AppState,
        headers: &HeaderMap,
        origin: &RequestOrigin,
    ) -> PageResult<Posted> {
        let posted = Posted(pairs);
        session::check_form(state, headers, origin, SESSION_COOKIE, &posted.get("csrf"))?;
        Ok(posted)
    }

    /// The last value sent for `name`, or empty.
    fn get(&self, name: &str) -> String {
        super::pair_value(&self.0, name)
    }

    /// Whether the field `name` was sent: for a checkbox, ticked.
    fn sent(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// The ids ticked: at least one, each a positive number; else what is
    /// wrong with them.
    fn ids(&self, what: &str) -> Result<Vec<i64>, String> {
        let mut ids = Vec::new();
        for (_, value) in self.0.iter().filter(|(name, _)| name == "ids") {
            match value.parse::<i64>() {
                Ok(id) if id > 0 => ids.push(id),
                _ => return Err(format!("“{value}” is not an id.")),
            }
        }
        if ids.is_empty() {
            return Err(format!(
                "No {what} were selected: tick some, then choose the action again."
            ));
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }
}

/// A list page's query string: its pairs as given (for the links that keep
/// them) and as asked of the store, at `per_page` whatever it says.
fn list_query(query: Option<&str>, per_page: u32) -> PageResult<ListQuery> {
    let given = super::query_pairs(query)?;
    let mut asked = given.clone();
    asked.push(("limit".into(), per_page.to_string()));
    Ok(ListQuery { given, asked })
}

struct ListQuery {
    given: Vec<(String, String)>,
    asked: Vec<(String, String)>,
}

/// An instant as the admin panel shows it: the server's local time.
fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// One entry of the admin log, as shown.
pub struct LogLine {
    when: String,
    admin: String,
    via: &'static str,
    /// "Changed user bob", "Deleted task Buy milk".
    what: String,
    /// The user page the entry is about, while there may be one.
    link: Option<String>,
    detail: String,
}

/// The log's entries as shown, linked to the users they concern while
/// those users are there.
async fn log_lines(state: &AppState, actions: Vec<AdminAction>) -> PageResult<Vec<LogLine>> {
    let mut concerned: Vec<i64> = actions.iter().map(|action| action.user_id).collect();
    concerned.sort_unstable();
    concerned.dedup();
    let present: std::collections::HashSet<i64> = state
        .store
        .admin_users(concerned)
        .await?
        .into_iter()
        .map(|user| user.id)
        .collect();
    Ok(actions
        .into_iter()
        .map(|action| {
            let verb = match action.verb {
                Verb::Added => "Added",
                Verb::Changed => "Changed",
                Verb::Deleted => "Deleted",
            };
            LogLine {
                when: when(action.at),
                admin: shown(&action.admin_username),
                via: match action.via {
                    Via::Web => "web",
                    Via::Api => "API",
                    Via::Command => "command line",
                },
                what: format!(
                    "{verb} {} {}",
                    action.kind.as_str(),
                    shown(&action.object_name)
                ),
                link: present
                    .contains(&action.user_id)
                    .then(|| format!("/admin/users/{}", action.user_id)),
                detail: shown(&action.detail),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct IndexPage {
    chrome: Chrome,
    users: u64,
    inactive: u64,
    admins: u64,
    tasks: u64,
    log: Vec<LogLine>,
}

/// The admin panel's front page: the counts, and the recent actions.
pub async fn index(State(state): State<AppState>, admin: AdminBrowser) -> PageResult<Html<String>> {
    let one = PageWindow {
        limit: 1,
        offset: 0,
    };
    let count = |query: UserQuery| {
        let store = state.store.clone();
        async move { store.list_users(query).await.map(|(count, _)| count) }
    };
    let users = count(UserQuery {
        window: one,
        ..UserQuery::default()
    })
    .await?;
    let inactive = count(UserQuery {
        is_active: Some(false),
        window: one,
        ..UserQuery::default()
    })
    .await?;
    let admins = count(UserQuery {
        is_admin: Some(true),
        window: one,
        ..UserQuery::default()
    })
    .await?;
    let (tasks, _) = state
        .store
        .admin_tasks(AdminTaskQuery {
            window: one,
            ..AdminTaskQuery::default()
        })
        .await?;
    let log = log_lines(&state, state.store.admin_actions(None, LOG_LINES).await?).await?;
    render(IndexPage {
        chrome: admin.chrome(),
        users,
        inactive,
        admins,
        tasks,
        log,
    })
}

#[derive(Template)]
#[template(path = "admin/confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    heading: String,
    question: String,
    items: Vec<String>,
    /// Where the confirmed form goes, and what it carries again.
    action: &'static str,
    fields: Vec<(String, String)>,
    button: String,
    /// Why it cannot be done as asked, instead of the button.
    refused: Option<String>,
    back: String,
}

/// The answer to a bulk form that cannot be done as sent (400): what is
/// wrong, the items it named, and the way back to the list.
fn cannot_do(
    admin: &AdminBrowser,
    heading: &str,
    reason: String,
    items: Vec<String>,
    back: &str,
) -> PageResult<Response> {
    let page = render(ConfirmPage {
        chrome: admin.chrome(),
        heading: heading.into(),
        question: String::new(),
        items,
        action: "",
        fields: Vec::new(),
        button: String::new(),
        refused: Some(reason),
        back: back.into(),
    })?;
    Ok((StatusCode::BAD_REQUEST, page).into_response())
}

#[derive(Template)]
#[template(path = "admin/done.html")]
struct DonePage {
    chrome: Chrome,
    heading: String,
    items: Vec<String>,
    back: String,
    back_label: &'static str,
}
