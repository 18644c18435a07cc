//! Every value of a closed set a person reads (a role, a status, a kind, an operation) has
//! its word in both languages; a new variant without one fails here.

use nuanxin_locale::{Locale, Message, has_message};

use crate::access::policy::{Audience, Operation, Resource, SensitiveField};
use crate::allowances::AllowanceKind;
use crate::care::emergency::{CallLevel, CallState, CallStep};
use crate::care::notices::{NoticeKind, NoticeState};
use crate::care::records::RecordKind;
use crate::care::workflow::{Workflow, state_word};
use crate::partners::insurance::CLAIM_STEPS;
use crate::registry::family::{FamilyStatus, MemberRole};
use crate::rosters::RosterStatus;

fn words() -> Vec<Message> {
    let mut out = Vec::new();
    out.extend(FamilyStatus::ALL.map(FamilyStatus::word));
    out.extend(
        [
            MemberRole::Father,
            MemberRole::Mother,
            MemberRole::Grandchild,
            MemberRole::Other,
        ]
        .map(MemberRole::word),
    );
    out.extend(RosterStatus::ALL.map(RosterStatus::word));
    out.extend(AllowanceKind::ALL.map(AllowanceKind::word));
    out.extend(Audience::all().into_iter().map(Audience::word));
    out.extend(Operation::ALL.map(Operation::word));
    out.extend(Resource::ALL.map(Resource::word));
    out.extend(SensitiveField::ALL.map(SensitiveField::word));
    for w in Workflow::ALL {
        out.push(Message::term("workflow", w.as_str()));
        out.extend(w.states().into_iter().map(state_word));
    }
    out.extend(
        RecordKind::ALL
            .into_iter()
            .map(|k| Message::term("record-kind", k.as_str())),
    );
    for (from, to) in CLAIM_STEPS {
        out.push(Message::term("claim-state", from));
        out.push(Message::term("claim-state", to));
    }
    out.extend(CallLevel::ALL.map(CallLevel::word));
    out.extend(CallState::ALL.map(CallState::word));
    out.extend(CallStep::ALL.map(CallStep::word));
    out.extend(NoticeKind::ALL.map(NoticeKind::word));
    out.extend(NoticeState::ALL.map(NoticeState::word));
    for level in ["province", "city", "county", "township", "village"] {
        out.push(Message::term("region-level", level));
    }
    out
}

#[test]
fn every_closed_set_has_its_words_in_chinese_and_english() {
    let missing: Vec<String> = words()
        .iter()
        .filter(|m| Locale::ALL.iter().any(|l| !has_message(*l, m.key())))
        .map(|m| m.key().to_owned())
        .collect();
    assert!(missing.is_empty(), "no words for: {missing:?}");
    assert_eq!(
        Audience::Staff(crate::access::policy::StaffRole::CountyAdmin)
            .word()
            .render(Locale::Zh),
        "县(市、区)级管理员"
    );
    assert_eq!(
        Operation::ApproveRoster.word().render(Locale::Zh),
        "审批花名册"
    );
}
