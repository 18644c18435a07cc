//! The city's management of partner organisations and their apps.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::NaiveDate;
use nuanxin_domain::RegionCode;
use nuanxin_domain::policy::Operation;
use nuanxin_locale::msg;
use nuanxin_store::{NewOrganisation, Store};

use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};
use crate::partners::objects::{
    AppCredentials, Consent, EnrolmentEntry, GreenChannelCard, GreenChannelCheck, InsuranceClaim,
    InsurancePolicy, Organisation, PartnerApp, PartnerKind,
};

#[derive(InputObject)]
pub struct CreateOrganisationInput {
    pub name: String,
    pub kind: PartnerKind,
    /// Division codes of this city the contract covers.
    pub contracted_regions: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(InputObject)]
pub struct RecordConsentInput {
    pub family_id: ID,
    /// The kind of partner the family consents to share with (its purpose follows).
    pub recipient_kind: PartnerKind,
    /// `false` records a withdrawal.
    pub given: bool,
    pub effective_on: NaiveDate,
    /// The signed form, uploaded through `POST /attachments` (required to give consent).
    pub evidence_id: Option<ID>,
}

#[derive(InputObject, serde::Serialize)]
pub struct PolicyInput {
    pub policy_number: String,
    /// The insured member, as the enrolment list gives it.
    pub member_id: ID,
    pub coverage_start: NaiveDate,
    pub coverage_end: NaiveDate,
    pub premium_fen: i64,
}

fn check_year(year: i32) -> async_graphql::Result<i32> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::bad_input(
            "policyYear",
            msg!("policy-year-format"),
        ))
        .gql()
    }
}

#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    /// The enrolment list: living members of active families in your contracted regions
    /// whose families consent to share with insurers. ID numbers are in the clear for this
    /// purpose; every read is logged.
    #[graphql(
        guard = "Allowed(Operation::ReadEnrolment)",
        visible = "guard::may_read_enrolment",
        complexity = "5 + first.unwrap_or(20).clamp(1, 100) as usize * child_complexity"
    )]
    async fn enrolment(
        &self,
        ctx: &Context<'_>,
        policy_year: i32,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::connection::Connection<EnrolmentEntry>> {
        check_year(policy_year)?;
        let store = ctx.data::<Store>()?;
        let n = ids::page_size(first).gql()?;
        let after_id = ids::decode_cursor(after.as_deref()).gql()?;
        let page = store
            .enrolment(
                principal(ctx),
                n,
                after_id,
                &crate::guard::request_meta(ctx),
            )
            .await
            .gql()?;
        Ok(crate::connection::of_page(
            page,
            after_id.is_some(),
            |e| e.member,
            EnrolmentEntry,
        ))
    }

    /// Your policies.
    #[graphql(
        guard = "Allowed(Operation::UpsertPolicies)",
        visible = "guard::may_upsert_policies"
    )]
    async fn insurance_policies(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<InsurancePolicy>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .insurance_policies(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(InsurancePolicy)
            .collect())
    }

    /// The referrals assigned to your units (转介), highest priority and longest waiting
    /// first; move them with `moveCase`.
    #[graphql(
        guard = "Allowed(Operation::ReadAssignedReferrals)",
        visible = "guard::may_read_assigned_referrals",
        complexity = "5 + first.unwrap_or(20).clamp(1, 100) as usize * child_complexity"
    )]
    async fn assigned_referrals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::connection::Connection<crate::care::objects::Case>> {
        use async_graphql::connection::Edge;
        let store = ctx.data::<Store>()?;
        let n = ids::page_size(first).gql()?;
        // The queue is ordered by priority, so its cursor is a position.
        let offset = match after.as_deref() {
            None => 0,
            Some(c) => c
                .strip_prefix("q")
                .and_then(|n| n.parse::<u64>().ok())
                .ok_or_else(|| ApiError::bad_input("after", msg!("cursor-unknown")))
                .gql()?,
        };
        let page = store
            .assigned_referrals(principal(ctx), n, offset)
            .await
            .gql()?;
        let mut c = crate::connection::Connection::new(after.is_some(), page.has_next_page);
        c.edges
            .extend(page.items.into_iter().enumerate().map(|(i, case)| {
                Edge::new(
                    format!("q{}", offset + i as u64 + 1),
                    crate::care::objects::Case(case),
                )
            }));
        Ok(c)
    }

    /// The green-channel check at a hospital's registration window: an exact ID number
    /// only; answers eligible or not, the card number and the surname. Every call is logged.
    #[graphql(
        guard = "Allowed(Operation::VerifyGreenChannel)",
        visible = "guard::may_verify_green_channel"
    )]
    async fn verify_green_channel(
        &self,
        ctx: &Context<'_>,
        id_number: String,
    ) -> async_graphql::Result<GreenChannelCheck> {
        let store = ctx.data::<Store>()?;
        let id = nuanxin_domain::IdNumber::parse(&id_number)
            .map_err(|e| ApiError::bad_input("idNumber", e))
            .gql()?;
        let check = store
            .verify_green_channel(principal(ctx), &id, &crate::guard::request_meta(ctx))
            .await
            .gql()?;
        Ok(GreenChannelCheck {
            eligible: check.eligible,
            card_number: check.card_no,
            surname: check.surname,
        })
    }

    /// A family's consents and withdrawals, newest first.
    #[graphql(
        guard = "Allowed(Operation::RecordConsent)",
        visible = "guard::may_record_consent"
    )]
    async fn consents(
        &self,
        ctx: &Context<'_>,
        family_id: ID,
    ) -> async_graphql::Result<Vec<Consent>> {
        let store = ctx.data::<Store>()?;
        let family = ids::decode(Kind::Family, &family_id, "familyId").gql()?;
        Ok(store
            .consents(principal(ctx), family)
            .await
            .gql()?
            .into_iter()
            .map(Consent)
            .collect())
    }

    /// My family's consents to share with partners (授权), and withdrawals, newest first.
    #[graphql(
        guard = "Allowed(Operation::ManageOwnConsents)",
        visible = "guard::may_manage_own_consents"
    )]
    async fn my_consents(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Consent>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .own_consents(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(Consent)
            .collect())
    }

    /// Partner organisations with their contracts and apps (no secrets).
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn organisations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organisation>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .organisations(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(Organisation)
            .collect())
    }
}

fn new_secret() -> async_graphql::Result<String> {
    nuanxin_auth::new_client_secret()
        .map_err(|_| ApiError::Internal)
        .gql()
}

#[derive(Default)]
pub struct PartnerMutation;

#[Object]
impl PartnerMutation {
    /// Files (or corrects) policies of a year, all or nothing. Send an `Idempotency-Key`
    /// header: a replay returns the first answer, the same key with another body is a
    /// CONFLICT (keys are kept two days).
    #[graphql(
        guard = "Allowed(Operation::UpsertPolicies)",
        visible = "guard::may_upsert_policies"
    )]
    async fn upsert_policies(
        &self,
        ctx: &Context<'_>,
        policy_year: i32,
        policies: Vec<PolicyInput>,
    ) -> async_graphql::Result<Vec<InsurancePolicy>> {
        let year = check_year(policy_year)?;
        let store = ctx.data::<Store>()?;
        let meta = crate::guard::request_meta(ctx);
        let fingerprint = nuanxin_auth::sha256_hex(
            &serde_json::to_string(&(year, &policies))
                .map_err(|_| ApiError::Internal)
                .gql()?,
        );
        if meta
            .idempotency_key
            .as_ref()
            .is_some_and(|k| k.is_empty() || k.len() > 200)
        {
            return Err(ApiError::bad_input(
                "Idempotency-Key",
                msg!("idempotency-key-length"),
            ))
            .gql();
        }
        let mut parsed = Vec::with_capacity(policies.len());
        for (i, p) in policies.into_iter().enumerate() {
            let member = ids::decode(
                Kind::Member,
                &p.member_id,
                &format!("policies.{i}.memberId"),
            )
            .gql()?;
            parsed.push((
                member,
                nuanxin_domain::partners::insurance::PolicyTerms {
                    policy_no: p.policy_number,
                    coverage_start: p.coverage_start,
                    coverage_end: p.coverage_end,
                    premium_fen: p.premium_fen,
                },
            ));
        }
        let key = meta
            .idempotency_key
            .as_deref()
            .map(|k| (k, fingerprint.as_str()));
        Ok(store
            .upsert_policies(principal(ctx), year, parsed, key)
            .await
            .gql()?
            .into_iter()
            .map(InsurancePolicy)
            .collect())
    }

    /// Files a family's claim on its policy (staff).
    #[graphql(
        guard = "Allowed(Operation::RecordClaim)",
        visible = "guard::may_record_claim"
    )]
    async fn record_claim(
        &self,
        ctx: &Context<'_>,
        policy_id: ID,
        amount_fen: i64,
        submitted_on: NaiveDate,
        #[graphql(default)] note: String,
    ) -> async_graphql::Result<InsuranceClaim> {
        let store = ctx.data::<Store>()?;
        let policy = ids::decode(Kind::Policy, &policy_id, "policyId").gql()?;
        Ok(InsuranceClaim(
            store
                .record_claim(principal(ctx), policy, amount_fen, submitted_on, &note)
                .await
                .gql()?,
        ))
    }

    /// Decides a claim on one of your policies: `paid` or `rejected`, once.
    #[graphql(
        guard = "Allowed(Operation::DecideClaim)",
        visible = "guard::may_decide_claim"
    )]
    async fn decide_claim(
        &self,
        ctx: &Context<'_>,
        claim_id: ID,
        to: String,
    ) -> async_graphql::Result<InsuranceClaim> {
        let store = ctx.data::<Store>()?;
        let claim = ids::decode(Kind::Claim, &claim_id, "claimId").gql()?;
        Ok(InsuranceClaim(
            store.decide_claim(principal(ctx), claim, &to).await.gql()?,
        ))
    }

    /// Names the organisation that answers for a responsible unit: the referrals assigned to
    /// the unit reach the organisation's apps.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn link_care_unit(
        &self,
        ctx: &Context<'_>,
        unit_code: String,
        organisation_id: ID,
    ) -> async_graphql::Result<bool> {
        let store = ctx.data::<Store>()?;
        let org = ids::decode(Kind::Organisation, &organisation_id, "organisationId").gql()?;
        store
            .link_care_unit(principal(ctx), &unit_code, org)
            .await
            .gql()?;
        Ok(true)
    }

    /// Issues a member a green-channel card (one active card per member).
    #[graphql(
        guard = "Allowed(Operation::IssueGreenChannelCard)",
        visible = "guard::may_issue_green_channel_card"
    )]
    async fn issue_green_channel_card(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
    ) -> async_graphql::Result<GreenChannelCard> {
        let store = ctx.data::<Store>()?;
        let member = ids::decode(Kind::Member, &member_id, "memberId").gql()?;
        Ok(GreenChannelCard(
            store
                .issue_green_channel_card(principal(ctx), member)
                .await
                .gql()?,
        ))
    }

    #[graphql(
        guard = "Allowed(Operation::IssueGreenChannelCard)",
        visible = "guard::may_issue_green_channel_card"
    )]
    async fn revoke_green_channel_card(
        &self,
        ctx: &Context<'_>,
        card_id: ID,
    ) -> async_graphql::Result<GreenChannelCard> {
        let store = ctx.data::<Store>()?;
        let card = ids::decode(Kind::GreenChannelCard, &card_id, "cardId").gql()?;
        Ok(GreenChannelCard(
            store
                .revoke_green_channel_card(principal(ctx), card)
                .await
                .gql()?,
        ))
    }

    /// Withdraws my family's consent to share with a kind of partner, from today (that
    /// partner loses access on its next request). Giving consent needs the signed form, at
    /// the office.
    #[graphql(
        guard = "Allowed(Operation::ManageOwnConsents)",
        visible = "guard::may_manage_own_consents"
    )]
    async fn withdraw_my_consent(
        &self,
        ctx: &Context<'_>,
        recipient_kind: PartnerKind,
    ) -> async_graphql::Result<Consent> {
        let store = ctx.data::<Store>()?;
        Ok(Consent(
            store
                .withdraw_own_consent(principal(ctx), recipient_kind.into())
                .await
                .gql()?,
        ))
    }

    /// Records a family's consent to share with a kind of partner, or its withdrawal
    /// (partners lose access on their next request).
    #[graphql(
        guard = "Allowed(Operation::RecordConsent)",
        visible = "guard::may_record_consent"
    )]
    async fn record_consent(
        &self,
        ctx: &Context<'_>,
        input: RecordConsentInput,
    ) -> async_graphql::Result<Consent> {
        let store = ctx.data::<Store>()?;
        let family = ids::decode(Kind::Family, &input.family_id, "familyId").gql()?;
        let evidence = input
            .evidence_id
            .as_ref()
            .map(|e| ids::decode(Kind::Attachment, e, "evidenceId"))
            .transpose()
            .gql()?;
        Ok(Consent(
            store
                .record_consent(
                    principal(ctx),
                    family,
                    input.recipient_kind.into(),
                    input.given,
                    input.effective_on,
                    evidence,
                )
                .await
                .gql()?,
        ))
    }

    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganisationInput,
    ) -> async_graphql::Result<Organisation> {
        let store = ctx.data::<Store>()?;
        let regions = input
            .contracted_regions
            .iter()
            .map(|r| RegionCode::parse(r).map_err(|e| ApiError::bad_input("contractedRegions", e)))
            .collect::<Result<Vec<_>, _>>()
            .gql()?;
        Ok(Organisation(
            store
                .add_organisation(
                    principal(ctx),
                    NewOrganisation {
                        name: input.name,
                        kind: input.kind.into(),
                        contracted_regions: regions,
                        valid_from: input.valid_from,
                        valid_to: input.valid_to,
                    },
                )
                .await
                .gql()?,
        ))
    }

    /// A new app with its client id and first secret (shown once).
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn create_partner_app(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        name: String,
    ) -> async_graphql::Result<AppCredentials> {
        let store = ctx.data::<Store>()?;
        let org = ids::decode(Kind::Organisation, &organisation_id, "organisationId").gql()?;
        let client_id = nuanxin_auth::new_client_id()
            .map_err(|_| ApiError::Internal)
            .gql()?;
        let secret = new_secret()?;
        let app = store
            .add_partner_app(
                principal(ctx),
                org,
                &name,
                &client_id,
                &nuanxin_auth::hash_client_secret(&secret),
            )
            .await
            .gql()?;
        Ok(AppCredentials {
            app,
            client_secret: secret,
        })
    }

    /// A new secret (shown once); the old ones keep working for `overlapHours` (24).
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn rotate_partner_app_secret(
        &self,
        ctx: &Context<'_>,
        app_id: ID,
        #[graphql(default = 24)] overlap_hours: i32,
    ) -> async_graphql::Result<AppCredentials> {
        let store = ctx.data::<Store>()?;
        let app = ids::decode(Kind::PartnerApp, &app_id, "appId").gql()?;
        let secret = new_secret()?;
        let app = store
            .rotate_app_secret(
                principal(ctx),
                app,
                &nuanxin_auth::hash_client_secret(&secret),
                chrono::Duration::hours(i64::from(overlap_hours)),
            )
            .await
            .gql()?;
        Ok(AppCredentials {
            app,
            client_secret: secret,
        })
    }

    /// Disables (or re-enables) an app: its tokens are refused on their next request.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn set_partner_app_active(
        &self,
        ctx: &Context<'_>,
        app_id: ID,
        active: bool,
    ) -> async_graphql::Result<PartnerApp> {
        let store = ctx.data::<Store>()?;
        let app = ids::decode(Kind::PartnerApp, &app_id, "appId").gql()?;
        Ok(PartnerApp(
            store
                .set_app_active(principal(ctx), app, active)
                .await
                .gql()?,
        ))
    }

    /// Disables (or re-enables) an organisation with all its apps.
    #[graphql(
        guard = "Allowed(Operation::ManagePartners)",
        visible = "guard::may_manage_partners"
    )]
    async fn set_organisation_active(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        active: bool,
    ) -> async_graphql::Result<Organisation> {
        let store = ctx.data::<Store>()?;
        let org = ids::decode(Kind::Organisation, &organisation_id, "organisationId").gql()?;
        Ok(Organisation(
            store
                .set_organisation_active_as(principal(ctx), org, active)
                .await
                .gql()?,
        ))
    }
}
