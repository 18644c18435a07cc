//! WeChat mini-programs as partners of a kind, kept by the city: register one by its
//! WeChat app id, switch it off and on, and keep its allow-list of operations (the
//! documents of its pages' `.graphql` files). A family member's or volunteer's token runs
//! only the operations of the mini-program it came through.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use nuanxin_domain::policy::Operation;
use nuanxin_store::{MiniProgramRecord, Store};

use crate::error::IntoGql;
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use crate::partners::operations::{PartnerOperation, checked_documents};

/// A registered mini-program.
#[derive(SimpleObject)]
pub struct MiniProgram {
    pub id: ID,
    /// Its WeChat AppID (`wx…`), as its users' tokens name it.
    pub wechat_app_id: String,
    pub name: String,
    /// A disabled mini-program's users run nothing from their next request on.
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<MiniProgramRecord> for MiniProgram {
    fn from(r: MiniProgramRecord) -> Self {
        MiniProgram {
            id: ids::encode(Kind::MiniProgram, r.id),
            wechat_app_id: r.wechat_app_id,
            name: r.name,
            active: r.active,
            created_at: r.created_at,
        }
    }
}

#[derive(Default)]
pub struct MiniProgramQuery;

#[Object]
impl MiniProgramQuery {
    /// Every registered mini-program.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn mini_programs(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<MiniProgram>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .mini_programs(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(MiniProgram::from)
            .collect())
    }

    /// The operations a mini-program may run.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn mini_program_operations(
        &self,
        ctx: &Context<'_>,
        mini_program_id: ID,
    ) -> async_graphql::Result<Vec<PartnerOperation>> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::MiniProgram, &mini_program_id, "miniProgramId").gql()?;
        Ok(store
            .mini_program_operations(principal(ctx), id)
            .await
            .gql()?
            .into_iter()
            .map(PartnerOperation::from)
            .collect())
    }
}

#[derive(Default)]
pub struct MiniProgramMutation;

#[Object]
impl MiniProgramMutation {
    /// Registers a mini-program by its WeChat AppID. It runs nothing until its operations
    /// are registered.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn register_mini_program(
        &self,
        ctx: &Context<'_>,
        wechat_app_id: String,
        name: String,
    ) -> async_graphql::Result<MiniProgram> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .add_mini_program(principal(ctx), &wechat_app_id, &name)
            .await
            .gql()?
            .into())
    }

    /// Switches a mini-program off (its users' next requests are refused) or on again.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn set_mini_program_active(
        &self,
        ctx: &Context<'_>,
        mini_program_id: ID,
        active: bool,
    ) -> async_graphql::Result<MiniProgram> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::MiniProgram, &mini_program_id, "miniProgramId").gql()?;
        Ok(store
            .set_mini_program_active(principal(ctx), id, active)
            .await
            .gql()?
            .into())
    }

    /// Lets a mini-program run these documents (each the exact text of one of its
    /// `.graphql` files); all or nothing.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn register_mini_program_operations(
        &self,
        ctx: &Context<'_>,
        mini_program_id: ID,
        documents: Vec<String>,
    ) -> async_graphql::Result<Vec<PartnerOperation>> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::MiniProgram, &mini_program_id, "miniProgramId").gql()?;
        let checked = checked_documents(&documents).gql()?;
        Ok(store
            .register_mini_program_operations(principal(ctx), id, checked)
            .await
            .gql()?
            .into_iter()
            .map(PartnerOperation::from)
            .collect())
    }
}
