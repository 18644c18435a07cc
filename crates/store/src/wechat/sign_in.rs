//! The two one-time things of a WeChat sign-in: the login code (spent on first use, so a
//! replayed code is refused before WeChat is even asked) and the binding ticket an unbound
//! user carries to `bindWechat` (minutes, once).

use chrono::{DateTime, Duration, Utc};
use nuanxin_domain::Principal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::Store;
use crate::entity::{wechat_binding as binding, wechat_spent_code as spent, wechat_ticket};
use crate::error::StoreError;

use super::identity::{WechatIdentity, principal_of};

/// How long a spent code is remembered: WeChat's codes expire after 5 minutes.
const SPENT_CODE_MEMORY: Duration = Duration::hours(1);

impl Store {
    /// Spends a login code (its hash): true the first time, false for a replay.
    pub async fn spend_wechat_code(&self, code_hash: &str) -> Result<bool, StoreError> {
        let now = Utc::now();
        let inserted = spent::Entity::insert(spent::ActiveModel {
            code_hash: Set(code_hash.to_owned()),
            spent_at: Set(now),
        })
        .on_conflict_do_nothing_on([spent::Column::CodeHash])
        .exec_without_returning(&self.db)
        .await?;
        let first_time = matches!(inserted, sea_orm::TryInsertResult::Inserted(1));
        spent::Entity::delete_many()
            .filter(spent::Column::SpentAt.lt(now - SPENT_CODE_MEMORY))
            .exec(&self.db)
            .await?;
        Ok(first_time)
    }

    /// Keeps a binding ticket (its hash) for `identity`, good for `ttl`; returns its end.
    pub async fn keep_wechat_ticket(
        &self,
        ticket_hash: &str,
        identity: &WechatIdentity,
        ttl: Duration,
    ) -> Result<DateTime<Utc>, StoreError> {
        let now = self.clock.now();
        let expires_at = now + ttl;
        wechat_ticket::Entity::delete_many()
            .filter(wechat_ticket::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?;
        wechat_ticket::Entity::insert(wechat_ticket::ActiveModel {
            ticket_hash: Set(ticket_hash.to_owned()),
            app_id: Set(identity.app_id.clone()),
            openid: Set(identity.openid.clone()),
            unionid: Set(identity.unionid.clone()),
            expires_at: Set(expires_at),
            used_at: Set(None),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(expires_at)
    }

    /// The person a WeChat user is bound to now, as a principal to issue a token for;
    /// `None` when unbound (or bound to someone no longer there: a deceased member, a
    /// volunteer who left).
    pub async fn wechat_principal(
        &self,
        identity: &WechatIdentity,
    ) -> Result<Option<Principal>, StoreError> {
        let Some(row) = binding::Entity::find()
            .filter(binding::Column::AppId.eq(identity.app_id.as_str()))
            .filter(binding::Column::Openid.eq(identity.openid.as_str()))
            .filter(binding::Column::UnboundAt.is_null())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let Some(principal) = principal_of(row.family_id, row.member_id, row.volunteer_id) else {
            return Ok(None);
        };
        // The account look every request makes decides whether it still speaks for anyone.
        Ok(self.recheck(&principal).await?.ok())
    }
}
