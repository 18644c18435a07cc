//! Output types: explicit, field by field, converted from store records. Sensitive fields
//! come out masked; clear values only through `Member.revealed`, which is logged.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use nuanxin_domain::registry::eligibility::{Decision, Rule};
use nuanxin_domain::policy::SensitiveField;
use nuanxin_domain::{self as domain, Region as DomainRegion, time};
use nuanxin_store::{
    AccessLogEntry as StoreAccessLogEntry, FamilyRecord, MemberRecord, StatusHistoryEntry,
};

use crate::error::IntoGql;
use crate::guard::{self, principal, request_meta};
use crate::ids::{self, Kind};
use crate::loaders::{Histories, Members, RegionChildren, RegionNames};

/// Family status (家庭状态).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum FamilyStatus {
    Registered,
    Verified,
    Active,
    Suspended,
    MovedOut,
    Closed,
}

impl From<domain::FamilyStatus> for FamilyStatus {
    fn from(s: domain::FamilyStatus) -> Self {
        match s {
            domain::FamilyStatus::Registered => Self::Registered,
            domain::FamilyStatus::Verified => Self::Verified,
            domain::FamilyStatus::Active => Self::Active,
            domain::FamilyStatus::Suspended => Self::Suspended,
            domain::FamilyStatus::MovedOut => Self::MovedOut,
            domain::FamilyStatus::Closed => Self::Closed,
        }
    }
}

impl From<FamilyStatus> for domain::FamilyStatus {
    fn from(s: FamilyStatus) -> Self {
        match s {
            FamilyStatus::Registered => Self::Registered,
            FamilyStatus::Verified => Self::Verified,
            FamilyStatus::Active => Self::Active,
            FamilyStatus::Suspended => Self::Suspended,
            FamilyStatus::MovedOut => Self::MovedOut,
            FamilyStatus::Closed => Self::Closed,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MemberRole {
    Father,
    Mother,
    /// 第三代: a child of the deceased only child.
    Grandchild,
    Other,
}

impl From<domain::MemberRole> for MemberRole {
    fn from(r: domain::MemberRole) -> Self {
        match r {
            domain::MemberRole::Father => Self::Father,
            domain::MemberRole::Mother => Self::Mother,
            domain::MemberRole::Grandchild => Self::Grandchild,
            domain::MemberRole::Other => Self::Other,
        }
    }
}

impl From<MemberRole> for domain::MemberRole {
    fn from(r: MemberRole) -> Self {
        match r {
            MemberRole::Father => Self::Father,
            MemberRole::Mother => Self::Mother,
            MemberRole::Grandchild => Self::Grandchild,
            MemberRole::Other => Self::Other,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Sex {
    Male,
    Female,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum StaffRole {
    CityAdmin,
    CountyAdmin,
    TownshipWorker,
    VillageWorker,
    Auditor,
}

impl From<domain::StaffRole> for StaffRole {
    fn from(r: domain::StaffRole) -> Self {
        match r {
            domain::StaffRole::CityAdmin => Self::CityAdmin,
            domain::StaffRole::CountyAdmin => Self::CountyAdmin,
            domain::StaffRole::TownshipWorker => Self::TownshipWorker,
            domain::StaffRole::VillageWorker => Self::VillageWorker,
            domain::StaffRole::Auditor => Self::Auditor,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RegionLevel {
    Province,
    City,
    County,
    Township,
    Village,
}

impl From<domain::RegionLevel> for RegionLevel {
    fn from(l: domain::RegionLevel) -> Self {
        match l {
            domain::RegionLevel::Province => Self::Province,
            domain::RegionLevel::City => Self::City,
            domain::RegionLevel::County => Self::County,
            domain::RegionLevel::Township => Self::Township,
            domain::RegionLevel::Village => Self::Village,
        }
    }
}

/// An administrative division (行政区划).
pub struct Region(pub DomainRegion);

#[Object]
impl Region {
    /// The national division code (6, 9 or 12 digits).
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn level(&self) -> RegionLevel {
        self.0.code.level().into()
    }
    async fn parent_code(&self) -> Option<String> {
        self.0.code.parent().map(|c| c.to_string())
    }
    async fn valid_from(&self) -> NaiveDate {
        self.0.valid_from
    }
    /// Set when the code was retired (divisions get re-coded).
    async fn valid_to(&self) -> Option<NaiveDate> {
        self.0.valid_to
    }
    /// The regions directly below, within the caller's reach.
    async fn children(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Region>> {
        let loader = ctx.data::<RegionChildren>()?;
        let kids = loader.load_one(self.0.code.clone()).await.gql()?;
        Ok(kids.unwrap_or_default().into_iter().map(Region).collect())
    }
}

/// The caller.
pub struct Me(pub domain::Principal);

#[Object]
impl Me {
    async fn id(&self) -> ID {
        ID(self.0.user_id.to_string())
    }
    async fn username(&self) -> &str {
        &self.0.username
    }
    async fn role(&self) -> Option<StaffRole> {
        match self.0.audience {
            domain::Audience::Staff(r) => Some(r.into()),
            domain::Audience::Anonymous => None,
        }
    }
    async fn home_region_code(&self) -> Option<String> {
        self.0.home_region.as_ref().map(|r| r.to_string())
    }
    async fn home_region_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let Some(code) = &self.0.home_region else {
            return Ok(None);
        };
        ctx.data::<RegionNames>()?
            .load_one(code.clone())
            .await
            .gql()
    }
}

/// A family file (家庭档案).
pub struct Family(pub FamilyRecord);

#[Object]
impl Family {
    async fn id(&self) -> ID {
        ids::encode(Kind::Family, self.0.family.id)
    }
    /// The village or township where the family is managed.
    async fn region_code(&self) -> &str {
        self.0.family.region.as_str()
    }
    async fn region_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        ctx.data::<RegionNames>()?
            .load_one(self.0.family.region.clone())
            .await
            .gql()
    }
    async fn status(&self) -> FamilyStatus {
        self.0.family.status.into()
    }
    /// 《独生子女父母光荣证》 number.
    async fn honour_certificate_no(&self) -> Option<&str> {
        self.0.family.honour_certificate_no.as_deref()
    }
    async fn honour_certificate_date(&self) -> Option<NaiveDate> {
        self.0.family.honour_certificate_date
    }
    /// Death date of the only child.
    async fn child_death_date(&self) -> Option<NaiveDate> {
        self.0.family.child_death_date
    }
    /// Date of a later birth or adoption, which ends eligibility.
    async fn later_child_date(&self) -> Option<NaiveDate> {
        self.0.family.later_child_date
    }
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Member>> {
        let loader = ctx.data::<Members>()?;
        let members = loader.load_one(self.0.family.id).await.gql()?;
        Ok(members
            .unwrap_or_default()
            .into_iter()
            .map(Member)
            .collect())
    }
    /// Every status change, oldest first (动态管理: appended, never overwritten).
    async fn status_history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StatusChange>> {
        let loader = ctx.data::<Histories>()?;
        let entries = loader.load_one(self.0.family.id).await.gql()?;
        Ok(entries
            .unwrap_or_default()
            .into_iter()
            .map(|e| -> StatusChange { e.into() })
            .collect())
    }
    /// The outcome of the last eligibility evaluation, if any.
    async fn last_eligibility(&self) -> Option<EligibilitySnapshot> {
        self.0
            .last_eligibility
            .as_ref()
            .map(|s| EligibilitySnapshot {
                eligible: s.eligible,
                rule_set_version: s.rule_set_version.clone(),
                evaluated_at: s.evaluated_at,
            })
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(SimpleObject)]
pub struct EligibilitySnapshot {
    pub eligible: bool,
    pub rule_set_version: String,
    pub evaluated_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct StatusChange {
    pub from: Option<FamilyStatus>,
    pub to: FamilyStatus,
    pub reason: String,
    pub actor_id: ID,
    pub at: DateTime<Utc>,
}

impl From<StatusHistoryEntry> for StatusChange {
    fn from(e: StatusHistoryEntry) -> Self {
        Self {
            from: e.from.map(Into::into),
            to: e.to.into(),
            reason: e.reason,
            actor_id: ID(e.actor_id.to_string()),
            at: e.at,
        }
    }
}

/// A person on file (一人一档). ID number, phone and address are masked here.
pub struct Member(pub MemberRecord);

#[Object]
impl Member {
    async fn id(&self) -> ID {
        ids::encode(Kind::Member, self.0.id())
    }
    async fn family_id(&self) -> ID {
        ids::encode(Kind::Family, self.0.family_id())
    }
    async fn role(&self) -> MemberRole {
        self.0.role().into()
    }
    async fn name(&self) -> &str {
        self.0.name()
    }
    async fn sex(&self) -> Sex {
        match self.0.sex {
            domain::Sex::Male => Sex::Male,
            domain::Sex::Female => Sex::Female,
        }
    }
    /// Age in whole years today (China Standard Time); the birth date itself is part of
    /// the ID number and stays masked.
    async fn age(&self) -> i32 {
        time::age_on(
            self.0.birth_date,
            self.0.deceased_on().unwrap_or_else(time::china_today),
        )
    }
    /// Masked: first 6 and last 4 characters.
    async fn id_number(&self) -> String {
        self.0.id_number_masked()
    }
    /// Masked: first 3 and last 4 digits.
    async fn phone(&self) -> Option<String> {
        self.0.phone_masked()
    }
    /// Masked: the area only.
    async fn address(&self) -> Option<String> {
        self.0.address_masked()
    }
    /// Household registration (户籍) region code.
    async fn hukou_region_code(&self) -> &str {
        self.0.hukou_region().as_str()
    }
    async fn deceased_on(&self) -> Option<NaiveDate> {
        self.0.deceased_on()
    }
    /// What the member is owed for a month (`YYYY-MM`), and why.
    #[graphql(
        guard = "crate::guard::Allowed(nuanxin_domain::policy::Operation::ReadEntitlementStatus)",
        visible = "guard::may_read_entitlement"
    )]
    async fn entitlement(
        &self,
        ctx: &Context<'_>,
        month: String,
    ) -> async_graphql::Result<crate::areas::allowances::Entitlement> {
        crate::areas::allowances::entitlement_for(ctx, self, &month).await
    }
    /// The account the allowance is paid into, masked.
    #[graphql(visible = "guard::may_see_bank_accounts")]
    async fn bank_account(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::areas::allowances::BankAccount>> {
        if !guard::may_see_bank_accounts(ctx) {
            return Err(crate::error::ApiError::Forbidden(
                "your role may not see bank accounts".into(),
            ))
            .gql();
        }
        let loader = ctx.data::<crate::loaders::BankAccounts>()?;
        let account = loader.load_one(self.0.id()).await.gql()?;
        Ok(account.as_ref().map(Into::into))
    }
    /// The account number in the clear, for a stated purpose; written to the access log.
    #[graphql(visible = "guard::may_unmask_bank_account")]
    async fn revealed_account_number(
        &self,
        ctx: &Context<'_>,
        purpose: String,
    ) -> async_graphql::Result<Option<String>> {
        crate::areas::allowances::reveal_account(ctx, self, &purpose).await
    }
    /// The clear values of the selected fields, for a stated purpose. Each call writes one
    /// access-log row for this person naming the fields read.
    #[graphql(visible = "guard::may_unmask_any")]
    async fn revealed(
        &self,
        ctx: &Context<'_>,
        purpose: String,
    ) -> async_graphql::Result<RevealedMember> {
        let look = ctx.look_ahead();
        let mut fields = Vec::new();
        for (name, f) in [
            ("idNumber", SensitiveField::IdNumber),
            ("phone", SensitiveField::Phone),
            ("address", SensitiveField::Address),
        ] {
            if look.field(name).exists() {
                fields.push(f);
            }
        }
        let store = ctx.data::<nuanxin_store::Store>()?;
        let mut out = store
            .reveal(
                principal(ctx),
                &[&self.0],
                &fields,
                &purpose,
                &request_meta(ctx),
            )
            .await
            .gql()?;
        let r = out.pop().unwrap_or_default();
        Ok(RevealedMember {
            id_number: r.id_number,
            phone: r.phone,
            address: r.address,
        })
    }
}

/// Clear values released by a logged read. A field shows only to roles that may unmask it.
#[derive(SimpleObject)]
#[graphql(visible = "guard::may_unmask_any")]
pub struct RevealedMember {
    #[graphql(visible = "guard::may_unmask_id_number")]
    pub id_number: Option<String>,
    #[graphql(visible = "guard::may_unmask_phone")]
    pub phone: Option<String>,
    #[graphql(visible = "guard::may_unmask_address")]
    pub address: Option<String>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum EligibilityRule {
    /// 户籍在本市
    RegisteredInCity,
    /// 持有《独生子女父母光荣证》
    HonourCertificate,
    /// 独生子女死亡
    OnlyChildDeceased,
    /// 未再生育或收养
    NoLaterChild,
}

#[derive(SimpleObject)]
pub struct EligibilityReason {
    pub rule: EligibilityRule,
    pub satisfied: bool,
    pub explanation: String,
}

/// Why a family is (not) eligible: one reason per rule, and the rule-set version.
#[derive(SimpleObject)]
pub struct EligibilityDecision {
    pub eligible: bool,
    pub rule_set_version: String,
    pub reasons: Vec<EligibilityReason>,
}

impl From<Decision> for EligibilityDecision {
    fn from(d: Decision) -> Self {
        Self {
            eligible: d.eligible,
            rule_set_version: d.rule_set_version.to_owned(),
            reasons: d
                .outcomes
                .into_iter()
                .map(|o| EligibilityReason {
                    rule: match o.rule {
                        Rule::RegisteredInCity => EligibilityRule::RegisteredInCity,
                        Rule::HonourCertificate => EligibilityRule::HonourCertificate,
                        Rule::OnlyChildDeceased => EligibilityRule::OnlyChildDeceased,
                        Rule::NoLaterChild => EligibilityRule::NoLaterChild,
                    },
                    satisfied: o.satisfied,
                    explanation: o.explanation,
                })
                .collect(),
        }
    }
}

/// One read of sensitive data (append-only).
#[derive(SimpleObject)]
#[graphql(visible = "guard::may_read_access_log")]
pub struct AccessLogEntry {
    pub id: ID,
    pub at: DateTime<Utc>,
    pub actor_id: ID,
    pub actor_name: String,
    pub actor_role: String,
    pub member_id: Option<ID>,
    pub fields: Vec<String>,
    pub operation: String,
    pub purpose: String,
    pub request_id: String,
}

impl From<StoreAccessLogEntry> for AccessLogEntry {
    fn from(e: StoreAccessLogEntry) -> Self {
        Self {
            id: ids::encode(Kind::AccessLog, e.id),
            at: e.at,
            actor_id: ID(e.actor_id.to_string()),
            actor_name: e.actor_name,
            actor_role: e.actor_role,
            member_id: e.member_id.map(|m| ids::encode(Kind::Member, m)),
            fields: e.fields,
            operation: e.operation,
            purpose: e.purpose,
            request_id: e.request_id,
        }
    }
}

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub struct FamilyEdge {
    pub cursor: String,
    pub node: Family,
}

#[derive(SimpleObject)]
pub struct FamilyConnection {
    pub edges: Vec<FamilyEdge>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject)]
#[graphql(visible = "guard::may_read_access_log")]
pub struct AccessLogEdge {
    pub cursor: String,
    pub node: AccessLogEntry,
}

#[derive(SimpleObject)]
#[graphql(visible = "guard::may_read_access_log")]
pub struct AccessLogConnection {
    pub edges: Vec<AccessLogEdge>,
    pub page_info: PageInfo,
}

/// Page info for a page of edges (forward pagination: a previous page exists when the
/// request came with a cursor).
pub fn page_info<E>(
    edges: &[E],
    cursor: impl Fn(&E) -> &str,
    has_next_page: bool,
    had_cursor: bool,
) -> PageInfo {
    PageInfo {
        has_next_page,
        has_previous_page: had_cursor,
        start_cursor: edges.first().map(|e| cursor(e).to_owned()),
        end_cursor: edges.last().map(|e| cursor(e).to_owned()),
    }
}
