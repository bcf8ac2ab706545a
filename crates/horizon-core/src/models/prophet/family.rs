//! Prophet as a model family: `prophet`, with US holidays for daily data.

use super::ProphetModel;
use crate::models::family::{Entry, Family, without_setting};
use crate::models::{Forecaster, ModelSpec};

pub const PROPHET: Entry = Entry {
    names: &["prophet"],
    parse: |name, setting| without_setting(name, setting, ModelSpec::Prophet),
    defaults: || vec![ModelSpec::Prophet],
};

impl Family for ProphetModel {
    fn name(&self) -> String {
        Forecaster::name(self)
    }
    fn summary(&self) -> &'static str {
        "Prophet: trend with changepoints, yearly/weekly seasons, US holidays (daily data), regressors"
    }
    fn build(&self) -> Box<dyn Forecaster> {
        Box::new(self.clone())
    }
}
