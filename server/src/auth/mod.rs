//! Passwords (argon2id), access tokens (HS256 JWT), refresh tokens (random,
//! stored hashed), the [`AuthUser`] extractor and the login rate limit.

mod hashers;
pub mod judge;
pub mod limiter;

pub use hashers::set_hashing_threads;
pub use limiter::{Attempt, Limiter};

use hashers::Lane;

use std::{collections::HashMap, sync::LazyLock, time::Duration};

use argon2::{
    password_hash::{self, rand_core::OsRng, PasswordHash, SaltString},
    Algorithm as Argon2Algorithm, Argon2, Params, Version,
};
use axum::{extract::FromRequestParts, http::request::Parts};
use base64::Engine as _;
use chrono::Utc;
use hmac::Hmac;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{error::ApiError, store::UserRecord, AppState};

pub const ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
pub const REFRESH_TTL: Duration = Duration::from_secs(14 * 24 * 3600);
/// Clock skew tolerated on `exp`/`nbf`.
const LEEWAY_SECS: u64 = 10;

// ---- passwords ----

/// argon2id at OWASP's minimum: m = 19 MiB, t = 2, p = 1.
fn argon2() -> Argon2<'static> {
    #[allow(clippy::expect_used)]
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Argon2Algorithm::Argon2id, Version::V0x13, params)
}

/// Verified against when the username is unknown, so that an unknown user
/// costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password_blocking("not a real password").unwrap_or_default());

/// Runs argon2 for `argon2`'s parameters into `out`.
fn argon2_into(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    hashers::with_memory(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password, salt, out, memory)
    })
}

fn hash_password_blocking(password: &str) -> anyhow::Result<String> {
    let fail = |err: &dyn std::fmt::Display| anyhow::anyhow!("hashing password: {err}");
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|e| fail(&e))?;
    let hasher = argon2();
    let params = hasher.params().clone();
    let output = password_hash::Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon2_into(&hasher, &params, password.as_bytes(), salt_bytes, out)
            .map_err(|_| password_hash::Error::Crypto)
    })
    .map_err(|e| fail(&e))?;
    let hash = PasswordHash {
        algorithm: Argon2Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: password_hash::ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Whether `hash` is of the kind new passwords get: otherwise the first
/// successful login replaces it.
pub fn is_current_hash(hash: &str) -> bool {
    hash.starts_with("$argon2id$")
}

/// Iterations beyond any Django default: a stored hash asking for more is
/// not one Django wrote, and is not worth a login's time.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// Django's default hash, `pbkdf2_sha256$ITERATIONS$SALT$BASE64`, which
/// accounts brought from the Django backend keep until their first login.
fn verify_django_pbkdf2(password: &str, hash: &str) -> bool {
    use base64::Engine;
    let mut parts = hash.split('$');
    let (Some("pbkdf2_sha256"), Some(iterations), Some(salt), Some(expected), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let Some(iterations) = iterations
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_PBKDF2_ITERATIONS).contains(n))
    else {
        return false;
    };
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(expected) else {
        return false;
    };
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt.as_bytes(), iterations, &mut out);
    // Every byte compared, whatever the first difference.
    expected.len() == out.len()
        && out
            .iter()
            .zip(&expected)
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

/// Checks `password` against a PHC string of ours, or a Django hash brought
/// over; anything else is a mismatch.
fn verify_password_blocking(password: &str, hash: &str) -> bool {
    if hash.starts_with("pbkdf2_sha256$") {
        return verify_django_pbkdf2(password, hash);
    }
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    if parsed.algorithm != Argon2Algorithm::Argon2id.ident() {
        return false;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or(Version::V0x13);
    let mut salt_buf = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let hasher = Argon2::new(Argon2Algorithm::Argon2id, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    if argon2_into(&hasher, &params, password.as_bytes(), salt_bytes, &mut out).is_err() {
        return false;
    }
    // Output's equality is constant-time.
    password_hash::Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// What is wrong with a new password for `username` (see
/// [`password_errors`](crate::domain::credentials::password_errors)),
/// judged on the hashing threads: the strength estimate takes milliseconds
/// of CPU, too long for an async worker.
pub async fn password_problems(
    password: String,
    username: String,
) -> Result<Vec<String>, ApiError> {
    // Refused before queueing: a megabyte of password costs nobody a hash.
    if let Some(message) = crate::domain::credentials::too_long(&password) {
        return Ok(vec![message]);
    }
    hashers::run(Lane::NewPassword, move || {
        crate::domain::credentials::password_errors_judged(&password, &username, judge::guessable)
    })
    .await
}

/// Hashes off the async workers.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    hashers::run(Lane::NewPassword, move || hash_password_blocking(&password))
        .await?
        .map_err(ApiError::Internal)
}

/// Checks `password` against `hash`, or against a dummy hash when there is
/// no user, so both cases take the same time.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, ApiError> {
    // No password that long was ever accepted: wrong, without a hash.
    if crate::domain::credentials::too_long(&password).is_some() {
        return Ok(false);
    }
    hashers::run(Lane::Login, move || match hash {
        Some(hash) => verify_password_blocking(&password, &hash),
        None => {
            verify_password_blocking(&password, &DUMMY_HASH);
            false
        }
    })
    .await
}

/// Makes the dummy hash now, on the hashing threads, so the first
/// unknown-user login is not cheaper than the others.
pub async fn warm_up() -> Result<(), ApiError> {
    hashers::run(Lane::Login, || {
        LazyLock::force(&DUMMY_HASH);
    })
    .await
}

// ---- tokens ----

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    /// The user's id again, where simplejwt puts it, for frontends written
    /// for the Django backend.
    #[serde(default)]
    pub user_id: Option<i64>,
    /// Always `access`; a token of another type is refused.
    #[serde(default = "access_type")]
    pub token_type: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// The login (session) this token belongs to: logging out ends it.
    pub sid: i64,
    /// The user's token version when issued: a password change bumps it.
    pub ver: i64,
}

fn access_type() -> String {
    "access".to_string()
}

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// For deriving a spent refresh token's successor.
    secret: Vec<u8>,
    /// Access tokens whose signature and claims were checked: a client's
    /// next request with the same token skips the signature and the parse,
    /// never the expiry (nor, in the extractor, the login's revocation).
    verified: std::sync::Mutex<HashMap<String, AccessClaims>>,
}

/// Verified access tokens remembered at most; past it the memory starts over.
const VERIFIED_TOKENS: usize = 4096;

impl Tokens {
    pub fn new(secret: &[u8]) -> Tokens {
        // The algorithm is pinned: a token claiming any other (`none`
        // included) fails validation.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            secret: secret.to_vec(),
            verified: std::sync::Mutex::default(),
        }
    }

    pub fn issue_access(&self, user: &UserRecord, session_id: i64) -> Result<String, ApiError> {
        self.sign_access(user, session_id, Utc::now().timestamp(), random_token(16))
    }

    /// The access token that goes with the successor of `refresh`, spent at
    /// `rotated_at`: the same token each time it is asked for.
    pub fn successor_access(
        &self,
        user: &UserRecord,
        session_id: i64,
        refresh: &str,
        rotated_at: chrono::DateTime<Utc>,
    ) -> Result<String, ApiError> {
        let jti = self.derived("access", refresh)[..22].to_string();
        self.sign_access(user, session_id, rotated_at.timestamp(), jti)
    }

    /// The refresh token that takes the place of `refresh` when it is spent:
    /// derived from it with the signing secret, so that each spend of one
    /// token names the same successor, and nobody without the secret can
    /// tell it.
    pub fn successor_refresh(&self, refresh: &str) -> String {
        self.derived("refresh", refresh)
    }

    /// The CSRF token of the browser whose cookie holds `cookie`: forms
    /// carry it, and a page another site made cannot know it.
    pub fn csrf_token(&self, cookie: &str) -> String {
        self.derived("csrf", cookie)
    }

    fn derived(&self, purpose: &str, refresh: &str) -> String {
        let mut mac = <Hmac<Sha256> as hmac::Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        hmac::Mac::update(&mut mac, purpose.as_bytes());
        hmac::Mac::update(&mut mac, &[0]);
        hmac::Mac::update(&mut mac, refresh.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(hmac::Mac::finalize(mac).into_bytes())
    }

    fn sign_access(
        &self,
        user: &UserRecord,
        session_id: i64,
        issued_at: i64,
        jti: String,
    ) -> Result<String, ApiError> {
        let claims = AccessClaims {
            sub: user.id.to_string(),
            user_id: Some(user.id),
            token_type: access_type(),
            exp: issued_at + ACCESS_TTL.as_secs() as i64,
            iat: issued_at,
            jti,
            sid: session_id,
            ver: user.token_version,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|err| ApiError::Internal(anyhow::anyhow!("signing token: {err}")))
    }

    pub fn decode_access(&self, token: &str) -> Option<AccessClaims> {
        // Expired as the validation has it: past `exp` by more than the leeway.
        let live =
            |claims: &AccessClaims| claims.exp >= Utc::now().timestamp() - LEEWAY_SECS as i64;
        let remembered = self
            .verified
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned();
        if let Some(claims) = remembered {
            return live(&claims).then_some(claims);
        }
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
            .filter(|claims| claims.token_type == "access")?;
        let mut verified = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if verified.len() >= VERIFIED_TOKENS {
            verified.clear();
        }
        verified.insert(token.to_owned(), claims.clone());
        Some(claims)
    }
}

/// `bytes` random bytes, base64url.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Refresh tokens are stored only as this hash. They carry 256 random bits,
/// so a fast hash is enough: there is nothing to brute-force.
pub fn refresh_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- the extractor ----

/// The user a request's Bearer token names; taking one makes a handler
/// authenticated.
pub struct AuthUser {
    pub user: UserRecord,
    pub session_id: i64,
    /// When the access token expires.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The epoch reads of the account's tasks begin in, from the login
    /// check (see [`crate::store::AuthContext::tasks_changed`]).
    pub tasks_changed: Option<i64>,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| {
                ApiError::Unauthorized("Authentication credentials were not provided.".into())
            })?;
        let invalid = || ApiError::TokenNotValid("Token is invalid or expired.".into());
        let value = header.to_str().map_err(|_| invalid())?;
        let (scheme, token) = value.split_once(' ').ok_or_else(invalid)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(invalid());
        }
        let claims = state
            .tokens
            .decode_access(token.trim())
            .ok_or_else(invalid)?;
        let user_id: i64 = claims.sub.parse().map_err(|_| invalid())?;
        let context = state
            .store
            .auth_context(user_id, claims.sid)
            .await?
            .ok_or_else(invalid)?;
        if !context.user.is_active {
            return Err(ApiError::AccountInactive);
        }
        if !context.session_live || context.user.token_version != claims.ver {
            return Err(invalid());
        }
        crate::access_log::note_user(context.user.id);
        Ok(AuthUser {
            user: context.user,
            session_id: claims.sid,
            expires_at: chrono::DateTime::from_timestamp(claims.exp, 0).unwrap_or_default(),
            tasks_changed: context.tasks_changed,
        })
    }
}

/// An [`AuthUser`] who is an admin; anyone else gets 403.
pub struct AdminUser(pub AuthUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        if !user.user.is_admin {
            return Err(ApiError::Forbidden(
                "You do not have permission to perform this action.".into(),
            ));
        }
        Ok(AdminUser(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn django_hashes_verify_as_django_wrote_them() {
        // Python's hashlib.pbkdf2_hmac("sha256", b"correct horse", b"Xq9zSalt1234", 1000).
        let hash = "pbkdf2_sha256$1000$Xq9zSalt1234$rNCwQPkmDcj0nzbHjFeeicG4QLxhj0blKh5TB6chRI4=";
        assert!(verify_password_blocking("correct horse", hash));
        assert!(!verify_password_blocking("correct horsE", hash));
        assert!(!is_current_hash(hash));
        for bad in [
            "pbkdf2_sha256$0$Xq9zSalt1234$rNCwQPkmDcj0nzbHjFeeicG4QLxhj0blKh5TB6chRI4=",
            "pbkdf2_sha256$1000$Xq9zSalt1234$not base64",
            "pbkdf2_sha256$1000$Xq9zSalt1234",
            "!unusable",
        ] {
            assert!(!verify_password_blocking("correct horse", bad), "{bad}");
        }
    }

    #[test]
    fn hashes_verify_and_match_the_argon2_crate() {
        let hash = hash_password_blocking("correct horse").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password_blocking("correct horse", &hash));
        assert!(!verify_password_blocking("wrong horse", &hash));
        assert!(!verify_password_blocking("correct horse", "not a hash"));
        // A hash made by the argon2 crate's own API verifies, and ours
        // verifies there: the formats are the same.
        use argon2::{PasswordHasher, PasswordVerifier};
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon2()
            .hash_password(b"pw 12345", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password_blocking("pw 12345", &theirs));
        let ours = PasswordHash::new(&hash).unwrap();
        assert!(argon2().verify_password(b"correct horse", &ours).is_ok());
    }
}
