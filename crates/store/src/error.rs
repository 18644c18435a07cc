//! What can go wrong in the store, in terms the API can pass on to a clerk.

use nuanxin_locale::{Message, msg};
use sea_orm::{DbErr, SqlErr};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// Missing, or outside the caller's slice: the two are deliberately indistinguishable.
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("{field}: {message}")]
    BadInput { field: String, message: Message },
    #[error("{message}")]
    Conflict {
        field: Option<String>,
        message: Message,
    },
    #[error("{message}")]
    Forbidden { message: Message },
    /// The database cannot be reached right now; the caller may retry.
    #[error("the registry database is unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<Message>) -> Self {
        Self::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<Message>) -> Self {
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
                    message: constraint_hint(&detail),
                };
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                return StoreError::bad_input("", msg!("db-missing-reference"));
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

fn constraint_hint(detail: &str) -> Message {
    if detail.contains("uq_member_living_id") || detail.contains("id_number_bidx") {
        msg!("db-duplicate-id-number")
    } else if detail.contains("username") {
        msg!("db-duplicate-username")
    } else {
        msg!("db-duplicate")
    }
}
