//! What every registry shares: the rules for model names and aliases (they become folder
//! names locally and URL parts on MLflow, so nothing may escape) and where the embedded
//! registry lives by default.

#[cfg(not(target_arch = "wasm32"))]
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    #[error("a model name or alias cannot be empty")]
    Empty,
    #[error("'{0}' is longer than 100 characters")]
    TooLong(String),
    #[error(
        "'{name}' has {}: model names use letters, digits, '-', '_' and '.' (not at the start, never two in a row); aliases start with a letter, then letters, digits, '-' and '_'",
        shown(*ch)
    )]
    BadChar { name: String, ch: char },
}

/// A character for a message: visible ones quoted, others (control characters, spaces) by
/// their code point.
fn shown(ch: char) -> String {
    if ch.is_control() || ch.is_whitespace() {
        format!("the character U+{:04X}", ch as u32)
    } else {
        format!("'{ch}'")
    }
}

/// Check a registered model's name: 1–100 characters of `[A-Za-z0-9._-]`, not starting with
/// a dot (no `..`, no path separators, no hidden files).
pub fn validate_model_name(name: &str) -> Result<&str, NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > 100 {
        return Err(NameError::TooLong(name.to_string()));
    }
    for (i, ch) in name.chars().enumerate() {
        let ok = ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' || (ch == '.' && i > 0);
        if !ok {
            return Err(NameError::BadChar {
                name: name.to_string(),
                ch,
            });
        }
    }
    if name.contains("..") {
        return Err(NameError::BadChar {
            name: name.to_string(),
            ch: '.',
        });
    }
    Ok(name)
}

/// Check an alias (`champion`, `challenger`, any name): 1–100 characters of
/// `[A-Za-z0-9_-]`, starting with a letter (MLflow's rule; `v3`-like names are fine).
pub fn validate_alias(alias: &str) -> Result<&str, NameError> {
    if alias.is_empty() {
        return Err(NameError::Empty);
    }
    if alias.chars().count() > 100 {
        return Err(NameError::TooLong(alias.to_string()));
    }
    for (i, ch) in alias.chars().enumerate() {
        let ok = ch.is_ascii_alphabetic() || (i > 0 && (ch.is_ascii_digit() || ch == '-' || ch == '_'));
        if !ok {
            return Err(NameError::BadChar {
                name: alias.to_string(),
                ch,
            });
        }
    }
    Ok(alias)
}

/// The per-user data folder of the embedded registry (e.g. `~/.local/share/horizon/registry`
/// on Linux); `HORIZON_REGISTRY_DIR` overrides it. `None` where the platform has no home.
#[cfg(not(target_arch = "wasm32"))]
pub fn default_local_root() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HORIZON_REGISTRY_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("org", "Horizon", "horizon").map(|d| d.data_dir().join("registry"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape_the_registry() {
        for ok in ["retail-daily", "books_v2", "m1.quarterly", "A"] {
            assert_eq!(validate_model_name(ok), Ok(ok));
        }
        assert_eq!(validate_model_name(""), Err(NameError::Empty));
        for bad in ["../etc", "a/b", "a\\b", ".hidden", "a..b", "naïve", "a b", "x\0"] {
            assert!(validate_model_name(bad).is_err(), "{bad}");
        }
        // A control character is named by its code point, not printed invisibly.
        let e = validate_model_name("x\u{7}y").unwrap_err().to_string();
        assert!(e.starts_with("'x\u{7}y' has the character U+0007: "), "{e}");
        assert!(
            validate_model_name("x..y")
                .unwrap_err()
                .to_string()
                .contains("never two in a row")
        );
        assert!(matches!(
            validate_model_name(&"a".repeat(101)),
            Err(NameError::TooLong(_))
        ));
    }

    #[test]
    fn aliases_are_plain_words() {
        for ok in ["champion", "challenger", "prod-2", "a_b"] {
            assert_eq!(validate_alias(ok), Ok(ok));
        }
        for bad in ["", "1st", "a b", "a/b", "a.b", "-x"] {
            assert!(validate_alias(bad).is_err(), "{bad}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn default_root_is_a_per_user_data_folder() {
        let root = default_local_root().expect("a home folder");
        assert!(root.ends_with("registry"), "{}", root.display());
        assert!(root.is_absolute());
    }
}
