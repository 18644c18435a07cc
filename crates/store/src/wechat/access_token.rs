//! The server's WeChat access token, one for all gateway replicas: WeChat allows 2,000
//! fetches a day and a new token invalidates the old one within minutes, so replicas that
//! each fetched their own would knock each other's out. The token is kept encrypted in the
//! database; a replica that finds it due takes a short lease and is the only one to fetch.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::Store;
use crate::entity::wechat_access_token as tok;
use crate::error::StoreError;

/// The token as the database holds it.
#[derive(Clone)]
pub struct SharedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for SharedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SharedToken(…, expires_at: {})", self.expires_at)
    }
}

fn field(app_id: &str) -> String {
    format!("wechatAccessToken:{app_id}")
}

impl Store {
    /// The shared token of `app_id`, if one was fetched (expired or not).
    pub async fn wechat_access_token(
        &self,
        app_id: &str,
    ) -> Result<Option<SharedToken>, StoreError> {
        let Some(row) = tok::Entity::find_by_id(app_id.to_owned())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let (Some(enc), Some(expires_at)) = (row.token_enc, row.expires_at) else {
            return Ok(None);
        };
        let token = self
            .vault
            .decrypt(&field(app_id), Uuid::nil(), &enc)
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        Ok(Some(SharedToken { token, expires_at }))
    }

    /// Takes the lease to fetch a new token for `lease`; false when another replica holds
    /// it, or has just kept a token good beyond `fresh_until` (a replica that read the row
    /// before that token was kept must not fetch another). One conditional statement, so two
    /// replicas cannot both win.
    pub async fn claim_wechat_token_refresh(
        &self,
        app_id: &str,
        lease: Duration,
        fresh_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = Utc::now();
        tok::Entity::insert(tok::ActiveModel {
            app_id: Set(app_id.to_owned()),
            token_enc: Set(None),
            expires_at: Set(None),
            refreshing_until: Set(None),
        })
        .on_conflict_do_nothing_on([tok::Column::AppId])
        .exec_without_returning(&self.db)
        .await?;
        let claimed = tok::Entity::update_many()
            .col_expr(tok::Column::RefreshingUntil, Expr::value(now + lease))
            .filter(tok::Column::AppId.eq(app_id))
            .filter(
                Condition::any()
                    .add(tok::Column::RefreshingUntil.is_null())
                    .add(tok::Column::RefreshingUntil.lt(now)),
            )
            .filter(
                Condition::any()
                    .add(tok::Column::ExpiresAt.is_null())
                    .add(tok::Column::ExpiresAt.lte(fresh_until)),
            )
            .exec(&self.db)
            .await?;
        Ok(claimed.rows_affected == 1)
    }

    /// Keeps a freshly fetched token and releases the lease.
    pub async fn save_wechat_access_token(
        &self,
        app_id: &str,
        token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let enc = self
            .vault
            .encrypt(&field(app_id), Uuid::nil(), token)
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        self.end_refresh(
            app_id,
            tok::Entity::update_many()
                .col_expr(tok::Column::TokenEnc, Expr::value(enc))
                .col_expr(tok::Column::ExpiresAt, Expr::value(expires_at)),
        )
        .await
    }

    /// Runs `update` on the app's row with the lease released.
    async fn end_refresh(
        &self,
        app_id: &str,
        update: sea_orm::UpdateMany<tok::Entity>,
    ) -> Result<(), StoreError> {
        update
            .col_expr(
                tok::Column::RefreshingUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(tok::Column::AppId.eq(app_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Gives up the lease without a token (the fetch failed), so another may try at once.
    pub async fn release_wechat_token_refresh(&self, app_id: &str) -> Result<(), StoreError> {
        self.end_refresh(app_id, tok::Entity::update_many()).await
    }

    /// Marks the shared token expired (WeChat refused it), so the next caller fetches anew.
    pub async fn expire_wechat_access_token(&self, app_id: &str) -> Result<(), StoreError> {
        tok::Entity::update_many()
            .col_expr(tok::Column::ExpiresAt, Expr::value(Utc::now()))
            .filter(tok::Column::AppId.eq(app_id))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
