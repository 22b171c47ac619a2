//! The bearer token of an environment: kept in memory only, redacted whenever printed.

use std::fmt;

/// Why a token could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Nothing was entered.
    #[error("the token is empty: paste the API token PH gave you for this environment")]
    Empty,
    /// Spaces, line breaks or control characters inside the token.
    #[error(
        "the token contains spaces or control characters: copy it again without extra characters"
    )]
    InvalidCharacters,
}

/// A PH API token. It has no `Serialize`, and `Debug`/`Display` print `Token(***)`, so it
/// cannot end up in a settings file, a log line or a report by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Accepts a token as typed or piped: surrounding whitespace (the newline of
    /// `--token-stdin`) is dropped; anything else that cannot go in an HTTP header is refused.
    pub fn parse(text: &str) -> Result<Token, TokenError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(TokenError::Empty);
        }
        // Visible ASCII only: the token travels in the `Authorization` header.
        if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(TokenError::InvalidCharacters);
        }
        Ok(Token(trimmed.to_owned()))
    }

    /// The secret itself, for the `Authorization` header and the keychain only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact_the_secret() {
        let token = Token::parse("phsb_secret_value_123").unwrap();
        assert_eq!(format!("{token:?}"), "Token(***)");
        assert_eq!(format!("{token}"), "Token(***)");
        assert_eq!(format!("{:?}", Some(&token)), "Some(Token(***))");
        assert_eq!(token.expose(), "phsb_secret_value_123");
    }

    #[test]
    fn piped_newline_is_trimmed_and_bad_tokens_refused() {
        assert_eq!(Token::parse("abc\n").unwrap().expose(), "abc");
        assert_eq!(Token::parse("  \n"), Err(TokenError::Empty));
        assert_eq!(Token::parse("ab c"), Err(TokenError::InvalidCharacters));
        assert_eq!(Token::parse("ab\u{7}c"), Err(TokenError::InvalidCharacters));
        assert_eq!(Token::parse("tökén"), Err(TokenError::InvalidCharacters));
    }
}
