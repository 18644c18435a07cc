//! The community around the families: Lotus Warm-Heart Homes (莲花暖心家园) as care sites,
//! their volunteer teams and volunteers (phones encrypted like members'), activities with
//! participants and attendance, and emergency-call devices registered to members.

use chrono::{NaiveDate, Utc};
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::registry::family::normalize_phone;
use nuanxin_domain::{Principal, RegionCode, text};
use nuanxin_locale::msg;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use super::{member_of, reachable_family};
use crate::Store;
use crate::entity::{
    activity, activity_participant as participant, care_site as site, emergency_device as device,
    volunteer, volunteer_team as team,
};
use crate::error::StoreError;
use crate::slice::{self, require};

#[derive(Debug, Clone)]
pub struct CareSiteRecord {
    pub id: Uuid,
    pub name: String,
    pub region: String,
    pub venue: String,
    /// The site's volunteer teams: (id, name).
    pub teams: Vec<(Uuid, String)>,
}

#[derive(Debug, Clone)]
pub struct VolunteerRecord {
    pub id: Uuid,
    pub name: String,
    /// Masked (the clear number stays encrypted in the database).
    pub phone_masked: Option<String>,
    pub team: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct NewActivity {
    pub site: Uuid,
    pub title: String,
    pub held_on: NaiveDate,
    /// Members taking part, and whether each attended.
    pub members: Vec<(Uuid, bool)>,
    pub volunteers: Vec<(Uuid, bool)>,
}

#[derive(Debug, Clone)]
pub struct ActivityRecord {
    pub id: Uuid,
    pub site: Uuid,
    pub title: String,
    pub held_on: NaiveDate,
    pub invited: u32,
    pub attended: u32,
}

fn site_rows(p: &Principal) -> sea_orm::Condition {
    slice::by_region_code(p, Resource::CareSite, site::Column::RegionCode)
}

impl Store {
    pub async fn add_care_site(
        &self,
        p: &Principal,
        name: &str,
        region: &RegionCode,
        venue: &str,
        team_name: &str,
    ) -> Result<CareSiteRecord, StoreError> {
        require(p, Operation::ManageVolunteers)?;
        if !p.covers(Resource::CareSite, region) {
            return Err(StoreError::forbidden(msg!("care-site-region")));
        }
        let bad = |f: &'static str| move |e: text::TextError| StoreError::bad_input(f, e);
        let name = text::required(name, 60).map_err(bad("name"))?;
        let venue = text::required(venue, 200).map_err(bad("venue"))?;
        let team_name = text::required(team_name, 60).map_err(bad("teamName"))?;
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let s = site::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name),
            region_code: Set(region.as_str().into()),
            venue: Set(venue),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        let t = team::ActiveModel {
            id: Set(Uuid::now_v7()),
            site_id: Set(s.id),
            name: Set(team_name),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(CareSiteRecord {
            id: s.id,
            name: s.name,
            region: s.region_code,
            venue: s.venue,
            teams: vec![(t.id, t.name)],
        })
    }

    pub async fn care_sites(&self, p: &Principal) -> Result<Vec<CareSiteRecord>, StoreError> {
        require(p, Operation::ReadCare)?;
        let sites = site::Entity::find()
            .filter(site_rows(p))
            .order_by_asc(site::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<Uuid> = sites.iter().map(|s| s.id).collect();
        let teams = if ids.is_empty() {
            Vec::new()
        } else {
            team::Entity::find()
                .filter(team::Column::SiteId.is_in(ids))
                .order_by_asc(team::Column::Id)
                .all(&self.db)
                .await?
        };
        Ok(sites
            .into_iter()
            .map(|s| CareSiteRecord {
                teams: teams
                    .iter()
                    .filter(|t| t.site_id == s.id)
                    .map(|t| (t.id, t.name.clone()))
                    .collect(),
                id: s.id,
                name: s.name,
                region: s.region_code,
                venue: s.venue,
            })
            .collect())
    }

    /// A volunteer of a team of a site in the caller's rows; the phone is kept encrypted.
    pub async fn add_volunteer(
        &self,
        p: &Principal,
        team_id: Uuid,
        name: &str,
        phone: Option<&str>,
    ) -> Result<VolunteerRecord, StoreError> {
        require(p, Operation::ManageVolunteers)?;
        let name = text::person_name(name).map_err(|e| StoreError::bad_input("name", e))?;
        let phone = phone
            .map(|ph| {
                normalize_phone(ph)
                    .ok_or_else(|| StoreError::bad_input("phone", msg!("phone-format")))
            })
            .transpose()?;
        let t = team::Entity::find_by_id(team_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound {
                what: "volunteer team",
            })?;
        let s = site::Entity::find_by_id(t.site_id)
            .filter(site_rows(p))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound {
                what: "volunteer team",
            })?;
        let id = Uuid::now_v7();
        let phone_enc = phone
            .as_deref()
            .map(|ph| self.encrypt("volunteerPhone", id, ph))
            .transpose()?;
        volunteer::ActiveModel {
            id: Set(id),
            name: Set(name.clone()),
            active: Set(true),
            team_id: Set(Some(t.id)),
            phone_enc: Set(phone_enc),
            phone_bidx: Set(phone.as_deref().and_then(|ph| self.phone_bidx(ph))),
            region_code: Set(Some(s.region_code)),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        Ok(VolunteerRecord {
            id,
            name,
            phone_masked: phone.as_deref().map(nuanxin_domain::access::mask::phone),
            team: Some(t.id),
        })
    }

    /// An activity at a site, with who was invited and who came (members of families the
    /// caller reaches, volunteers of the site's region).
    pub async fn record_activity(
        &self,
        p: &Principal,
        new: NewActivity,
    ) -> Result<ActivityRecord, StoreError> {
        require(p, Operation::ManageVolunteers)?;
        let title =
            text::required(&new.title, 100).map_err(|e| StoreError::bad_input("title", e))?;
        if new.held_on > self.today() {
            return Err(StoreError::bad_input("heldOn", msg!("activity-in-future")));
        }
        if new.members.len() + new.volunteers.len() > 500 {
            return Err(StoreError::bad_input(
                "members",
                msg!("activity-too-many", max = 500),
            ));
        }
        let txn = self.db.begin().await?;
        let s = site::Entity::find_by_id(new.site)
            .filter(site_rows(p))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "care site" })?;
        let a = activity::ActiveModel {
            id: Set(Uuid::now_v7()),
            site_id: Set(s.id),
            title: Set(title),
            held_on: Set(new.held_on),
            created_by: Set(p.actor_id()),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
        for (m, attended) in &new.members {
            let member = crate::entity::member::Entity::find_by_id(*m)
                .filter(slice::members(p))
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound { what: "member" })?;
            participant::ActiveModel {
                id: Set(Uuid::now_v7()),
                activity_id: Set(a.id),
                member_id: Set(Some(member.id)),
                volunteer_id: Set(None),
                attended: Set(*attended),
            }
            .insert(&txn)
            .await?;
        }
        for (v, attended) in &new.volunteers {
            volunteer::Entity::find_by_id(*v)
                .filter(volunteer::Column::Active.eq(true))
                .one(&txn)
                .await?
                .ok_or(StoreError::NotFound { what: "volunteer" })?;
            participant::ActiveModel {
                id: Set(Uuid::now_v7()),
                activity_id: Set(a.id),
                member_id: Set(None),
                volunteer_id: Set(Some(*v)),
                attended: Set(*attended),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        let everyone = new.members.iter().chain(new.volunteers.iter());
        Ok(ActivityRecord {
            id: a.id,
            site: s.id,
            title: a.title,
            held_on: a.held_on,
            invited: (new.members.len() + new.volunteers.len()) as u32,
            attended: everyone.filter(|(_, came)| *came).count() as u32,
        })
    }

    /// Registers an emergency-call device (紧急呼叫设备) to a member by its serial number.
    pub async fn register_emergency_device(
        &self,
        p: &Principal,
        family: Uuid,
        member: Uuid,
        serial: &str,
    ) -> Result<Uuid, StoreError> {
        require(p, Operation::RecordCare)?;
        let serial = serial.trim();
        if serial.is_empty()
            || serial.len() > 64
            || !serial
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(StoreError::bad_input(
                "serial",
                msg!("device-serial-format"),
            ));
        }
        let family = reachable_family(&self.db, p, Resource::CareRecord, family).await?;
        member_of(&self.db, p, family.id, member).await?;
        let id = Uuid::now_v7();
        device::ActiveModel {
            id: Set(id),
            family_id: Set(family.id),
            member_id: Set(member),
            serial: Set(serial.to_owned()),
            registered_on: Set(self.today()),
            active: Set(true),
            credential_hash: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::Conflict {
                field: Some("serial".into()),
                message: msg!("device-taken"),
            },
            other => other,
        })?;
        Ok(id)
    }
}
