//! The workbench's messages: each feature's own, wrapped, and the few the shell handles itself.

use super::compare::CompareMsg;
use super::data::DataMsg;
use super::forecast::ForecastMsg;
use super::registry::RegistryMsg;

/// What finished work (a task, a dialog) hands back to the workbench.
pub enum Msg {
    Data(DataMsg),
    Forecast(ForecastMsg),
    Compare(CompareMsg),
    Registry(RegistryMsg),
    /// A file handed to the platform to save: where it went, or why not.
    Saved(Result<String, String>),
    Status(String),
}
