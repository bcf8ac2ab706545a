//! Horizon's model registry. This first part holds what every registry shares: the rules for
//! model names (they become folder names locally and URL parts on MLflow, so nothing may
//! escape) and where the embedded registry lives by default. The `Registry` trait, the local
//! store and the MLflow client build on it.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    #[error("a model name cannot be empty")]
    Empty,
    #[error("model name '{0}' is longer than 100 characters")]
    TooLong(String),
    #[error("model name '{name}' has '{ch}': use letters, digits, '-', '_' and '.' (not at the start)")]
    BadChar { name: String, ch: char },
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
        assert!(matches!(
            validate_model_name(&"a".repeat(101)),
            Err(NameError::TooLong(_))
        ));
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn default_root_is_a_per_user_data_folder() {
        let root = default_local_root().expect("a home folder");
        assert!(root.ends_with("registry"), "{}", root.display());
        assert!(root.is_absolute());
    }
}
