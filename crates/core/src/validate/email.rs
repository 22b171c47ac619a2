//! E-mail addresses: first of several, placeholders, syntax, domain typos.
//!
//! The syntax check is the practical one (what mail providers accept), not RFC 5322's:
//! a clinic's export holds typing errors, not quoted local parts. A domain typo is only
//! suggested, never applied: "gmial.com" is almost surely gmail.com, but the owner's
//! real address is theirs to confirm.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::canonical::Severity;
use crate::canonical::{Output, Problem};

struct Lists {
    typos: HashMap<&'static str, &'static str>,
    local: Vec<&'static str>,
    domain: Vec<&'static str>,
    text: Vec<&'static str>,
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| {
        let typos = super::data_lines(include_str!("data/email_domain_typos.tsv"))
            .filter_map(|l| l.split_once('\t'))
            .collect();
        let mut lists = Lists {
            typos,
            local: Vec::new(),
            domain: Vec::new(),
            text: Vec::new(),
        };
        for line in super::data_lines(include_str!("data/placeholder_emails.txt")) {
            if let Some(v) = line.strip_prefix("local:") {
                lists.local.push(v);
            } else if let Some(v) = line.strip_prefix("domain:") {
                lists.domain.push(v);
            } else if let Some(v) = line.strip_prefix("text:") {
                lists.text.push(v);
            }
        }
        lists
    })
}

/// Whether `to_lowercase` could change the text (anything but lower-case ASCII may).
fn needs_lowercase(text: &str) -> bool {
    text.bytes()
        .any(|b| !b.is_ascii() || b.is_ascii_uppercase())
}

/// Whether the value stands for "no e-mail" (none@none.com, noemail@clinic.com, "N/A").
pub fn is_placeholder(email: &str) -> bool {
    let trimmed = email.trim();
    // The lists are lower case: an address already in lower case is compared as it is.
    let lower = if needs_lowercase(trimmed) {
        std::borrow::Cow::Owned(trimmed.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(trimmed)
    };
    let l = lists();
    match lower.rsplit_once('@') {
        Some((local, domain)) => {
            l.local.contains(&local) || l.domain.contains(&domain) || local.is_empty()
        }
        None => l.text.contains(&lower.as_ref()),
    }
}

/// Whether an address is syntactically usable: one `@`, a local part of allowed
/// characters, a domain of letter/digit/hyphen labels ending in a letters-only TLD.
pub fn is_valid(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.as_bytes().windows(2).any(|w| w == b"..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let domain_ok = domain.contains('.')
        && domain.len() <= 253
        && domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    local_ok && domain_ok
}

/// The intended domain when `domain` is a known misspelling (gmial.com → gmail.com).
pub fn domain_typo(domain: &str) -> Option<&'static str> {
    let typos = &lists().typos;
    if needs_lowercase(domain) {
        typos.get(domain.to_lowercase().as_str()).copied()
    } else {
        typos.get(domain).copied()
    }
}

/// Normalizes one e-mail cell: the first of several addresses (`multiple_emails`),
/// placeholders treated as missing (`placeholder_email`), the domain lower-cased, syntax
/// checked (`invalid_email`, kept as written so the user can correct it) and common domain
/// misspellings suggested (`email_domain_typo`). Idempotent.
pub fn check_email(raw: &str) -> Output {
    let text = raw.trim();
    // Most cells hold one plain address: nothing to split or strip.
    let plain = !text.is_empty()
        && !text.contains([';', ',', ' ', '/', '\t', '\n', '<', '>', '"', '\''])
        && !text.starts_with("mailto:");
    let parts: Vec<&str> = if plain {
        vec![text]
    } else {
        text.split([';', ',', ' ', '/', '\t', '\n'])
            .map(|s| s.trim().trim_start_matches("mailto:"))
            // Trimmed again inside the quotes: a value must read the same when checked again.
            .map(|s| {
                s.trim_matches(|c| c == '<' || c == '>' || c == '"' || c == '\'')
                    .trim()
            })
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut out = Output::default();
    // "N/A" and "no email" split into parts; judge the whole cell first.
    if is_placeholder(text) || (!plain && parts.first().is_some_and(|p| is_placeholder(p))) {
        out.problems.push(Problem::new(
            "placeholder_email",
            Severity::Warning,
            format!("\"{text}\" stands for \"no e-mail\"; treated as missing"),
        ));
        return out;
    }
    let first = match parts.as_slice() {
        [] => return out,
        [one] => *one,
        [first, ..] => {
            // Several words without any second address ("john at gmail dot com") is not
            // several addresses: let the syntax check speak.
            if parts.iter().filter(|p| p.contains('@')).count() >= 2 {
                out.problems.push(
                    Problem::new(
                        "multiple_emails",
                        Severity::Warning,
                        format!("\"{text}\" holds several addresses; the first is used"),
                    )
                    .suggest(*first),
                );
                first
            } else {
                text
            }
        }
    };
    let value = match first.rsplit_once('@') {
        Some((local, domain)) if domain.ends_with('.') || needs_lowercase(domain) => {
            format!("{local}@{}", domain.trim_end_matches('.').to_lowercase())
        }
        _ => first.to_string(),
    };
    if !is_valid(&value) {
        out.problems.push(Problem::new(
            "invalid_email",
            Severity::Error,
            format!("\"{value}\" is not a valid e-mail address; correct it or clear it"),
        ));
    } else if let Some((local, domain)) = value.rsplit_once('@') {
        if let Some(fixed) = domain_typo(domain) {
            let suggestion = format!("{local}@{fixed}");
            out.problems.push(
                Problem::new(
                    "email_domain_typo",
                    Severity::Warning,
                    format!("\"{value}\" looks like a misspelling of \"{suggestion}\""),
                )
                .suggest(suggestion),
            );
        }
    }
    out.value = value;
    out
}
