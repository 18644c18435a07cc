//! The registry's roots: the region tree, families, members, registration, corrections,
//! status changes and eligibility. Resolvers are thin: parse, call the store, convert.

use async_graphql::{Context, ID, Object};
use nuanxin_domain::policy::Operation;
use nuanxin_domain::{IdNumber, RegionCode, time};
use nuanxin_locale::msg;

use crate::connection::{self, Connection};
use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, principal, request_meta};
use crate::ids::{self, Kind};
use crate::loaders::{Histories, Members, RegionNames};
use nuanxin_domain::registry::intake::{MemberPatch, NewFamily, NewMember, parse_new_family};
use nuanxin_store::{FamilyFilter as StoreFilter, Store, StoreError};

use crate::error::locale;
use crate::registry::inputs::{FamilyFilter, RegisterFamilyInput, UpdateMemberInput};
use crate::registry::objects::{EligibilityDecision, Family, FamilyStatus, Member, Region};

#[derive(Default)]
pub struct RegionQuery;

#[Object]
impl RegionQuery {
    /// The caller's home region with its ancestors and everything below it, by code;
    /// use `children` to walk it as a tree.
    #[graphql(
        guard = "Allowed(Operation::ReadRegions)",
        visible = "guard::may_read_regions",
        complexity = "1 + 100 * child_complexity"
    )]
    async fn regions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Region>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .regions_visible(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(Region)
            .collect())
    }
}

#[derive(Default)]
pub struct RegistryQuery;

#[Object]
impl RegistryQuery {
    /// Families within the caller's region, oldest registration first.
    #[graphql(
        guard = "Allowed(Operation::ReadFamilies)",
        visible = "guard::may_read_families",
        complexity = "5 + first.unwrap_or(20).clamp(1, 100) as usize * child_complexity"
    )]
    async fn families(
        &self,
        ctx: &Context<'_>,
        filter: Option<FamilyFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Family>> {
        let store = ctx.data::<Store>()?;
        let first_n = ids::page_size(first).gql()?;
        let after_id = ids::decode_cursor(after.as_deref()).gql()?;
        let filter = filter.unwrap_or_default();
        let store_filter = StoreFilter {
            region: filter
                .region_code
                .as_deref()
                .map(|c| {
                    RegionCode::parse(c).map_err(|e| ApiError::bad_input("filter.regionCode", e))
                })
                .transpose()
                .gql()?,
            status: filter.status.map(Into::into),
            wife_age_min: filter.wife_age_min,
            wife_age_max: filter.wife_age_max,
            name: filter.name,
        };
        for (field, age) in [
            ("filter.wifeAgeMin", store_filter.wife_age_min),
            ("filter.wifeAgeMax", store_filter.wife_age_max),
        ] {
            if age.is_some_and(|a| !(0..=150).contains(&a)) {
                return Err(ApiError::bad_input(field, msg!("age-range"))).gql();
            }
        }
        if store_filter
            .name
            .as_deref()
            .is_some_and(|n| n.chars().count() > nuanxin_domain::text::limits::SEARCH)
        {
            return Err(ApiError::bad_input(
                "filter.name",
                msg!(
                    "search-name-length",
                    max = nuanxin_domain::text::limits::SEARCH
                ),
            ))
            .gql();
        }
        if let (Some(min), Some(max)) = (store_filter.wife_age_min, store_filter.wife_age_max)
            && min > max
        {
            return Err(ApiError::bad_input(
                "filter.wifeAgeMin",
                msg!("standard-age-order"),
            ))
            .gql();
        }
        let page = store
            .list_families(principal(ctx), &store_filter, first_n, after_id)
            .await
            .gql()?;
        prime_page(ctx, &page.items).await?;
        Ok(connection::of_page(
            page,
            after.is_some(),
            |f| f.family.id,
            Family,
        ))
    }

    #[graphql(
        guard = "Allowed(Operation::ReadFamilies)",
        visible = "guard::may_read_families"
    )]
    async fn family(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Family> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Family, &id, "id").gql()?;
        Ok(Family(store.get_family(principal(ctx), id).await.gql()?))
    }

    #[graphql(
        guard = "Allowed(Operation::ReadFamilies)",
        visible = "guard::may_read_families"
    )]
    async fn member(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Member> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Member, &id, "id").gql()?;
        Ok(Member(
            store
                .member_read(principal(ctx), id, &request_meta(ctx))
                .await
                .gql()?,
        ))
    }

    /// Exact match on the full ID number. Every lookup is written to the access log.
    #[graphql(
        guard = "Allowed(Operation::LookupMemberByIdNumber)",
        visible = "guard::may_lookup_id_number"
    )]
    async fn member_by_id_number(
        &self,
        ctx: &Context<'_>,
        id_number: String,
    ) -> async_graphql::Result<Member> {
        let store = ctx.data::<Store>()?;
        let id_number = IdNumber::parse(&id_number)
            .map_err(|e| ApiError::bad_input("idNumber", e))
            .gql()?;
        Ok(Member(
            store
                .member_by_id_number(principal(ctx), &id_number, &request_meta(ctx))
                .await
                .gql()?,
        ))
    }
}

/// Loads the nested lists a page asks for in one batch each, before the items resolve.
async fn prime_page(
    ctx: &Context<'_>,
    items: &[nuanxin_store::FamilyRecord],
) -> async_graphql::Result<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    let ids: Vec<uuid::Uuid> = items.iter().map(|f| f.family.id).collect();
    if node.field("members").exists() {
        let members = ctx
            .data::<Members>()?
            .load_many(ids.iter().copied())
            .await
            .gql()?;
        // The members' entitlements, for every month the page asks for, in one batch.
        let months: Vec<nuanxin_domain::month::YearMonth> = node
            .field("members")
            .field("entitlement")
            .selection_fields()
            .iter()
            .filter_map(|f| f.arguments().ok())
            .flat_map(|args| args.into_iter())
            .filter(|(name, _)| name.as_str() == "month")
            .filter_map(|(_, v)| match v {
                async_graphql::Value::String(s) => s.parse().ok(),
                _ => None,
            })
            .collect();
        if !months.is_empty() && guard::may_read_entitlement(ctx) {
            let keys: Vec<(uuid::Uuid, nuanxin_domain::month::YearMonth)> = members
                .values()
                .flatten()
                .flat_map(|m| months.iter().map(move |month| (m.id(), *month)))
                .collect();
            ctx.data::<crate::loaders::Entitlements>()?
                .load_many(keys)
                .await
                .gql()?;
        }
    }
    if node.field("statusHistory").exists() {
        ctx.data::<Histories>()?
            .load_many(ids.iter().copied())
            .await
            .gql()?;
    }
    if node.field("regionName").exists() {
        let codes: Vec<RegionCode> = items.iter().map(|f| f.family.region.clone()).collect();
        ctx.data::<RegionNames>()?.load_many(codes).await.gql()?;
    }
    Ok(())
}

/// How many registrations one caller may have refused as duplicates (see `register_family`).
pub struct DuplicateRefusals(pub nuanxin_auth::RefusalBudget);

#[derive(Default)]
pub struct RegistryMutation;

#[Object]
impl RegistryMutation {
    /// Files a new family with its members, all in one transaction.
    #[graphql(
        guard = "Allowed(Operation::RegisterFamily)",
        visible = "guard::may_register_family"
    )]
    async fn register_family(
        &self,
        ctx: &Context<'_>,
        input: RegisterFamilyInput,
    ) -> async_graphql::Result<Family> {
        let store = ctx.data::<Store>()?;
        let new = NewFamily {
            region: input.region_code,
            honour_certificate_no: input.honour_certificate_no,
            honour_certificate_date: input.honour_certificate_date,
            child_death_date: input.child_death_date,
            later_child_date: input.later_child_date,
            members: input
                .members
                .into_iter()
                .map(|m| NewMember {
                    role: m.role.into(),
                    name: m.name,
                    id_number: m.id_number,
                    phone: m.phone,
                    address: m.address,
                    hukou_region: m.hukou_region_code,
                    deceased_on: m.deceased_on,
                })
                .collect(),
        };
        // Each duplicate refusal tells that an ID number is on file somewhere in the city:
        // five an hour per clerk, then the clerk waits (a real desk meets a few a year).
        let refusals = &ctx.data::<DuplicateRefusals>()?.0;
        let actor = principal(ctx).actor_id().to_string();
        refusals.admit(&actor).map_err(ApiError::Throttled).gql()?;
        let valid = parse_new_family(&new, store.city(), time::china_today())
            .map_err(|e| ApiError::bad_input(e.field, e.message))
            .gql()?;
        match store
            .register_family(principal(ctx), valid, &request_meta(ctx))
            .await
        {
            Ok(family) => Ok(Family(family)),
            Err(e @ StoreError::Conflict { .. }) => {
                refusals.refused(&actor);
                Err(e).gql()
            }
            Err(e) => Err(e).gql(),
        }
    }

    /// Corrects a member's details.
    #[graphql(
        guard = "Allowed(Operation::UpdateMember)",
        visible = "guard::may_update_member"
    )]
    async fn update_member(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateMemberInput,
    ) -> async_graphql::Result<Member> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Member, &id, "id").gql()?;
        let patch = MemberPatch {
            name: input.name,
            phone: input.phone,
            address: input.address,
            hukou_region: input.hukou_region_code,
            deceased_on: match input.deceased_on {
                async_graphql::MaybeUndefined::Undefined => None,
                async_graphql::MaybeUndefined::Null => Some(None),
                async_graphql::MaybeUndefined::Value(d) => Some(Some(d)),
            },
            evidence: input.evidence,
        };
        Ok(Member(
            store.update_member(principal(ctx), id, patch).await.gql()?,
        ))
    }

    /// Moves a family along its lifecycle; the change is appended to its history.
    #[graphql(
        guard = "Allowed(Operation::ChangeFamilyStatus)",
        visible = "guard::may_change_status"
    )]
    async fn change_family_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: FamilyStatus,
        reason: String,
        #[graphql(
            desc = "When the change took effect, if earlier than today (back-dated; at most the configured months back)."
        )]
        effective_on: Option<chrono::NaiveDate>,
    ) -> async_graphql::Result<Family> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Family, &id, "id").gql()?;
        Ok(Family(
            store
                .change_family_status(principal(ctx), id, status.into(), &reason, effective_on)
                .await
                .gql()?,
        ))
    }

    /// Evaluates the four eligibility rules on the family as filed, records the outcome
    /// and explains it rule by rule.
    #[graphql(
        guard = "Allowed(Operation::EvaluateEligibility)",
        visible = "guard::may_evaluate_eligibility"
    )]
    async fn evaluate_eligibility(
        &self,
        ctx: &Context<'_>,
        family_id: ID,
    ) -> async_graphql::Result<EligibilityDecision> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Family, &family_id, "familyId").gql()?;
        let decision = store.evaluate_eligibility(principal(ctx), id).await.gql()?;
        Ok(EligibilityDecision::new(decision, locale(ctx)))
    }
}
