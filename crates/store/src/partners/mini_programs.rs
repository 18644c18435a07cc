//! WeChat mini-programs (小程序) as partners of a kind: the city registers each one (by its
//! WeChat app id) and the operations it may run; a family member's or volunteer's token
//! names the mini-program it came through, and the edge runs only that mini-program's
//! registered operations for it. A disabled mini-program runs nothing from the next
//! request on.

use chrono::{DateTime, Utc};
use nuanxin_domain::Principal;
use nuanxin_locale::msg;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use super::apps::manages;
use super::operations::{NewOperation, OperationRecord, not_yet_listed};
use crate::Store;
use crate::entity::{mini_program as mp, mini_program_operation as op};
use crate::error::StoreError;

#[derive(Debug, Clone)]
pub struct MiniProgramRecord {
    pub id: Uuid,
    pub wechat_app_id: String,
    pub name: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

fn program(m: mp::Model) -> MiniProgramRecord {
    MiniProgramRecord {
        id: m.id,
        wechat_app_id: m.wechat_app_id,
        name: m.name,
        active: m.active,
        created_at: m.created_at,
    }
}

fn operation(m: op::Model) -> OperationRecord {
    OperationRecord {
        app: m.mini_program_id,
        hash: m.hash,
        document: m.document,
        operation_names: m
            .operation_names
            .split(',')
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect(),
        registered_by: m.registered_by,
        registered_at: m.registered_at,
    }
}

/// A WeChat app id: `wx` and letters or digits (16 in WeChat's own form), as pasted.
fn wechat_app_id(raw: &str) -> Result<String, StoreError> {
    let id = raw.trim();
    let ok = (12..=34).contains(&id.len())
        && id.starts_with("wx")
        && id.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(id.to_owned())
    } else {
        Err(StoreError::bad_input(
            "wechatAppId",
            msg!("mini-program-app-id"),
        ))
    }
}

impl Store {
    /// Registers a mini-program by its WeChat app id (once per app id).
    pub async fn add_mini_program(
        &self,
        p: &Principal,
        wechat_app_id: &str,
        name: &str,
    ) -> Result<MiniProgramRecord, StoreError> {
        manages(p)?;
        let app_id = self::wechat_app_id(wechat_app_id)?;
        let name = nuanxin_domain::text::required(name, 100)
            .map_err(|e| StoreError::bad_input("name", e))?;
        if mp::Entity::find()
            .filter(mp::Column::WechatAppId.eq(app_id.as_str()))
            .one(&self.db)
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict {
                field: Some("wechatAppId".into()),
                message: msg!("mini-program-exists"),
            });
        }
        let row = mp::ActiveModel {
            id: Set(Uuid::now_v7()),
            wechat_app_id: Set(app_id),
            name: Set(name),
            active: Set(true),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        tracing::info!(mini_program = %row.id, app_id = %row.wechat_app_id, by = %p.actor_id(), "mini-program registered");
        Ok(program(row))
    }

    /// Every registered mini-program.
    pub async fn mini_programs(&self, p: &Principal) -> Result<Vec<MiniProgramRecord>, StoreError> {
        manages(p)?;
        Ok(mp::Entity::find()
            .order_by_asc(mp::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(program)
            .collect())
    }

    /// Turns a mini-program off (its users' requests are refused from the next one on)
    /// or on again.
    pub async fn set_mini_program_active(
        &self,
        p: &Principal,
        id: Uuid,
        active: bool,
    ) -> Result<MiniProgramRecord, StoreError> {
        manages(p)?;
        let row = mp::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound {
                what: "mini-program",
            })?;
        let mut am: mp::ActiveModel = row.into();
        am.active = Set(active);
        let row = am.update(&self.db).await?;
        tracing::info!(mini_program = %id, active, by = %p.actor_id(), "mini-program switched");
        Ok(program(row))
    }

    /// Adds documents to a mini-program's allow-list (one already there stays as it was).
    pub async fn register_mini_program_operations(
        &self,
        p: &Principal,
        id: Uuid,
        documents: Vec<NewOperation>,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        manages(p)?;
        let txn = self.db.begin().await?;
        mp::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound {
                what: "mini-program",
            })?;
        let existing: Vec<String> = op::Entity::find()
            .filter(op::Column::MiniProgramId.eq(id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| m.hash)
            .collect();
        let fresh = not_yet_listed(&existing, documents)?;
        let now = Utc::now();
        if !fresh.is_empty() {
            op::Entity::insert_many(fresh.into_iter().map(|d| op::ActiveModel {
                mini_program_id: Set(id),
                hash: Set(d.hash),
                document: Set(d.document),
                operation_names: Set(d.operation_names.join(",")),
                registered_by: Set(p.actor_name()),
                registered_at: Set(now),
            }))
            .exec(&txn)
            .await?;
        }
        txn.commit().await?;
        self.mini_program_operations(p, id).await
    }

    /// A mini-program's allow-list.
    pub async fn mini_program_operations(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<Vec<OperationRecord>, StoreError> {
        manages(p)?;
        Ok(op::Entity::find()
            .filter(op::Column::MiniProgramId.eq(id))
            .order_by_asc(op::Column::RegisteredAt)
            .order_by_asc(op::Column::Hash)
            .all(&self.db)
            .await?
            .into_iter()
            .map(operation)
            .collect())
    }

    /// The document the mini-program with WeChat app id `app` may run under `hash`: only
    /// while it is registered and active, and only what it registered (the edge's check).
    pub async fn mini_program_operation(
        &self,
        app: &str,
        hash: &str,
    ) -> Result<Option<String>, StoreError> {
        let Some(program) = mp::Entity::find()
            .filter(mp::Column::WechatAppId.eq(app))
            .filter(mp::Column::Active.eq(true))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        Ok(op::Entity::find_by_id((program.id, hash.to_owned()))
            .one(&self.db)
            .await?
            .map(|m| m.document))
    }
}
