//! Logging in and out, and registering, in the browser: the same rules as
//! the API's, answered with pages.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use common::api::RegisterRequest;
use serde::Deserialize;

use super::{
    capitalized,
    error::{PageError, PageResult},
    local_path, render,
    session::{self, Browser, FormBody, Visitor, SESSION_COOKIE, SESSION_DAYS, VISITOR_COOKIE},
    Chrome,
};
use crate::{
    auth, config::Registration, error::ApiError, extract::ClientAddr, forwarded::RequestOrigin,
    routes::accounts, AppState,
};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    username: String,
    error: Option<String>,
    /// The browser's session had ended when it asked for a page.
    ended: bool,
    registration_open: bool,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
    /// Sent back by a page whose session had ended.
    ended: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(next): Query<Next>,
) -> PageResult<Response> {
    let page = LoginPage {
        chrome: Chrome::visitor(visitor.csrf),
        next: local_path(next.next.as_deref().unwrap_or("/")),
        username: String::new(),
        error: None,
        ended: next.ended.is_some(),
        registration_open: state.registration == Registration::Open,
    };
    Ok((visitor.jar, render(page)?).into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    origin: RequestOrigin,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    FormBody(form): FormBody<LoginForm>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, VISITOR_COOKIE, &form.csrf)?;
    let refused = |err: ApiError| -> PageResult<Response> {
        let status = err.status();
        let page = LoginPage {
            chrome: Chrome::visitor(form.csrf.clone()),
            next: local_path(&form.next),
            username: form.username.clone(),
            ended: false,
            error: Some(match &err {
                ApiError::BadRequest { .. } => "Give a username and a password.".into(),
                other => other.detail(),
            }),
            registration_open: state.registration == Registration::Open,
        };
        Ok((status, render(page)?).into_response())
    };
    if form.username.trim().is_empty() || form.password.is_empty() {
        return refused(ApiError::bad_request("blank"));
    }
    let user =
        match accounts::authenticate(&state, &form.username, form.password.clone(), addr).await {
            Ok(user) => user,
            Err(err @ (ApiError::Internal(_) | ApiError::Unavailable(_))) => return Err(err.into()),
            Err(err) => return refused(err),
        };
    let jar = open_session(&state, &origin, user.id).await?;
    Ok((jar, Redirect::to(&local_path(&form.next))).into_response())
}

/// Logs the browser in as `user_id`: a new login, named by a new cookie.
async fn open_session(
    state: &AppState,
    origin: &RequestOrigin,
    user_id: i64,
) -> PageResult<CookieJar> {
    let token = auth::random_token(32);
    let expires = Utc::now() + chrono::Duration::days(SESSION_DAYS);
    state
        .store
        .open_browser_session(user_id, &auth::refresh_hash(&token), expires)
        .await?;
    let cookie = session::cookie(SESSION_COOKIE, token, origin, Some(SESSION_DAYS));
    Ok(CookieJar::new().add(cookie))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    FormBody(form): FormBody<CsrfForm>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, SESSION_COOKIE, &form.csrf)?;
    state.store.revoke_session(browser.session_id).await?;
    let jar = session::forget(SESSION_COOKIE);
    Ok((jar, Redirect::to("/login")).into_response())
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    chrome: Chrome,
    username: String,
    email: String,
    errors: Vec<String>,
}

fn registration_closed() -> PageError {
    PageError::forbidden(accounts::REGISTRATION_CLOSED)
}

pub async fn register_page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> PageResult<Response> {
    if state.registration == Registration::Closed {
        return Err(registration_closed());
    }
    let page = RegisterPage {
        chrome: Chrome::visitor(visitor.csrf),
        username: String::new(),
        email: String::new(),
        errors: Vec::new(),
    };
    Ok((visitor.jar, render(page)?).into_response())
}

/// What a form that asks for a new password twice says when they differ.
pub(crate) const PASSWORDS_DIFFER: &str = "The two passwords differ: type the same one twice.";

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    csrf: String,
    username: String,
    #[serde(default)]
    email: String,
    password: String,
    /// The password typed again.
    #[serde(default)]
    password2: String,
}

pub async fn register(
    State(state): State<AppState>,
    origin: RequestOrigin,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    FormBody(form): FormBody<RegisterForm>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, VISITOR_COOKIE, &form.csrf)?;
    if state.registration == Registration::Closed {
        return Err(registration_closed());
    }
    let request = RegisterRequest {
        username: form.username.clone(),
        password: form.password.clone(),
        email: Some(form.email.clone()),
    };
    let created = if form.password == form.password2 {
        accounts::create_account(&state, addr, request).await
    } else {
        Err(ApiError::field("password", PASSWORDS_DIFFER))
    };
    match created {
        Ok(user) => {
            let jar = open_session(&state, &origin, user.id).await?;
            Ok((jar, Redirect::to("/")).into_response())
        }
        Err(err @ (ApiError::Internal(_) | ApiError::Unavailable(_))) => Err(err.into()),
        Err(err) => {
            let status = err.status();
            let errors = match &err {
                ApiError::BadRequest {
                    errors: Some(errors),
                    ..
                }
                | ApiError::Conflict { errors, .. } => errors
                    .iter()
                    .flat_map(|(field, messages)| {
                        messages
                            .iter()
                            .map(move |m| format!("{}: {m}", capitalized(field)))
                    })
                    .collect(),
                other => vec![other.detail()],
            };
            let page = RegisterPage {
                chrome: Chrome::visitor(form.csrf),
                username: form.username,
                email: form.email,
                errors,
            };
            Ok((status, render(page)?).into_response())
        }
    }
}
