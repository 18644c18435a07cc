//! What can go wrong in the store, in terms the API can pass on to a clerk.

use sea_orm::{DbErr, SqlErr};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// Missing, or outside the caller's slice: the two are deliberately indistinguishable.
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("{field}: {message}")]
    BadInput { field: String, message: String },
    #[error("{message}")]
    Conflict {
        field: Option<String>,
        message: String,
    },
    #[error("{message}")]
    Forbidden { message: String },
    /// The database cannot be reached right now; the caller may retry.
    #[error("the registry database is unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden {
            message: message.into(),
        }
    }
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                return StoreError::Conflict {
                    field: None,
                    message: format!("this record already exists ({})", constraint_hint(&detail)),
                };
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                return StoreError::bad_input("", "a referenced record does not exist");
            }
            _ => {}
        }
        match &err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => StoreError::Unavailable,
            other => {
                let text = other.to_string();
                // sqlx reports a refused or dropped connection as an I/O error.
                if text.contains("Connection refused")
                    || text.contains("error communicating with database")
                    || text.contains("pool timed out")
                    || text.contains("PoolTimedOut")
                {
                    StoreError::Unavailable
                } else {
                    StoreError::Internal(text)
                }
            }
        }
    }
}

fn constraint_hint(detail: &str) -> &'static str {
    if detail.contains("uq_member_living_id") || detail.contains("id_number_bidx") {
        "a living person with this ID number is already on file"
    } else if detail.contains("username") {
        "username taken"
    } else {
        "unique constraint"
    }
}
