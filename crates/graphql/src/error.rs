//! API errors: every error carries `extensions.code` and, for input errors, the field at
//! fault. Internal details are logged, never sent.

use async_graphql::{ErrorExtensions, FieldError};
use nuanxin_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    BadInput { field: String, message: String },
    #[error("{message}")]
    Conflict {
        field: Option<String>,
        message: String,
    },
    #[error("the registry is temporarily unavailable; please try again in a moment")]
    Unavailable,
    /// Too many attempts (429), or too busy to check now (503); both say when to return.
    #[error("{0}")]
    Throttled(nuanxin_auth::Throttled),
    #[error("something went wrong on our side; quote the request id to support")]
    Internal,
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::BadInput { .. } => "BAD_USER_INPUT",
            ApiError::Conflict { .. } => "CONFLICT",
            ApiError::Unavailable => "SERVICE_UNAVAILABLE",
            ApiError::Throttled(nuanxin_auth::Throttled::Busy) => "SERVICE_UNAVAILABLE",
            ApiError::Throttled(_) => "RATE_LIMITED",
            ApiError::Internal => "INTERNAL",
        }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> FieldError {
        self.extend_with(|err, e| {
            e.set("code", err.code());
            match err {
                ApiError::BadInput { field, .. } if !field.is_empty() => {
                    e.set("field", field.as_str())
                }
                ApiError::Conflict {
                    field: Some(field), ..
                } => e.set("field", field.as_str()),
                ApiError::Throttled(t) => e.set("retryAfter", t.retry_after_secs()),
                _ => {}
            }
        })
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound { what } => ApiError::NotFound(what),
            StoreError::BadInput { field, message } => ApiError::BadInput { field, message },
            StoreError::Conflict { field, message } => ApiError::Conflict { field, message },
            StoreError::Forbidden { message } => ApiError::Forbidden(message),
            StoreError::Unavailable => {
                tracing::warn!("database unavailable");
                ApiError::Unavailable
            }
            StoreError::Internal(detail) => {
                tracing::error!(%detail, "internal store error");
                ApiError::Internal
            }
        }
    }
}

/// `?`-friendly conversion of store results into GraphQL results.
pub trait IntoGql<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> IntoGql<T> for Result<T, StoreError> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| ApiError::from(e).extend())
    }
}

impl<T> IntoGql<T> for Result<T, ApiError> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.extend())
    }
}

impl<T> IntoGql<T> for Result<T, std::sync::Arc<StoreError>> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| {
            let err = match &*e {
                StoreError::NotFound { what } => ApiError::NotFound(what),
                StoreError::Forbidden { message } => ApiError::Forbidden(message.clone()),
                StoreError::Unavailable => ApiError::Unavailable,
                other => {
                    tracing::error!(detail = %other, "loader error");
                    ApiError::Internal
                }
            };
            err.extend()
        })
    }
}
