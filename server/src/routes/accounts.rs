//! Accounts and sessions: register, login, refresh, logout, me, password.

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    Json,
};
use chrono::Utc;
use common::api::{
    LoginRequest, PasswordChange, Problem, RefreshRequest, RegisterRequest, TokenPair, User,
};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::{self, limiter, AuthUser, ACCESS_TTL, REFRESH_TTL},
    config::Registration,
    domain::{
        accounts::{self as rules, Refreshed},
        credentials::{email_errors, username_errors, MAX_EMAIL, MAX_PASSWORD},
    },
    error::{ApiError, ApiResult, FieldErrors},
    extract::{ClientAddr, JsonBody},
    store::{NewUser, UserRecord},
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        // Credentials and tokens must never sit in a cache.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

fn check(errors: FieldErrors) -> ApiResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

const USERNAME_TAKEN: &str = "A user with that username already exists.";

fn username_taken() -> ApiError {
    let mut errors = FieldErrors::new();
    errors.insert("username".into(), vec![USERNAME_TAKEN.into()]);
    ApiError::Conflict {
        detail: USERNAME_TAKEN.into(),
        errors,
    }
}

/// Creates an account.
#[utoipa::path(post, path = "/api/register", tag = "accounts",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The new account", body = User),
        (status = 400, description = "Malformed JSON or invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Registration is closed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Username taken", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many registrations from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn register(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    JsonBody(body): JsonBody<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let user = create_account(&state, addr, body).await?;
    Ok((StatusCode::CREATED, Json(user.to_api())))
}

/// Why a registration is refused while registration is closed.
pub(crate) const REGISTRATION_CLOSED: &str =
    "Registration is closed: ask an administrator for an account.";

/// Registration, for the API and the web app alike: the policy, the
/// fields' rules, the per-address cap.
pub(crate) async fn create_account(
    state: &AppState,
    addr: Option<std::net::IpAddr>,
    body: RegisterRequest,
) -> ApiResult<UserRecord> {
    if state.registration == Registration::Closed {
        return Err(ApiError::Forbidden(REGISTRATION_CLOSED.into()));
    }
    let account = check_new_account(state, body).await?;
    let rules = limiter::registration_rules(addr, state.registrations_per_hour);
    let attempt = state
        .limiter
        .begin(&rules, "registrations from this address")
        .await
        .inspect_err(|_| {
            crate::request_event!(warn, "registration refused: too many from this address")
        })?;
    let user = insert_account(state, account, false).await?;
    attempt.counts().await?;
    crate::request_event!(info, user_id = user.id, "account registered");
    Ok(user)
}

/// An account an admin adds: the fields' rules of a registration, whatever
/// the registration policy.
pub(crate) async fn add_account(
    state: &AppState,
    body: RegisterRequest,
    is_admin: bool,
) -> ApiResult<UserRecord> {
    let account = check_new_account(state, body).await?;
    let user = insert_account(state, account, is_admin).await?;
    crate::request_event!(info, user_id = user.id, "account added by an admin");
    Ok(user)
}

/// A new account's fields, checked.
struct NewAccount {
    username: String,
    email: String,
    password: String,
}

/// The rules of a new account's fields, and whether its username is free.
async fn check_new_account(state: &AppState, body: RegisterRequest) -> ApiResult<NewAccount> {
    let username = body.username.trim().to_string();
    let sent_email = body.email.unwrap_or_default();
    // Its length as sent, as the API document states it.
    let email = if sent_email.chars().count() > MAX_EMAIL {
        sent_email
    } else {
        sent_email.trim().to_string()
    };
    let mut errors = FieldErrors::new();
    for (field, messages) in [
        ("username", username_errors(&username)),
        (
            "password",
            auth::password_problems(body.password.clone(), username.clone()).await?,
        ),
        (
            "email",
            if email.is_empty() {
                Vec::new()
            } else {
                email_errors(&email)
            },
        ),
    ] {
        if !messages.is_empty() {
            errors.insert(field.into(), messages);
        }
    }
    // Fail fast before paying for a hash; the insert still settles races.
    // Taken alone is a conflict; beside other fields' errors it is one more
    // of them, so that the form tells everything to change at once.
    let taken = !errors.contains_key("username")
        && state.store.user_by_username(&username).await?.is_some();
    if taken && !errors.is_empty() {
        errors.insert("username".into(), vec![USERNAME_TAKEN.into()]);
    }
    check(errors)?;
    if taken {
        return Err(username_taken());
    }
    Ok(NewAccount {
        username,
        email,
        password: body.password,
    })
}

async fn insert_account(
    state: &AppState,
    account: NewAccount,
    is_admin: bool,
) -> ApiResult<UserRecord> {
    let password_hash = auth::hash_password(account.password).await?;
    state
        .store
        .create_user(NewUser {
            username: account.username,
            email: account.email,
            password_hash,
            is_admin,
        })
        .await?
        .ok_or_else(username_taken)
}

/// Opens a login for `user` and returns its first pair.
async fn issue_tokens(state: &AppState, user: &UserRecord) -> ApiResult<TokenPair> {
    let refresh = auth::random_token(32);
    let expires = Utc::now() + REFRESH_TTL;
    let session_id = state
        .store
        .create_session(user.id, &auth::refresh_hash(&refresh), expires)
        .await?;
    token_pair(state, user, session_id, refresh)
}

/// An access token for `session_id` beside its current refresh token.
fn token_pair(
    state: &AppState,
    user: &UserRecord,
    session_id: i64,
    refresh: String,
) -> ApiResult<TokenPair> {
    Ok(TokenPair {
        access: state.tokens.issue_access(user, session_id)?,
        refresh,
        token_type: "Bearer".into(),
        expires_in: ACCESS_TTL.as_secs(),
    })
}

fn bad_credentials() -> ApiError {
    ApiError::Unauthorized("No active account found with the given credentials.".into())
}

/// Exchanges a username and password for an access and a refresh token.
#[utoipa::path(post, path = "/api/login", tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Tokens", body = TokenPair),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong credentials (the same for an unknown user)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is deactivated", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failures for this username or address; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    JsonBody(body): JsonBody<LoginRequest>,
) -> ApiResult<Json<TokenPair>> {
    let mut blank = FieldErrors::new();
    for (field, empty) in [
        ("username", body.username.trim().is_empty()),
        ("password", body.password.is_empty()),
    ] {
        if empty {
            blank.insert(field.into(), vec!["This field may not be blank.".into()]);
        }
    }
    if body.password.chars().count() > MAX_PASSWORD {
        blank.insert(
            "password".into(),
            vec![format!("At most {MAX_PASSWORD} characters.")],
        );
    }
    check(blank)?;
    let user = authenticate(&state, &body.username, body.password, addr).await?;
    Ok(Json(issue_tokens(&state, &user).await?))
}

/// Checks a username and password under the login limits, for the API and
/// the web app alike; the active account they name.
pub(crate) async fn authenticate(
    state: &AppState,
    username: &str,
    password: String,
    addr: Option<std::net::IpAddr>,
) -> ApiResult<UserRecord> {
    let user = state.store.user_by_username(username.trim()).await?;
    let rules = rules_for(state, username, user.as_ref(), addr).await?;
    let attempt = match state.limiter.begin(&rules, "failed logins").await {
        Ok(attempt) => attempt,
        Err(err) => {
            if matches!(err, ApiError::TooManyRequests { .. }) {
                crate::request_event!(warn, username = %common::text::escape_control(username), "login refused: too many failures");
            }
            return Err(err);
        }
    };
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let valid = auth::verify_password(password.clone(), hash).await?;
    let Some(user) = user.filter(|_| valid) else {
        attempt.counts().await?;
        // The request's address among the event's fields; never the password.
        crate::request_event!(warn, username = %common::text::escape_control(username), "failed login");
        return Err(bad_credentials());
    };
    attempt.taken_back().await?;
    if !user.is_active {
        return Err(ApiError::Forbidden("This account is inactive.".into()));
    }
    if !auth::is_current_hash(&user.password_hash) {
        // A hash brought from the Django backend: argon2id from now on.
        let upgraded = auth::hash_password(password).await?;
        state
            .store
            .upgrade_password_hash(user.id, &user.password_hash, &upgraded)
            .await?;
    }
    // The pair's failures are forgiven; the address's and the username's
    // are not, or one account of an attacker's own would reset them.
    if let Some(pair) = rules.first() {
        state.limiter.clear(&pair.key).await?;
    }
    if let Some(addr) = addr {
        state
            .store
            .remember_address(user.id, &addr.to_string(), Utc::now())
            .await?;
    }
    Ok(user)
}

/// The limits a password check for `username` from `addr` counts against.
async fn rules_for(
    state: &AppState,
    username: &str,
    user: Option<&UserRecord>,
    addr: Option<std::net::IpAddr>,
) -> ApiResult<Vec<limiter::Rule>> {
    let known = match (user, addr) {
        (Some(user), Some(addr)) => {
            state
                .store
                .address_known(user.id, &addr.to_string())
                .await?
        }
        _ => false,
    };
    Ok(limiter::login_rules(username, addr, known))
}

/// Trades a refresh token for a new pair; the old refresh token is spent.
/// Presenting a spent one revokes the whole login.
#[utoipa::path(post, path = "/api/token/refresh", tag = "accounts",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access and refresh token", body = TokenPair),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token (`token_not_valid`), or its account deactivated (`user_inactive`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn refresh(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> ApiResult<Json<TokenPair>> {
    if body.refresh.trim().is_empty() {
        return Err(ApiError::field("refresh", "This field may not be blank."));
    }
    let successor = state.tokens.successor_refresh(&body.refresh);
    let now = Utc::now();
    let outcome = rules::rotate_refresh_token(
        state.store.as_ref(),
        &auth::refresh_hash(&body.refresh),
        &auth::refresh_hash(&successor),
        now + REFRESH_TTL,
        now,
        state.refresh_grace,
    )
    .await?;
    match outcome {
        Refreshed::Rotated {
            user,
            session_id,
            rotated_at,
        } => Ok(Json(TokenPair {
            access: state
                .tokens
                .successor_access(&user, session_id, &body.refresh, rotated_at)?,
            refresh: successor,
            token_type: "Bearer".into(),
            expires_in: ACCESS_TTL.as_secs(),
        })),
        Refreshed::Reused => {
            crate::request_event!(
                warn,
                "a spent refresh token was presented; its login is revoked"
            );
            Err(ApiError::TokenNotValid(
                "This refresh token was already used; the login has been revoked.".into(),
            ))
        }
        Refreshed::Inactive => Err(ApiError::AccountInactive),
        Refreshed::Invalid => Err(ApiError::TokenNotValid(
            "Token is invalid or expired.".into(),
        )),
    }
}

/// Ends the login the refresh token belongs to.
#[utoipa::path(post, path = "/api/logout", tag = "accounts",
    request_body = RefreshRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token, or the refresh token is not this user's", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn logout(
    State(state): State<AppState>,
    user: AuthUser,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> ApiResult<StatusCode> {
    if state
        .store
        .revoke_session_by_refresh_token(user.user.id, &auth::refresh_hash(&body.refresh))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::TokenNotValid(
            "Token is invalid or expired.".into(),
        ))
    }
}

/// The account the access token belongs to.
#[utoipa::path(get, path = "/api/me", tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, body = User),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn me(user: AuthUser) -> Json<User> {
    Json(user.user.to_api())
}

/// Changes the password; every login and access token issued before ends.
#[utoipa::path(post, path = "/api/me/password", tag = "accounts",
    request_body = PasswordChange,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed; log in again"),
        (status = 400, description = "Wrong current password or a weak new one", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong current passwords, counted as failed logins; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn change_password(
    State(state): State<AppState>,
    user: AuthUser,
    ClientAddr(addr): ClientAddr,
    JsonBody(body): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    let user = user.user;
    let mut errors = FieldErrors::new();
    let weak = auth::password_problems(body.new_password.clone(), user.username.clone()).await?;
    if !weak.is_empty() {
        errors.insert("new_password".into(), weak);
    }
    if body.current_password.chars().count() > MAX_PASSWORD {
        errors.insert(
            "current_password".into(),
            vec![format!("At most {MAX_PASSWORD} characters.")],
        );
    }
    check(errors)?;
    // Guessing the current password here counts as guessing it at login:
    // a stolen access token must not become a way around the limit.
    let rules = rules_for(&state, &user.username, Some(&user), addr).await?;
    let attempt = state.limiter.begin(&rules, "failed logins").await?;
    if !auth::verify_password(body.current_password, Some(user.password_hash.clone())).await? {
        attempt.counts().await?;
        return Err(ApiError::field("current_password", "Wrong password."));
    }
    attempt.taken_back().await?;
    let hash = auth::hash_password(body.new_password).await?;
    state.store.change_password(user.id, &hash).await?;
    Ok(StatusCode::NO_CONTENT)
}
