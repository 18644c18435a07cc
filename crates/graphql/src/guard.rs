//! The policy in the GraphQL layer: guards enforce, `visible` functions hide from
//! introspection what the caller cannot use. Both read the same declaration.

use async_graphql::{Context, ErrorExtensions, Guard};
use nuanxin_domain::Principal;
use nuanxin_domain::policy::{FieldAccess, Operation, SensitiveField};
use nuanxin_locale::{Message, msg};
use nuanxin_store::RequestMeta;

use crate::error::ApiError;

static ANONYMOUS: std::sync::LazyLock<Principal> = std::sync::LazyLock::new(Principal::anonymous);

/// The caller; anonymous when the request carried no valid token.
pub fn principal<'a>(ctx: &Context<'a>) -> &'a Principal {
    ctx.data_opt::<Principal>().unwrap_or(&ANONYMOUS)
}

pub fn request_meta(ctx: &Context<'_>) -> RequestMeta {
    ctx.data_opt::<RequestMeta>().cloned().unwrap_or_default()
}

/// Refuses an operation the caller's audience is not granted.
pub struct Allowed(pub Operation);

impl Guard for Allowed {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let p = principal(ctx);
        if p.allows(self.0) {
            return Ok(());
        }
        Err(refusal(p, self.0.word()))
    }
}

/// Refuses unless the caller's audience is granted one of the operations.
pub struct AllowedAny(pub &'static [Operation]);

impl Guard for AllowedAny {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let p = principal(ctx);
        if self.0.iter().any(|op| p.allows(*op)) {
            return Ok(());
        }
        Err(refusal(
            p,
            match self.0.first() {
                Some(op) => op.word(),
                None => msg!("guard-this"),
            },
        ))
    }
}

/// Refuses a sensitive field the caller's audience may not read at `at_least` (masked, or
/// unmasked with a purpose).
pub struct Field(pub SensitiveField, pub FieldAccess);

impl Guard for Field {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let p = principal(ctx);
        if p.field_access(self.0) >= self.1 && self.1 != FieldAccess::Hidden {
            return Ok(());
        }
        let key = if self.1 == FieldAccess::Unmaskable {
            msg!("guard-unmask", field = self.0.word())
        } else {
            msg!("guard-read", what = self.0.word())
        };
        Err(refusal(p, key))
    }
}

/// Refuses a query of a resource the caller's audience has no rows of (the query would
/// answer nothing; its field is absent from that audience's schema).
pub struct Reaches(pub nuanxin_domain::Resource);

impl Guard for Reaches {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let p = principal(ctx);
        if reaches(ctx, self.0) {
            return Ok(());
        }
        Err(refusal(p, msg!("guard-read", what = self.0.word())))
    }
}

fn reaches(ctx: &Context<'_>, r: nuanxin_domain::Resource) -> bool {
    principal(ctx).grant().rows(r) != nuanxin_domain::policy::Rows::Nothing
}

/// Refuses anonymous callers (`me`: anyone with a token may ask who they are).
pub struct Authenticated;

impl Guard for Authenticated {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let p = principal(ctx);
        if p.is_authenticated() {
            return Ok(());
        }
        Err(refusal(p, msg!("guard-this")))
    }
}

/// Refuses `Member.revealed` unless the caller may unmask every field it selects: a read
/// of clear values is all or nothing (nothing revealed, nothing logged).
pub struct AllowedUnmask;

impl Guard for AllowedUnmask {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let p = principal(ctx);
        if !p.grant().may_unmask_any() {
            return Err(refusal(p, msg!("guard-unmask-any")));
        }
        let look = ctx.look_ahead();
        for f in [
            SensitiveField::IdNumber,
            SensitiveField::Phone,
            SensitiveField::Address,
        ] {
            if look.field(f.as_str()).exists() && p.field_access(f) != FieldAccess::Unmaskable {
                return Err(refusal(p, msg!("guard-unmask", field = f.word())));
            }
        }
        Ok(())
    }
}

/// FORBIDDEN ("your role may not use: `what`") for a signed-in caller; UNAUTHENTICATED for
/// anyone else. The gateway's refusals are worded `guard-refusal`, the store's own (its
/// second line) otherwise, so a test can tell which line refused.
fn refusal(p: &Principal, what: Message) -> async_graphql::Error {
    if p.is_authenticated() {
        ApiError::Forbidden(msg!(
            "guard-refusal",
            role = p.audience().word(),
            what = what
        ))
        .extend()
    } else {
        ApiError::Unauthenticated(msg!("sign-in-needed")).extend()
    }
}

fn allows(ctx: &Context<'_>, op: Operation) -> bool {
    principal(ctx).allows(op)
}

pub fn may_read_regions(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadRegions)
}
pub fn may_read_families(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadFamilies)
}
pub fn may_lookup_id_number(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::LookupMemberByIdNumber)
}
pub fn may_register_family(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::RegisterFamily)
}
pub fn may_update_member(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::UpdateMember)
}
pub fn may_change_status(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ChangeFamilyStatus)
}
pub fn may_evaluate_eligibility(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::EvaluateEligibility)
}
pub fn may_read_access_log(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadAccessLog)
}
pub fn is_authenticated(ctx: &Context<'_>) -> bool {
    principal(ctx).is_authenticated()
}

fn unmaskable(ctx: &Context<'_>, f: SensitiveField) -> bool {
    principal(ctx).field_access(f) == FieldAccess::Unmaskable
}
fn readable(ctx: &Context<'_>, f: SensitiveField) -> bool {
    principal(ctx).field_access(f) != FieldAccess::Hidden
}
pub fn may_unmask_any(ctx: &Context<'_>) -> bool {
    principal(ctx).grant().may_unmask_any()
}
pub fn may_see_id_number(ctx: &Context<'_>) -> bool {
    readable(ctx, SensitiveField::IdNumber)
}
pub fn may_see_phone(ctx: &Context<'_>) -> bool {
    readable(ctx, SensitiveField::Phone)
}
pub fn may_see_address(ctx: &Context<'_>) -> bool {
    readable(ctx, SensitiveField::Address)
}
pub fn may_log_in(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::Login)
}
pub fn may_log_out(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::Login) || allows(ctx, Operation::Logout)
}
pub fn may_unmask_id_number(ctx: &Context<'_>) -> bool {
    unmaskable(ctx, SensitiveField::IdNumber)
}
pub fn may_unmask_phone(ctx: &Context<'_>) -> bool {
    unmaskable(ctx, SensitiveField::Phone)
}
pub fn may_unmask_address(ctx: &Context<'_>) -> bool {
    unmaskable(ctx, SensitiveField::Address)
}

pub fn may_read_standards(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadStandards)
}
pub fn may_manage_standards(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ManageStandards)
}
pub fn may_read_entitlement(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadEntitlementStatus)
}
pub fn may_read_entitlement_amounts(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadEntitlementAmounts)
}
pub fn may_move_family(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::MoveFamily)
}
pub fn may_set_bank_account(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::SetBankAccount)
}
pub fn may_read_rosters(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadRosters)
}
pub fn may_read_reports(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadReports)
}
pub fn may_generate_roster(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::GenerateRoster)
}
pub fn may_submit_roster(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::SubmitRoster)
}
pub fn may_approve_roster(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ApproveRoster)
}
pub fn may_mark_roster_paid(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::MarkRosterPaid)
}
pub fn may_read_fact_history(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::RecordPaymentFacts) || allows(ctx, Operation::ReadAccessLog)
}
pub fn may_confirm_roster_accounts(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ConfirmRosterAccounts)
}
pub fn may_reconcile_roster(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReconcileRoster)
}
pub fn may_see_bank_accounts(ctx: &Context<'_>) -> bool {
    readable(ctx, SensitiveField::BankAccount)
}
pub fn may_unmask_bank_account(ctx: &Context<'_>) -> bool {
    unmaskable(ctx, SensitiveField::BankAccount)
}

pub fn may_read_catalogue(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadCatalogue)
}
pub fn may_manage_catalogue(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ManageCatalogue)
}
pub fn may_read_care(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadCare)
}
pub fn may_record_care(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::RecordCare)
        || allows(ctx, Operation::RecordHealth)
        || allows(ctx, Operation::RecordGreenChannel)
}
pub fn may_record_health(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::RecordHealth)
}
pub fn may_register_devices(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::RecordCare)
}
pub fn may_read_health(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadHealth) && reaches(ctx, nuanxin_domain::Resource::HealthRecord)
}
pub fn may_read_cases(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadCare) && reaches(ctx, nuanxin_domain::Resource::Case)
}
pub fn may_read_pairings(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadCare) && reaches(ctx, nuanxin_domain::Resource::Pairing)
}
pub fn may_read_campaigns(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadCare) && reaches(ctx, nuanxin_domain::Resource::Campaign)
}
pub fn may_read_counselling(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadCare) && reaches(ctx, nuanxin_domain::Resource::CounsellingSession)
}
pub fn may_read_sites(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadCare) && reaches(ctx, nuanxin_domain::Resource::CareSite)
}
pub fn may_open_case(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::OpenCase)
}
pub fn may_move_case(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::MoveCase)
}
pub fn may_manage_pairings(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ManagePairings)
}
pub fn may_manage_campaigns(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ManageCampaigns)
}
pub fn may_manage_volunteers(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ManageVolunteers)
}
pub fn may_read_own_visits(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadOwnVisits)
}
pub fn may_manage_own_consents(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ManageOwnConsents)
}
pub fn may_submit_requests(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::SubmitRequests)
}
pub fn may_answer_requests(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::AnswerRequests)
}
pub fn may_read_own_payments(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadOwnPayments)
}
pub fn may_manage_wechat_bindings(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ManageWechatBindings)
}
pub fn may_record_counselling(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::RecordCounselling)
}
pub fn may_read_accountability(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadAccountability)
}
pub fn may_read_counselling_notes(ctx: &Context<'_>) -> bool {
    readable(ctx, SensitiveField::CounsellingNotes)
}
pub fn may_manage_partners(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ManagePartners)
}
pub fn may_record_consent(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::RecordConsent)
}
pub fn may_verify_green_channel(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::VerifyGreenChannel)
}
pub fn may_issue_green_channel_card(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::IssueGreenChannelCard)
}
pub fn may_read_assigned_referrals(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadAssignedReferrals)
}
pub fn may_read_enrolment(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadEnrolment)
}
pub fn may_upsert_policies(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::UpsertPolicies)
}
pub fn may_record_claim(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::RecordClaim)
}
pub fn may_decide_claim(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::DecideClaim)
}
pub fn may_raise_emergency_calls(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::RaiseEmergencyCall)
}
pub fn may_receive_emergency_calls(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReceiveEmergencyCalls)
}
pub fn may_answer_emergency_calls(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::AnswerEmergencyCalls)
}
pub fn may_manage_emergency_devices(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ManageEmergencyDevices)
}
pub fn may_accept_notices(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::AcceptNotices)
}
pub fn may_read_notices(ctx: &Context<'_>) -> bool {
    allows(ctx, Operation::ReadNotices)
}
