//! Champion promotion and rollback, on the [`Registry`] trait alone so the local store and
//! MLflow behave the same.
//!
//! A candidate becomes champion only when its score on the same hold-out as the current
//! champion improves the chosen metric (lower is better: RMSE, MASE, …) by at least the
//! threshold (10 % by default). Either way the decision and both scores are written as tags of
//! the candidate version. Every move of an alias is remembered in the model tag
//! `horizon.alias_history.<alias>` (versions, oldest first), which is what `rollback` walks
//! back.

use crate::{Registry, RegistryError, Result, validate_alias};
use std::fmt;

/// Tag prefix of the alias histories.
pub const HISTORY_TAG: &str = "horizon.alias_history.";

/// How promotion decides.
#[derive(Debug, Clone, PartialEq)]
pub struct PromotionPolicy {
    /// The alias that marks the best model (`champion`).
    pub alias: String,
    /// Name of the metric compared (lower is better), e.g. `rmse`.
    pub metric: String,
    /// Relative improvement needed, e.g. 0.10 for 10 %.
    pub threshold: f64,
}

impl Default for PromotionPolicy {
    fn default() -> Self {
        PromotionPolicy {
            alias: "champion".into(),
            metric: "rmse".into(),
            threshold: 0.10,
        }
    }
}

/// What promotion decided and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub promoted: bool,
    pub candidate: u64,
    pub candidate_score: f64,
    /// The champion before the decision and its score on the same hold-out.
    pub champion: Option<(u64, f64)>,
    pub reason: String,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "version {} {}: {}",
            self.candidate,
            if self.promoted { "promoted" } else { "not promoted" },
            self.reason
        )
    }
}

/// What the champion brings to a comparison with a candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum Rival {
    /// Its score on the candidate's hold-out.
    Score(f64),
    /// Its score there, where the candidate is the champion's own model refitted on newer
    /// data: the two scores are equal by construction (each is the model refitted on the
    /// hold-out's history), so the comparison cannot decide, and the newer fit replaces the
    /// older. `why` says so in the decision.
    Refit { score: f64, why: String },
}

impl Rival {
    pub fn score(&self) -> f64 {
        match self {
            Rival::Score(s) | Rival::Refit { score: s, .. } => *s,
        }
    }
}

/// Decide on scores alone: promote when there is no champion, or when the candidate's score
/// is at most `(1 − threshold)` times the champion's.
pub fn decide(policy: &PromotionPolicy, candidate: f64, champion: Option<f64>) -> (bool, String) {
    let metric = &policy.metric;
    if !candidate.is_finite() {
        return (false, format!("the candidate's {metric} is not a number"));
    }
    match champion {
        None => (true, format!("there is no {} yet", policy.alias)),
        Some(c) if !c.is_finite() => (true, format!("the {}'s {metric} could not be computed", policy.alias)),
        Some(c) => {
            let needed = c * (1.0 - policy.threshold);
            // + 0.0 turns −0.0 into 0.0 for the message.
            let change = if c != 0.0 {
                100.0 * (candidate - c) / c.abs() + 0.0
            } else {
                0.0
            };
            let promoted = candidate <= needed && candidate < c;
            (
                promoted,
                format!(
                    "{metric} {candidate:.4} vs {c:.4} for the {} ({change:+.1} %; {:.0} % better needed)",
                    policy.alias,
                    100.0 * policy.threshold
                ),
            )
        }
    }
}

/// Compare `candidate` (scored `candidate_score`) with `champion` — the version the caller
/// found under the alias and its score on the same hold-out, `None` when it found none —,
/// record the decision as tags of the candidate, and move the alias when it wins.
///
/// Concurrent promotions of one model decide one after the other: the decision and the move
/// are made under the registry's hold (its lock; see [`Registry::hold`]), after checking that
/// the alias still points where the caller found it. When it moved, nothing is written and
/// [`RegistryError::AliasMoved`] asks the caller to compare with the new version (see
/// [`promote_with`]). On a store without a lock (MLflow, whose API has no transactions) this
/// is best effort: the alias and its history are re-read after the move, and a promotion that
/// raced another is reported (and compared again) before its decision is recorded.
pub fn promote(
    reg: &dyn Registry,
    name: &str,
    candidate: u64,
    candidate_score: f64,
    champion: Option<(u64, f64)>,
    policy: &PromotionPolicy,
) -> Result<Decision> {
    let champion = champion.map(|(v, s)| (v, Rival::Score(s)));
    promote_rival(reg, name, candidate, candidate_score, champion, policy)
}

/// [`promote`] with the champion as a [`Rival`]: a refit of the champion's own model on newer
/// data replaces it without a comparison (when its score is a number).
pub fn promote_rival(
    reg: &dyn Registry,
    name: &str,
    candidate: u64,
    candidate_score: f64,
    champion: Option<(u64, Rival)>,
    policy: &PromotionPolicy,
) -> Result<Decision> {
    validate_alias(&policy.alias)?;
    let _hold = reg.hold()?;
    let current = current_alias(reg, name, &policy.alias)?;
    let expected = champion.as_ref().map(|c| c.0);
    let moved = |now: Option<u64>| RegistryError::AliasMoved {
        name: name.into(),
        alias: policy.alias.clone(),
        expected,
        now,
    };
    if current != Some(candidate) && current != expected {
        return Err(moved(current));
    }
    let refit = match &champion {
        Some((_, Rival::Refit { why, .. })) => Some(why.clone()),
        _ => None,
    };
    let champion_score = champion.map(|c| c.1.score());
    let champion = match (current, champion_score) {
        (Some(v), _) if v == candidate => {
            return Ok(Decision {
                promoted: false,
                candidate,
                candidate_score,
                champion: Some((v, candidate_score)),
                reason: format!("it already is the {}", policy.alias),
            });
        }
        (Some(v), Some(s)) => Some((v, s)),
        (Some(v), None) => {
            return Err(RegistryError::Invalid(format!(
                "version {v} is the {} of '{name}' but has no {} on the candidate's hold-out to compare with",
                policy.alias, policy.metric
            )));
        }
        (None, _) => None,
    };
    let (promoted, reason) = match refit {
        Some(why) if champion.is_some_and(|c| c.1.is_finite()) && candidate_score.is_finite() => (
            true,
            format!(
                "{why}: it replaces the {} ({} {candidate_score:.4} on this hold-out for both)",
                policy.alias, policy.metric
            ),
        ),
        _ => decide(policy, candidate_score, champion.map(|c| c.1)),
    };
    if promoted {
        move_alias(reg, name, &policy.alias, candidate)?;
        // Under a lock nothing moves meanwhile; on MLflow (no lock, no transactions) another
        // promotion may have moved the alias or rewritten its history at the same time.
        let now = current_alias(reg, name, &policy.alias)?;
        let history = alias_history(reg, name, &policy.alias)?;
        if now != Some(candidate) || history.last() != Some(&candidate) {
            return Err(moved(now));
        }
    }
    // The decision is recorded once it holds.
    let tag = |k: &str, v: String| reg.set_version_tag(name, candidate, &format!("horizon.promotion.{k}"), &v);
    tag("decision", if promoted { "promoted" } else { "kept" }.into())?;
    tag("metric", policy.metric.clone())?;
    tag("threshold", policy.threshold.to_string())?;
    tag("candidate_score", candidate_score.to_string())?;
    if let Some((v, s)) = champion {
        tag("champion_version", v.to_string())?;
        tag("champion_score", s.to_string())?;
    }
    tag("reason", reason.clone())?;
    Ok(Decision {
        promoted,
        candidate,
        candidate_score,
        champion,
        reason,
    })
}

/// [`promote_rival`], comparing again while other promotions move the alias: `score(v)` is the
/// champion `v`'s score on the candidate's hold-out. Gives up after a few rounds.
pub fn promote_with(
    reg: &dyn Registry,
    name: &str,
    candidate: u64,
    candidate_score: f64,
    policy: &PromotionPolicy,
    mut score: impl FnMut(u64) -> Result<Rival>,
) -> Result<Decision> {
    let mut rounds = 0;
    loop {
        let champion = match current_alias(reg, name, &policy.alias)? {
            Some(v) if v != candidate => Some((v, score(v)?)),
            _ => None,
        };
        match promote_rival(reg, name, candidate, candidate_score, champion, policy) {
            Err(RegistryError::AliasMoved { .. }) if rounds < 8 => rounds += 1,
            other => return other,
        }
    }
}

/// The version `alias` points at, if any.
pub fn current_alias(reg: &dyn Registry, name: &str, alias: &str) -> Result<Option<u64>> {
    Ok(reg.get_model(name)?.aliases.get(alias).copied())
}

/// The versions `alias` pointed at, oldest first (from the model tag).
pub fn alias_history(reg: &dyn Registry, name: &str, alias: &str) -> Result<Vec<u64>> {
    let model = reg.get_model(name)?;
    Ok(parse_history(model.tags.get(&format!("{HISTORY_TAG}{alias}"))))
}

fn parse_history(tag: Option<&String>) -> Vec<u64> {
    tag.map(|t| t.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_default()
}

/// Point `alias` at `version` and remember it in the alias history (an alias moved by hand
/// elsewhere is added to the history first, so rollback returns to it).
pub fn move_alias(reg: &dyn Registry, name: &str, alias: &str, version: u64) -> Result<()> {
    validate_alias(alias)?;
    let _hold = reg.hold()?;
    let model = reg.get_model(name)?;
    if !model.versions.iter().any(|v| v.version == version) {
        return Err(RegistryError::NoVersion {
            name: name.into(),
            version: version.to_string(),
        });
    }
    let key = format!("{HISTORY_TAG}{alias}");
    let mut history = parse_history(model.tags.get(&key));
    if let Some(&cur) = model.aliases.get(alias)
        && history.last() != Some(&cur)
    {
        history.push(cur);
    }
    if history.last() != Some(&version) {
        history.push(version);
    }
    reg.set_alias(name, alias, version)?;
    reg.set_model_tag(name, &key, &join(&history))
}

/// Move `alias` back to the version it pointed at before; returns (from, to). Versions deleted
/// since are skipped.
pub fn rollback(reg: &dyn Registry, name: &str, alias: &str) -> Result<(u64, u64)> {
    validate_alias(alias)?;
    let _hold = reg.hold()?;
    let model = reg.get_model(name)?;
    let from = *model.aliases.get(alias).ok_or_else(|| RegistryError::NoAlias {
        name: name.into(),
        alias: alias.into(),
    })?;
    let key = format!("{HISTORY_TAG}{alias}");
    let mut history = parse_history(model.tags.get(&key));
    // The current version leaves the end of the history; an alias moved elsewhere by hand
    // (e.g. in MLflow's UI) is not in it, and the last entry is then the one to go back to.
    if history.last() == Some(&from) {
        history.pop();
    }
    let exists = |v: u64| model.versions.iter().any(|x| x.version == v);
    while let Some(&prev) = history.last() {
        if prev != from && exists(prev) {
            reg.set_model_tag(name, &key, &join(&history))?;
            reg.set_alias(name, alias, prev)?;
            reg.set_version_tag(name, from, "horizon.rolled_back_from", alias)?;
            return Ok((from, prev));
        }
        history.pop();
    }
    Err(RegistryError::Invalid(format!(
        "'{name}@{alias}' (version {from}) has no earlier version to roll back to"
    )))
}

fn join(v: &[u64]) -> String {
    v.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_needs_the_threshold() {
        let p = PromotionPolicy::default();
        assert!(decide(&p, 10.0, None).0);
        assert!(decide(&p, 89.9, Some(100.0)).0);
        assert!(decide(&p, 90.0, Some(100.0)).0);
        assert!(!decide(&p, 90.1, Some(100.0)).0);
        assert!(!decide(&p, 120.0, Some(100.0)).0);
        assert!(!decide(&p, f64::NAN, Some(100.0)).0);
        let zero = PromotionPolicy { threshold: 0.0, ..p };
        assert!(!decide(&zero, 100.0, Some(100.0)).0, "a tie is no improvement");
        assert!(decide(&zero, 99.0, Some(100.0)).0);
    }
}
