//! The server's one error type: 4xx with a message that helps, 500 with a generic message (the
//! detail goes to the log).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to a client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Something named in the URL does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed or out of range.
    #[error("{0}")]
    BadRequest(String),
    /// Too many expensive requests at once, or one took too long: try again shortly.
    #[error("{0}")]
    Busy(String),
    /// A bug or an unexpected failure; the text is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                "internal error; the server log has the details".to_owned()
            }
            other => other.to_string(),
        };
        let mut resp = json_error(status, &message);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        }
        resp
    }
}

/// The one error shape: `{"error": code, "message": words}`.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        StatusCode::SERVICE_UNAVAILABLE => "busy",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::CONFLICT => "busy",
        StatusCode::UNPROCESSABLE_ENTITY => "bad_data",
        s if s.is_client_error() => "bad_request",
        _ => "internal",
    };
    (status, Json(json!({ "error": code, "message": message }))).into_response()
}

/// placeplan's words for an error status that a layer below the handlers answered.
fn words(status: StatusCode) -> &'static str {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            "this address does not answer that method: the Allow header lists those it does (only POST /api/plans takes a body)"
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            "the request body is too large: a plan sent to /api/plans is at most 16 KiB, and nothing else reads a body"
        }
        StatusCode::URI_TOO_LONG => "the address is too long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "the request headers are too large",
        StatusCode::NOT_FOUND => "nothing here; the API is listed at /api/layers",
        s if s.is_server_error() => "internal error; the server log has the details",
        _ => "the request could not be read",
    }
}

/// Middleware: an error answer that is not already JSON (or an HTML page) becomes the JSON error
/// shape with placeplan's own words, keeping its status and `Allow` header; nothing of axum's or
/// serde's text reaches the client.
pub async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use axum::http::header;
    let resp = next.run(req).await;
    let status = resp.status();
    let kind = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !(status.is_client_error() || status.is_server_error()) || kind.contains("json") || kind.contains("html") {
        return resp;
    }
    let allow = resp.headers().get(header::ALLOW).cloned();
    let mut out = json_error(status, words(status));
    if let Some(a) = allow {
        out.headers_mut().insert(header::ALLOW, a);
    }
    out
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(r: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::BadRequest(r.body_text())
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(r: axum::extract::rejection::PathRejection) -> Self {
        ApiError::BadRequest(r.body_text())
    }
}
