//! Care work's output types, converted from store records. Counselling notes are the one
//! sensitive field here: behind their guard, absent from every other audience's schema.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use nuanxin_domain::policy::{FieldAccess, SensitiveField};
use nuanxin_store as store;

use crate::error::IntoGql;
use crate::guard::{self, Field, principal, request_meta};
use crate::ids::{self, Kind};
use crate::loaders::CaseSteps;

/// The six categories of care (六大关怀).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::catalogue::CareCategory")]
pub enum CareCategory {
    /// 生活关怀
    Life,
    /// 精神关怀
    Spiritual,
    /// 养老关怀
    Elderly,
    /// 健康关怀
    Health,
    /// 再生育关怀
    Rebirth,
    /// 宣传引导
    Publicity,
}

/// What a care record is (帮扶记录类型).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::records::RecordKind")]
pub enum RecordKind {
    Service,
    /// 走访慰问 / 定期慰问
    Visit,
    /// 紧急救助联系
    EmergencyContact,
    /// 健康体检
    Checkup,
    /// 慢病随访
    FollowUp,
    /// 绿色通道就诊
    GreenChannelVisit,
    /// 失能评估
    DisabilityAssessment,
    /// 居家养老服务工单
    HomeServiceOrder,
    /// 监护及后事安排
    Guardianship,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::records::PerformerKind")]
pub enum PerformerKind {
    Staff,
    Volunteer,
    Partner,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::records::DisabilityLevel")]
pub enum DisabilityLevel {
    /// 能力完好
    None,
    /// 部分失能
    Partial,
    /// 失能
    Full,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::records::HomeServiceKind")]
pub enum HomeServiceKind {
    /// 家政
    Housekeeping,
    /// 助餐
    Meals,
    /// 陪同就医
    HospitalEscort,
    /// 康复护理
    Rehabilitation,
}

/// The workflow a case runs on.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::workflow::Workflow")]
pub enum Workflow {
    /// 紧急救助
    EmergencyAid,
    /// 转介
    Referral,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::workflow::ReferralKind")]
pub enum ReferralKind {
    /// 农村危房改造 (住建局)
    HousingRenovation,
    /// 第三代入学入托 (教育局)
    SchoolPlace,
    /// 法律援助 (司法局)
    LegalAid,
    /// 优先入住公办养老机构 (民政局)
    CareHomeAdmission,
    /// 优先收养 (民政局)
    Adoption,
    /// 再生育技术服务 (卫生局)
    RebirthSupport,
    /// 就业培训和小额贴息贷款 (人社局)
    TrainingLoan,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::workflow::Priority")]
pub enum Priority {
    Normal,
    /// 60 or older
    Elderly,
    /// 失能 / 部分失能
    Disabled,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::schedule::Schedule")]
pub enum Schedule {
    Weekly,
    Fortnightly,
    Monthly,
    Quarterly,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::care::schedule::DutyState")]
pub enum DutyState {
    OnTrack,
    DueSoon,
    Overdue,
}

/// A responsible unit (责任单位).
pub struct CareUnit(pub store::UnitRecord);

#[Object]
impl CareUnit {
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name_zh(&self) -> &str {
        &self.0.name_zh
    }
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
}

/// A service of the catalogue.
pub struct CareService(pub store::ServiceRecord);

#[Object]
impl CareService {
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn category(&self) -> CareCategory {
        self.0.category.into()
    }
    /// The category's Chinese name (生活关怀 …).
    async fn category_name_zh(&self) -> &str {
        self.0.category.name_zh()
    }
    async fn name_zh(&self) -> &str {
        &self.0.name_zh
    }
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// Codes of the units responsible for it.
    async fn unit_codes(&self) -> &[String] {
        &self.0.units
    }
}

/// An attachment of a record: download it from `url` with the same token.
#[derive(SimpleObject)]
pub struct AttachmentRef {
    pub id: ID,
    pub url: String,
}

pub fn attachment_ref(id: uuid::Uuid) -> AttachmentRef {
    let gid = ids::encode(Kind::Attachment, id);
    AttachmentRef {
        url: format!("/attachments/{}", gid.as_str()),
        id: gid,
    }
}

/// A care record (帮扶记录): append-only; a correction is a new record naming this one.
pub struct CareRecord(pub store::CareRecordRow);

#[Object]
impl CareRecord {
    async fn id(&self) -> ID {
        ids::encode(Kind::CareRecord, self.0.id)
    }
    async fn family_id(&self) -> ID {
        ids::encode(Kind::Family, self.0.family)
    }
    async fn member_id(&self) -> Option<ID> {
        self.0.member.map(|m| ids::encode(Kind::Member, m))
    }
    async fn kind(&self) -> RecordKind {
        self.0.kind.into()
    }
    async fn service_code(&self) -> &str {
        &self.0.service_code
    }
    async fn occurred_on(&self) -> NaiveDate {
        self.0.occurred_on
    }
    async fn performer_kind(&self) -> PerformerKind {
        self.0.performer_kind.into()
    }
    /// Who did the work, by name (no ids where a person reads).
    async fn performer_name(&self) -> &str {
        &self.0.performer_name
    }
    async fn content(&self) -> &str {
        &self.0.content
    }
    async fn outcome(&self) -> Option<&str> {
        self.0.outcome.as_deref()
    }
    /// Money given, in fen.
    async fn money_fen(&self) -> i64 {
        self.0.money_fen
    }
    /// The value of goods given, in fen.
    async fn goods_fen(&self) -> i64 {
        self.0.goods_fen
    }
    async fn disability_level(&self) -> Option<DisabilityLevel> {
        self.0
            .details
            .disability_level
            .as_deref()
            .and_then(nuanxin_domain::care::records::DisabilityLevel::parse)
            .map(Into::into)
    }
    async fn home_service(&self) -> Option<HomeServiceKind> {
        self.0
            .details
            .home_service
            .as_deref()
            .and_then(nuanxin_domain::care::records::HomeServiceKind::parse)
            .map(Into::into)
    }
    async fn scheduled_on(&self) -> Option<NaiveDate> {
        self.0.details.scheduled_on
    }
    async fn guardian_name(&self) -> Option<&str> {
        self.0.details.guardian_name.as_deref()
    }
    async fn guardian_relation(&self) -> Option<&str> {
        self.0.details.guardian_relation.as_deref()
    }
    async fn department(&self) -> Option<&str> {
        self.0.details.department.as_deref()
    }
    async fn fees_waived_fen(&self) -> Option<i64> {
        self.0.details.fees_waived_fen
    }
    async fn location(&self) -> Option<&str> {
        self.0.details.location.as_deref()
    }
    async fn pairing_id(&self) -> Option<ID> {
        self.0.pairing.map(|p| ids::encode(Kind::Pairing, p))
    }
    async fn campaign_id(&self) -> Option<ID> {
        self.0.campaign.map(|c| ids::encode(Kind::Campaign, c))
    }
    async fn condition_id(&self) -> Option<ID> {
        self.0.condition.map(|c| ids::encode(Kind::Condition, c))
    }
    /// The record this one corrects.
    async fn corrects_id(&self) -> Option<ID> {
        self.0.corrects.map(|c| ids::encode(Kind::CareRecord, c))
    }
    async fn attachments(&self) -> Vec<AttachmentRef> {
        self.0
            .attachments
            .iter()
            .copied()
            .map(attachment_ref)
            .collect()
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One step a case took.
pub struct CaseStep(pub store::CaseStepRecord);

#[Object]
impl CaseStep {
    async fn from(&self) -> &str {
        &self.0.from
    }
    async fn to(&self) -> &str {
        &self.0.to
    }
    async fn note(&self) -> &str {
        &self.0.note
    }
    async fn amount_fen(&self) -> Option<i64> {
        self.0.amount_fen
    }
    /// Who took the step, by name.
    async fn by(&self) -> &str {
        &self.0.actor_name
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// A case (个案): emergency aid or a referral, on its workflow.
pub struct Case(pub store::CaseRecord);

#[Object]
impl Case {
    async fn id(&self) -> ID {
        ids::encode(Kind::Case, self.0.id)
    }
    async fn family_id(&self) -> ID {
        ids::encode(Kind::Family, self.0.family)
    }
    async fn member_id(&self) -> Option<ID> {
        self.0.member.map(|m| ids::encode(Kind::Member, m))
    }
    async fn workflow(&self) -> Workflow {
        self.0.workflow.into()
    }
    async fn referral_kind(&self) -> Option<ReferralKind> {
        self.0.referral.map(Into::into)
    }
    /// The responsible unit a referral is assigned to.
    async fn unit_code(&self) -> Option<&str> {
        self.0.unit.as_deref()
    }
    /// The workflow's state (emergency aid: requested, assessed, approved, declined,
    /// disbursed, closed; referral: referred, accepted, declined, completed).
    async fn state(&self) -> &str {
        &self.0.state
    }
    /// The states the workflow may move to from here (whoever may take them).
    async fn next_states(&self) -> Vec<&'static str> {
        self.0
            .workflow
            .steps()
            .iter()
            .filter(|(from, _)| *from == self.0.state)
            .map(|(_, to)| *to)
            .collect()
    }
    async fn is_closed(&self) -> bool {
        self.0.workflow.is_final(&self.0.state)
    }
    async fn priority(&self) -> Priority {
        self.0.priority.into()
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    async fn requested_fen(&self) -> Option<i64> {
        self.0.requested_fen
    }
    async fn approved_fen(&self) -> Option<i64> {
        self.0.approved_fen
    }
    async fn disbursed_fen(&self) -> Option<i64> {
        self.0.disbursed_fen
    }
    async fn opened_on(&self) -> NaiveDate {
        self.0.opened_on
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Every step, oldest first, with who took it (who approved is here).
    async fn steps(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CaseStep>> {
        let steps = ctx.data::<CaseSteps>()?.load_one(self.0.id).await.gql()?;
        Ok(steps
            .unwrap_or_default()
            .into_iter()
            .map(CaseStep)
            .collect())
    }
}

/// A pairing (结对帮扶) and its five fixed elements (五定一包).
pub struct Pairing(pub store::PairingRecord);

#[Object]
impl Pairing {
    async fn id(&self) -> ID {
        ids::encode(Kind::Pairing, self.0.id)
    }
    async fn family_id(&self) -> ID {
        ids::encode(Kind::Family, self.0.family)
    }
    /// 定领导
    async fn leader_name(&self) -> &str {
        &self.0.leader_name
    }
    /// `staff` or `volunteer` (定人员)
    async fn worker_kind(&self) -> &str {
        &self.0.worker_kind
    }
    async fn worker_name(&self) -> &str {
        &self.0.worker_name
    }
    /// 定时间
    async fn schedule(&self) -> Schedule {
        self.0.schedule.into()
    }
    /// 定内容: what the family needs from the pairing.
    async fn content(&self) -> &str {
        &self.0.content
    }
    /// 一包: the one person answerable.
    async fn answerable_name(&self) -> &str {
        &self.0.answerable_name
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    async fn ended_on(&self) -> Option<NaiveDate> {
        self.0.ended_on
    }
    /// The last visit recorded under this pairing.
    async fn last_visit_on(&self) -> Option<NaiveDate> {
        self.0.last_visit_on
    }
    /// When the next visit is due, by the schedule (China time).
    async fn next_visit_due(&self) -> NaiveDate {
        self.0.next_visit_due()
    }
    /// On track, due within the week, or overdue, today.
    async fn visit_state(&self, ctx: &Context<'_>) -> async_graphql::Result<DutyState> {
        let today = ctx.data::<nuanxin_store::Store>()?.today();
        Ok(nuanxin_domain::care::schedule::duty_state(self.0.next_visit_due(), today).into())
    }
}

/// A holiday campaign (定期慰问).
pub struct Campaign(pub store::CampaignRecord);

#[Object]
impl Campaign {
    async fn id(&self) -> ID {
        ids::encode(Kind::Campaign, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn region_code(&self) -> &str {
        &self.0.region
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    async fn ends_on(&self) -> NaiveDate {
        self.0.ends_on
    }
    /// Money per family, in fen.
    async fn money_fen(&self) -> i64 {
        self.0.money_fen
    }
    async fn goods_description(&self) -> &str {
        &self.0.goods_description
    }
    /// The value of goods per family, in fen.
    async fn goods_fen(&self) -> i64 {
        self.0.goods_fen
    }
}

/// A chronic-disease record (慢病档案) with its follow-up schedule.
pub struct ChronicCondition(pub store::ConditionRecord);

#[Object]
impl ChronicCondition {
    async fn id(&self) -> ID {
        ids::encode(Kind::Condition, self.0.id)
    }
    async fn family_id(&self) -> ID {
        ids::encode(Kind::Family, self.0.family)
    }
    async fn member_id(&self) -> ID {
        ids::encode(Kind::Member, self.0.member)
    }
    async fn disease(&self) -> &str {
        &self.0.disease
    }
    async fn schedule(&self) -> Schedule {
        self.0.schedule.into()
    }
    async fn started_on(&self) -> NaiveDate {
        self.0.started_on
    }
    async fn ended_on(&self) -> Option<NaiveDate> {
        self.0.ended_on
    }
}

/// A counselling session (心理疏导): that it took place, who held it, when. Its notes are
/// for counsellors only.
pub struct CounsellingSession(pub store::CounsellingRecord);

#[Object]
impl CounsellingSession {
    async fn id(&self) -> ID {
        ids::encode(Kind::Counselling, self.0.id)
    }
    async fn family_id(&self) -> ID {
        ids::encode(Kind::Family, self.0.family)
    }
    async fn member_id(&self) -> Option<ID> {
        self.0.member.map(|m| ids::encode(Kind::Member, m))
    }
    async fn held_on(&self) -> NaiveDate {
        self.0.held_on
    }
    async fn counsellor_name(&self) -> &str {
        &self.0.counsellor_name
    }
    /// What was said: the author's and their supervisors' only (null for a session whose
    /// notes are another counsellor's); each read is logged.
    #[graphql(
        guard = "Field(SensitiveField::CounsellingNotes, FieldAccess::Clear)",
        visible = "guard::may_read_counselling_notes"
    )]
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let store = ctx.data::<store::Store>()?;
        let notes = store
            .counselling_notes(
                principal(ctx),
                std::slice::from_ref(&self.0),
                &request_meta(ctx),
            )
            .await
            .gql()?;
        Ok(notes.into_iter().next().flatten())
    }
}

/// A team of volunteers at a care site.
#[derive(SimpleObject)]
pub struct VolunteerTeam {
    pub id: ID,
    pub name: String,
}

/// A Lotus Warm-Heart Home (莲花暖心家园).
pub struct CareSite(pub store::CareSiteRecord);

#[Object]
impl CareSite {
    async fn id(&self) -> ID {
        ids::encode(Kind::CareSite, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn region_code(&self) -> &str {
        &self.0.region
    }
    async fn venue(&self) -> &str {
        &self.0.venue
    }
    async fn teams(&self) -> Vec<VolunteerTeam> {
        self.0
            .teams
            .iter()
            .map(|(id, name)| VolunteerTeam {
                id: ids::encode(Kind::VolunteerTeam, *id),
                name: name.clone(),
            })
            .collect()
    }
}

/// A volunteer, with their phone masked.
pub struct Volunteer(pub store::VolunteerRecord);

#[Object]
impl Volunteer {
    async fn id(&self) -> ID {
        ids::encode(Kind::Volunteer, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn phone_masked(&self) -> Option<&str> {
        self.0.phone_masked.as_deref()
    }
    async fn team_id(&self) -> Option<ID> {
        self.0.team.map(|t| ids::encode(Kind::VolunteerTeam, t))
    }
}

/// An activity at a care site, with attendance.
pub struct Activity(pub store::ActivityRecord);

#[Object]
impl Activity {
    async fn id(&self) -> ID {
        ids::encode(Kind::Activity, self.0.id)
    }
    async fn site_id(&self) -> ID {
        ids::encode(Kind::CareSite, self.0.site)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn held_on(&self) -> NaiveDate {
        self.0.held_on
    }
    async fn invited(&self) -> u32 {
        self.0.invited
    }
    async fn attended(&self) -> u32 {
        self.0.attended
    }
}

/// A registered emergency-call device.
#[derive(SimpleObject)]
pub struct EmergencyDevice {
    pub id: ID,
    pub serial: String,
}
