//! Accounts in the admin panel: the list with its filters and bulk
//! actions, adding one, changing one, setting a password.

use askama::Template;
use axum::{
    extract::{Path, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use common::api::{AdminUser, RegisterRequest};

use super::{
    cannot_do, log_lines, when, AdminBrowser, ConfirmPage, DonePage, LogLine, Posted, LOG_LINES,
};
use crate::{
    auth,
    domain::admin::{self, SELF_LOCKOUT},
    forwarded::RequestOrigin,
    store::admin::UserChange,
    task_query::{UserQuery, UserSort},
    web::{
        accounts::PASSWORDS_DIFFER,
        error::{PageError, PageResult},
        no_such, page_links, pair_value, path_id, query_pairs, render,
        session::FormBody,
        shown, Chrome,
    },
    AppState,
};

/// Accounts a page of the list shows.
const PER_PAGE: u32 = 100;

/// The list's filter form, as the query string gives it.
struct Filters {
    search: String,
    is_active: String,
    is_admin: String,
    ordering: String,
}

struct UserRow {
    id: i64,
    username: String,
    email: String,
    active: bool,
    admin: bool,
    joined: String,
    tasks: u64,
    tasks_link: String,
}

/// A sortable column's header: the link that sorts by it (or reverses the
/// sort), and how the list is sorted by it now.
struct Column {
    label: &'static str,
    link: String,
    /// `aria-sort`: ascending, descending or none.
    sorted: &'static str,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    chrome: Chrome,
    filters: Filters,
    columns: Vec<Column>,
    count: u64,
    rows: Vec<UserRow>,
    previous: Option<String>,
    next: Option<String>,
}

fn encoded(pairs: &[(String, String)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

fn user_row(user: &AdminUser) -> UserRow {
    UserRow {
        id: user.id,
        username: shown(&user.username),
        email: shown(&user.email),
        active: user.is_active,
        admin: user.is_admin,
        joined: when(user.date_joined),
        tasks: user.task_count,
        tasks_link: format!(
            "/admin/tasks?{}",
            encoded(&[("user".into(), user.username.clone())])
        ),
    }
}

/// The users list: `search`, `is_active`, `is_admin`, `ordering` and
/// `offset` in the query string, as the API's list takes them.
pub async fn list(
    State(state): State<AppState>,
    admin: AdminBrowser,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let super::ListQuery {
        given: pairs,
        asked,
    } = super::list_query(query.as_deref(), PER_PAGE)?;
    let user_query = UserQuery::from_pairs(&asked)?;
    let (sort, descending, window) = (user_query.sort, user_query.descending, user_query.window);
    let (count, users) = state.store.list_users(user_query).await?;
    let columns = [
        ("Username", UserSort::Username),
        ("Email", UserSort::Email),
        ("Joined", UserSort::DateJoined),
        ("Tasks", UserSort::TaskCount),
    ]
    .into_iter()
    .map(|(label, by)| {
        let reverse = by == sort && !descending;
        let mut kept: Vec<(String, String)> = pairs
            .iter()
            .filter(|(n, _)| n != "ordering" && n != "offset")
            .cloned()
            .collect();
        let name = if reverse {
            format!("-{}", by.name())
        } else {
            by.name().to_string()
        };
        kept.push(("ordering".into(), name));
        Column {
            label,
            link: format!("/admin/users?{}", encoded(&kept)),
            sorted: match (by == sort, descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
        }
    })
    .collect();
    let (previous, next) = page_links("/admin/users", &pairs, window, users.len(), count);
    render(UsersPage {
        chrome: admin.chrome(),
        filters: Filters {
            search: pair_value(&pairs, "search"),
            is_active: pair_value(&pairs, "is_active"),
            is_admin: pair_value(&pairs, "is_admin"),
            ordering: pair_value(&pairs, "ordering"),
        },
        columns,
        count,
        rows: users.iter().map(user_row).collect(),
        previous,
        next,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bulk {
    Activate,
    Deactivate,
    Delete,
}

impl Bulk {
    fn heading(self) -> &'static str {
        match self {
            Bulk::Activate => "Activate users",
            Bulk::Deactivate => "Deactivate users",
            Bulk::Delete => "Delete users",
        }
    }
}

fn tasks_phrase(count: u64) -> String {
    match count {
        1 => "1 task".into(),
        n => format!("{n} tasks"),
    }
}

fn users_phrase(count: usize) -> String {
    match count {
        1 => "1 user".into(),
        n => format!("{n} users"),
    }
}

/// A bulk action on the ticked accounts: first a page saying exactly what
/// it will do, then, confirmed, the action and what it did.
pub async fn bulk(
    State(state): State<AppState>,
    admin: AdminBrowser,
    origin: RequestOrigin,
    headers: HeaderMap,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> PageResult<Response> {
    let posted = Posted::check(pairs, &state, &headers, &origin)?;
    let action = match posted.get("action").as_str() {
        "activate" => Bulk::Activate,
        "deactivate" => Bulk::Deactivate,
        "delete" => Bulk::Delete,
        _ => {
            return cannot_do(
                &admin,
                "Users",
                "Choose an action: activate, deactivate or delete.".into(),
                Vec::new(),
                "/admin/users",
            )
        }
    };
    let ids = match posted.ids("users") {
        Ok(ids) => ids,
        Err(reason) => {
            return cannot_do(&admin, action.heading(), reason, Vec::new(), "/admin/users")
        }
    };
    let actor = admin.actor();
    if posted.get("confirm") == "yes" {
        let store = state.store.as_ref();
        let (done, verb) = match action {
            Bulk::Activate => (
                admin::set_active(store, &actor, &ids, true).await?,
                "Activated",
            ),
            Bulk::Deactivate => (
                admin::set_active(store, &actor, &ids, false).await?,
                "Deactivated",
            ),
            Bulk::Delete => (admin::delete_users(store, &actor, &ids).await?, "Deleted"),
        };
        let items = done
            .iter()
            .map(|user| match action {
                Bulk::Delete => format!(
                    "{}, with {}",
                    shown(&user.username),
                    tasks_phrase(user.task_count)
                ),
                _ => shown(&user.username),
            })
            .collect();
        let heading = match (done.is_empty(), action) {
            (true, Bulk::Delete) => "Nothing was deleted: those users are gone already.".into(),
            (true, _) => "Nothing needed doing: every user selected was already so.".into(),
            (false, _) => format!("{verb} {}.", users_phrase(done.len())),
        };
        return Ok(render(DonePage {
            chrome: admin.chrome(),
            heading,
            items,
            back: "/admin/users".into(),
            back_label: "Back to the users",
        })?
        .into_response());
    }
    // Only the users the action would change are named and asked about.
    let users: Vec<AdminUser> = state
        .store
        .admin_users(ids.clone())
        .await?
        .into_iter()
        .filter(|user| match action {
            Bulk::Activate => !user.is_active,
            Bulk::Deactivate => user.is_active,
            Bulk::Delete => true,
        })
        .collect();
    if users.is_empty() {
        let heading = match action {
            Bulk::Activate => "Nothing to do: every user selected is active already.",
            Bulk::Deactivate => "Nothing to do: every user selected is inactive already.",
            Bulk::Delete => "Nothing to do: those users are gone already.",
        };
        return Ok(render(DonePage {
            chrome: admin.chrome(),
            heading: heading.into(),
            items: Vec::new(),
            back: "/admin/users".into(),
            back_label: "Back to the users",
        })?
        .into_response());
    }
    let ids: Vec<i64> = users.iter().map(|user| user.id).collect();
    let total_tasks: u64 = users.iter().map(|user| user.task_count).sum();
    // A deletion takes the trash with it: said too.
    let trashed: std::collections::HashMap<i64, u64> = match action {
        Bulk::Delete => state
            .store
            .trash_counts(ids.clone())
            .await?
            .into_iter()
            .collect(),
        _ => Default::default(),
    };
    let total_trashed: u64 = trashed.values().sum();
    let (heading, question, button) = match action {
        Bulk::Activate => (
            Bulk::Activate.heading(),
            format!(
                "Activate {}? They can log in again.",
                users_phrase(users.len())
            ),
            "Yes, activate",
        ),
        Bulk::Deactivate => (
            Bulk::Deactivate.heading(),
            format!(
                "Deactivate {}? They are logged out everywhere at once and cannot log in \
                 until activated again. Their tasks stay.",
                users_phrase(users.len())
            ),
            "Yes, deactivate",
        ),
        Bulk::Delete => (
            Bulk::Delete.heading(),
            format!(
                "Delete {} and their {}{}? This cannot be undone.",
                users_phrase(users.len()),
                tasks_phrase(total_tasks),
                match total_trashed {
                    0 => String::new(),
                    n => format!(", and {n} in their trash"),
                }
            ),
            "Yes, delete",
        ),
    };
    let refused = (action != Bulk::Activate && ids.contains(&actor.id))
        .then(|| format!("{SELF_LOCKOUT} Go back and untick yourself."));
    let mut fields = vec![
        ("action".to_string(), posted.get("action")),
        ("confirm".to_string(), "yes".to_string()),
    ];
    fields.extend(ids.iter().map(|id| ("ids".to_string(), id.to_string())));
    let page = render(ConfirmPage {
        chrome: admin.chrome(),
        heading: heading.into(),
        question,
        items: users
            .iter()
            .map(|user| {
                format!(
                    "{} ({}), {}{}",
                    shown(&user.username),
                    if user.email.is_empty() {
                        "no email".to_string()
                    } else {
                        shown(&user.email)
                    },
                    tasks_phrase(user.task_count),
                    match trashed.get(&user.id) {
                        Some(n) => format!(" and {n} in the trash"),
                        None => String::new(),
                    }
                )
            })
            .collect(),
        action: "/admin/users/bulk",
        fields,
        button: button.into(),
        back: "/admin/users".into(),
        refused: refused.clone(),
    })?;
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((status, page).into_response())
}

#[derive(Template)]
#[template(path = "admin/add_user.html")]
struct AddUserPage {
    chrome: Chrome,
    username: String,
    email: String,
    is_admin: bool,
    error: Option<String>,
}

pub async fn add_page(admin: AdminBrowser) -> PageResult<Html<String>> {
    render(AddUserPage {
        chrome: admin.chrome(),
        username: String::new(),
        email: String::new(),
        is_admin: false,
        error: None,
    })
}

/// The message of a refusal, to show in the form that caused it.
fn refusal(err: impl Into<PageError>) -> (StatusCode, String) {
    match err.into() {
        PageError::Shown { status, message } => (status, message),
        PageError::Refused { message, .. } => (StatusCode::FORBIDDEN, message),
        PageError::LogIn { .. } => (StatusCode::UNAUTHORIZED, "Log in again.".into()),
    }
}

/// Adds an account under the registration's rules, whatever the
/// registration policy.
pub async fn add(
    State(state): State<AppState>,
    admin: AdminBrowser,
    origin: RequestOrigin,
    headers: HeaderMap,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> PageResult<Response> {
    let posted = Posted::check(pairs, &state, &headers, &origin)?;
    let again = |status: StatusCode, error: String| -> PageResult<Response> {
        Ok((
            status,
            render(AddUserPage {
                chrome: admin.chrome(),
                username: shown(&posted.get("username")),
                email: shown(&posted.get("email")),
                is_admin: posted.sent("is_admin"),
                error: Some(error),
            })?,
        )
            .into_response())
    };
    let password = posted.get("password");
    if password != posted.get("password2") {
        return again(StatusCode::BAD_REQUEST, PASSWORDS_DIFFER.into());
    }
    let request = RegisterRequest {
        username: posted.get("username"),
        password,
        email: Some(posted.get("email")),
    };
    let user = match crate::routes::accounts::add_account(&state, request, posted.sent("is_admin"))
        .await
    {
        Ok(user) => user,
        Err(err) => {
            let (status, message) = refusal(err);
            return again(status, message);
        }
    };
    admin::user_added(state.store.as_ref(), &admin.actor(), &user).await?;
    Ok(Redirect::to(&format!("/admin/users/{}?saved=added", user.id)).into_response())
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    chrome: Chrome,
    id: i64,
    username: String,
    email: String,
    active: bool,
    admin: bool,
    joined: String,
    tasks: u64,
    tasks_link: String,
    /// The admin's own account: the flags that would lock them out are
    /// said to be refused.
    is_self: bool,
    notice: Option<&'static str>,
    error: Option<String>,
    history: Vec<LogLine>,
}

async fn user_page(
    state: &AppState,
    admin: &AdminBrowser,
    id: i64,
    notice: Option<&'static str>,
    error: Option<String>,
) -> PageResult<UserPage> {
    let user = state
        .store
        .admin_users(vec![id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| no_such("user"))?;
    let row = user_row(&user);
    Ok(UserPage {
        chrome: admin.chrome(),
        id,
        username: row.username,
        email: row.email,
        active: row.active,
        admin: row.admin,
        joined: row.joined,
        tasks: row.tasks,
        tasks_link: row.tasks_link,
        is_self: id == admin.0.user.id,
        notice,
        error,
        history: log_lines(state, state.store.admin_actions(Some(id), LOG_LINES).await?).await?,
    })
}

/// A user's page: the change form, the password form, the history.
pub async fn show(
    State(state): State<AppState>,
    admin: AdminBrowser,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let pairs = query_pairs(query.as_deref())?;
    let notice = match pair_value(&pairs, "saved").as_str() {
        "added" => Some("Added. Change anything else below."),
        "changed" => Some("Saved."),
        "password" => Some("The new password is set, and every login of this user has ended."),
        "logins" => Some("Every login of this user has ended: the password is as it was."),
        _ => None,
    };
    render(user_page(&state, &admin, path_id(&id, "user")?, notice, None).await?)
}

/// Saves a user's email and flags.
pub async fn save(
    State(state): State<AppState>,
    admin: AdminBrowser,
    origin: RequestOrigin,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> PageResult<Response> {
    let id = path_id(&id, "user")?;
    let posted = Posted::check(pairs, &state, &headers, &origin)?;
    // A field the form did not send is left as it is: an unticked box
    // counts only beside the marker that says the boxes were shown.
    let flags = posted.sent("flags");
    let change = UserChange {
        email: posted.sent("email").then(|| posted.get("email")),
        is_active: flags.then(|| posted.sent("is_active")),
        is_admin: flags.then(|| posted.sent("is_admin")),
    };
    match admin::update_user(state.store.as_ref(), &admin.actor(), id, change).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?saved=changed")).into_response()),
        Err(err) => {
            let (status, message) = refusal(err);
            let page = user_page(&state, &admin, id, None, Some(message)).await?;
            Ok((status, render(page)?).into_response())
        }
    }
}

/// Sets a user's password under the registration's rules, ending their
/// logins.
pub async fn set_password(
    State(state): State<AppState>,
    admin: AdminBrowser,
    origin: RequestOrigin,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> PageResult<Response> {
    let id = path_id(&id, "user")?;
    let posted = Posted::check(pairs, &state, &headers, &origin)?;
    let (state, admin) = (&state, &admin);
    let refuse = |message: String| async move {
        let page = user_page(state, admin, id, None, Some(message)).await?;
        Ok::<_, PageError>((StatusCode::BAD_REQUEST, render(page)?).into_response())
    };
    let password = posted.get("password");
    if password != posted.get("password2") {
        return refuse(PASSWORDS_DIFFER.into()).await;
    }
    let Some(user) = state.store.admin_users(vec![id]).await?.into_iter().next() else {
        return Err(no_such("user"));
    };
    let problems = auth::password_problems(password.clone(), user.username.clone()).await?;
    if !problems.is_empty() {
        return refuse(format!("Password: {}", problems.join(" "))).await;
    }
    let hash = auth::hash_password(password).await?;
    admin::set_password(state.store.as_ref(), &admin.actor(), id, &hash).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?saved=password")).into_response())
}

/// Ends every login of a user, the password kept.
pub async fn end_logins(
    State(state): State<AppState>,
    admin: AdminBrowser,
    origin: RequestOrigin,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> PageResult<Response> {
    let id = path_id(&id, "user")?;
    Posted::check(pairs, &state, &headers, &origin)?;
    admin::end_logins(state.store.as_ref(), &admin.actor(), id).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?saved=logins")).into_response())
}
