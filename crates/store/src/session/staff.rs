//! Staff accounts and their refresh tokens. The store keeps only hashes; hashing itself is
//! the auth crate's job.

use chrono::{DateTime, Utc};
use nuanxin_domain::policy::Audience;
use nuanxin_domain::{Principal, RegionCode, StaffRole};
use nuanxin_locale::{Message, msg};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use uuid::Uuid;

use crate::Store;
use crate::entity::{refresh_token as rt, region, staff_user};
use crate::error::StoreError;

#[derive(Debug, Clone)]
pub struct StaffUserRecord {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: StaffRole,
    pub home_region: RegionCode,
    pub active: bool,
}

impl StaffUserRecord {
    pub fn principal(&self) -> Principal {
        Principal::staff(
            self.id,
            self.username.clone(),
            self.role,
            self.home_region.clone(),
        )
    }
}

#[derive(Debug, Clone)]
pub struct NewStaffUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: StaffRole,
    pub home_region: RegionCode,
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The old token is spent; the new one is stored in the same chain.
    Rotated {
        user_id: Uuid,
    },
    /// A spent or revoked token was presented again: the whole chain is now revoked.
    Reused,
    Expired,
    Unknown,
}

impl Store {
    pub async fn create_staff_user(
        &self,
        new: NewStaffUser,
    ) -> Result<StaffUserRecord, StoreError> {
        let username = new.username.trim().to_owned();
        if username.len() < 3
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(StoreError::bad_input("username", msg!("username-format")));
        }
        if let Some(level) = new
            .role
            .home_level()
            .filter(|l| *l != new.home_region.level())
        {
            return Err(StoreError::bad_input(
                "region",
                msg!(
                    "staff-region-level",
                    role = Audience::Staff(new.role).word(),
                    level = Message::term("region-level", level.as_str()),
                    region = new.home_region.as_str(),
                    found = Message::term("region-level", new.home_region.level().as_str())
                ),
            ));
        }
        if region::Entity::find_by_id(new.home_region.as_str().to_owned())
            .one(&self.db)
            .await?
            .is_none()
        {
            return Err(StoreError::bad_input(
                "region",
                msg!("region-unknown", code = new.home_region.as_str()),
            ));
        }
        let row = staff_user::ActiveModel {
            id: Set(Uuid::now_v7()),
            username: Set(username),
            display_name: Set(new.display_name),
            password_hash: Set(new.password_hash),
            role: Set(new.role.as_str().to_owned()),
            home_region_code: Set(new.home_region.as_str().to_owned()),
            active: Set(true),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::Conflict {
                field: Some("username".into()),
                message: msg!("db-duplicate-username"),
            },
            other => other,
        })?;
        to_user(row)
    }

    pub async fn staff_user_by_username(
        &self,
        username: &str,
    ) -> Result<Option<StaffUserRecord>, StoreError> {
        staff_user::Entity::find()
            .filter(staff_user::Column::Username.eq(username.trim()))
            .one(&self.db)
            .await?
            .map(to_user)
            .transpose()
    }

    pub async fn staff_user_by_id(&self, id: Uuid) -> Result<Option<StaffUserRecord>, StoreError> {
        staff_user::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(to_user)
            .transpose()
    }

    /// Disables or re-enables an account; the edge refuses its tokens on the next request.
    pub async fn set_staff_active(&self, id: Uuid, active: bool) -> Result<(), StoreError> {
        staff_user::Entity::update_many()
            .col_expr(staff_user::Column::Active, Expr::value(active))
            .filter(staff_user::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.forget_accounts();
        Ok(())
    }

    /// Changes an account's role and home region (a demotion or a move); tokens already
    /// issued act with the new grant from the next request.
    pub async fn set_staff_role(
        &self,
        id: Uuid,
        role: StaffRole,
        home_region: &RegionCode,
    ) -> Result<(), StoreError> {
        staff_user::Entity::update_many()
            .col_expr(staff_user::Column::Role, Expr::value(role.as_str()))
            .col_expr(
                staff_user::Column::HomeRegionCode,
                Expr::value(home_region.as_str()),
            )
            .filter(staff_user::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.forget_accounts();
        Ok(())
    }

    pub async fn insert_refresh_token(
        &self,
        chain_id: Uuid,
        user_id: Uuid,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        rt::ActiveModel {
            id: Set(Uuid::now_v7()),
            chain_id: Set(chain_id),
            user_id: Set(user_id),
            token_hash: Set(token_hash.to_owned()),
            issued_at: Set(Utc::now()),
            expires_at: Set(expires_at),
            used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Spends `old_hash` and stores `new_hash` in its chain, atomically. Presenting a spent
    /// token again revokes the chain: whoever holds the newer token (perhaps a thief) is
    /// logged out too, and the user logs in again.
    pub async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        new_expires_at: DateTime<Utc>,
    ) -> Result<RefreshOutcome, StoreError> {
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let Some(old) = rt::Entity::find()
            .filter(rt::Column::TokenHash.eq(old_hash))
            .one(&txn)
            .await?
        else {
            return Ok(RefreshOutcome::Unknown);
        };
        if old.used_at.is_some() || old.revoked_at.is_some() {
            revoke_chain(&txn, old.chain_id, now).await?;
            txn.commit().await?;
            tracing::warn!(chain = %old.chain_id, user = %old.user_id, "refresh token re-used: chain revoked");
            return Ok(RefreshOutcome::Reused);
        }
        if old.expires_at <= now {
            return Ok(RefreshOutcome::Expired);
        }
        let spent = rt::Entity::update_many()
            .col_expr(rt::Column::UsedAt, Expr::value(now))
            .filter(rt::Column::Id.eq(old.id))
            .filter(rt::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        if spent.rows_affected != 1 {
            // Spent concurrently by someone else: treat as re-use.
            revoke_chain(&txn, old.chain_id, now).await?;
            txn.commit().await?;
            return Ok(RefreshOutcome::Reused);
        }
        rt::ActiveModel {
            id: Set(Uuid::now_v7()),
            chain_id: Set(old.chain_id),
            user_id: Set(old.user_id),
            token_hash: Set(new_hash.to_owned()),
            issued_at: Set(now),
            expires_at: Set(new_expires_at),
            used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(RefreshOutcome::Rotated {
            user_id: old.user_id,
        })
    }

    /// Logout: revokes the chain the token belongs to. Unknown tokens are ignored.
    pub async fn revoke_refresh_token(&self, token_hash: &str) -> Result<bool, StoreError> {
        let Some(row) = rt::Entity::find()
            .filter(rt::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?
        else {
            return Ok(false);
        };
        let txn = self.db.begin().await?;
        revoke_chain(&txn, row.chain_id, Utc::now()).await?;
        txn.commit().await?;
        Ok(true)
    }
}

async fn revoke_chain(
    txn: &sea_orm::DatabaseTransaction,
    chain: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    rt::Entity::update_many()
        .col_expr(rt::Column::RevokedAt, Expr::value(now))
        .filter(rt::Column::ChainId.eq(chain))
        .filter(rt::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

pub(super) fn to_user(row: staff_user::Model) -> Result<StaffUserRecord, StoreError> {
    Ok(StaffUserRecord {
        id: row.id,
        role: StaffRole::parse(&row.role)
            .ok_or_else(|| StoreError::Internal(format!("unknown role {:?}", row.role)))?,
        home_region: RegionCode::parse(&row.home_region_code)
            .map_err(|e| StoreError::Internal(e.to_string()))?,
        username: row.username,
        display_name: row.display_name,
        password_hash: row.password_hash,
        active: row.active,
    })
}

impl Store {
    /// Staff members' names by account id, for what a person reads instead of ids (one
    /// query; unknown ids are absent).
    pub async fn staff_names(
        &self,
        ids: &[Uuid],
    ) -> Result<std::collections::HashMap<Uuid, String>, StoreError> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        Ok(staff_user::Entity::find()
            .filter(staff_user::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.display_name))
            .collect())
    }
}
