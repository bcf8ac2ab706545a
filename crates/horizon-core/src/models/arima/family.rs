//! Seasonal ARIMA as a model family: `arima`, `arima:52`, orders pinned with `--order`.

use super::Arima;
use crate::models::family::{Entry, Family, season_setting};
use crate::models::{Forecaster, ModelSpec};

pub const ARIMA: Entry = Entry {
    names: &["arima", "autoarima", "sarima"],
    parse: |_, setting| {
        Ok(ModelSpec::Arima(Arima {
            season: season_setting(setting)?,
            ..Arima::default()
        }))
    },
    defaults: || vec![ModelSpec::AUTO_ARIMA],
};

impl Family for Arima {
    fn name(&self) -> String {
        Forecaster::name(self)
    }
    fn summary(&self) -> &'static str {
        "seasonal ARIMA, orders chosen automatically (or pinned)"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(*self)
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        self.season.is_none().then_some(ModelSpec::Arima(Arima {
            season: Some(season),
            ..*self
        }))
    }
}
