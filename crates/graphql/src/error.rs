//! API errors: every error carries `extensions.code` and, for input errors, the field at
//! fault; its message is a [`Message`], written in the reader's language at the edges by
//! [`localise`].
//! Internal details are logged, never sent.

use async_graphql::{ErrorExtensionValues, ErrorExtensions, FieldError, Response};
use nuanxin_locale::{Locale, Localised, Message, msg};
use nuanxin_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthenticated(Message),
    #[error("{0}")]
    Forbidden(Message),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    BadInput { field: String, message: Message },
    #[error("{message}")]
    Conflict {
        field: Option<String>,
        message: Message,
    },
    #[error("the registry is temporarily unavailable")]
    Unavailable,
    /// A service we depend on (WeChat) is down, slow or not set up; the caller may retry.
    #[error("{0}")]
    UnavailableBecause(Message),
    /// Another service's limit on how often (WeChat's), passed on.
    #[error("{0}")]
    RateLimited(Message),
    /// Too many attempts (429), or too busy to check now (503); both say when to return.
    #[error("{0}")]
    Throttled(nuanxin_auth::Throttled),
    #[error("internal error")]
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
            ApiError::Unavailable | ApiError::UnavailableBecause(_) => "SERVICE_UNAVAILABLE",
            ApiError::RateLimited(_) => "RATE_LIMITED",
            ApiError::Throttled(nuanxin_auth::Throttled::Busy) => "SERVICE_UNAVAILABLE",
            ApiError::Throttled(_) => "RATE_LIMITED",
            ApiError::Internal => "INTERNAL",
        }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<Message>) -> Self {
        ApiError::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// What a person reads about this error.
    pub fn message(&self) -> Message {
        match self {
            ApiError::Unauthenticated(m)
            | ApiError::Forbidden(m)
            | ApiError::UnavailableBecause(m)
            | ApiError::RateLimited(m) => m.clone(),
            ApiError::BadInput { message, .. } | ApiError::Conflict { message, .. } => {
                message.clone()
            }
            ApiError::NotFound(what) => not_found(what),
            ApiError::Unavailable => msg!("service-unavailable"),
            ApiError::Throttled(t) => t.message(),
            ApiError::Internal => msg!("internal-error"),
        }
    }
}

/// "未找到家庭档案…": the thing's word is `thing-<what>` (spaces as dashes).
pub fn not_found(what: &str) -> Message {
    msg!(
        "not-found",
        what = Message::term("thing", &what.replace(' ', "-"))
    )
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> FieldError {
        // The message is kept as the error's source, so that [`localise`] can write it in
        // the reader's language; the text set here is the default (Chinese).
        let mut error = FieldError::new_with_source(self.message());
        let mut ext = ErrorExtensionValues::default();
        ext.set("code", self.code());
        match self {
            ApiError::BadInput { field, .. } if !field.is_empty() => {
                ext.set("field", field.as_str())
            }
            ApiError::Conflict {
                field: Some(field), ..
            } => ext.set("field", field.as_str()),
            ApiError::Throttled(t) => ext.set("retryAfter", t.retry_after_secs()),
            // Another service's trouble: said with a time to come back, which also tells the
            // edge that the database is not the one down.
            ApiError::UnavailableBecause(_) => ext.set("retryAfter", 5),
            ApiError::RateLimited(_) => ext.set("retryAfter", 60),
            _ => {}
        }
        error.extensions = Some(ext);
        error
    }
}

/// Writes each error's message in the language the request asked for (Chinese is how
/// they are made). Errors that carry no [`Message`] (the GraphQL library's own, about a
/// malformed document) are left as they are: they are for the programmer who wrote the
/// query. Called by the edges on each response, not as a schema extension: any extension
/// puts every field of every request through its chain of boxed futures, and the schema
/// now has none.
pub fn localise(response: &mut Response, locale: Locale) {
    if locale == Locale::Zh {
        return;
    }
    for error in &mut response.errors {
        if let Some(m) = error.source::<Message>() {
            error.message = m.render(locale);
        }
    }
}

/// The reader's language for a field that renders text (an explanation).
pub fn locale(ctx: &async_graphql::Context<'_>) -> Locale {
    ctx.data_opt::<Locale>().copied().unwrap_or_default()
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
