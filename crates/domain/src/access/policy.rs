//! The access policy: one default-deny declaration, per audience and per resource, of which
//! rows a caller reaches, which sensitive fields it reads (and whether masked), which
//! operations it runs and which transitions of which state machine it makes.
//!
//! It is used four times: the store turns the rows rule of a resource (resolved with the
//! caller's data by [`crate::Principal::rows`]) into a SQL condition ANDed into every query;
//! the GraphQL layer guards fields and mutations with [`Grant::allows`] and
//! [`Grant::field_access`] and hides from each audience's introspection what it cannot use;
//! the docs (`docs/permissions.md`, `deploy/contracts/`) are rendered from it; and the tests
//! walk it as a matrix. Partners, family members and volunteers are rows here, not new
//! mechanisms: rules that depend on data (contracts, service links, pairings) are declared
//! here and filled in from the database when the caller is authenticated.

use nuanxin_locale::Message;

use crate::care::emergency::CallLevel;
use crate::care::workflow::Workflow;
use crate::registry::family::FamilyStatus;
use crate::rosters::RosterStatus;

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
    /// 心理咨询师: holds counselling sessions and reads the notes they wrote.
    Counsellor,
    /// 心理督导: supervises counsellors and reads every session's notes in their region.
    CounsellingSupervisor,
}

impl StaffRole {
    pub const ALL: [StaffRole; 7] = [
        StaffRole::CityAdmin,
        StaffRole::CountyAdmin,
        StaffRole::TownshipWorker,
        StaffRole::VillageWorker,
        StaffRole::Auditor,
        StaffRole::Counsellor,
        StaffRole::CounsellingSupervisor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::CityAdmin => "city_admin",
            StaffRole::CountyAdmin => "county_admin",
            StaffRole::TownshipWorker => "township_worker",
            StaffRole::VillageWorker => "village_worker",
            StaffRole::Auditor => "auditor",
            StaffRole::Counsellor => "counsellor",
            StaffRole::CounsellingSupervisor => "counselling_supervisor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The region level a member of this role is homed at. Auditors may sit at any level.
    pub fn home_level(self) -> Option<crate::RegionLevel> {
        use crate::RegionLevel;
        match self {
            StaffRole::CityAdmin => Some(RegionLevel::City),
            StaffRole::CountyAdmin => Some(RegionLevel::County),
            StaffRole::TownshipWorker => Some(RegionLevel::Township),
            StaffRole::VillageWorker => Some(RegionLevel::Village),
            StaffRole::Auditor | StaffRole::Counsellor | StaffRole::CounsellingSupervisor => None,
        }
    }
}

/// Kinds of partner organisation (合作单位).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum PartnerKind {
    /// 保险公司
    Insurer,
    /// 医院 (green channel, 绿色通道)
    Hospital,
    /// 民政部门
    CivilAffairs,
    /// 司法部门 (legal aid)
    Justice,
    /// 教育部门
    Education,
    /// 人力资源和社会保障部门
    HumanResources,
    /// 住房和城乡建设部门
    Housing,
    Other,
}

impl PartnerKind {
    pub const ALL: [PartnerKind; 8] = [
        PartnerKind::Insurer,
        PartnerKind::Hospital,
        PartnerKind::CivilAffairs,
        PartnerKind::Justice,
        PartnerKind::Education,
        PartnerKind::HumanResources,
        PartnerKind::Housing,
        PartnerKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartnerKind::Insurer => "insurer",
            PartnerKind::Hospital => "hospital",
            PartnerKind::CivilAffairs => "civil_affairs",
            PartnerKind::Justice => "justice",
            PartnerKind::Education => "education",
            PartnerKind::HumanResources => "human_resources",
            PartnerKind::Housing => "housing",
            PartnerKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Everyone who can call the API, plus the system itself (command line, seeding, jobs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// No valid token: may only log in.
    Anonymous,
    Staff(StaffRole),
    Partner(PartnerKind),
    /// A parent (or other member) of a family, through the WeChat mini-program.
    FamilyMember,
    /// A volunteer paired with families, through the WeChat mini-program.
    Volunteer,
    /// The command line, seeding and background jobs; never a network caller.
    System,
}

impl Audience {
    /// The audience as a clerk says it (县(市、区)级管理员, 保险公司 …).
    pub fn word(self) -> Message {
        Message::term("audience", self.name())
    }

    /// The audience's name in docs, logs and contract file names.
    pub fn name(self) -> &'static str {
        match self {
            Audience::Anonymous => "anonymous",
            Audience::Staff(r) => r.as_str(),
            Audience::Partner(k) => match k {
                PartnerKind::Insurer => "partner_insurer",
                PartnerKind::Hospital => "partner_hospital",
                PartnerKind::CivilAffairs => "partner_civil_affairs",
                PartnerKind::Justice => "partner_justice",
                PartnerKind::Education => "partner_education",
                PartnerKind::HumanResources => "partner_human_resources",
                PartnerKind::Housing => "partner_housing",
                PartnerKind::Other => "partner_other",
            },
            Audience::FamilyMember => "family_member",
            Audience::Volunteer => "volunteer",
            Audience::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::all().into_iter().find(|a| a.name() == s)
    }

    /// Every audience, in the order the docs list them.
    pub fn all() -> Vec<Audience> {
        let mut v = Self::network();
        v.push(Audience::System);
        v
    }

    /// The audiences that reach the API over the network (each has a contract file).
    pub fn network() -> Vec<Audience> {
        let mut v = vec![Audience::Anonymous];
        v.extend(StaffRole::ALL.into_iter().map(Audience::Staff));
        v.extend(PartnerKind::ALL.into_iter().map(Audience::Partner));
        v.push(Audience::FamilyMember);
        v.push(Audience::Volunteer);
        v
    }

    /// The declaration for this audience.
    pub fn grant(self) -> &'static Grant {
        grant(self)
    }
}

/// The kinds of record the policy speaks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// The administrative region tree (reference data, reached for context).
    Region,
    /// A family file.
    Family,
    /// A person on file.
    Member,
    /// One read of sensitive personal information.
    AccessLogEntry,
    /// A county's payment roster, with its lines and exports.
    Roster,
    /// A background job (roster generation).
    Job,
    /// An allowance standard (reference data).
    AllowanceStandard,
    /// The service catalogue and its responsible units (reference data).
    CareCatalogue,
    /// A care record that is not health data (services, visits, the emergency-aid contact,
    /// home-service orders, guardianship), with its attachments.
    CareRecord,
    /// Health data: check-ups, chronic-disease records and follow-ups, green-channel visits,
    /// disability assessments.
    HealthRecord,
    /// A case (emergency aid, a referral) with its steps.
    Case,
    /// A pairing (结对帮扶) and the duty it makes.
    Pairing,
    /// A holiday campaign (定期慰问), reached by its region.
    Campaign,
    /// That a counselling session took place (who, whom, when).
    CounsellingSession,
    /// A counselling session's notes.
    CounsellingNote,
    /// Care sites (莲花暖心家园), volunteer teams, volunteers and activities.
    CareSite,
    /// A partner organisation with its contracts and apps (never their secrets).
    Organisation,
    /// An emergency call (紧急呼叫) with its steps, reached by the family's region.
    EmergencyCall,
}

impl Resource {
    /// The kind of record, in the office's words (家庭档案, 发放花名册 …).
    pub fn word(self) -> Message {
        Message::term("resource", &format!("{self:?}"))
    }

    pub const ALL: [Resource; 18] = [
        Resource::Region,
        Resource::Family,
        Resource::Member,
        Resource::AccessLogEntry,
        Resource::Roster,
        Resource::Job,
        Resource::AllowanceStandard,
        Resource::CareCatalogue,
        Resource::CareRecord,
        Resource::HealthRecord,
        Resource::Case,
        Resource::Pairing,
        Resource::Campaign,
        Resource::CounsellingSession,
        Resource::CounsellingNote,
        Resource::CareSite,
        Resource::Organisation,
        Resource::EmergencyCall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Region => "region",
            Resource::Family => "family",
            Resource::Member => "member",
            Resource::AccessLogEntry => "access-log entry",
            Resource::Roster => "roster",
            Resource::Job => "job",
            Resource::AllowanceStandard => "allowance standard",
            Resource::CareCatalogue => "care catalogue",
            Resource::CareRecord => "care record",
            Resource::HealthRecord => "health record",
            Resource::Case => "case",
            Resource::Pairing => "pairing",
            Resource::Campaign => "campaign",
            Resource::CounsellingSession => "counselling session",
            Resource::CounsellingNote => "counselling notes",
            Resource::CareSite => "care site",
            Resource::Organisation => "partner organisation",
            Resource::EmergencyCall => "emergency call",
        }
    }
}

/// Which rows of a resource an audience reaches. Rules that name data (contracted regions,
/// pairings, service links) are filled in from the database when the caller authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rows {
    /// No rows at all (fail closed).
    Nothing,
    /// Every row (the system; reference data).
    Everything,
    /// Rows whose region lies within the caller's home region (for regions: also the home
    /// region's ancestors, for context; for rosters: the roster's county).
    HomeRegionSubtree,
    /// Rows within any of the regions the caller's organisation is contracted for.
    ContractedRegions,
    /// The caller's own family.
    OwnFamily,
    /// The families the caller (a volunteer) is actively paired with.
    PairedFamilies,
    /// Families linked to the caller's organisation by an active service link.
    LinkedFamilies,
    /// Access-log entries about persons the caller reaches as members; entries about no one
    /// (a lookup that found nobody) only for a caller whose members rule reaches everyone in
    /// the city.
    AboutReachableMembers,
    /// Rows the caller started (jobs) or wrote (counselling notes).
    StartedByCaller,
    /// Cases assigned to a unit that the caller's organisation answers for (referrals).
    AssignedToCallersUnits,
    /// Members holding an active green-channel card 绿色通道卡, and the records about them: a
    /// hospital's members are the card holders, not their whole families.
    CardHolders,
}

impl Rows {
    pub fn describe(self) -> &'static str {
        match self {
            Rows::Nothing => "none",
            Rows::Everything => "all",
            Rows::HomeRegionSubtree => "home region and below",
            Rows::ContractedRegions => "contracted regions",
            Rows::OwnFamily => "own family",
            Rows::PairedFamilies => "paired families",
            Rows::LinkedFamilies => "families with a service link",
            Rows::AboutReachableMembers => "about reachable members",
            Rows::StartedByCaller => "started or written by the caller",
            Rows::AssignedToCallersUnits => "assigned to the caller's units",
            Rows::CardHolders => "green-channel card holders",
        }
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
    /// The monthly report upward (定期报告) for a county or the city.
    ReadReports,
    GenerateRoster,
    SubmitRoster,
    ApproveRoster,
    MarkRosterPaid,
    ReconcileRoster,
    /// Sign out the access token the request carries.
    Logout,
    /// Confirm accounts changed after a roster was submitted (before its bank file).
    ConfirmRosterAccounts,
    /// Record (or correct) a payment-driving fact: a death, a household registration.
    RecordPaymentFacts,
    /// The service catalogue and its units.
    ReadCatalogue,
    /// Add services and units to the catalogue.
    ManageCatalogue,
    /// Care records, cases, pairings, campaigns, sites and a family's timeline.
    ReadCare,
    /// Write care records (and upload their attachments).
    RecordCare,
    /// Health records: check-ups, chronic diseases, follow-ups, disability assessments.
    ReadHealth,
    RecordHealth,
    /// Open a case (emergency aid, a referral); its steps are the policy's transitions.
    OpenCase,
    /// Move a case along its workflow (each step also needs its transition).
    MoveCase,
    /// Pair a family (五定一包) and end a pairing.
    ManagePairings,
    /// Declare holiday campaigns.
    ManageCampaigns,
    /// Care sites, volunteer teams, volunteers, activities.
    ManageVolunteers,
    /// Ask for a visit, emergency aid or a contact change (家庭诉求), and read one's own.
    SubmitRequests,
    /// Read and answer families' requests (a contact change is applied on acceptance).
    AnswerRequests,
    /// A family member's own family's pairings: who visits them, and when next.
    ReadOwnVisits,
    /// Press the emergency button (紧急呼叫) for one's own family (a family member, or the
    /// system for a registered device that proved its credential).
    RaiseEmergencyCall,
    /// Receive emergency calls as they happen (the subscription) and read them with their
    /// steps: workers for the families in their rows, the paired volunteer, the family.
    ReceiveEmergencyCalls,
    /// Acknowledge (接听) and close an emergency call of a family in one's rows.
    AnswerEmergencyCalls,
    /// Issue a registered emergency-call device its credential (shown once).
    ManageEmergencyDevices,
    /// A family member accepts WeChat subscription messages (订阅消息) of some kinds; each
    /// acceptance lets one message through.
    AcceptNotices,
    /// The delivery log of the messages sent to a family in one's rows.
    ReadNotices,
    /// A family member's own family's consents: see them and withdraw one.
    ManageOwnConsents,
    /// A family member's own payment history (my allowance), from approved rosters.
    ReadOwnPayments,
    /// Issue WeChat binding codes (绑定码) for family members and volunteers, see and end
    /// their bindings.
    ManageWechatBindings,
    /// Hold (record) a counselling session.
    RecordCounselling,
    /// Overdue pairings, follow-ups and contacts; campaign coverage.
    ReadAccountability,
    /// Partner organisations and their apps: create, rotate secrets, disable.
    ManagePartners,
    /// Record a family's consent (or its withdrawal) to share with a kind of partner.
    RecordConsent,
    /// Issue (or revoke) a member's green-channel card.
    IssueGreenChannelCard,
    /// A hospital's check at the registration window: eligible or not, card number, surname.
    VerifyGreenChannel,
    /// A hospital's records for card holders: green-channel visits and chronic-disease
    /// follow-ups, nothing else.
    RecordGreenChannel,
    /// A unit's queue: the referrals assigned to it.
    ReadAssignedReferrals,
    /// The insurer's enrolment list of a policy year (ID numbers in the clear, each logged).
    ReadEnrolment,
    /// The insurer files (or corrects) its policies; reads its policies and claims.
    UpsertPolicies,
    /// Staff file a family's claim on its policy.
    RecordClaim,
    /// The insurer decides a claim (each step also needs its transition).
    DecideClaim,
}

impl Operation {
    /// What the operation does, in the office's words (审批花名册 …).
    pub fn word(self) -> Message {
        Message::term("operation", &format!("{self:?}"))
    }

    pub const ALL: [Operation; 60] = [
        Operation::Login,
        Operation::Logout,
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
        Operation::ReadReports,
        Operation::GenerateRoster,
        Operation::SubmitRoster,
        Operation::ApproveRoster,
        Operation::MarkRosterPaid,
        Operation::ReconcileRoster,
        Operation::ConfirmRosterAccounts,
        Operation::RecordPaymentFacts,
        Operation::ReadCatalogue,
        Operation::ManageCatalogue,
        Operation::ReadCare,
        Operation::RecordCare,
        Operation::ReadHealth,
        Operation::RecordHealth,
        Operation::OpenCase,
        Operation::MoveCase,
        Operation::ManagePairings,
        Operation::ManageCampaigns,
        Operation::ManageVolunteers,
        Operation::ManageWechatBindings,
        Operation::ReadOwnPayments,
        Operation::ManageOwnConsents,
        Operation::ReadOwnVisits,
        Operation::RaiseEmergencyCall,
        Operation::ReceiveEmergencyCalls,
        Operation::AnswerEmergencyCalls,
        Operation::ManageEmergencyDevices,
        Operation::AcceptNotices,
        Operation::ReadNotices,
        Operation::SubmitRequests,
        Operation::AnswerRequests,
        Operation::RecordCounselling,
        Operation::ReadAccountability,
        Operation::ManagePartners,
        Operation::RecordConsent,
        Operation::IssueGreenChannelCard,
        Operation::VerifyGreenChannel,
        Operation::RecordGreenChannel,
        Operation::ReadAssignedReferrals,
        Operation::ReadEnrolment,
        Operation::UpsertPolicies,
        Operation::RecordClaim,
        Operation::DecideClaim,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Login => "login / refreshToken / logout(refreshToken)",
            Operation::Logout => "logout (the access token itself)",
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
            Operation::ReadRosters => "rosters / roster / rosterJob / exports",
            Operation::ReadReports => "monthlyReport / report exports",
            Operation::GenerateRoster => "generateRoster / startRosterGeneration",
            Operation::SubmitRoster => "submitRoster",
            Operation::ApproveRoster => "approveRoster",
            Operation::MarkRosterPaid => "markRosterPaid",
            Operation::ReconcileRoster => "reconcileRoster",
            Operation::ConfirmRosterAccounts => "confirmRosterAccounts",
            Operation::RecordPaymentFacts => "updateMember (death date, household registration)",
            Operation::ReadCatalogue => "careServices / careUnits",
            Operation::ManageCatalogue => "addCareService / addCareUnit",
            Operation::ReadCare => "careRecords / cases / pairings / campaigns / familyTimeline",
            Operation::RecordCare => "recordCare / attachments",
            Operation::ReadHealth => "health records (check-ups, chronic diseases, follow-ups)",
            Operation::RecordHealth => "recordCare (health kinds) / addChronicCondition",
            Operation::OpenCase => "openCase",
            Operation::MoveCase => "moveCase",
            Operation::ManagePairings => "pairFamily / endPairing",
            Operation::ManageCampaigns => "createCampaign",
            Operation::ManageVolunteers => "careSites / volunteers / activities",
            Operation::ManageWechatBindings => "issueBindingCode / wechatBindings / unbindWechat",
            Operation::ReadOwnPayments => "myPayments",
            Operation::ManageOwnConsents => "myConsents / withdrawMyConsent",
            Operation::ReadOwnVisits => "myVisits",
            Operation::RaiseEmergencyCall => "raiseEmergencyCall / POST /emergency/device-calls",
            Operation::ReceiveEmergencyCalls => {
                "emergencyCalls (subscription) / emergencyCalls / emergencyCall"
            }
            Operation::AnswerEmergencyCalls => "acknowledgeEmergencyCall / closeEmergencyCall",
            Operation::ManageEmergencyDevices => "issueDeviceCredential",
            Operation::AcceptNotices => "acceptNotices",
            Operation::ReadNotices => "notices",
            Operation::SubmitRequests => "submitRequest / myRequests",
            Operation::AnswerRequests => "familyRequests / answerRequest",
            Operation::RecordCounselling => "recordCounselling",
            Operation::ReadAccountability => "accountability",
            Operation::RecordConsent => "recordConsent / consents",
            Operation::IssueGreenChannelCard => "issueGreenChannelCard / revokeGreenChannelCard",
            Operation::VerifyGreenChannel => "verifyGreenChannel",
            Operation::RecordGreenChannel => "recordCare (green-channel visits, follow-ups)",
            Operation::ReadAssignedReferrals => "assignedReferrals",
            Operation::ReadEnrolment => "enrolment",
            Operation::UpsertPolicies => "upsertPolicies / insurancePolicies",
            Operation::RecordClaim => "recordClaim",
            Operation::DecideClaim => "decideClaim",
            Operation::ManagePartners => {
                "organisations / createOrganisation / createPartnerApp / rotatePartnerAppSecret / disable…"
            }
        }
    }
}

/// Sensitive personal information (敏感个人信息), each on its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SensitiveField {
    IdNumber,
    Phone,
    Address,
    /// The account the allowance is paid into (social-security card or bank account).
    BankAccount,
    /// What was said in a counselling session (心理疏导记录).
    CounsellingNotes,
}

impl SensitiveField {
    /// The field as a clerk names it (身份证号, 电话 …).
    pub fn word(self) -> Message {
        Message::term("sensitive-field", self.as_str())
    }

    pub const ALL: [SensitiveField; 5] = [
        SensitiveField::IdNumber,
        SensitiveField::Phone,
        SensitiveField::Address,
        SensitiveField::BankAccount,
        SensitiveField::CounsellingNotes,
    ];

    /// The fields on a member (what `Member.revealed` may release).
    pub const OF_MEMBERS: [SensitiveField; 4] = [
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
            SensitiveField::CounsellingNotes => "notes",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The resource the field belongs to.
    pub fn resource(self) -> Resource {
        match self {
            SensitiveField::CounsellingNotes => Resource::CounsellingNote,
            _ => Resource::Member,
        }
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
    /// In the clear, each read logged: for content that has no masked form (notes).
    Clear,
}

/// The state machines whose transitions the policy assigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Machine {
    /// A family's status (家庭状态): registered → verified → active → …
    FamilyStatus,
    /// A payment roster: draft → submitted → approved → paid → reconciled.
    Roster,
    /// An emergency-aid case (紧急救助).
    EmergencyAid,
    /// A referral to a responsible unit.
    Referral,
    /// An insurance claim: submitted → paid | rejected.
    Claim,
}

impl Machine {
    pub const ALL: [Machine; 5] = [
        Machine::FamilyStatus,
        Machine::Roster,
        Machine::EmergencyAid,
        Machine::Referral,
        Machine::Claim,
    ];

    /// The machine a case workflow runs on.
    pub fn of_workflow(w: Workflow) -> Self {
        match w {
            Workflow::EmergencyAid => Machine::EmergencyAid,
            Workflow::Referral => Machine::Referral,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Machine::FamilyStatus => "family status",
            Machine::Roster => "roster",
            Machine::EmergencyAid => "emergency aid",
            Machine::Referral => "referral",
            Machine::Claim => "insurance claim",
        }
    }

    /// Every legal step of the machine, as (from, to) names; which of them an audience may
    /// take is the policy's business, whether a step is legal the machine's.
    pub fn steps(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Machine::FamilyStatus => FamilyStatus::ALL
                .into_iter()
                .flat_map(|f| {
                    f.next_allowed()
                        .iter()
                        .map(move |t| (f.as_str(), t.as_str()))
                })
                .collect(),
            Machine::Roster => RosterStatus::ALL
                .into_iter()
                .flat_map(|f| {
                    f.legal_steps()
                        .iter()
                        .map(move |t| (f.as_str(), t.as_str()))
                })
                .collect(),
            Machine::EmergencyAid => Workflow::EmergencyAid.steps().to_vec(),
            Machine::Referral => Workflow::Referral.steps().to_vec(),
            Machine::Claim => crate::partners::insurance::CLAIM_STEPS.to_vec(),
        }
    }
}

/// A state of one of the policy's machines.
pub trait State: Copy {
    const MACHINE: Machine;
    fn name(self) -> &'static str;
}

impl State for FamilyStatus {
    const MACHINE: Machine = Machine::FamilyStatus;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl State for RosterStatus {
    const MACHINE: Machine = Machine::Roster;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// Which transitions of a machine an audience may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transitions {
    None,
    AnyLegal,
    Only(&'static [(&'static str, &'static str)]),
}

/// Everything one audience is granted.
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    /// The rows rule per resource; a resource not listed has no rows.
    pub rows: &'static [(Resource, Rows)],
    pub operations: &'static [Operation],
    /// How each sensitive field reads; a field not listed is hidden.
    pub fields: &'static [(SensitiveField, FieldAccess)],
    /// Per machine; a machine not listed allows no transition.
    pub transitions: &'static [(Machine, Transitions)],
    /// Whether the audience reaches minors (the third generation, under 18) and records
    /// about them at all; where it does, every read of a minor's record is logged.
    pub minors: bool,
    /// Whether the audience reaches a family only while it has consented to share with this
    /// kind of recipient for its purpose (partners: PIPL's separate consent).
    pub needs_consent: bool,
    /// Whether the audience's apps run only the operations the city registered for them
    /// (persisted operations), with no introspection: their contract file is their
    /// documentation (partners).
    pub registered_operations_only: bool,
}

/// The operations that are subscriptions (`/graphql/ws`): an audience granted none of them
/// has nothing to listen to, and its connection is refused at `connection_init` (4403).
pub const SUBSCRIPTION_OPERATIONS: &[Operation] = &[Operation::ReceiveEmergencyCalls];

impl Grant {
    pub fn allows(&self, op: Operation) -> bool {
        self.operations.contains(&op)
    }

    /// True when the audience may hold a subscription at all.
    pub fn may_subscribe(&self) -> bool {
        SUBSCRIPTION_OPERATIONS.iter().any(|op| self.allows(*op))
    }

    pub fn rows(&self, resource: Resource) -> Rows {
        self.rows
            .iter()
            .find(|(r, _)| *r == resource)
            .map_or(Rows::Nothing, |(_, rows)| *rows)
    }

    pub fn field_access(&self, field: SensitiveField) -> FieldAccess {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(FieldAccess::Hidden, |(_, a)| *a)
    }

    /// True when at least one member field may be unmasked (the schema shows `revealed`).
    pub fn may_unmask_any(&self) -> bool {
        SensitiveField::OF_MEMBERS
            .into_iter()
            .any(|f| self.field_access(f) == FieldAccess::Unmaskable)
    }

    fn transitions(&self, machine: Machine) -> Transitions {
        self.transitions
            .iter()
            .find(|(m, _)| *m == machine)
            .map_or(Transitions::None, |(_, t)| *t)
    }

    /// May this audience take the step `from → to` (legality is the machine's business)?
    pub fn may_transition<S: State>(&self, from: S, to: S) -> bool {
        self.may_step(S::MACHINE, from.name(), to.name())
    }

    pub fn may_step(&self, machine: Machine, from: &str, to: &str) -> bool {
        match self.transitions(machine) {
            Transitions::None => false,
            Transitions::AnyLegal => true,
            Transitions::Only(pairs) => pairs.contains(&(from, to)),
        }
    }
}

use FieldAccess::{Masked, Unmaskable};
use Operation as Op;
use Resource as R;
use SensitiveField::{Address, BankAccount, IdNumber, Phone};

const NOTHING: Grant = Grant {
    rows: &[],
    operations: &[],
    fields: &[],
    transitions: &[],
    minors: false,
    needs_consent: false,
    registered_operations_only: false,
};

/// Staff reach the registry and the care work of their home region.
const STAFF_ROWS: &[(Resource, Rows)] = &[
    (R::Region, Rows::HomeRegionSubtree),
    (R::Family, Rows::HomeRegionSubtree),
    (R::Member, Rows::HomeRegionSubtree),
    (R::Roster, Rows::HomeRegionSubtree),
    (R::Job, Rows::StartedByCaller),
    (R::AllowanceStandard, Rows::Everything),
    (R::CareCatalogue, Rows::Everything),
    (R::CareRecord, Rows::HomeRegionSubtree),
    (R::HealthRecord, Rows::HomeRegionSubtree),
    (R::Case, Rows::HomeRegionSubtree),
    (R::Pairing, Rows::HomeRegionSubtree),
    (R::Campaign, Rows::HomeRegionSubtree),
    (R::CounsellingSession, Rows::HomeRegionSubtree),
    (R::CareSite, Rows::HomeRegionSubtree),
    (R::EmergencyCall, Rows::HomeRegionSubtree),
];

/// A village worker visits and phones: everything of the staff rows but health data.
const VILLAGE_ROWS: &[(Resource, Rows)] = &[
    (R::Region, Rows::HomeRegionSubtree),
    (R::Family, Rows::HomeRegionSubtree),
    (R::Member, Rows::HomeRegionSubtree),
    (R::Roster, Rows::HomeRegionSubtree),
    (R::Job, Rows::StartedByCaller),
    (R::AllowanceStandard, Rows::Everything),
    (R::CareCatalogue, Rows::Everything),
    (R::CareRecord, Rows::HomeRegionSubtree),
    (R::Case, Rows::HomeRegionSubtree),
    (R::Pairing, Rows::HomeRegionSubtree),
    (R::Campaign, Rows::HomeRegionSubtree),
    (R::CounsellingSession, Rows::HomeRegionSubtree),
    (R::CareSite, Rows::HomeRegionSubtree),
    (R::EmergencyCall, Rows::HomeRegionSubtree),
];

/// What every staff member who does care work runs beside the registry.
macro_rules! care_ops {
    ($($extra:expr),* $(,)?) => {
        &[
            Op::Login,
            Op::Logout,
            Op::ReadRegions,
            Op::ReadFamilies,
            Op::ReadCatalogue,
            Op::ReadCare,
            $($extra),*
        ]
    };
}

/// Counsellors: the families of their region (to find the person), that sessions took
/// place, and the notes the audience's rule reaches.
const fn counselling(notes: Rows) -> Grant {
    Grant {
        rows: match notes {
            Rows::HomeRegionSubtree => &[
                (R::Region, Rows::HomeRegionSubtree),
                (R::Family, Rows::HomeRegionSubtree),
                (R::Member, Rows::HomeRegionSubtree),
                (R::CareCatalogue, Rows::Everything),
                (R::CareRecord, Rows::HomeRegionSubtree),
                (R::CounsellingSession, Rows::HomeRegionSubtree),
                (R::CounsellingNote, Rows::HomeRegionSubtree),
            ],
            _ => &[
                (R::Region, Rows::HomeRegionSubtree),
                (R::Family, Rows::HomeRegionSubtree),
                (R::Member, Rows::HomeRegionSubtree),
                (R::CareCatalogue, Rows::Everything),
                (R::CareRecord, Rows::HomeRegionSubtree),
                (R::CounsellingSession, Rows::HomeRegionSubtree),
                (R::CounsellingNote, Rows::StartedByCaller),
            ],
        },
        operations: care_ops![Op::RecordCounselling],
        fields: &[
            (IdNumber, Masked),
            (Phone, Unmaskable),
            (Address, Masked),
            (SensitiveField::CounsellingNotes, FieldAccess::Clear),
        ],
        transitions: &[],
        minors: true,
        needs_consent: false,
        registered_operations_only: false,
    }
}

const ALL_UNMASKABLE: &[(SensitiveField, FieldAccess)] = &[
    (IdNumber, Unmaskable),
    (Phone, Unmaskable),
    (Address, Unmaskable),
    (BankAccount, Unmaskable),
];

/// A partner sees a family's file only to recognise the person it serves: names and masked
/// ID numbers. What each kind may do beyond that is the partner issue's to declare.
const PARTNER_FIELDS: &[(SensitiveField, FieldAccess)] = &[(IdNumber, Masked)];

const fn partner(family_rows: Rows) -> Grant {
    Grant {
        rows: match family_rows {
            Rows::ContractedRegions => &[
                (R::Region, Rows::ContractedRegions),
                (R::Family, Rows::ContractedRegions),
                (R::Member, Rows::ContractedRegions),
            ],
            _ => &[
                (R::Region, Rows::ContractedRegions),
                (R::Family, Rows::LinkedFamilies),
                (R::Member, Rows::LinkedFamilies),
                (R::Case, Rows::AssignedToCallersUnits),
            ],
        },
        operations: match family_rows {
            Rows::ContractedRegions => &[
                Op::Logout,
                Op::ReadRegions,
                Op::ReadFamilies,
                Op::ReadEnrolment,
                Op::UpsertPolicies,
                Op::DecideClaim,
            ],
            _ => &[
                Op::Logout,
                Op::ReadRegions,
                Op::ReadFamilies,
                Op::ReadAssignedReferrals,
                Op::MoveCase,
            ],
        },
        fields: PARTNER_FIELDS,
        // A unit answers a referral: accepts or declines it, and completes what it accepted.
        transitions: match family_rows {
            Rows::ContractedRegions => &[(Machine::Claim, Transitions::AnyLegal)],
            _ => &[(Machine::Referral, Transitions::AnyLegal)],
        },
        minors: false,
        needs_consent: true,
        registered_operations_only: true,
    }
}

static ANONYMOUS: Grant = Grant {
    operations: &[Op::Login],
    ..NOTHING
};

/// The city's rows: the staff rows, and the partner organisations it contracts.
const CITY_ROWS: &[(Resource, Rows)] = &[
    (R::Region, Rows::HomeRegionSubtree),
    (R::Family, Rows::HomeRegionSubtree),
    (R::Member, Rows::HomeRegionSubtree),
    (R::Roster, Rows::HomeRegionSubtree),
    (R::Job, Rows::StartedByCaller),
    (R::AllowanceStandard, Rows::Everything),
    (R::CareCatalogue, Rows::Everything),
    (R::CareRecord, Rows::HomeRegionSubtree),
    (R::HealthRecord, Rows::HomeRegionSubtree),
    (R::Case, Rows::HomeRegionSubtree),
    (R::Pairing, Rows::HomeRegionSubtree),
    (R::Campaign, Rows::HomeRegionSubtree),
    (R::CounsellingSession, Rows::HomeRegionSubtree),
    (R::CareSite, Rows::HomeRegionSubtree),
    (R::Organisation, Rows::Everything),
    (R::EmergencyCall, Rows::HomeRegionSubtree),
];

// The city approves and pays what the counties generate and submit (maker-checker), and
// contracts the partner organisations.
static CITY_ADMIN: Grant = Grant {
    rows: CITY_ROWS,
    operations: care_ops![
        Op::LookupMemberByIdNumber,
        Op::RegisterFamily,
        Op::UpdateMember,
        Op::RecordPaymentFacts,
        Op::ChangeFamilyStatus,
        Op::EvaluateEligibility,
        Op::MoveFamily,
        Op::ReadStandards,
        Op::ManageStandards,
        Op::ReadEntitlementStatus,
        Op::ReadEntitlementAmounts,
        Op::SetBankAccount,
        Op::ReadRosters,
        Op::ReadReports,
        Op::ApproveRoster,
        Op::MarkRosterPaid,
        Op::ReconcileRoster,
        Op::ConfirmRosterAccounts,
        Op::ManageCatalogue,
        Op::RecordCare,
        Op::ReadHealth,
        Op::RecordHealth,
        Op::OpenCase,
        Op::MoveCase,
        Op::ManagePairings,
        Op::ManageCampaigns,
        Op::ManageVolunteers,
        Op::ManageWechatBindings,
        Op::AnswerRequests,
        Op::ReadAccountability,
        Op::ManagePartners,
        Op::RecordConsent,
        Op::IssueGreenChannelCard,
        Op::RecordClaim,
        Op::ReceiveEmergencyCalls,
        Op::AnswerEmergencyCalls,
        Op::ManageEmergencyDevices,
        Op::ReadNotices,
    ],
    fields: ALL_UNMASKABLE,
    transitions: &[
        (Machine::FamilyStatus, Transitions::AnyLegal),
        (
            Machine::Roster,
            Transitions::Only(&[
                ("submitted", "approved"),
                ("submitted", "draft"),
                ("approved", "paid"),
                ("paid", "reconciled"),
            ]),
        ),
        (Machine::EmergencyAid, Transitions::AnyLegal),
        (Machine::Referral, Transitions::AnyLegal),
    ],
    minors: true,
    needs_consent: false,
    registered_operations_only: false,
};

static COUNTY_ADMIN: Grant = Grant {
    rows: STAFF_ROWS,
    operations: care_ops![
        Op::LookupMemberByIdNumber,
        Op::RegisterFamily,
        Op::UpdateMember,
        Op::RecordPaymentFacts,
        Op::ChangeFamilyStatus,
        Op::EvaluateEligibility,
        Op::MoveFamily,
        Op::ReadStandards,
        Op::ReadEntitlementStatus,
        Op::ReadEntitlementAmounts,
        Op::SetBankAccount,
        Op::ReadRosters,
        Op::ReadReports,
        Op::GenerateRoster,
        Op::SubmitRoster,
        Op::RecordCare,
        Op::ReadHealth,
        Op::RecordHealth,
        Op::OpenCase,
        Op::MoveCase,
        Op::ManagePairings,
        Op::ManageCampaigns,
        Op::ManageVolunteers,
        Op::ManageWechatBindings,
        Op::AnswerRequests,
        Op::ReadAccountability,
        Op::RecordConsent,
        Op::IssueGreenChannelCard,
        Op::RecordClaim,
        Op::ReceiveEmergencyCalls,
        Op::AnswerEmergencyCalls,
        Op::ManageEmergencyDevices,
        Op::ReadNotices,
    ],
    // The county files accounts and sees them masked; the bank file, and with it the
    // clear account numbers, is the city's (it pays).
    fields: &[
        (IdNumber, Unmaskable),
        (Phone, Unmaskable),
        (Address, Unmaskable),
        (BankAccount, Masked),
    ],
    transitions: &[
        (Machine::FamilyStatus, Transitions::AnyLegal),
        (
            Machine::Roster,
            Transitions::Only(&[("draft", "submitted")]),
        ),
        // The county approves emergency aid that townships assessed (maker-checker).
        (Machine::EmergencyAid, Transitions::AnyLegal),
        (Machine::Referral, Transitions::AnyLegal),
    ],
    minors: true,
    needs_consent: false,
    registered_operations_only: false,
};

static TOWNSHIP_WORKER: Grant = Grant {
    rows: STAFF_ROWS,
    operations: care_ops![
        Op::LookupMemberByIdNumber,
        Op::RegisterFamily,
        Op::UpdateMember,
        Op::RecordPaymentFacts,
        Op::ChangeFamilyStatus,
        Op::EvaluateEligibility,
        Op::ReadStandards,
        Op::ReadEntitlementStatus,
        Op::ReadEntitlementAmounts,
        Op::RecordCare,
        Op::ReadHealth,
        Op::RecordHealth,
        Op::OpenCase,
        Op::MoveCase,
        Op::ManagePairings,
        Op::ManageVolunteers,
        Op::ManageWechatBindings,
        Op::AnswerRequests,
        Op::ReadAccountability,
        Op::RecordConsent,
        Op::IssueGreenChannelCard,
        Op::RecordClaim,
        Op::ReceiveEmergencyCalls,
        Op::AnswerEmergencyCalls,
        Op::ManageEmergencyDevices,
        Op::ReadNotices,
    ],
    fields: &[
        (IdNumber, Unmaskable),
        (Phone, Unmaskable),
        (Address, Unmaskable),
        (BankAccount, Masked),
    ],
    // Townships pause and resume; verification and closing are the county's act. They
    // assess, disburse and close emergency aid; approving it is the county's.
    transitions: &[
        (
            Machine::FamilyStatus,
            Transitions::Only(&[("active", "suspended"), ("suspended", "active")]),
        ),
        (
            Machine::EmergencyAid,
            Transitions::Only(&[
                ("requested", "assessed"),
                ("requested", "closed"),
                ("approved", "disbursed"),
                ("disbursed", "closed"),
                ("declined", "closed"),
            ]),
        ),
        (Machine::Referral, Transitions::AnyLegal),
    ],
    minors: true,
    needs_consent: false,
    registered_operations_only: false,
};

// A village worker visits and phones; the ID number stays masked for them, and they see
// whether their members are paid, not how much anyone gets.
// A village worker also logs visits and asks for emergency aid; health data is not theirs.
static VILLAGE_WORKER: Grant = Grant {
    rows: VILLAGE_ROWS,
    operations: care_ops![
        Op::UpdateMember,
        Op::ReadStandards,
        Op::ReadEntitlementStatus,
        Op::RecordCare,
        Op::OpenCase,
        Op::ManageWechatBindings,
        Op::AnswerRequests,
        Op::ReceiveEmergencyCalls,
        Op::AnswerEmergencyCalls,
        Op::ManageEmergencyDevices,
        Op::ReadNotices,
    ],
    fields: &[
        (IdNumber, Masked),
        (Phone, Unmaskable),
        (Address, Unmaskable),
    ],
    transitions: &[],
    minors: true,
    needs_consent: false,
    registered_operations_only: false,
};

// An auditor reads masked data and the access log of their region, and changes nothing.
static AUDITOR: Grant = Grant {
    rows: &[
        (R::Region, Rows::HomeRegionSubtree),
        (R::Family, Rows::HomeRegionSubtree),
        (R::Member, Rows::HomeRegionSubtree),
        (R::AccessLogEntry, Rows::AboutReachableMembers),
        (R::Roster, Rows::HomeRegionSubtree),
        (R::AllowanceStandard, Rows::Everything),
        (R::CareCatalogue, Rows::Everything),
        (R::CareRecord, Rows::HomeRegionSubtree),
        (R::Case, Rows::HomeRegionSubtree),
        (R::Pairing, Rows::HomeRegionSubtree),
        (R::Campaign, Rows::HomeRegionSubtree),
        (R::CounsellingSession, Rows::HomeRegionSubtree),
        (R::CareSite, Rows::HomeRegionSubtree),
    ],
    operations: care_ops![
        Op::ReadAccessLog,
        Op::ReadStandards,
        Op::ReadEntitlementStatus,
        Op::ReadEntitlementAmounts,
        Op::ReadRosters,
        Op::ReadReports,
        Op::ReadAccountability,
    ],
    fields: &[
        (IdNumber, Masked),
        (Phone, Masked),
        (Address, Masked),
        (BankAccount, Masked),
    ],
    transitions: &[],
    minors: true,
    needs_consent: false,
    registered_operations_only: false,
};

static COUNSELLOR: Grant = counselling(Rows::StartedByCaller);
static COUNSELLING_SUPERVISOR: Grant = counselling(Rows::HomeRegionSubtree);

static INSURER: Grant = partner(Rows::ContractedRegions);
static LINKED_PARTNER: Grant = partner(Rows::LinkedFamilies);

// A partner hospital: card holders whose families consent to share with hospitals (a card
// is its link); the registration window's check, green-channel visits and chronic-disease
// follow-ups, and those members' chronic-disease records. Nothing more: of a family it sees
// the card holders only (members and every record about a member).
static HOSPITAL: Grant = Grant {
    rows: &[
        (R::Region, Rows::ContractedRegions),
        (R::Family, Rows::LinkedFamilies),
        (R::Member, Rows::CardHolders),
        (R::HealthRecord, Rows::LinkedFamilies),
        (R::CareCatalogue, Rows::Everything),
    ],
    operations: &[
        Op::Logout,
        Op::ReadRegions,
        Op::ReadFamilies,
        Op::VerifyGreenChannel,
        Op::ReadHealth,
        Op::RecordGreenChannel,
    ],
    fields: PARTNER_FIELDS,
    transitions: &[],
    minors: false,
    needs_consent: true,
    registered_operations_only: true,
};

// A parent sees their own file, masked where staff see masks, and what they are owed.
static FAMILY_MEMBER: Grant = Grant {
    rows: &[
        (R::Family, Rows::OwnFamily),
        (R::Member, Rows::OwnFamily),
        (R::EmergencyCall, Rows::OwnFamily),
    ],
    operations: &[
        Op::Logout,
        Op::ReadFamilies,
        Op::ReadEntitlementStatus,
        Op::ReadEntitlementAmounts,
        Op::ReadOwnPayments,
        Op::SubmitRequests,
        Op::ManageOwnConsents,
        Op::ReadOwnVisits,
        Op::RaiseEmergencyCall,
        Op::ReceiveEmergencyCalls,
        Op::AcceptNotices,
    ],
    fields: &[
        (IdNumber, Masked),
        (Phone, Masked),
        (Address, Masked),
        (BankAccount, Masked),
    ],
    transitions: &[],
    minors: true,
    needs_consent: false,
    registered_operations_only: true,
};

// A volunteer sees the families they visit, with what a visit needs: no ID numbers, no
// minors, no health or counselling; they log their visits.
static VOLUNTEER: Grant = Grant {
    rows: &[
        (R::Family, Rows::PairedFamilies),
        (R::Member, Rows::PairedFamilies),
        (R::CareCatalogue, Rows::Everything),
        (R::CareRecord, Rows::PairedFamilies),
        (R::Pairing, Rows::PairedFamilies),
        (R::EmergencyCall, Rows::PairedFamilies),
    ],
    operations: &[
        Op::Logout,
        Op::ReadFamilies,
        Op::ReadCatalogue,
        Op::ReadCare,
        Op::RecordCare,
        Op::ReceiveEmergencyCalls,
        Op::AnswerEmergencyCalls,
    ],
    fields: &[(Phone, Masked), (Address, Masked)],
    transitions: &[],
    minors: false,
    needs_consent: false,
    registered_operations_only: true,
};

// The command line, seeding and background jobs: everything a county or the city does in
// bulk, logged as the system with its reason. Approving and paying stay with people.
static SYSTEM: Grant = Grant {
    rows: &[
        (R::Region, Rows::Everything),
        (R::Family, Rows::Everything),
        (R::Member, Rows::Everything),
        (R::AccessLogEntry, Rows::Everything),
        (R::Roster, Rows::Everything),
        (R::Job, Rows::Everything),
        (R::AllowanceStandard, Rows::Everything),
        (R::CareCatalogue, Rows::Everything),
        (R::CareRecord, Rows::Everything),
        (R::HealthRecord, Rows::Everything),
        (R::Case, Rows::Everything),
        (R::Pairing, Rows::Everything),
        (R::Campaign, Rows::Everything),
        (R::CounsellingSession, Rows::Everything),
        (R::CareSite, Rows::Everything),
        (R::Organisation, Rows::Everything),
        (R::EmergencyCall, Rows::Everything),
    ],
    operations: &[
        Op::ReadRegions,
        Op::ReadFamilies,
        Op::LookupMemberByIdNumber,
        Op::RegisterFamily,
        Op::UpdateMember,
        Op::RecordPaymentFacts,
        Op::ChangeFamilyStatus,
        Op::EvaluateEligibility,
        Op::ReadAccessLog,
        Op::MoveFamily,
        Op::ReadStandards,
        Op::ManageStandards,
        Op::ReadEntitlementStatus,
        Op::ReadEntitlementAmounts,
        Op::SetBankAccount,
        Op::ReadRosters,
        Op::ReadReports,
        Op::GenerateRoster,
        Op::ReadCatalogue,
        Op::ManageCatalogue,
        Op::ReadCare,
        Op::RecordCare,
        Op::ReadHealth,
        Op::RecordHealth,
        Op::OpenCase,
        Op::ManagePairings,
        Op::ManageCampaigns,
        Op::ManageVolunteers,
        Op::ReadAccountability,
        Op::ManagePartners,
        Op::RecordConsent,
        Op::IssueGreenChannelCard,
        Op::RecordClaim,
        Op::RaiseEmergencyCall,
        Op::ReceiveEmergencyCalls,
    ],
    // Counselling notes are for counsellors only, never the system (nor city admins).
    fields: ALL_UNMASKABLE,
    transitions: &[(Machine::FamilyStatus, Transitions::AnyLegal)],
    minors: true,
    needs_consent: false,
    registered_operations_only: false,
};

/// The declaration. Anything not written here is denied.
pub fn grant(audience: Audience) -> &'static Grant {
    match audience {
        Audience::Anonymous => &ANONYMOUS,
        Audience::Staff(StaffRole::CityAdmin) => &CITY_ADMIN,
        Audience::Staff(StaffRole::CountyAdmin) => &COUNTY_ADMIN,
        Audience::Staff(StaffRole::TownshipWorker) => &TOWNSHIP_WORKER,
        Audience::Staff(StaffRole::VillageWorker) => &VILLAGE_WORKER,
        Audience::Staff(StaffRole::Auditor) => &AUDITOR,
        Audience::Staff(StaffRole::Counsellor) => &COUNSELLOR,
        Audience::Staff(StaffRole::CounsellingSupervisor) => &COUNSELLING_SUPERVISOR,
        Audience::Partner(PartnerKind::Insurer) => &INSURER,
        Audience::Partner(PartnerKind::Hospital) => &HOSPITAL,
        Audience::Partner(_) => &LINKED_PARTNER,
        Audience::FamilyMember => &FAMILY_MEMBER,
        Audience::Volunteer => &VOLUNTEER,
        Audience::System => &SYSTEM,
    }
}

/// The escalation ladder of emergency calls (紧急呼叫): the level from which an audience
/// hears a call of a family in its rows. The village worker and the paired volunteer hear
/// it at once (and the family sees its own call); the township once it has gone
/// unacknowledged to the township level, the county at the county level. Anyone else hears
/// none (the city reads calls afterwards; partners and auditors never).
pub fn hears_emergency_calls_from(audience: Audience) -> Option<CallLevel> {
    match audience {
        Audience::Staff(StaffRole::VillageWorker)
        | Audience::Volunteer
        | Audience::FamilyMember => Some(CallLevel::Village),
        Audience::Staff(StaffRole::TownshipWorker) => Some(CallLevel::Township),
        Audience::Staff(StaffRole::CountyAdmin) => Some(CallLevel::County),
        _ => None,
    }
}

pub fn allows(audience: Audience, op: Operation) -> bool {
    grant(audience).allows(op)
}

pub fn field_access(audience: Audience, field: SensitiveField) -> FieldAccess {
    grant(audience).field_access(field)
}

/// The permission matrix as Markdown; `docs/permissions.md` is this text, checked by a test.
pub fn render_markdown() -> String {
    let audiences = Audience::all();
    let mut out = String::new();
    out.push_str("# Permission matrix\n\n");
    out.push_str("Generated from `nuanxin_domain::policy` by `nuanxin policy`; a test fails when it drifts.\n");
    out.push_str("Default deny: anything not marked here is refused. Rows outside a caller's slice answer NOT_FOUND.\n");
    out.push_str("Each audience's schema is in `deploy/contracts/<audience>.graphql` (`nuanxin schema --audience NAME`).\n\n");
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
    header(&mut out, "resource");
    for r in Resource::ALL {
        out.push_str(&format!("| {} |", r.as_str()));
        for a in &audiences {
            out.push_str(&format!(" {} |", grant(*a).rows(r).describe()));
        }
        out.push('\n');
    }
    out.push_str("\n## Operations\n\n");
    header(&mut out, "operation");
    for op in Operation::ALL {
        out.push_str(&format!("| `{}` |", op.as_str()));
        for a in &audiences {
            out.push_str(if allows(*a, op) { " yes |" } else { " — |" });
        }
        out.push('\n');
    }
    out.push_str("\n## Sensitive fields\n\n");
    out.push_str("`masked`: only masked; `unmask`: masked by default, clear with a stated purpose, each read logged; `clear`: in the clear, each read logged; `—`: absent from the audience's schema.\n\n");
    header(&mut out, "field");
    for f in SensitiveField::ALL {
        out.push_str(&format!("| {} `{}` |", f.resource().as_str(), f.as_str()));
        for a in &audiences {
            let cell = match field_access(*a, f) {
                FieldAccess::Hidden => "—",
                FieldAccess::Masked => "masked",
                FieldAccess::Unmaskable => "unmask",
                FieldAccess::Clear => "clear",
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out.push_str("\n## Minors\n\nWhether the audience reaches minors (the third generation, under 18) and records about them; every such read is logged.\n\n");
    header(&mut out, "minors");
    out.push_str("| reached |");
    for a in &audiences {
        out.push_str(if grant(*a).minors { " yes |" } else { " — |" });
    }
    out.push('\n');
    out.push_str("\n## Consent\n\nWhether the audience reaches a family only while it consents to this kind of recipient and purpose.\n\n");
    header(&mut out, "consent");
    out.push_str("| required |");
    for a in &audiences {
        out.push_str(if grant(*a).needs_consent {
            " yes |"
        } else {
            " — |"
        });
    }
    out.push('\n');
    out.push_str("\n## Registered operations\n\nWhether the audience's apps run only the operations the city registered for them (and get no introspection).\n\n");
    header(&mut out, "operations");
    out.push_str("| registered only |");
    for a in &audiences {
        out.push_str(if grant(*a).registered_operations_only {
            " yes |"
        } else {
            " — |"
        });
    }
    out.push('\n');
    for machine in Machine::ALL {
        out.push_str(&format!("\n## Transitions: {}\n\n", machine.as_str()));
        header(&mut out, "transition");
        for (from, to) in machine.steps() {
            out.push_str(&format!("| {from} → {to} |"));
            for a in &audiences {
                out.push_str(if grant(*a).may_step(machine, from, to) {
                    " yes |"
                } else {
                    " — |"
                });
            }
            out.push('\n');
        }
    }
    out.push_str(
        "\nThe access log is append-only. The approver of a roster must not be its submitter\n",
    );
    out.push_str(
        "(maker-checker), and a line of a submitted, approved or paid roster is never edited.\n",
    );
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
        for r in Resource::ALL {
            assert_eq!(grant(Audience::Anonymous).rows(r), Rows::Nothing);
        }
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
        assert!(!grant(a).may_unmask_any());
        // Control: a county admin may unmask.
        assert!(grant(Audience::Staff(StaffRole::CountyAdmin)).may_unmask_any());
    }

    #[test]
    fn only_auditors_and_the_system_read_the_access_log() {
        for a in Audience::all() {
            assert_eq!(
                allows(a, Op::ReadAccessLog),
                matches!(a, Audience::Staff(StaffRole::Auditor) | Audience::System),
                "{a:?}"
            );
            assert_eq!(
                grant(a).rows(Resource::AccessLogEntry) != Rows::Nothing,
                allows(a, Op::ReadAccessLog),
                "{a:?}: rows and operation agree"
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
    fn volunteers_never_see_id_numbers() {
        assert_eq!(
            field_access(Audience::Volunteer, IdNumber),
            FieldAccess::Hidden
        );
        assert_eq!(
            field_access(Audience::Volunteer, Phone),
            FieldAccess::Masked
        );
    }

    #[test]
    fn family_status_transitions_are_limited_for_townships() {
        let t = grant(Audience::Staff(StaffRole::TownshipWorker));
        assert!(t.may_transition(FamilyStatus::Active, FamilyStatus::Suspended));
        assert!(!t.may_transition(FamilyStatus::Registered, FamilyStatus::Verified));
        assert!(
            grant(Audience::Staff(StaffRole::CountyAdmin))
                .may_transition(FamilyStatus::Registered, FamilyStatus::Verified)
        );
    }

    #[test]
    fn counties_submit_and_the_city_approves() {
        let county = grant(Audience::Staff(StaffRole::CountyAdmin));
        let city = grant(Audience::Staff(StaffRole::CityAdmin));
        assert!(county.may_transition(RosterStatus::Draft, RosterStatus::Submitted));
        assert!(!county.may_transition(RosterStatus::Submitted, RosterStatus::Approved));
        assert!(city.may_transition(RosterStatus::Submitted, RosterStatus::Approved));
        assert!(!city.may_transition(RosterStatus::Draft, RosterStatus::Submitted));
        assert!(
            !grant(Audience::System)
                .may_transition(RosterStatus::Submitted, RosterStatus::Approved)
        );
    }

    #[test]
    fn every_declared_transition_is_a_legal_step() {
        for a in Audience::all() {
            for (machine, t) in grant(a).transitions {
                if let Transitions::Only(pairs) = t {
                    for pair in *pairs {
                        assert!(machine.steps().contains(pair), "{a:?}: {pair:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn counselling_notes_are_for_counsellors_only() {
        for a in Audience::all() {
            let counsellor = matches!(
                a,
                Audience::Staff(StaffRole::Counsellor | StaffRole::CounsellingSupervisor)
            );
            assert_eq!(
                field_access(a, SensitiveField::CounsellingNotes) != FieldAccess::Hidden,
                counsellor,
                "{a:?}"
            );
            assert_eq!(
                grant(a).rows(Resource::CounsellingNote) != Rows::Nothing,
                counsellor,
                "{a:?}"
            );
        }
        // A counsellor reads the notes they wrote; a supervisor those of the region.
        assert_eq!(
            grant(Audience::Staff(StaffRole::Counsellor)).rows(Resource::CounsellingNote),
            Rows::StartedByCaller
        );
        // Control: a city admin sees that sessions took place.
        assert_ne!(
            grant(Audience::Staff(StaffRole::CityAdmin)).rows(Resource::CounsellingSession),
            Rows::Nothing
        );
        // Notes are not a member field: `revealed` never releases them.
        assert!(!SensitiveField::OF_MEMBERS.contains(&SensitiveField::CounsellingNotes));
    }

    #[test]
    fn volunteers_reach_no_minors_no_health_no_counselling() {
        let v = grant(Audience::Volunteer);
        assert!(!v.minors);
        for r in [
            Resource::HealthRecord,
            Resource::CounsellingSession,
            Resource::CounsellingNote,
            Resource::Case,
        ] {
            assert_eq!(v.rows(r), Rows::Nothing, "{r:?}");
        }
        assert!(!v.allows(Op::ReadHealth));
        assert_eq!(v.rows(Resource::CareRecord), Rows::PairedFamilies);
        // Control: a township worker reaches minors and health.
        let t = grant(Audience::Staff(StaffRole::TownshipWorker));
        assert!(t.minors && t.allows(Op::ReadHealth));
    }

    #[test]
    fn emergency_aid_is_approved_by_the_county_not_the_township() {
        let t = grant(Audience::Staff(StaffRole::TownshipWorker));
        let c = grant(Audience::Staff(StaffRole::CountyAdmin));
        assert!(t.may_step(Machine::EmergencyAid, "requested", "assessed"));
        assert!(!t.may_step(Machine::EmergencyAid, "assessed", "approved"));
        assert!(c.may_step(Machine::EmergencyAid, "assessed", "approved"));
        assert!(!grant(Audience::System).may_step(Machine::EmergencyAid, "assessed", "approved"));
    }

    #[test]
    fn names_round_trip() {
        for a in Audience::all() {
            assert_eq!(Audience::parse(a.name()), Some(a));
        }
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
