//! How taskd reaches PostgreSQL: over plain TCP, or over TLS with the
//! server's certificate checked, as the URL's `sslmode` asks.
//!
//! The URL takes libpq's words, so that an admin's URL works as written:
//! `sslmode=require`, `verify-ca` and `verify-full` connect over TLS, and
//! `sslrootcert=PATH` names the certificate authorities to trust (a PEM
//! file); without it, the public authorities web browsers trust. Unlike
//! libpq's `require`, which encrypts without checking whom it talks to,
//! every TLS connection here checks the certificate and the host name it is
//! for: a connection open to a man in the middle protects nothing. `disable`,
//! `allow` and `prefer` (the default) connect over plain TCP.

use std::{path::Path, str::FromStr, sync::Arc};

use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

/// Where to connect, and with what.
pub struct Target {
    /// The connection's settings, `sslmode` set to what the connector does.
    pub config: tokio_postgres::Config,
    /// The connector: it makes TLS connections only when `config` requires
    /// them, and is never asked to otherwise.
    pub tls: MakeRustlsConnect,
    /// Whether connections are made over TLS.
    pub encrypted: bool,
}

/// Why a URL names no connection taskd can make.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("{0}")]
    Url(#[from] tokio_postgres::Error),
    #[error("sslmode={0} is not one of disable, allow, prefer, require, verify-ca or verify-full")]
    Mode(String),
    #[error("sslrootcert is read only over TLS: add sslmode=verify-full to the URL")]
    RootWithoutTls,
    #[error("cannot read the certificates in sslrootcert {path}: {reason}")]
    Roots { path: String, reason: String },
    #[error("cannot set up TLS: {0}")]
    Tls(#[from] rustls::Error),
}

/// What `url` asks for: its settings, and a connector for them.
pub fn target(url: &str) -> Result<Target, TargetError> {
    let (rest, ask) = split_tls(url)?;
    let mut config = tokio_postgres::Config::from_str(&rest)?;
    // A mode the driver read where this reading did not (a key written
    // with escapes): asked for, it is honoured, never turned to plain.
    let encrypted = ask.encrypted || config.get_ssl_mode() == SslMode::Require;
    let roots = match (&ask.roots, encrypted) {
        (Some(_), false) => return Err(TargetError::RootWithoutTls),
        (Some(path), true) => roots_in(Path::new(path))?,
        (None, true) => rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
        (None, false) => rustls::RootCertStore::empty(),
    };
    config.ssl_mode(if encrypted {
        SslMode::Require
    } else {
        SslMode::Disable
    });
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Target {
        config,
        tls: MakeRustlsConnect::new(client),
        encrypted,
    })
}

/// What a URL's query says of TLS.
#[derive(Debug, PartialEq)]
struct Ask {
    encrypted: bool,
    roots: Option<String>,
}

/// The URL without its `sslmode` and `sslrootcert`, and what they said.
/// Other settings are kept as written. A connection string of `key=value`
/// words (not a URL) is left as it is, for the driver to read.
fn split_tls(url: &str) -> Result<(String, Ask), TargetError> {
    let mut ask = Ask {
        encrypted: false,
        roots: None,
    };
    // The query starts after the credentials, which may hold a `?`.
    let after_login = url.rfind('@').map_or(0, |at| at + 1);
    let Some(at) = url[after_login..].find('?').map(|at| after_login + at) else {
        return Ok((url.to_string(), ask));
    };
    let (head, query) = (&url[..at], &url[at + 1..]);
    let mut kept = Vec::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decoded(value);
        match key {
            "sslmode" => {
                ask.encrypted = match value.as_str() {
                    "disable" | "allow" | "prefer" => false,
                    "require" | "verify-ca" | "verify-full" => true,
                    _ => return Err(TargetError::Mode(value)),
                }
            }
            "sslrootcert" => ask.roots = Some(value),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        head.to_string()
    } else {
        format!("{head}?{}", kept.join("&"))
    };
    Ok((rest, ask))
}

/// A URL query's value as written, its `%XX` escapes decoded.
fn decoded(value: &str) -> String {
    let pair = format!("v={}", value.replace('+', "%2B"));
    serde_urlencoded::from_str::<Vec<(String, String)>>(&pair)
        .ok()
        .and_then(|pairs| pairs.into_iter().next())
        .map_or_else(|| value.to_string(), |(_, value)| value)
}

/// The certificate authorities in a PEM file.
fn roots_in(path: &Path) -> Result<rustls::RootCertStore, TargetError> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let failed = |reason: String| TargetError::Roots {
        path: path.display().to_string(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|err| failed(err.to_string()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|err| failed(err.to_string()))?;
        roots.add(cert).map_err(|err| failed(err.to_string()))?;
    }
    if roots.is_empty() {
        return Err(failed("it holds no certificate".to_string()));
    }
    Ok(roots)
}

/// Words to add to an error met over TLS, when the certificate is what
/// failed: what to change in the URL.
pub fn hint(encrypted: bool, said: &str) -> &'static str {
    if !encrypted || !said.contains("certificate") {
        ""
    } else if said.contains("not valid for name") {
        " (connect to PostgreSQL by a host name its certificate is for)"
    } else {
        " (name the certificate authority that signed PostgreSQL's certificate with sslrootcert=PATH in the URL)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(url: &str) -> (String, Ask) {
        split_tls(url).unwrap()
    }

    #[test]
    fn libpq_modes_say_whether_to_encrypt() {
        for (mode, encrypted) in [
            ("disable", false),
            ("allow", false),
            ("prefer", false),
            ("require", true),
            ("verify-ca", true),
            ("verify-full", true),
        ] {
            let (rest, said) = ask(&format!("postgres://u@h/db?sslmode={mode}"));
            assert_eq!(rest, "postgres://u@h/db");
            assert_eq!(said.encrypted, encrypted, "{mode}");
        }
        assert!(!ask("postgres://u@h/db").1.encrypted);
        assert!(matches!(
            split_tls("postgres://u@h/db?sslmode=always"),
            Err(TargetError::Mode(mode)) if mode == "always"
        ));
    }

    #[test]
    fn other_settings_are_kept_as_written() {
        let (rest, said) = ask(
            "postgres://u:p%40ss@h:5433/db?application_name=a%20b&sslrootcert=%2Fetc%2Fca+1.pem&sslmode=verify-full&connect_timeout=3",
        );
        assert_eq!(
            rest,
            "postgres://u:p%40ss@h:5433/db?application_name=a%20b&connect_timeout=3"
        );
        assert_eq!(
            said,
            Ask {
                encrypted: true,
                roots: Some("/etc/ca+1.pem".to_string())
            }
        );
    }

    #[test]
    fn a_mode_asked_in_any_spelling_is_never_plain() {
        for url in [
            "postgres://u:pa?ss@h/db?sslmode=require",
            "postgres://u@h/db?ssl%6Dode=require",
        ] {
            let target = target(url).unwrap();
            assert!(target.encrypted, "{url}");
            assert_eq!(target.config.get_ssl_mode(), SslMode::Require, "{url}");
        }
        let (rest, said) = ask("postgres://u:pa?ss@h/db?sslmode=verify-full");
        assert_eq!(rest, "postgres://u:pa?ss@h/db");
        assert!(said.encrypted);
    }

    #[test]
    fn a_root_without_tls_is_refused() {
        assert!(matches!(
            target("postgres://u@h/db?sslrootcert=/etc/ca.pem"),
            Err(TargetError::RootWithoutTls)
        ));
    }

    #[test]
    fn unreadable_roots_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        for path in [dir.path().join("missing.pem"), empty] {
            let url = format!(
                "postgres://u@h/db?sslmode=verify-full&sslrootcert={}",
                path.display()
            );
            let Err(err) = target(&url) else {
                panic!("{url} was accepted");
            };
            assert!(
                err.to_string().contains(&path.display().to_string()),
                "{err}"
            );
        }
    }

    #[test]
    fn connections_are_plain_unless_asked() {
        let plain = target("postgres://u@h/db").unwrap();
        assert_eq!(plain.config.get_ssl_mode(), SslMode::Disable);
        assert!(!plain.encrypted);
        let tls = target("postgres://u@h/db?sslmode=require").unwrap();
        assert_eq!(tls.config.get_ssl_mode(), SslMode::Require);
        assert!(tls.encrypted);
    }
}
