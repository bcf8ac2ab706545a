//! How the app reaches a model registry, shared by the CLI and the workbench: which registry a
//! setting names and opening it ([`target`], native), and registering a trained model as a run
//! and a version ([`register`]). The registry itself (local store, MLflow client, promotion) is
//! the `horizon-registry` crate; the workbench's Registry panel is `app::registry`.

pub mod register;
#[cfg(not(target_arch = "wasm32"))]
pub mod target;
