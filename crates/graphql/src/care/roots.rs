//! Care work's roots. Thin: decode ids, let the domain check the input, call the store,
//! convert. Each field's guard and `visible` come from the policy.

use async_graphql::connection::Edge;
use async_graphql::{Context, ID, Object};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nuanxin_domain::RegionCode;
use nuanxin_domain::care::records::{self, Details, RecordDraft};
use nuanxin_domain::care::timeline::TimelineKey;
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_locale::msg;
use nuanxin_store as store;
use nuanxin_store::Store;
use uuid::Uuid;

use crate::care::inputs::*;
use crate::care::objects::*;
use crate::care::views::{Accountability, TimelineItem};
use crate::connection::{self, Connection};
use crate::error::{ApiError, IntoGql};
use crate::guard::{self, Allowed, AllowedAny, Reaches, principal, request_meta};
use crate::ids::{self, Kind};

fn opt_id(kind: Kind, id: Option<&ID>, field: &str) -> Result<Option<Uuid>, ApiError> {
    id.map(|i| ids::decode(kind, i, field)).transpose()
}

fn region(code: &str, field: &str) -> Result<RegionCode, ApiError> {
    RegionCode::parse(code).map_err(|e| ApiError::bad_input(field, e))
}

fn timeline_cursor(key: TimelineKey) -> String {
    URL_SAFE_NO_PAD.encode(key.encode())
}

fn decode_timeline_cursor(after: Option<&str>) -> Result<Option<TimelineKey>, ApiError> {
    let Some(c) = after else { return Ok(None) };
    URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| TimelineKey::decode(&s))
        .map(Some)
        .ok_or_else(|| ApiError::bad_input("after", msg!("cursor-unknown")))
}

#[derive(Default)]
pub struct CareQuery;

#[Object]
impl CareQuery {
    /// The service catalogue: six categories of care, their services and units.
    #[graphql(
        guard = "Allowed(Operation::ReadCatalogue)",
        visible = "guard::may_read_catalogue"
    )]
    async fn care_services(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CareService>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .care_services(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(CareService)
            .collect())
    }

    /// The responsible units (责任单位).
    #[graphql(
        guard = "Allowed(Operation::ReadCatalogue)",
        visible = "guard::may_read_catalogue"
    )]
    async fn care_units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CareUnit>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .care_units(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(CareUnit)
            .collect())
    }

    /// A family's care records, newest written first (health kinds only for those who
    /// read health data).
    #[graphql(
        guard = "Allowed(Operation::ReadCare)",
        visible = "guard::may_read_care",
        complexity = "5 + first.unwrap_or(20).clamp(1, 100) as usize * child_complexity"
    )]
    async fn care_records(
        &self,
        ctx: &Context<'_>,
        family_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<CareRecord>> {
        let store = ctx.data::<Store>()?;
        let family = ids::decode(Kind::Family, &family_id, "familyId").gql()?;
        let first = ids::page_size(first).gql()?;
        let after_id = ids::decode_cursor(after.as_deref()).gql()?;
        let page = store
            .care_records(principal(ctx), family, first, after_id, &request_meta(ctx))
            .await
            .gql()?;
        Ok(connection::of_page(
            page,
            after_id.is_some(),
            |r| r.id,
            CareRecord,
        ))
    }

    /// Every record of every kind for one family, newest first: care records, cases,
    /// counselling sessions (that they took place), pairings, status changes and
    /// allowance lines — each only as far as the caller may see it. Cursors stay valid
    /// while new records arrive.
    #[graphql(
        guard = "Allowed(Operation::ReadCare)",
        visible = "guard::may_read_care",
        complexity = "5 + first.unwrap_or(20).clamp(1, 100) as usize * child_complexity"
    )]
    async fn family_timeline(
        &self,
        ctx: &Context<'_>,
        family_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<TimelineItem>> {
        let store = ctx.data::<Store>()?;
        let family = ids::decode(Kind::Family, &family_id, "familyId").gql()?;
        let first = ids::page_size(first).gql()?;
        let cursor = decode_timeline_cursor(after.as_deref()).gql()?;
        let (items, more) = store
            .family_timeline(principal(ctx), family, first, cursor, &request_meta(ctx))
            .await
            .gql()?;
        let mut c = Connection::new(cursor.is_some(), more);
        c.edges.extend(
            items
                .into_iter()
                .map(|i| Edge::new(timeline_cursor(i.key), TimelineItem(i))),
        );
        Ok(c)
    }

    /// A family's chronic-disease records (health data).
    #[graphql(
        guard = "Allowed(Operation::ReadHealth).and(Reaches(Resource::HealthRecord))",
        visible = "guard::may_read_health"
    )]
    async fn chronic_conditions(
        &self,
        ctx: &Context<'_>,
        family_id: ID,
    ) -> async_graphql::Result<Vec<ChronicCondition>> {
        let store = ctx.data::<Store>()?;
        let family = ids::decode(Kind::Family, &family_id, "familyId").gql()?;
        Ok(store
            .chronic_conditions(principal(ctx), family)
            .await
            .gql()?
            .into_iter()
            .map(ChronicCondition)
            .collect())
    }

    /// Cases in the caller's region, newest first.
    #[graphql(
        guard = "Allowed(Operation::ReadCare).and(Reaches(Resource::Case))",
        visible = "guard::may_read_cases",
        complexity = "5 + first.unwrap_or(20).clamp(1, 100) as usize * child_complexity"
    )]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        filter: Option<CaseFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Case>> {
        let store = ctx.data::<Store>()?;
        let filter = filter.unwrap_or_default();
        let f = store::CaseFilter {
            family: opt_id(Kind::Family, filter.family_id.as_ref(), "filter.familyId").gql()?,
            workflow: filter.workflow.map(Into::into),
            open_only: filter.open_only.unwrap_or(false),
        };
        let first = ids::page_size(first).gql()?;
        let after_id = ids::decode_cursor(after.as_deref()).gql()?;
        let page = store
            .cases(principal(ctx), &f, first, after_id)
            .await
            .gql()?;
        Ok(connection::of_page(
            page,
            after_id.is_some(),
            |c| c.id,
            Case,
        ))
    }

    #[graphql(
        guard = "Allowed(Operation::ReadCare).and(Reaches(Resource::Case))",
        visible = "guard::may_read_cases"
    )]
    async fn case(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Case> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Case, &id, "id").gql()?;
        Ok(Case(store.get_case(principal(ctx), id).await.gql()?))
    }

    /// Pairings in the caller's rows (a volunteer: their own), newest first.
    #[graphql(
        guard = "Allowed(Operation::ReadCare).and(Reaches(Resource::Pairing))",
        visible = "guard::may_read_pairings",
        complexity = "5 + first.unwrap_or(20).clamp(1, 100) as usize * child_complexity"
    )]
    async fn pairings(
        &self,
        ctx: &Context<'_>,
        family_id: Option<ID>,
        active_only: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Pairing>> {
        let store = ctx.data::<Store>()?;
        let family = opt_id(Kind::Family, family_id.as_ref(), "familyId").gql()?;
        let first = ids::page_size(first).gql()?;
        let after_id = ids::decode_cursor(after.as_deref()).gql()?;
        let page = store
            .pairings(
                principal(ctx),
                family,
                active_only.unwrap_or(true),
                first,
                after_id,
            )
            .await
            .gql()?;
        Ok(connection::of_page(
            page,
            after_id.is_some(),
            |p| p.id,
            Pairing,
        ))
    }

    /// My visits (a volunteer's, or a worker's own pairings): the active pairings whose next
    /// visit is due within `withinDays` (7: this week; 0: today), overdue ones first.
    #[graphql(
        guard = "Allowed(Operation::ReadCare).and(Reaches(Resource::Pairing))",
        visible = "guard::may_read_pairings",
        complexity = "5 + 100 * child_complexity"
    )]
    async fn my_visits_due(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 0, maximum = 31))] within_days: Option<i32>,
    ) -> async_graphql::Result<Vec<Pairing>> {
        let store = ctx.data::<Store>()?;
        let days = within_days.and_then(|d| u32::try_from(d).ok()).unwrap_or(7);
        Ok(store
            .my_visits_due(principal(ctx), days)
            .await
            .gql()?
            .into_iter()
            .map(Pairing)
            .collect())
    }

    /// Who visits my family (结对帮扶) and when the next visit is due, the next one first.
    #[graphql(
        guard = "Allowed(Operation::ReadOwnVisits)",
        visible = "guard::may_read_own_visits"
    )]
    async fn my_visits(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Pairing>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .own_visits(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(Pairing)
            .collect())
    }

    /// Holiday campaigns of the caller's region, above it or below it.
    #[graphql(
        guard = "Allowed(Operation::ReadCare).and(Reaches(Resource::Campaign))",
        visible = "guard::may_read_campaigns"
    )]
    async fn campaigns(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Campaign>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .campaigns(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(Campaign)
            .collect())
    }

    /// A family's counselling sessions: that they took place (notes: counsellors only).
    #[graphql(
        guard = "Allowed(Operation::ReadCare).and(Reaches(Resource::CounsellingSession))",
        visible = "guard::may_read_counselling"
    )]
    async fn counselling_sessions(
        &self,
        ctx: &Context<'_>,
        family_id: ID,
    ) -> async_graphql::Result<Vec<CounsellingSession>> {
        let store = ctx.data::<Store>()?;
        let family = ids::decode(Kind::Family, &family_id, "familyId").gql()?;
        Ok(store
            .counselling_sessions(principal(ctx), family)
            .await
            .gql()?
            .into_iter()
            .map(CounsellingSession)
            .collect())
    }

    /// Care sites (莲花暖心家园) with their volunteer teams.
    #[graphql(
        guard = "Allowed(Operation::ReadCare).and(Reaches(Resource::CareSite))",
        visible = "guard::may_read_sites"
    )]
    async fn care_sites(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CareSite>> {
        let store = ctx.data::<Store>()?;
        Ok(store
            .care_sites(principal(ctx))
            .await
            .gql()?
            .into_iter()
            .map(CareSite)
            .collect())
    }

    /// What is overdue in a region (a township, a county, the city), judged today: pairings,
    /// chronic-disease follow-ups, new families' emergency-aid contacts, and a campaign's
    /// coverage when `campaignId` is given; per township, with the lists behind the counts.
    #[graphql(
        guard = "Allowed(Operation::ReadAccountability)",
        visible = "guard::may_read_accountability",
        complexity = 200
    )]
    async fn accountability(
        &self,
        ctx: &Context<'_>,
        region_code: String,
        campaign_id: Option<ID>,
    ) -> async_graphql::Result<Accountability> {
        let store = ctx.data::<Store>()?;
        let region = region(&region_code, "regionCode").gql()?;
        let campaign = opt_id(Kind::Campaign, campaign_id.as_ref(), "campaignId").gql()?;
        Ok(Accountability(
            store
                .accountability(principal(ctx), &region, campaign)
                .await
                .gql()?,
        ))
    }
}

#[derive(Default)]
pub struct CareMutation;

#[Object]
impl CareMutation {
    #[graphql(
        guard = "Allowed(Operation::ManageCatalogue)",
        visible = "guard::may_manage_catalogue"
    )]
    async fn add_care_unit(
        &self,
        ctx: &Context<'_>,
        input: AddCareUnitInput,
    ) -> async_graphql::Result<CareUnit> {
        let store = ctx.data::<Store>()?;
        Ok(CareUnit(
            store
                .add_care_unit(principal(ctx), &input.code, &input.name_zh, &input.name_en)
                .await
                .gql()?,
        ))
    }

    /// A city's own service, in one of the six categories.
    #[graphql(
        guard = "Allowed(Operation::ManageCatalogue)",
        visible = "guard::may_manage_catalogue"
    )]
    async fn add_care_service(
        &self,
        ctx: &Context<'_>,
        input: AddCareServiceInput,
    ) -> async_graphql::Result<CareService> {
        let store = ctx.data::<Store>()?;
        Ok(CareService(
            store
                .add_care_service(
                    principal(ctx),
                    &input.code,
                    input.category.into(),
                    &input.name_zh,
                    &input.name_en,
                    &input.unit_codes,
                )
                .await
                .gql()?,
        ))
    }

    /// Records care work done for a family (append-only; correct with `correctsId`).
    #[graphql(
        guard = "AllowedAny(&[Operation::RecordCare, Operation::RecordHealth, Operation::RecordGreenChannel])",
        visible = "guard::may_record_care"
    )]
    async fn record_care(
        &self,
        ctx: &Context<'_>,
        input: RecordCareInput,
    ) -> async_graphql::Result<CareRecord> {
        let store = ctx.data::<Store>()?;
        let kind: records::RecordKind = input.kind.into();
        let draft = RecordDraft {
            kind: Some(kind.as_str().into()),
            occurred_on: Some(input.occurred_on),
            content: input.content,
            outcome: input.outcome,
            money_fen: input.money_fen,
            goods_fen: input.goods_fen,
            details: Details {
                disability_level: input
                    .disability_level
                    .map(|l| records::DisabilityLevel::from(l).as_str().to_owned()),
                home_service: input
                    .home_service
                    .map(|h| records::HomeServiceKind::from(h).as_str().to_owned()),
                scheduled_on: input.scheduled_on,
                guardian_name: input.guardian_name,
                guardian_relation: input.guardian_relation,
                department: input.department,
                fees_waived_fen: input.fees_waived_fen,
                location: input.location,
            },
        };
        let record = records::check_record(draft, store.today())
            .map_err(|e| ApiError::bad_input(e.field, e.message))
            .gql()?;
        let attachments = input
            .attachment_ids
            .unwrap_or_default()
            .iter()
            .map(|a| ids::decode(Kind::Attachment, a, "attachmentIds"))
            .collect::<Result<Vec<_>, _>>()
            .gql()?;
        if attachments.len() > 20 {
            return Err(ApiError::bad_input(
                "attachmentIds",
                msg!("attachments-too-many", max = 20),
            ))
            .gql();
        }
        let new = store::NewCareRecord {
            family: ids::decode(Kind::Family, &input.family_id, "familyId").gql()?,
            member: opt_id(Kind::Member, input.member_id.as_ref(), "memberId").gql()?,
            service_code: input.service_code,
            record,
            pairing: opt_id(Kind::Pairing, input.pairing_id.as_ref(), "pairingId").gql()?,
            campaign: opt_id(Kind::Campaign, input.campaign_id.as_ref(), "campaignId").gql()?,
            condition: opt_id(Kind::Condition, input.condition_id.as_ref(), "conditionId").gql()?,
            corrects: opt_id(Kind::CareRecord, input.corrects_id.as_ref(), "correctsId").gql()?,
            attachments,
        };
        Ok(CareRecord(
            store.record_care(principal(ctx), new).await.gql()?,
        ))
    }

    #[graphql(
        guard = "Allowed(Operation::RecordHealth)",
        visible = "guard::may_record_health"
    )]
    async fn add_chronic_condition(
        &self,
        ctx: &Context<'_>,
        input: AddChronicConditionInput,
    ) -> async_graphql::Result<ChronicCondition> {
        let store = ctx.data::<Store>()?;
        let family = ids::decode(Kind::Family, &input.family_id, "familyId").gql()?;
        let member = ids::decode(Kind::Member, &input.member_id, "memberId").gql()?;
        Ok(ChronicCondition(
            store
                .add_chronic_condition(
                    principal(ctx),
                    family,
                    member,
                    &input.disease,
                    input.schedule.into(),
                    input.started_on,
                )
                .await
                .gql()?,
        ))
    }

    /// Opens an emergency-aid case or a referral to a responsible unit.
    #[graphql(
        guard = "Allowed(Operation::OpenCase)",
        visible = "guard::may_open_case"
    )]
    async fn open_case(
        &self,
        ctx: &Context<'_>,
        input: OpenCaseInput,
    ) -> async_graphql::Result<Case> {
        let store = ctx.data::<Store>()?;
        let new = store::NewCase {
            family: ids::decode(Kind::Family, &input.family_id, "familyId").gql()?,
            member: opt_id(Kind::Member, input.member_id.as_ref(), "memberId").gql()?,
            workflow: input.workflow.into(),
            referral: input.referral_kind.map(Into::into),
            unit: input.unit_code,
            summary: input.summary,
            requested_fen: input.requested_fen,
            opened_on: input.opened_on,
        };
        Ok(Case(store.open_case(principal(ctx), new).await.gql()?))
    }

    /// Moves a case one step along its workflow (the steps your role may take).
    #[graphql(
        guard = "Allowed(Operation::MoveCase)",
        visible = "guard::may_move_case"
    )]
    async fn move_case(
        &self,
        ctx: &Context<'_>,
        input: MoveCaseInput,
    ) -> async_graphql::Result<Case> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Case, &input.case_id, "caseId").gql()?;
        Ok(Case(
            store
                .move_case(principal(ctx), id, &input.to, &input.note, input.amount_fen)
                .await
                .gql()?,
        ))
    }

    /// Pairs a family under 五定一包 (at most one active pairing per family).
    #[graphql(
        guard = "Allowed(Operation::ManagePairings)",
        visible = "guard::may_manage_pairings"
    )]
    async fn pair_family(
        &self,
        ctx: &Context<'_>,
        input: PairFamilyInput,
    ) -> async_graphql::Result<Pairing> {
        let store = ctx.data::<Store>()?;
        let worker_staff = input
            .worker_staff_id
            .as_ref()
            .map(|i| {
                Uuid::parse_str(i.as_str())
                    .map_err(|_| ApiError::bad_input("workerStaffId", msg!("staff-id-format")))
            })
            .transpose()
            .gql()?;
        let new = store::NewPairing {
            family: ids::decode(Kind::Family, &input.family_id, "familyId").gql()?,
            leader_name: input.leader_name,
            worker_staff,
            worker_volunteer: opt_id(
                Kind::Volunteer,
                input.worker_volunteer_id.as_ref(),
                "workerVolunteerId",
            )
            .gql()?,
            schedule: input.schedule.into(),
            content: input.content,
            answerable_name: input.answerable_name,
            starts_on: input.starts_on,
        };
        Ok(Pairing(store.pair_family(principal(ctx), new).await.gql()?))
    }

    #[graphql(
        guard = "Allowed(Operation::ManagePairings)",
        visible = "guard::may_manage_pairings"
    )]
    async fn end_pairing(
        &self,
        ctx: &Context<'_>,
        pairing_id: ID,
        ended_on: chrono::NaiveDate,
    ) -> async_graphql::Result<Pairing> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Pairing, &pairing_id, "pairingId").gql()?;
        Ok(Pairing(
            store
                .end_pairing(principal(ctx), id, ended_on)
                .await
                .gql()?,
        ))
    }

    /// Declares a holiday campaign for the caller's region or a part of it.
    #[graphql(
        guard = "Allowed(Operation::ManageCampaigns)",
        visible = "guard::may_manage_campaigns"
    )]
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        input: CreateCampaignInput,
    ) -> async_graphql::Result<Campaign> {
        let store = ctx.data::<Store>()?;
        let new = store::NewCampaign {
            name: input.name,
            region: region(&input.region_code, "regionCode").gql()?,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            money_fen: input.money_fen,
            goods_description: input.goods_description.unwrap_or_default(),
            goods_fen: input.goods_fen.unwrap_or(0),
        };
        Ok(Campaign(
            store.create_campaign(principal(ctx), new).await.gql()?,
        ))
    }

    /// Records a counselling session; its notes are kept encrypted, for counsellors only.
    #[graphql(
        guard = "Allowed(Operation::RecordCounselling)",
        visible = "guard::may_record_counselling"
    )]
    async fn record_counselling(
        &self,
        ctx: &Context<'_>,
        input: RecordCounsellingInput,
    ) -> async_graphql::Result<CounsellingSession> {
        let store = ctx.data::<Store>()?;
        let family = ids::decode(Kind::Family, &input.family_id, "familyId").gql()?;
        let member = opt_id(Kind::Member, input.member_id.as_ref(), "memberId").gql()?;
        Ok(CounsellingSession(
            store
                .record_counselling(principal(ctx), family, member, input.held_on, &input.notes)
                .await
                .gql()?,
        ))
    }

    #[graphql(
        guard = "Allowed(Operation::ManageVolunteers)",
        visible = "guard::may_manage_volunteers"
    )]
    async fn add_care_site(
        &self,
        ctx: &Context<'_>,
        input: AddCareSiteInput,
    ) -> async_graphql::Result<CareSite> {
        let store = ctx.data::<Store>()?;
        let region = region(&input.region_code, "regionCode").gql()?;
        Ok(CareSite(
            store
                .add_care_site(
                    principal(ctx),
                    &input.name,
                    &region,
                    &input.venue,
                    &input.team_name,
                )
                .await
                .gql()?,
        ))
    }

    #[graphql(
        guard = "Allowed(Operation::ManageVolunteers)",
        visible = "guard::may_manage_volunteers"
    )]
    async fn add_volunteer(
        &self,
        ctx: &Context<'_>,
        input: AddVolunteerInput,
    ) -> async_graphql::Result<Volunteer> {
        let store = ctx.data::<Store>()?;
        let team = ids::decode(Kind::VolunteerTeam, &input.team_id, "teamId").gql()?;
        Ok(Volunteer(
            store
                .add_volunteer(principal(ctx), team, &input.name, input.phone.as_deref())
                .await
                .gql()?,
        ))
    }

    #[graphql(
        guard = "Allowed(Operation::ManageVolunteers)",
        visible = "guard::may_manage_volunteers"
    )]
    async fn record_activity(
        &self,
        ctx: &Context<'_>,
        input: RecordActivityInput,
    ) -> async_graphql::Result<Activity> {
        let store = ctx.data::<Store>()?;
        let mut members = Vec::new();
        let mut volunteers = Vec::new();
        for (i, part) in input.participants.iter().enumerate() {
            let field = format!("participants.{i}");
            match (&part.member_id, &part.volunteer_id) {
                (Some(m), None) => {
                    members.push((ids::decode(Kind::Member, m, &field).gql()?, part.attended))
                }
                (None, Some(v)) => volunteers.push((
                    ids::decode(Kind::Volunteer, v, &field).gql()?,
                    part.attended,
                )),
                _ => {
                    return Err(ApiError::bad_input(field, msg!("participant-needed"))).gql();
                }
            }
        }
        let new = store::NewActivity {
            site: ids::decode(Kind::CareSite, &input.site_id, "siteId").gql()?,
            title: input.title,
            held_on: input.held_on,
            members,
            volunteers,
        };
        Ok(Activity(
            store.record_activity(principal(ctx), new).await.gql()?,
        ))
    }

    /// Registers an emergency-call device (紧急呼叫) to a member.
    #[graphql(
        guard = "Allowed(Operation::RecordCare)",
        visible = "guard::may_register_devices"
    )]
    async fn register_emergency_device(
        &self,
        ctx: &Context<'_>,
        input: RegisterDeviceInput,
    ) -> async_graphql::Result<EmergencyDevice> {
        let store = ctx.data::<Store>()?;
        let family = ids::decode(Kind::Family, &input.family_id, "familyId").gql()?;
        let member = ids::decode(Kind::Member, &input.member_id, "memberId").gql()?;
        let id = store
            .register_emergency_device(principal(ctx), family, member, &input.serial)
            .await
            .gql()?;
        Ok(EmergencyDevice {
            id: ids::encode(Kind::Device, id),
            serial: input.serial.trim().to_owned(),
        })
    }
}

/// The ids the attachment endpoints take and give, in the API's own opaque form.
pub mod attachment_ids {
    use super::*;

    pub fn decode_family(id: &str) -> Result<Uuid, ApiError> {
        ids::decode(Kind::Family, &ID(id.to_owned()), "familyId")
    }

    pub fn decode_attachment(id: &str) -> Result<Uuid, ApiError> {
        ids::decode(Kind::Attachment, &ID(id.to_owned()), "id")
    }

    pub fn encode_attachment(id: Uuid) -> String {
        ids::encode(Kind::Attachment, id).0
    }
}
