//! The optional bearer token: compared in constant time (as SHA-256 digests, so that neither
//! the content nor the length of the token leaks through timing), never logged.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The token a server expects, kept as its digest.
#[derive(Clone)]
pub struct Token([u8; 32]);

impl Token {
    pub fn new(secret: &str) -> Token {
        Token(Sha256::digest(secret.as_bytes()).into())
    }

    /// Whether an `Authorization` header value carries this token (`Bearer <token>`; the
    /// scheme's name in any case, as RFC 9110 §11.1 has it).
    pub fn admits(&self, header: Option<&[u8]>) -> bool {
        let Some(given) = header
            .and_then(|h| h.split_at_checked(7))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case(b"bearer "))
            .map(|(_, token)| token)
        else {
            return false;
        };
        let digest: [u8; 32] = Sha256::digest(given).into();
        digest.ct_eq(&self.0).into()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_is_admitted() {
        let t = Token::new("s3cret");
        assert!(t.admits(Some(b"Bearer s3cret")));
        assert!(t.admits(Some(b"bearer s3cret")));
        assert!(t.admits(Some(b"BEARER s3cret")));
        assert!(!t.admits(Some(b"Basic s3cret")));
        assert!(!t.admits(Some(b"Bearer")));
        assert!(!t.admits(Some(b"Bearer s3cre")));
        assert!(!t.admits(Some(b"Bearer s3cret ")));
        assert!(!t.admits(Some(b"s3cret")));
        assert!(!t.admits(Some(b"Basic s3cret")));
        assert!(!t.admits(None));
        assert_eq!(format!("{t:?}"), "Token(…)");
    }
}
