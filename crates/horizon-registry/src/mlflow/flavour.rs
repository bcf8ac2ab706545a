//! The MLflow model flavour of a registered version: beside `artifact.hzn`, an `MLmodel` file
//! with a `python_function` flavour whose loader is the `horizon-forecast` Python package
//! (`horizon_forecast.mlflow`), and the `requirements.txt` that names it. With them,
//! `mlflow.pyfunc.load_model("models:/sales@champion")`, `mlflow models serve` and
//! `mlflow.pyfunc.spark_udf` forecast with a model the command line or the workbench registered.
//!
//! The signature declares no input schema (the model reads its training data's columns, typed
//! as they come) and two parameters: `h` (0: the model's trained horizon) and `level` (empty:
//! its trained levels).

use super::ARTIFACT_FILE;

/// The Python package that loads the flavour, at this build's version.
pub const PYTHON_PACKAGE: &str = "horizon-forecast";

/// The files written beside the artifact: (name, contents).
pub fn files(model_uuid: &str) -> [(&'static str, String); 2] {
    let version = env!("CARGO_PKG_VERSION");
    let mlmodel = format!(
        "artifact_path: model
flavors:
  horizon:
    data: {ARTIFACT_FILE}
    horizon_version: {version}
  python_function:
    data: {ARTIFACT_FILE}
    loader_module: horizon_forecast.mlflow
model_uuid: {model_uuid}
signature:
  inputs: null
  outputs: null
  params: '[{{\"name\": \"h\", \"default\": 0, \"shape\": null, \"type\": \"long\"}}, {{\"name\": \"level\", \"default\": [], \"shape\": [-1], \"type\": \"double\"}}]'
"
    );
    [
        ("MLmodel", mlmodel),
        ("requirements.txt", format!("{PYTHON_PACKAGE}=={version}\n")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The MLmodel names the loader and the data file, and its uuid is the folder's.
    #[test]
    fn the_mlmodel_names_the_python_loader() {
        let [(name, mlmodel), (req, requirements)] = files("abc-1");
        assert_eq!((name, req), ("MLmodel", "requirements.txt"));
        assert!(mlmodel.contains("loader_module: horizon_forecast.mlflow\n"));
        assert!(mlmodel.contains("    data: artifact.hzn\n"));
        assert!(mlmodel.contains("model_uuid: abc-1\n"));
        assert!(requirements.starts_with("horizon-forecast=="));
    }
}
