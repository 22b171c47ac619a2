//! Which base URLs the client may talk to: HTTPS always, plain HTTP only on this machine.

use std::net::IpAddr;

pub use reqwest::Url;

/// Why a base URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Not a URL at all.
    #[error("`{url}` is not a valid URL ({reason}): give the full address, e.g. https://import.ph.example")]
    Invalid {
        /// What was given.
        url: String,
        /// What the URL parser said.
        reason: String,
    },
    /// Plain HTTP to another machine would send the token and clinic data in clear text.
    #[error("`{url}` uses plain http:// to another machine, which would send the token and clinic data unencrypted: use https://")]
    Insecure {
        /// What was given.
        url: String,
    },
    /// Only http and https are spoken.
    #[error("`{url}` is not an http(s) address: use https://")]
    Scheme {
        /// What was given.
        url: String,
    },
    /// A user name or password inside the URL would end up in the settings file.
    #[error("`{url}` has a user name or password in it: remove it, tokens are entered with `ph-import login` and kept in the keychain")]
    Credentials {
        /// What was given, with the secret part removed.
        url: String,
    },
    /// A query or fragment cannot be part of a base URL.
    #[error("`{url}` has a query (?…) or fragment (#…): give only the base address")]
    QueryOrFragment {
        /// What was given.
        url: String,
    },
}

/// Parses a base URL and applies the transport rule: https:// anywhere, http:// only to a
/// loopback address (the sandbox on this machine).
pub fn parse_base_url(text: &str) -> Result<Url, EndpointError> {
    let text = text.trim();
    let url = Url::parse(text).map_err(|e| EndpointError::Invalid {
        url: text.to_owned(),
        reason: e.to_string(),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(EndpointError::Credentials {
            url: shown.to_string(),
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(EndpointError::QueryOrFragment {
            url: text.to_owned(),
        });
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(EndpointError::Insecure {
            url: text.to_owned(),
        }),
        _ => Err(EndpointError::Scheme {
            url: text.to_owned(),
        }),
    }
}

/// The GraphQL endpoint under a base URL: `{base}/graphql`.
pub fn graphql_endpoint(base: &Url) -> Url {
    let mut url = base.clone();
    let path = format!("{}/graphql", base.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

/// Whether the URL names this machine: `localhost`, 127.0.0.0/8 or ::1.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert!(parse_base_url("https://import.ph.example").is_ok());
        assert!(parse_base_url("https://10.0.0.5:8443/api").is_ok());
        assert!(parse_base_url("http://127.0.0.1:4000").is_ok());
        assert!(parse_base_url("http://127.1.2.3").is_ok());
        assert!(parse_base_url("http://localhost:4000").is_ok());
        assert!(parse_base_url("http://[::1]:4000").is_ok());
        for insecure in [
            "http://import.ph.example",
            "http://10.0.0.5:4000",
            "http://localhost.evil.example",
            "http://[::2]:80",
        ] {
            assert!(
                matches!(
                    parse_base_url(insecure),
                    Err(EndpointError::Insecure { .. })
                ),
                "{insecure} should be refused"
            );
        }
        assert!(matches!(
            parse_base_url("ftp://x.example"),
            Err(EndpointError::Scheme { .. })
        ));
        assert!(matches!(
            parse_base_url("import.ph.example"),
            Err(EndpointError::Invalid { .. })
        ));
    }

    #[test]
    fn credentials_in_the_url_are_refused_without_echoing_them() {
        let err = parse_base_url("https://user:s3cret@import.ph.example").unwrap_err();
        assert!(matches!(err, EndpointError::Credentials { .. }));
        assert!(!err.to_string().contains("s3cret"));
    }

    #[test]
    fn endpoint_is_graphql_under_the_base_path() {
        let base = parse_base_url("https://ph.example/import/v1/").unwrap();
        assert_eq!(
            graphql_endpoint(&base).as_str(),
            "https://ph.example/import/v1/graphql"
        );
        let base = parse_base_url("http://127.0.0.1:9000").unwrap();
        assert_eq!(
            graphql_endpoint(&base).as_str(),
            "http://127.0.0.1:9000/graphql"
        );
    }
}
