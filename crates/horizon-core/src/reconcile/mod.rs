//! Totals that add up: the levels of a panel's id columns (total, per store, per product, per
//! store × product) forecast together, and their forecasts reconciled so that the parts add up
//! to every total at every step.
//!
//! [`forecast_hierarchy`] forecasts every node with one model source through the one panel path
//! ([`crate::forecast::forecast`]), then reconciles by the chosen [`Method`] ([`methods`] cites
//! the papers). [`Choice::Auto`] picks the method with the lowest scaled error on the last
//! `horizon` periods, MinT's error covariance learnt from the window before them.

pub mod apply;
pub mod hierarchy;
pub mod methods;
mod run;

pub use hierarchy::{ALL, Hierarchy, Level, MAX_NODES, Node};
pub use run::{MethodScore, Reconciled, forecast_hierarchy};

use std::fmt;
use std::str::FromStr;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ReconcileError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Model(#[from] crate::ModelError),
    #[error("totals need a forecast of every series: {0}")]
    Failed(String),
}

/// How base forecasts are made coherent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Base forecasts as they are (each node forecast alone; totals need not add up).
    None,
    BottomUp,
    TopDown,
    MintShrink,
}

impl Method {
    pub const ALL: [Method; 4] = [Method::None, Method::BottomUp, Method::TopDown, Method::MintShrink];

    pub fn name(self) -> &'static str {
        match self {
            Method::None => "none",
            Method::BottomUp => "bottom-up",
            Method::TopDown => "top-down",
            Method::MintShrink => "mint-shrink",
        }
    }

    /// In plain words, for the workbench and the report.
    pub fn describe(self) -> &'static str {
        match self {
            Method::None => "each level forecast on its own (the parts need not add up to the totals)",
            Method::BottomUp => "the lowest level's forecasts added up into every total",
            Method::TopDown => "the total's forecast split by each series' average share of past sales",
            Method::MintShrink => {
                "every level's forecast combined, weighted by how well each forecast did (MinT with shrinkage)"
            }
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A method, or the best of bottom-up, top-down and MinT-shrink in a backtest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    #[default]
    Auto,
    Fixed(Method),
}

impl FromStr for Choice {
    type Err = String;
    fn from_str(s: &str) -> Result<Choice, String> {
        if s == "auto" {
            return Ok(Choice::Auto);
        }
        Method::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .map(Choice::Fixed)
            .ok_or_else(|| format!("unknown reconciliation '{s}': use auto, mint-shrink, bottom-up, top-down or none"))
    }
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Choice::Auto => f.write_str("auto"),
            Choice::Fixed(m) => m.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests;
