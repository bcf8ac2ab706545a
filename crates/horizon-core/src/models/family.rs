//! What a model family owns (the pattern of augurs' `AutoSpec`: a family's settings are its
//! spec): [`Family`], answered by each family's settings type in its own module, and an
//! [`Entry`] per family that parses `--model` names. [`super::ModelSpec`] holds one family's
//! settings; its table of entries ([`super::spec::FAMILIES`]) is the one list of families.
//!
//! Adding a family: its settings type implements [`Family`] and [`super::Forecaster`], its
//! fitted state joins [`super::FittedModel`], and it gets a [`super::ModelSpec`] variant and an
//! [`Entry`] in the table.

use super::{Forecaster, ModelError, ModelSpec};

/// A model family's settings, as a [`ModelSpec`] holds them.
pub trait Family {
    /// The name used in tables, file columns and `--model` (`ets`, `gbm-direct`).
    fn name(&self) -> String;
    /// What the model does, one line for pickers and `--help`.
    fn summary(&self) -> &'static str;
    /// The model with these settings, ready to fit.
    fn build(&self) -> Box<dyn Forecaster>;
    /// Whether the model learns across the series of a panel (fitted once on all of them, see
    /// [`super::panel`]).
    fn is_global(&self) -> bool {
        false
    }
    /// Whether the model is made of other models' fits (which go through
    /// [`super::stepping::fit`]).
    fn is_composite(&self) -> bool {
        false
    }
    /// These settings with `season` where the model is seasonal and was given none (`None`:
    /// nothing to change).
    fn with_season(&self, _season: usize) -> Option<ModelSpec> {
        None
    }
}

/// How `--model` names one family.
pub struct Entry {
    /// The names it answers to, the first as shown (`ets`, `autoets`).
    pub names: &'static [&'static str],
    /// The spec for one of `names` and the setting after its `:` (`ets:12`), if any.
    pub parse: fn(name: &str, setting: Option<&str>) -> Result<ModelSpec, ModelError>,
    /// The family's models as pickers list them, with default settings.
    pub defaults: fn() -> Vec<ModelSpec>,
}

/// A season setting (`ets:12`): a whole number ≥ 1, or none.
pub fn season_setting(setting: Option<&str>) -> Result<Option<usize>, ModelError> {
    match setting {
        None => Ok(None),
        Some(a) => a
            .parse::<usize>()
            .ok()
            .filter(|m| (1..=MAX_SEASON).contains(m))
            .map(Some)
            .ok_or_else(|| ModelError::Invalid(format!("season '{a}' must be a whole number from 1 to {MAX_SEASON}"))),
    }
}

/// Whether a setting's part is written as a whole number (then it is a season, and a bad one
/// is refused with the season's own message).
pub fn is_whole_number(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

/// The longest season a setting may give (about 27 years of days).
pub const MAX_SEASON: usize = 10_000;

/// A setting naming a variant, a season or both (`theta:dotm`, `theta:12`, `theta:dotm/12`):
/// the index of the variant among `codes` and the season. `kind` (`variant`, `form`) and
/// `example` (one of `codes`) word the refusals.
pub fn variant_and_season(
    model: &str,
    setting: &str,
    codes: &[&str],
    kind: &str,
    example: &str,
) -> Result<(Option<usize>, Option<usize>), ModelError> {
    let (first, rest) = match setting.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (setting, None),
    };
    let variant = codes.iter().position(|c| *c == first);
    let list = codes.join(", ");
    let season = match (variant, rest) {
        (Some(_), rest) => season_setting(rest)?,
        // A number is a season: say what is wrong with it.
        (None, None) if is_whole_number(first) => season_setting(Some(first))?,
        (None, None) => season_setting(Some(first)).map_err(|_| {
            ModelError::Invalid(format!(
                "{model}:{setting}: give a season ({model}:12), a {kind} ({list}) or both ({model}:{example}/12)"
            ))
        })?,
        (None, Some(_)) => {
            return Err(ModelError::Invalid(format!(
                "{model}:{setting}: the {kind} is one of {list}"
            )));
        }
    };
    Ok((variant, season))
}

/// `spec` for a name that takes no setting (refused when one was given).
pub fn without_setting(name: &str, setting: Option<&str>, spec: ModelSpec) -> Result<ModelSpec, ModelError> {
    match setting {
        Some(a) => Err(ModelError::Invalid(format!("{name} takes no setting (got ':{a}')"))),
        None => Ok(spec),
    }
}

/// The models of `ensemble:a/b` or `auto:a/b/c` (`None` without a list); a list that is empty
/// or holds a model of the family itself (`is_own`) is refused with `refusal`.
pub fn model_list(
    setting: Option<&str>,
    is_own: fn(&ModelSpec) -> bool,
    refusal: &str,
) -> Result<Option<Vec<ModelSpec>>, ModelError> {
    let list: Option<Vec<ModelSpec>> = setting.map(|a| a.split('/').map(str::parse).collect()).transpose()?;
    if list.as_ref().is_some_and(|m| m.is_empty() || m.iter().any(is_own)) {
        return Err(ModelError::Invalid(refusal.into()));
    }
    Ok(list)
}
