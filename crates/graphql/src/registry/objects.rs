//! The registry's output types: explicit, field by field, converted from store records.
//! Sensitive fields come out masked, each behind its guard; clear values only through
//! `Member.revealed`, which is logged.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use nuanxin_domain::policy::{FieldAccess, Operation, SensitiveField};
use nuanxin_domain::{self as domain, time};
use nuanxin_locale::Locale;

use crate::error::IntoGql;
use crate::guard::{self, Allowed, AllowedAny, AllowedUnmask, Field, principal, request_meta};
use crate::ids::{self, Kind};
use crate::loaders::{BankAccounts, Histories, Members, RegionChildren, RegionNames};
use nuanxin_domain::registry::eligibility::Decision;
use nuanxin_store::{FamilyRecord, MemberRecord, StatusHistoryEntry};

use crate::allowances::objects::{BankAccount, Entitlement};
use crate::allowances::resolve;

/// Family status (家庭状态).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::FamilyStatus")]
pub enum FamilyStatus {
    Registered,
    Verified,
    Active,
    Suspended,
    MovedOut,
    Closed,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::MemberRole")]
pub enum MemberRole {
    Father,
    Mother,
    /// 第三代: a child of the deceased only child.
    Grandchild,
    Other,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::Sex")]
pub enum Sex {
    Male,
    Female,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::RegionLevel")]
pub enum RegionLevel {
    Province,
    City,
    County,
    Township,
    Village,
}

/// An administrative division (行政区划).
pub struct Region(pub domain::Region);

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
    #[graphql(complexity = "1 + 30 * child_complexity")]
    async fn children(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Region>> {
        let loader = ctx.data::<RegionChildren>()?;
        let kids = loader.load_one(self.0.code.clone()).await.gql()?;
        Ok(kids.unwrap_or_default().into_iter().map(Region).collect())
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
    #[graphql(complexity = "1 + 4 * child_complexity")]
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
    #[graphql(complexity = "1 + 10 * child_complexity")]
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
    /// When the change was recorded.
    pub at: DateTime<Utc>,
    /// When it took effect (earlier than `at` when back-dated).
    pub effective_on: chrono::NaiveDate,
}

impl From<StatusHistoryEntry> for StatusChange {
    fn from(e: StatusHistoryEntry) -> Self {
        Self {
            from: e.from.map(Into::into),
            to: e.to.into(),
            reason: e.reason,
            actor_id: ID(e.actor_id.to_string()),
            at: e.at,
            effective_on: e.effective_on,
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
        self.0.sex.into()
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
    #[graphql(
        guard = "Field(SensitiveField::IdNumber, FieldAccess::Masked)",
        visible = "guard::may_see_id_number"
    )]
    async fn id_number(&self) -> String {
        self.0.id_number_masked()
    }
    /// Masked: first 3 and last 4 digits.
    #[graphql(
        guard = "Field(SensitiveField::Phone, FieldAccess::Masked)",
        visible = "guard::may_see_phone"
    )]
    async fn phone(&self) -> Option<String> {
        self.0.phone_masked()
    }
    /// Masked: the area only.
    #[graphql(
        guard = "Field(SensitiveField::Address, FieldAccess::Masked)",
        visible = "guard::may_see_address"
    )]
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
    /// Every recorded death and household registration, oldest first: each change is a new
    /// entry with its evidence and the entry it corrects.
    #[graphql(
        guard = "AllowedAny(&[Operation::RecordPaymentFacts, Operation::ReadAccessLog])",
        visible = "guard::may_read_fact_history",
        complexity = "1 + 10 * child_complexity"
    )]
    async fn fact_history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FactEntry>> {
        let store = ctx.data::<nuanxin_store::Store>()?;
        Ok(store
            .member_facts(principal(ctx), self.0.id())
            .await
            .gql()?
            .into_iter()
            .map(|f| FactEntry {
                id: ID(f.id.to_string()),
                fact: f.fact,
                value: f.value,
                evidence: f.evidence,
                corrects: f.corrects.map(|c| ID(c.to_string())),
                recorded_by: ID(f.recorded_by.to_string()),
                recorded_at: f.recorded_at,
            })
            .collect())
    }
    /// What the member is owed for a month (`YYYY-MM`), and why.
    #[graphql(
        guard = "Allowed(Operation::ReadEntitlementStatus)",
        visible = "guard::may_read_entitlement"
    )]
    async fn entitlement(
        &self,
        ctx: &Context<'_>,
        month: String,
    ) -> async_graphql::Result<Entitlement> {
        resolve::entitlement_for(ctx, &self.0, &month).await
    }
    /// The account the allowance is paid into, masked.
    #[graphql(
        guard = "Field(SensitiveField::BankAccount, FieldAccess::Masked)",
        visible = "guard::may_see_bank_accounts"
    )]
    async fn bank_account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<BankAccount>> {
        let account = ctx
            .data::<BankAccounts>()?
            .load_one(self.0.id())
            .await
            .gql()?;
        Ok(account.as_ref().map(Into::into))
    }
    /// The account number in the clear, for a stated purpose; written to the access log.
    #[graphql(
        guard = "Field(SensitiveField::BankAccount, FieldAccess::Unmaskable)",
        visible = "guard::may_unmask_bank_account"
    )]
    async fn revealed_account_number(
        &self,
        ctx: &Context<'_>,
        purpose: String,
    ) -> async_graphql::Result<Option<String>> {
        resolve::reveal_account(ctx, &self.0, &purpose).await
    }
    /// The clear values of the selected fields, for a stated purpose. Each call writes one
    /// access-log row for this person naming the fields read.
    #[graphql(guard = "AllowedUnmask", visible = "guard::may_unmask_any")]
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

/// One recorded death or household registration (`fact`: `deceased_on`, `hukou_region`;
/// `value` null: cleared).
#[derive(SimpleObject)]
pub struct FactEntry {
    pub id: ID,
    pub fact: String,
    pub value: Option<String>,
    pub evidence: String,
    pub corrects: Option<ID>,
    pub recorded_by: ID,
    pub recorded_at: DateTime<Utc>,
}

/// Clear values released by a logged read. A field shows only to roles that may unmask it.
#[derive(SimpleObject)]
#[graphql(visible = "guard::may_unmask_any")]
pub struct RevealedMember {
    #[graphql(
        guard = "Field(SensitiveField::IdNumber, FieldAccess::Unmaskable)",
        visible = "guard::may_unmask_id_number"
    )]
    pub id_number: Option<String>,
    #[graphql(
        guard = "Field(SensitiveField::Phone, FieldAccess::Unmaskable)",
        visible = "guard::may_unmask_phone"
    )]
    pub phone: Option<String>,
    #[graphql(
        guard = "Field(SensitiveField::Address, FieldAccess::Unmaskable)",
        visible = "guard::may_unmask_address"
    )]
    pub address: Option<String>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "nuanxin_domain::registry::eligibility::Rule")]
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

impl EligibilityDecision {
    /// The decision with its reasons written in `locale`.
    pub fn new(d: Decision, locale: Locale) -> Self {
        Self {
            eligible: d.eligible,
            rule_set_version: d.rule_set_version.to_owned(),
            reasons: d
                .outcomes
                .into_iter()
                .map(|o| EligibilityReason {
                    rule: o.rule.into(),
                    satisfied: o.satisfied,
                    explanation: o.explanation.render(locale),
                })
                .collect(),
        }
    }
}
