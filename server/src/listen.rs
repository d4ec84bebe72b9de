//! The forms of `--bind` and `--cors-origin`, checked when taskd starts:
//! what an operator writes in a unit file or a compose file works, and what
//! cannot work is said at once, in one line.

use std::net::{SocketAddr, ToSocketAddrs};

/// `127.0.0.1:8000`, `[::1]:8000`, `localhost:8000` (its first address),
/// or `:8000` (every IPv4 interface).
pub fn parse_bind(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    if let Some(port) = text.strip_prefix(':') {
        let port: u16 = port
            .parse()
            .map_err(|_| format!("{text:?}: the port must be a number from 0 to 65535"))?;
        return Ok(SocketAddr::from(([0, 0, 0, 0], port)));
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let Some((_, port)) = text.rsplit_once(':') else {
        return Err(format!(
            "{text:?}: give a HOST:PORT, e.g. 127.0.0.1:8000 or :8000"
        ));
    };
    if port.parse::<u16>().is_err() {
        return Err(format!(
            "{text:?}: the port must be a number from 0 to 65535"
        ));
    }
    let mut addrs: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|e| format!("{text:?}: {e}"))?
        .collect();
    // `localhost` resolves to both families: IPv4 first, as most expect.
    addrs.sort_by_key(|a| !a.is_ipv4());
    addrs
        .into_iter()
        .next()
        .ok_or_else(|| format!("{text:?}: the name has no address"))
}

/// A browser origin as it comes in an `Origin` header: `https://host` or
/// `http://host:port`, nothing after the host; a trailing `/` is dropped.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let origin = text.trim().trim_end_matches('/');
    if origin == "*" {
        return Err("\"*\" is not an origin: --cors-any allows every origin".into());
    }
    let Some((scheme, rest)) = origin.split_once("://") else {
        return Err(format!(
            "{text:?} is not an origin: write its scheme too, e.g. https://app.example.com"
        ));
    };
    let valid = matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@'])
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if valid {
        Ok(origin.to_string())
    } else {
        Err(format!(
            "{text:?} is not an origin: http:// or https://, a host and maybe a port, nothing else"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_forms() {
        assert_eq!(
            parse_bind("127.0.0.1:8000"),
            Ok(SocketAddr::from(([127, 0, 0, 1], 8000)))
        );
        assert_eq!(
            parse_bind(":8000"),
            Ok(SocketAddr::from(([0, 0, 0, 0], 8000)))
        );
        assert_eq!(
            parse_bind("localhost:8000"),
            Ok(SocketAddr::from(([127, 0, 0, 1], 8000)))
        );
        assert!(parse_bind("[::1]:8000").is_ok_and(|a| a.is_ipv6()));
        for bad in [
            "",
            "8000",
            ":http",
            "localhost:99999",
            "no.such.host.invalid:80",
        ] {
            assert!(parse_bind(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn origin_forms() {
        assert_eq!(
            parse_origin("https://app.example.com/"),
            Ok("https://app.example.com".into())
        );
        assert_eq!(
            parse_origin("http://localhost:5173"),
            Ok("http://localhost:5173".into())
        );
        for bad in [
            "*",
            "app.example.com",
            "https://",
            "https://app.example.com/path",
            "https://a b.com",
            "ftp://x.com",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad:?}");
        }
        assert!(parse_origin("*").unwrap_err().contains("--cors-any"));
    }
}
