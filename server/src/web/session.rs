//! Browser sessions: an opaque token in an `HttpOnly`, `SameSite=Lax`
//! cookie (`Secure` when the app is reached over HTTPS), its hash kept
//! server-side; and the CSRF token every form carries, derived from the
//! browser's cookie so that another site's page cannot know it.

use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, HeaderMap, Method},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Utc;
use serde::de::DeserializeOwned;

use super::error::{PageError, PageResult};
use crate::{
    auth,
    forwarded::RequestOrigin,
    store::{browser::BrowserSession, StoreError, UserRecord},
    AppState,
};

/// The login's cookie.
pub const SESSION_COOKIE: &str = "taskd_session";
/// Before a login, the cookie the login and register forms' CSRF tokens
/// are derived from.
pub const VISITOR_COOKIE: &str = "taskd_visitor";
/// How long a browser stays logged in.
pub const SESSION_DAYS: i64 = 14;

/// A logged-in browser.
pub struct Browser {
    pub user: UserRecord,
    pub session_id: i64,
    /// The token this browser's forms carry.
    pub csrf: String,
}

impl FromRequestParts<AppState> for Browser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> PageResult<Browser> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let log_in = || PageError::LogIn {
            next: if parts.method == Method::GET {
                next.clone()
            } else {
                "/".into()
            },
            ended: CookieJar::from_headers(&parts.headers)
                .get(SESSION_COOKIE)
                .is_some(),
        };
        match browser_of(&parts.headers, state).await? {
            Some(browser) => {
                crate::access_log::note_user(browser.user.id);
                Ok(browser)
            }
            None => Err(log_in()),
        }
    }
}

/// The session cookie's token and the live session it names, if any.
async fn live_session(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Option<(String, BrowserSession)>, StoreError> {
    let jar = CookieJar::from_headers(headers);
    let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
        return Ok(None);
    };
    let session = state
        .store
        .browser_session(&auth::refresh_hash(&token), Utc::now())
        .await?;
    Ok(session.map(|session| (token, session)))
}

/// The logged-in browser `headers` come from, if its session holds: for a
/// page drawn after its handler ended (an error page's bar).
pub(super) async fn browser_of(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Option<Browser>, StoreError> {
    Ok(live_session(headers, state)
        .await?
        .map(|(token, session)| Browser {
            csrf: state.tokens.csrf_token(&token),
            user: session.user,
            session_id: session.session_id,
        }))
}

/// The user a browser's session cookie names, for the one API route that
/// takes it (the event stream, which a browser's `EventSource` cannot send
/// a header to): `None` without a live session.
pub async fn cookie_user(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Option<BrowserSession>, StoreError> {
    Ok(live_session(headers, state)
        .await?
        .map(|(_, session)| session))
}

/// A visitor not logged in (or not yet known to be): the cookie their
/// forms' CSRF token comes from, made on their first visit.
pub struct Visitor {
    pub csrf: String,
    /// The cookie to set, on a first visit.
    pub jar: CookieJar,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> PageResult<Visitor> {
        let Ok(origin) = RequestOrigin::from_request_parts(parts, state).await;
        let jar = CookieJar::from_headers(&parts.headers);
        let (value, jar) = match jar.get(VISITOR_COOKIE) {
            Some(cookie) => (cookie.value().to_string(), jar),
            None => {
                let value = auth::random_token(24);
                let cookie = cookie(VISITOR_COOKIE, value.clone(), &origin, None);
                (value, jar.add(cookie))
            }
        };
        Ok(Visitor {
            csrf: state.tokens.csrf_token(&value),
            jar,
        })
    }
}

/// A cookie only this server's pages send back, over HTTPS when the app is
/// reached over it; it lasts `days`, or the browser's session.
pub fn cookie(
    name: &'static str,
    value: String,
    origin: &RequestOrigin,
    days: Option<i64>,
) -> Cookie<'static> {
    let mut cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(origin.origin.starts_with("https://"));
    if let Some(days) = days {
        cookie = cookie.max_age(time::Duration::days(days));
    }
    cookie.build()
}

/// A jar that has the browser forget cookie `name`. A fresh jar's `remove`
/// would say nothing, holding no cookie of the request's to remove.
pub fn forget(name: &'static str) -> CookieJar {
    let mut gone = Cookie::build((name, "")).path("/").build();
    gone.make_removal();
    CookieJar::new().add(gone)
}

/// What a form drawn again after its token expired says above it.
pub const SHOWN_AGAIN: &str =
    "This form had expired (you logged in again since it was opened), so \
     nothing was saved: here it is again with what you typed, to send once more.";

/// The CSRF check of a form post: the token must be the one derived from
/// this browser's cookie (`cookie_name`), and an `Origin` (or, without one,
/// a `Referer`) must be this server's.
pub fn check_form(
    state: &AppState,
    headers: &HeaderMap,
    origin: &RequestOrigin,
    cookie_name: &str,
    sent: &str,
) -> PageResult<()> {
    if form_token_holds(state, headers, origin, cookie_name, sent)? {
        Ok(())
    } else {
        Err(PageError::forbidden(
            "This form has expired or was not made by this site: reload the page and try again.",
        ))
    }
}

/// The CSRF check, telling an expired form of this site's (`false`: a
/// login since the page was drawn changed its token) from a post made
/// elsewhere (refused). A form whose token expired may be drawn again with
/// what was typed and a token that holds, never acted on.
pub fn form_token_holds(
    state: &AppState,
    headers: &HeaderMap,
    origin: &RequestOrigin,
    cookie_name: &str,
    sent: &str,
) -> PageResult<bool> {
    let from = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|value| value.to_str().ok());
    if let Some(from) = from {
        let same = from == origin.origin
            || from
                .strip_prefix(origin.origin.as_str())
                .is_some_and(|rest| rest.starts_with('/'));
        if !same {
            return Err(PageError::forbidden(
                "This form was sent from another site, so it was refused.",
            ));
        }
    }
    let jar = CookieJar::from_headers(headers);
    let expected = jar
        .get(cookie_name)
        .map(|cookie| state.tokens.csrf_token(cookie.value()));
    Ok(expected.is_some_and(|expected| constant_time_eq(expected.as_bytes(), sent.as_bytes())))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A form post's fields: a 400 page when they do not fit `T`.
pub struct FormBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for FormBody<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> PageResult<FormBody<T>> {
        let bytes = crate::extract::body(req, state, crate::routes::MAX_BODY_BYTES).await?;
        serde_urlencoded::from_bytes(&bytes)
            .map(FormBody)
            .map_err(|err| PageError::bad_request(format!("This form could not be read: {err}.")))
    }
}
