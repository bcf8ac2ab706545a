//! Errors answered to clients: a status and a message, as JSON in the layout of MLflow's
//! scoring server (`{"error_code": "BAD_REQUEST", "message": "…"}`), so that its clients read
//! Horizon's errors as they read MLflow's.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A request that cannot be answered, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    /// The request is malformed (bad JSON, a field of the wrong type).
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// The request is well-formed but asks for something the model cannot give (unknown ids,
    /// a horizon over the limit, history with bad dates).
    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    /// The registry could not be read: the service is there, the model is not at hand.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
        }
    }

    /// MLflow's name for the status.
    fn code(&self) -> &'static str {
        match self.status {
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                "BAD_REQUEST"
            }
            StatusCode::NOT_FOUND => "RESOURCE_DOES_NOT_EXIST",
            StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
            StatusCode::PAYLOAD_TOO_LARGE => "REQUEST_LIMIT_EXCEEDED",
            StatusCode::SERVICE_UNAVAILABLE => "TEMPORARILY_UNAVAILABLE",
            _ => "INTERNAL_ERROR",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error_code": self.code(), "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

/// A registry failure as an answer: a missing model, version or alias is 404, anything else
/// (unreachable, timed out, damaged) 503.
pub fn from_registry(e: &horizon_registry::RegistryError) -> ApiError {
    use horizon_registry::RegistryError as R;
    match e {
        R::NoModel(_) | R::NoVersion { .. } | R::NoAlias { .. } => ApiError::not_found(e.to_string()),
        R::Name(_) | R::Invalid(_) => ApiError::bad_request(e.to_string()),
        _ => ApiError::unavailable(e.to_string()),
    }
}
