//! The access policy: one default-deny declaration of who may reach which rows, read which
//! sensitive fields (and whether masked), run which operations and make which status
//! transitions.
//!
//! It is used four times: the store turns [`Grant::rows`] into a SQL condition ANDed into
//! every query; the GraphQL layer guards fields and mutations with [`allows`] and
//! [`field_access`] and hides from introspection what a caller cannot use; the docs
//! (`docs/permissions.md`) are rendered from it by [`render_markdown`]; and the tests walk
//! it as a matrix. Partners, family members and volunteers will be new rows here, not new
//! mechanisms.

use crate::family::FamilyStatus;

/// Staff roles (工作人员角色).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum StaffRole {
    /// 市级管理员
    CityAdmin,
    /// 县级管理员
    CountyAdmin,
    /// 乡镇(街道)工作人员
    TownshipWorker,
    /// 村(居)工作人员
    VillageWorker,
    /// 审计员: reads everything in their region masked, reads the access log, changes nothing.
    Auditor,
}

impl StaffRole {
    pub const ALL: [StaffRole; 5] = [
        StaffRole::CityAdmin,
        StaffRole::CountyAdmin,
        StaffRole::TownshipWorker,
        StaffRole::VillageWorker,
        StaffRole::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::CityAdmin => "city_admin",
            StaffRole::CountyAdmin => "county_admin",
            StaffRole::TownshipWorker => "township_worker",
            StaffRole::VillageWorker => "village_worker",
            StaffRole::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The region level a member of this role is homed at. Auditors may sit at any level.
    pub fn home_level(self) -> Option<crate::region::RegionLevel> {
        use crate::region::RegionLevel;
        match self {
            StaffRole::CityAdmin => Some(RegionLevel::City),
            StaffRole::CountyAdmin => Some(RegionLevel::County),
            StaffRole::TownshipWorker => Some(RegionLevel::Township),
            StaffRole::VillageWorker => Some(RegionLevel::Village),
            StaffRole::Auditor => None,
        }
    }
}

/// Everyone who can call the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Audience {
    /// No valid token: may only log in.
    Anonymous,
    Staff(StaffRole),
}

impl Audience {
    pub fn name(self) -> &'static str {
        match self {
            Audience::Anonymous => "anonymous",
            Audience::Staff(r) => r.as_str(),
        }
    }

    /// Every audience, in the order the docs list them.
    pub fn all() -> Vec<Audience> {
        let mut v = vec![Audience::Anonymous];
        v.extend(StaffRole::ALL.into_iter().map(Audience::Staff));
        v
    }
}

/// What the API lets a caller do. Queries and mutations both appear, so one table answers
/// "may this audience run this?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Login,
    ReadRegions,
    ReadFamilies,
    /// Exact-match lookup by ID number; always written to the access log.
    LookupMemberByIdNumber,
    RegisterFamily,
    UpdateMember,
    ChangeFamilyStatus,
    EvaluateEligibility,
    ReadAccessLog,
    /// Move a family to another village or township (within the city).
    MoveFamily,
    ReadStandards,
    ManageStandards,
    /// Whether a member is entitled in a month, without amounts.
    ReadEntitlementStatus,
    /// Entitlements with kinds, amounts and their explanations.
    ReadEntitlementAmounts,
    SetBankAccount,
    ReadRosters,
    GenerateRoster,
    SubmitRoster,
    ApproveRoster,
    MarkRosterPaid,
    ReconcileRoster,
}

impl Operation {
    pub const ALL: [Operation; 21] = [
        Operation::Login,
        Operation::ReadRegions,
        Operation::ReadFamilies,
        Operation::LookupMemberByIdNumber,
        Operation::RegisterFamily,
        Operation::UpdateMember,
        Operation::ChangeFamilyStatus,
        Operation::EvaluateEligibility,
        Operation::ReadAccessLog,
        Operation::MoveFamily,
        Operation::ReadStandards,
        Operation::ManageStandards,
        Operation::ReadEntitlementStatus,
        Operation::ReadEntitlementAmounts,
        Operation::SetBankAccount,
        Operation::ReadRosters,
        Operation::GenerateRoster,
        Operation::SubmitRoster,
        Operation::ApproveRoster,
        Operation::MarkRosterPaid,
        Operation::ReconcileRoster,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Login => "login / refreshToken / logout",
            Operation::ReadRegions => "regions",
            Operation::ReadFamilies => "families / family / member",
            Operation::LookupMemberByIdNumber => "memberByIdNumber",
            Operation::RegisterFamily => "registerFamily",
            Operation::UpdateMember => "updateMember",
            Operation::ChangeFamilyStatus => "changeFamilyStatus",
            Operation::EvaluateEligibility => "evaluateEligibility",
            Operation::ReadAccessLog => "accessLog",
            Operation::MoveFamily => "moveFamily",
            Operation::ReadStandards => "allowanceStandards",
            Operation::ManageStandards => "addAllowanceStandard",
            Operation::ReadEntitlementStatus => "entitlement (status only)",
            Operation::ReadEntitlementAmounts => "entitlement (amounts and explanation)",
            Operation::SetBankAccount => "setBankAccount",
            Operation::ReadRosters => "rosters / roster / exports",
            Operation::GenerateRoster => "generateRoster / startRosterGeneration",
            Operation::SubmitRoster => "submitRoster",
            Operation::ApproveRoster => "approveRoster",
            Operation::MarkRosterPaid => "markRosterPaid",
            Operation::ReconcileRoster => "reconcileRoster",
        }
    }
}

/// Sensitive personal information on a member (敏感个人信息).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SensitiveField {
    IdNumber,
    Phone,
    Address,
    /// The account the allowance is paid into (social-security card or bank account).
    BankAccount,
}

impl SensitiveField {
    pub const ALL: [SensitiveField; 4] = [
        SensitiveField::IdNumber,
        SensitiveField::Phone,
        SensitiveField::Address,
        SensitiveField::BankAccount,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SensitiveField::IdNumber => "idNumber",
            SensitiveField::Phone => "phone",
            SensitiveField::Address => "address",
            SensitiveField::BankAccount => "bankAccount",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// How an audience may read a sensitive field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldAccess {
    /// Not at all: the field is absent from this audience's schema.
    Hidden,
    /// Only masked.
    Masked,
    /// Masked by default; the clear value with a stated purpose, and each read is logged.
    Unmaskable,
}

/// Which rows of the registry an audience reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowScope {
    /// No rows at all (fail closed).
    Nothing,
    /// Families whose region lies within the caller's home region.
    HomeRegionSubtree,
}

/// Which status transitions an audience may make (legality is the lifecycle's business;
/// this says who may).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transitions {
    None,
    AnyLegal,
    Only(&'static [(FamilyStatus, FamilyStatus)]),
}

/// Everything one audience is granted.
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    pub rows: RowScope,
    pub operations: &'static [Operation],
    pub fields: &'static [(SensitiveField, FieldAccess)],
    pub transitions: Transitions,
}

use FieldAccess::{Masked, Unmaskable};
use Operation as Op;
use SensitiveField::{Address, BankAccount, IdNumber, Phone};

const NOTHING: Grant = Grant {
    rows: RowScope::Nothing,
    operations: &[],
    fields: &[],
    transitions: Transitions::None,
};

/// The declaration. Anything not written here is denied.
pub fn grant(audience: Audience) -> Grant {
    match audience {
        Audience::Anonymous => Grant {
            operations: &[Op::Login],
            ..NOTHING
        },
        // The city approves and pays what the counties generate and submit (maker-checker).
        Audience::Staff(StaffRole::CityAdmin) => Grant {
            rows: RowScope::HomeRegionSubtree,
            operations: &[
                Op::Login,
                Op::ReadRegions,
                Op::ReadFamilies,
                Op::LookupMemberByIdNumber,
                Op::RegisterFamily,
                Op::UpdateMember,
                Op::ChangeFamilyStatus,
                Op::EvaluateEligibility,
                Op::MoveFamily,
                Op::ReadStandards,
                Op::ManageStandards,
                Op::ReadEntitlementStatus,
                Op::ReadEntitlementAmounts,
                Op::SetBankAccount,
                Op::ReadRosters,
                Op::ApproveRoster,
                Op::MarkRosterPaid,
                Op::ReconcileRoster,
            ],
            fields: &[
                (IdNumber, Unmaskable),
                (Phone, Unmaskable),
                (Address, Unmaskable),
                (BankAccount, Unmaskable),
            ],
            transitions: Transitions::AnyLegal,
        },
        Audience::Staff(StaffRole::CountyAdmin) => Grant {
            rows: RowScope::HomeRegionSubtree,
            operations: &[
                Op::Login,
                Op::ReadRegions,
                Op::ReadFamilies,
                Op::LookupMemberByIdNumber,
                Op::RegisterFamily,
                Op::UpdateMember,
                Op::ChangeFamilyStatus,
                Op::EvaluateEligibility,
                Op::MoveFamily,
                Op::ReadStandards,
                Op::ReadEntitlementStatus,
                Op::ReadEntitlementAmounts,
                Op::SetBankAccount,
                Op::ReadRosters,
                Op::GenerateRoster,
                Op::SubmitRoster,
            ],
            fields: &[
                (IdNumber, Unmaskable),
                (Phone, Unmaskable),
                (Address, Unmaskable),
                (BankAccount, Unmaskable),
            ],
            transitions: Transitions::AnyLegal,
        },
        Audience::Staff(StaffRole::TownshipWorker) => Grant {
            rows: RowScope::HomeRegionSubtree,
            operations: &[
                Op::Login,
                Op::ReadRegions,
                Op::ReadFamilies,
                Op::LookupMemberByIdNumber,
                Op::RegisterFamily,
                Op::UpdateMember,
                Op::ChangeFamilyStatus,
                Op::EvaluateEligibility,
                Op::ReadStandards,
                Op::ReadEntitlementStatus,
                Op::ReadEntitlementAmounts,
                Op::SetBankAccount,
            ],
            fields: &[
                (IdNumber, Unmaskable),
                (Phone, Unmaskable),
                (Address, Unmaskable),
                (BankAccount, Masked),
            ],
            // Townships pause and resume; verification and closing are the county's act.
            transitions: Transitions::Only(&[
                (FamilyStatus::Active, FamilyStatus::Suspended),
                (FamilyStatus::Suspended, FamilyStatus::Active),
            ]),
        },
        Audience::Staff(StaffRole::VillageWorker) => Grant {
            rows: RowScope::HomeRegionSubtree,
            operations: &[
                Op::Login,
                Op::ReadRegions,
                Op::ReadFamilies,
                Op::UpdateMember,
                Op::ReadStandards,
                Op::ReadEntitlementStatus,
            ],
            // A village worker visits and phones; the ID number stays masked for them, and
            // they see whether their members are paid, not how much anyone gets.
            fields: &[
                (IdNumber, Masked),
                (Phone, Unmaskable),
                (Address, Unmaskable),
            ],
            transitions: Transitions::None,
        },
        Audience::Staff(StaffRole::Auditor) => Grant {
            rows: RowScope::HomeRegionSubtree,
            operations: &[
                Op::Login,
                Op::ReadRegions,
                Op::ReadFamilies,
                Op::ReadAccessLog,
                Op::ReadStandards,
                Op::ReadEntitlementStatus,
                Op::ReadEntitlementAmounts,
                Op::ReadRosters,
            ],
            fields: &[
                (IdNumber, Masked),
                (Phone, Masked),
                (Address, Masked),
                (BankAccount, Masked),
            ],
            transitions: Transitions::None,
        },
    }
}

pub fn allows(audience: Audience, op: Operation) -> bool {
    grant(audience).operations.contains(&op)
}

pub fn field_access(audience: Audience, field: SensitiveField) -> FieldAccess {
    grant(audience)
        .fields
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(FieldAccess::Hidden, |(_, a)| *a)
}

/// True when the audience may unmask at least one field (the schema shows `revealed` then).
pub fn may_unmask_any(audience: Audience) -> bool {
    SensitiveField::ALL
        .into_iter()
        .any(|f| field_access(audience, f) == FieldAccess::Unmaskable)
}

pub fn may_transition(audience: Audience, from: FamilyStatus, to: FamilyStatus) -> bool {
    match grant(audience).transitions {
        Transitions::None => false,
        Transitions::AnyLegal => true,
        Transitions::Only(pairs) => pairs.contains(&(from, to)),
    }
}

/// The permission matrix as Markdown; `docs/permissions.md` is this text, checked by a test.
pub fn render_markdown() -> String {
    let audiences = Audience::all();
    let mut out = String::new();
    out.push_str("# Permission matrix\n\n");
    out.push_str("Generated from `nuanxin_domain::policy` by `nuanxin policy`; a test fails when it drifts.\n");
    out.push_str("Default deny: anything not marked here is refused. Rows outside a caller's slice answer NOT_FOUND.\n\n");
    let header = |out: &mut String, first: &str| {
        out.push_str(&format!("| {first} |"));
        for a in &audiences {
            out.push_str(&format!(" {} |", a.name()));
        }
        out.push('\n');
        out.push_str("|---|");
        for _ in &audiences {
            out.push_str("---|");
        }
        out.push('\n');
    };

    out.push_str("## Rows\n\n");
    header(&mut out, "scope");
    out.push_str("| families and members |");
    for a in &audiences {
        let cell = match grant(*a).rows {
            RowScope::Nothing => "none",
            RowScope::HomeRegionSubtree => "home region and below",
        };
        out.push_str(&format!(" {cell} |"));
    }
    out.push_str("\n\n## Operations\n\n");
    header(&mut out, "operation");
    for op in Operation::ALL {
        out.push_str(&format!("| `{}` |", op.as_str()));
        for a in &audiences {
            out.push_str(if allows(*a, op) { " yes |" } else { " — |" });
        }
        out.push('\n');
    }
    out.push_str("\n## Sensitive fields\n\n");
    out.push_str("`masked`: only masked; `unmask`: masked by default, clear with a stated purpose, each read logged.\n\n");
    header(&mut out, "field");
    for f in SensitiveField::ALL {
        out.push_str(&format!("| `{}` |", f.as_str()));
        for a in &audiences {
            let cell = match field_access(*a, f) {
                FieldAccess::Hidden => "—",
                FieldAccess::Masked => "masked",
                FieldAccess::Unmaskable => "unmask",
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out.push_str("\n## Family status transitions\n\n");
    header(&mut out, "transition");
    for from in FamilyStatus::ALL {
        for to in from.next_allowed() {
            out.push_str(&format!("| {} → {} |", from.as_str(), to.as_str()));
            for a in &audiences {
                out.push_str(if may_transition(*a, from, *to) {
                    " yes |"
                } else {
                    " — |"
                });
            }
            out.push('\n');
        }
    }
    out.push_str("\nThe access log is append-only; only auditors read it. Rosters are reached like families:\n");
    out.push_str("a roster's county must lie within the caller's home region. The approver of a roster must not be\n");
    out.push_str("its submitter (maker-checker), and a line of a submitted, approved or paid roster is never edited.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_may_only_log_in() {
        for op in Operation::ALL {
            assert_eq!(allows(Audience::Anonymous, op), op == Op::Login, "{op:?}");
        }
        assert_eq!(grant(Audience::Anonymous).rows, RowScope::Nothing);
        for f in SensitiveField::ALL {
            assert_eq!(field_access(Audience::Anonymous, f), FieldAccess::Hidden);
        }
    }

    #[test]
    fn auditor_reads_masked_and_changes_nothing() {
        let a = Audience::Staff(StaffRole::Auditor);
        for op in [
            Op::RegisterFamily,
            Op::UpdateMember,
            Op::ChangeFamilyStatus,
            Op::EvaluateEligibility,
        ] {
            assert!(!allows(a, op));
        }
        assert!(allows(a, Op::ReadAccessLog));
        assert!(!may_unmask_any(a));
    }

    #[test]
    fn only_auditors_read_the_access_log() {
        for a in Audience::all() {
            assert_eq!(
                allows(a, Op::ReadAccessLog),
                a == Audience::Staff(StaffRole::Auditor)
            );
        }
    }

    #[test]
    fn village_worker_cannot_unmask_id_numbers() {
        let a = Audience::Staff(StaffRole::VillageWorker);
        assert_eq!(field_access(a, IdNumber), FieldAccess::Masked);
        assert_eq!(field_access(a, Phone), FieldAccess::Unmaskable);
    }

    #[test]
    fn township_transitions_are_limited() {
        let a = Audience::Staff(StaffRole::TownshipWorker);
        assert!(may_transition(
            a,
            FamilyStatus::Active,
            FamilyStatus::Suspended
        ));
        assert!(!may_transition(
            a,
            FamilyStatus::Registered,
            FamilyStatus::Verified
        ));
        assert!(may_transition(
            Audience::Staff(StaffRole::CountyAdmin),
            FamilyStatus::Registered,
            FamilyStatus::Verified
        ));
    }

    #[test]
    fn matrix_mentions_every_audience_and_operation() {
        let md = render_markdown();
        for a in Audience::all() {
            assert!(md.contains(a.name()));
        }
        for op in Operation::ALL {
            assert!(md.contains(op.as_str()));
        }
    }
}
