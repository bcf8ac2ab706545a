//! The Registry feature: the registry's models, versions, aliases, metrics and runs; load a
//! version into the Forecast panel; promote and roll back, each after a confirmation;
//! register the current model; check the data on screen against a version (drift, verdicts);
//! switch between the local registry and an MLflow server.

pub mod jobs;
mod monitor_view;
pub mod panel;
mod state;

pub use state::{
    Pending, RegisteredArtifact, RegistryEffect, RegistryLocation, RegistryMsg, RegistryState, ToRegister,
    VersionDetails,
};
