//! `submitRequest` / `myRequests` for a family; `familyRequests` / `answerRequest` for the
//! workers of its region.

use async_graphql::{Context, ID, Object};
use nuanxin_domain::Operation;
use nuanxin_domain::care::requests;
use nuanxin_domain::text;
use nuanxin_locale::Localised as _;
use nuanxin_store::Store;

use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use crate::requests::objects::{FamilyRequest, RequestKind};

#[derive(Default)]
pub struct RequestQuery;

#[Object]
impl RequestQuery {
    /// My family's requests and their answers, newest first.
    #[graphql(
        guard = "Allowed(Operation::SubmitRequests)",
        visible = "guard::may_submit_requests"
    )]
    async fn my_requests(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FamilyRequest>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .my_requests(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(FamilyRequest)
            .collect())
    }

    /// Requests of the families in my region, newest first (open ones only unless asked).
    #[graphql(
        guard = "Allowed(Operation::AnswerRequests)",
        visible = "guard::may_answer_requests"
    )]
    async fn family_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true)] open_only: bool,
    ) -> async_graphql::Result<Vec<FamilyRequest>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .family_requests(principal(ctx), open_only)
            .await
            .gql()?
            .into_iter()
            .map(FamilyRequest)
            .collect())
    }
}

#[derive(Default)]
pub struct RequestMutation;

#[Object]
impl RequestMutation {
    /// Asks for a visit or emergency aid, or reports a new phone number or address (kept
    /// apart until a worker confirms it).
    #[graphql(
        guard = "Allowed(Operation::SubmitRequests)",
        visible = "guard::may_submit_requests"
    )]
    async fn submit_request(
        &self,
        ctx: &Context<'_>,
        kind: RequestKind,
        note: Option<String>,
        new_phone: Option<String>,
        new_address: Option<String>,
    ) -> async_graphql::Result<FamilyRequest> {
        let valid = requests::check(
            kind.into(),
            note.as_deref().unwrap_or_default(),
            new_phone.as_deref(),
            new_address.as_deref(),
        )
        .map_err(|(field, message)| ApiError::bad_input(field, message))
        .gql()?;
        let store = ctx.data::<Store>()?;
        Ok(FamilyRequest(
            store.submit_request(principal(ctx), valid).await.gql()?,
        ))
    }

    /// Answers a family's open request: accepted (a contact change is written to the
    /// member's file) or declined with the reason the family will read.
    #[graphql(
        guard = "Allowed(Operation::AnswerRequests)",
        visible = "guard::may_answer_requests"
    )]
    async fn answer_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        accept: bool,
        note: Option<String>,
    ) -> async_graphql::Result<FamilyRequest> {
        let id = ids::decode(Kind::Request, &id, "id").gql()?;
        let note = note
            .as_deref()
            .map(|n| text::optional(n, text::limits::REASON))
            .transpose()
            .map_err(|e| ApiError::bad_input("note", e.message()))
            .gql()?
            .flatten();
        let store = ctx.data::<Store>()?;
        Ok(FamilyRequest(
            store
                .answer_request(principal(ctx), id, accept, note)
                .await
                .gql()?,
        ))
    }
}
