//! Automatic ETS as a model family: `ets`, `ets:12`.

use super::AutoEts;
use crate::models::family::{Entry, Family, season_setting};
use crate::models::{Forecaster, ModelSpec};

pub const ETS: Entry = Entry {
    names: &["ets", "autoets"],
    parse: |_, setting| {
        Ok(ModelSpec::Ets(AutoEts {
            season: season_setting(setting)?,
        }))
    },
    defaults: || vec![ModelSpec::Ets(AutoEts::default())],
};

impl Family for AutoEts {
    fn name(&self) -> String {
        Forecaster::name(self)
    }
    fn summary(&self) -> &'static str {
        "exponential smoothing, level/trend/season chosen automatically"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(*self)
    }
    fn with_season(&self, season: usize) -> Option<ModelSpec> {
        self.season
            .is_none()
            .then_some(ModelSpec::Ets(AutoEts { season: Some(season) }))
    }
}
