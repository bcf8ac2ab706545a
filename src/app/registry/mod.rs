//! The Registry feature: the registry's models, versions, aliases, metrics and runs; load a
//! version into the Forecast panel; promote and roll back, each after a confirmation;
//! register the current model; switch between the local registry and an MLflow server.

pub mod jobs;
pub mod panel;
mod state;

pub use state::{
    Pending, RegisteredArtifact, RegistryEffect, RegistryLocation, RegistryMsg, RegistryState, ToRegister,
    VersionDetails,
};
