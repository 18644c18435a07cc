//! Who is calling: a [`Subject`] (who), its audience's [`Grant`] (what, declared in the
//! policy) and its [`Reach`] (the data the grant's rows rules name, loaded when the caller
//! authenticates). Made at the HTTP edge from a verified token and a fresh look at the
//! account, and passed to every repository function, so no data access happens without a
//! known caller.

use uuid::Uuid;

use crate::access::policy::{
    self, Audience, FieldAccess, Grant, Operation, PartnerKind, Resource, Rows, SensitiveField,
    StaffRole, State,
};
use crate::registry::region::{RegionCode, RegionLevel};

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Anonymous,
    Staff {
        user: Uuid,
        username: String,
        role: StaffRole,
        /// The region they work in; they reach it and everything below.
        home_region: RegionCode,
    },
    Partner {
        organisation: Uuid,
        kind: PartnerKind,
        app: Uuid,
        /// The app's name, for logs and the access log.
        name: String,
    },
    FamilyMember {
        family: Uuid,
        member: Uuid,
    },
    Volunteer {
        volunteer: Uuid,
    },
    /// The command line, seeding and background jobs, with the reason they act.
    System {
        reason: String,
    },
}

/// The kind of subject a token speaks for (its `kind` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    Staff,
    Partner,
    FamilyMember,
    Volunteer,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 4] = [
        SubjectKind::Staff,
        SubjectKind::Partner,
        SubjectKind::FamilyMember,
        SubjectKind::Volunteer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Staff => "staff",
            SubjectKind::Partner => "partner",
            SubjectKind::FamilyMember => "family_member",
            SubjectKind::Volunteer => "volunteer",
        }
    }

    /// `None` for a kind this server does not know: the edge refuses such a token.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The data that a grant's rows rules name, loaded from the database when the caller is
/// authenticated (and cached briefly): an organisation's contracted regions, a volunteer's
/// active pairings. A partner's service links are not loaded: they are a rule the store
/// evaluates in SQL ([`RowFilter::LinkedTo`]), since a hospital's links are every card
/// holder of the city (50,000 ids in every query cost 25× on the green channel).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub contracted_regions: Vec<RegionCode>,
    pub paired_families: Vec<Uuid>,
}

/// A rows rule resolved for one caller: what the store turns into SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowFilter {
    /// Never true (fail closed).
    Nothing,
    Everything,
    /// Rows whose region lies within any of these regions.
    WithinRegions(Vec<RegionCode>),
    /// Rows of these families.
    Families(Vec<Uuid>),
    /// Access-log entries about persons the caller reaches as members; `about_no_one` says
    /// whether entries naming no person are included.
    AboutMembers {
        about_no_one: bool,
    },
    /// Rows started by this actor.
    StartedBy(Uuid),
    /// Cases assigned to the units this organisation answers for.
    AssignedToOrganisation(Uuid),
    /// Families with an active service link to this organisation: a link in force, an open
    /// referral assigned to one of its units, and (for a hospital) a member's active
    /// green-channel card 绿色通道卡.
    LinkedTo {
        organisation: Uuid,
        green_channel_cards: bool,
    },
    /// Members holding an active green-channel card (and records about them).
    CardHolders,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: Subject,
    pub reach: Reach,
    /// The access token the request carried, so that logout can revoke the token itself.
    pub token: Option<TokenRef>,
}

/// An access token's id (`jti`) and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRef {
    pub id: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The mini-program (its WeChat app id) the token was issued through: its requests
    /// run only that mini-program's registered operations.
    pub app: Option<String>,
}

impl Principal {
    pub fn anonymous() -> Self {
        Self::of(Subject::Anonymous)
    }

    pub fn of(subject: Subject) -> Self {
        Self {
            subject,
            reach: Reach::default(),
            token: None,
        }
    }

    pub fn staff(
        user: Uuid,
        username: impl Into<String>,
        role: StaffRole,
        home_region: RegionCode,
    ) -> Self {
        Self::of(Subject::Staff {
            user,
            username: username.into(),
            role,
            home_region,
        })
    }

    /// The system acting for `reason` (command line, seeding, jobs): logged as such, never
    /// as a staff role. Never handed to a network caller.
    pub fn system(reason: impl Into<String>) -> Self {
        Self::of(Subject::System {
            reason: reason.into(),
        })
    }

    pub fn with_reach(mut self, reach: Reach) -> Self {
        self.reach = reach;
        self
    }

    pub fn audience(&self) -> Audience {
        match &self.subject {
            Subject::Anonymous => Audience::Anonymous,
            Subject::Staff { role, .. } => Audience::Staff(*role),
            Subject::Partner { kind, .. } => Audience::Partner(*kind),
            Subject::FamilyMember { .. } => Audience::FamilyMember,
            Subject::Volunteer { .. } => Audience::Volunteer,
            Subject::System { .. } => Audience::System,
        }
    }

    pub fn kind(&self) -> Option<SubjectKind> {
        match &self.subject {
            Subject::Staff { .. } => Some(SubjectKind::Staff),
            Subject::Partner { .. } => Some(SubjectKind::Partner),
            Subject::FamilyMember { .. } => Some(SubjectKind::FamilyMember),
            Subject::Volunteer { .. } => Some(SubjectKind::Volunteer),
            Subject::Anonymous | Subject::System { .. } => None,
        }
    }

    pub fn grant(&self) -> &'static Grant {
        policy::grant(self.audience())
    }

    pub fn is_authenticated(&self) -> bool {
        !matches!(self.subject, Subject::Anonymous)
    }

    /// The id written as the actor of what this caller does (status history, jobs, the
    /// access log, maker-checker): the staff account, the app, the member, the volunteer.
    pub fn actor_id(&self) -> Uuid {
        match &self.subject {
            Subject::Staff { user, .. } => *user,
            Subject::Partner { app, .. } => *app,
            Subject::FamilyMember { member, .. } => *member,
            Subject::Volunteer { volunteer } => *volunteer,
            Subject::Anonymous | Subject::System { .. } => Uuid::nil(),
        }
    }

    /// The actor's name for logs: the username, the app's name, or the system's reason.
    pub fn actor_name(&self) -> String {
        match &self.subject {
            Subject::Staff { username, .. } => username.clone(),
            Subject::Partner { name, .. } => name.clone(),
            Subject::FamilyMember { member, .. } => format!("member {member}"),
            Subject::Volunteer { volunteer } => format!("volunteer {volunteer}"),
            Subject::System { reason } => format!("system: {reason}"),
            Subject::Anonymous => String::new(),
        }
    }

    pub fn home_region(&self) -> Option<&RegionCode> {
        match &self.subject {
            Subject::Staff { home_region, .. } => Some(home_region),
            _ => None,
        }
    }

    pub fn allows(&self, op: Operation) -> bool {
        self.grant().allows(op)
    }

    pub fn field_access(&self, field: SensitiveField) -> FieldAccess {
        self.grant().field_access(field)
    }

    /// Whether the caller reaches minors and records about them (each read logged).
    pub fn reaches_minors(&self) -> bool {
        self.grant().minors
    }

    pub fn may_step(&self, machine: policy::Machine, from: &str, to: &str) -> bool {
        self.grant().may_step(machine, from, to)
    }

    pub fn may_transition<S: State>(&self, from: S, to: S) -> bool {
        self.grant().may_transition(from, to)
    }

    /// The rows rule of `resource`, resolved with this caller's data.
    pub fn rows(&self, resource: Resource) -> RowFilter {
        match self.grant().rows(resource) {
            Rows::Nothing => RowFilter::Nothing,
            Rows::Everything => RowFilter::Everything,
            Rows::HomeRegionSubtree => match self.home_region() {
                Some(home) => RowFilter::WithinRegions(vec![home.clone()]),
                None => RowFilter::Nothing,
            },
            Rows::ContractedRegions => regions(&self.reach.contracted_regions),
            Rows::OwnFamily => match &self.subject {
                Subject::FamilyMember { family, .. } => RowFilter::Families(vec![*family]),
                _ => RowFilter::Nothing,
            },
            Rows::PairedFamilies => families(&self.reach.paired_families),
            Rows::LinkedFamilies => match &self.subject {
                Subject::Partner {
                    organisation, kind, ..
                } => RowFilter::LinkedTo {
                    organisation: *organisation,
                    green_channel_cards: *kind == PartnerKind::Hospital,
                },
                _ => RowFilter::Nothing,
            },
            Rows::AboutReachableMembers => match self.rows(Resource::Member) {
                RowFilter::Nothing => RowFilter::Nothing,
                members => RowFilter::AboutMembers {
                    about_no_one: covers_city(&members),
                },
            },
            Rows::CardHolders => RowFilter::CardHolders,
            Rows::AssignedToCallersUnits => match &self.subject {
                Subject::Partner { organisation, .. } => {
                    RowFilter::AssignedToOrganisation(*organisation)
                }
                _ => RowFilter::Nothing,
            },
            Rows::StartedByCaller => match self.subject {
                Subject::Anonymous | Subject::System { .. } => RowFilter::Nothing,
                _ => RowFilter::StartedBy(self.actor_id()),
            },
        }
    }

    /// True when the caller's rows of `resource` include everything filed under `region`
    /// (writes into a region: registering, moving, generating a roster).
    pub fn covers(&self, resource: Resource, region: &RegionCode) -> bool {
        match self.rows(resource) {
            RowFilter::Everything => true,
            RowFilter::WithinRegions(list) => list.iter().any(|r| region.is_within(r)),
            _ => false,
        }
    }
}

fn regions(list: &[RegionCode]) -> RowFilter {
    if list.is_empty() {
        RowFilter::Nothing
    } else {
        RowFilter::WithinRegions(list.to_vec())
    }
}

fn families(list: &[Uuid]) -> RowFilter {
    if list.is_empty() {
        RowFilter::Nothing
    } else {
        RowFilter::Families(list.to_vec())
    }
}

/// A rule that reaches a whole city (or more) also sees log entries about no one.
fn covers_city(members: &RowFilter) -> bool {
    match members {
        RowFilter::Everything => true,
        RowFilter::WithinRegions(list) => list
            .iter()
            .any(|r| matches!(r.level(), RegionLevel::City | RegionLevel::Province)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("code")
    }

    #[test]
    fn staff_reach_their_home_region() {
        let p = Principal::staff(Uuid::nil(), "a", StaffRole::CountyAdmin, code("411002"));
        assert_eq!(
            p.rows(Resource::Family),
            RowFilter::WithinRegions(vec![code("411002")])
        );
        assert!(p.covers(Resource::Family, &code("411002001")));
        assert!(!p.covers(Resource::Family, &code("411024001")));
        // No access log for a county admin; a county auditor sees entries about its county.
        assert_eq!(p.rows(Resource::AccessLogEntry), RowFilter::Nothing);
        let auditor = Principal::staff(Uuid::nil(), "b", StaffRole::Auditor, code("411002"));
        assert_eq!(
            auditor.rows(Resource::AccessLogEntry),
            RowFilter::AboutMembers {
                about_no_one: false
            }
        );
        let city_auditor = Principal::staff(Uuid::nil(), "c", StaffRole::Auditor, code("411000"));
        assert_eq!(
            city_auditor.rows(Resource::AccessLogEntry),
            RowFilter::AboutMembers { about_no_one: true }
        );
    }

    #[test]
    fn partners_reach_what_their_data_names() {
        let org = Uuid::now_v7();
        let insurer = Principal::of(Subject::Partner {
            organisation: org,
            kind: PartnerKind::Insurer,
            app: Uuid::now_v7(),
            name: "ins".into(),
        });
        // No contract loaded: nothing (fail closed).
        assert_eq!(insurer.rows(Resource::Family), RowFilter::Nothing);
        let insurer = insurer.with_reach(Reach {
            contracted_regions: vec![code("411024")],
            ..Reach::default()
        });
        assert_eq!(
            insurer.rows(Resource::Member),
            RowFilter::WithinRegions(vec![code("411024")])
        );
        let hospital = Principal::of(Subject::Partner {
            organisation: org,
            kind: PartnerKind::Hospital,
            app: Uuid::now_v7(),
            name: "hosp".into(),
        })
        .with_reach(Reach {
            contracted_regions: vec![code("411024")],
            ..Reach::default()
        });
        assert_eq!(
            hospital.rows(Resource::Family),
            RowFilter::LinkedTo {
                organisation: org,
                green_channel_cards: true
            }
        );
        // Of those families, a hospital's members are the card holders.
        assert_eq!(hospital.rows(Resource::Member), RowFilter::CardHolders);
        // Partners never write into a region.
        assert!(!hospital.covers(Resource::Family, &code("411024001")));
    }

    #[test]
    fn families_and_volunteers() {
        let (fam, mem) = (Uuid::now_v7(), Uuid::now_v7());
        let parent = Principal::of(Subject::FamilyMember {
            family: fam,
            member: mem,
        });
        assert_eq!(
            parent.rows(Resource::Member),
            RowFilter::Families(vec![fam])
        );
        assert_eq!(parent.rows(Resource::Roster), RowFilter::Nothing);
        assert_eq!(parent.actor_id(), mem);
        let v = Principal::of(Subject::Volunteer {
            volunteer: Uuid::now_v7(),
        });
        assert_eq!(v.rows(Resource::Family), RowFilter::Nothing);
        let v = v.with_reach(Reach {
            paired_families: vec![fam],
            ..Reach::default()
        });
        assert_eq!(v.rows(Resource::Family), RowFilter::Families(vec![fam]));
    }

    #[test]
    fn the_system_is_not_a_staff_role() {
        let s = Principal::system("seed the demo");
        assert_eq!(s.audience(), Audience::System);
        assert_eq!(s.actor_name(), "system: seed the demo");
        assert_eq!(s.rows(Resource::Family), RowFilter::Everything);
        assert_eq!(s.kind(), None);
    }
}
