//! The account behind a token, looked at again on every request (the edge caches the
//! answer for at most 30 s): a disabled, demoted or moved staff member, a disabled app or
//! organisation, or a revoked token takes effect on the next request. The same look loads
//! the data a partner's or volunteer's rows rules name (contracts, links, pairings).

use chrono::{NaiveDate, Utc};
use nuanxin_domain::{PartnerKind, Principal, Reach, RegionCode, Subject, time};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Set, TransactionTrait};
use uuid::Uuid;

use crate::Store;
use crate::entity::{
    care_pairing, member, organisation as org, organisation_region as org_region, partner_app,
    revoked_token, service_link, staff_user, volunteer,
};
use crate::error::StoreError;

/// Why a token no longer speaks for anyone.
/// (Its words are the edge's: `token-revoked`, `token-account-disabled`, `token-not-here`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Revoked,
    AccountDisabled,
    NotANetworkCaller,
}

/// The account cache's key for a token: its id and the subject it names.
fn cache_key(jti: &str, token: &Principal) -> String {
    format!(
        "{jti}|{}|{}",
        token.kind().map_or("", |k| k.as_str()),
        token.actor_id()
    )
}

/// A partner organisation, as set up by the city (and by test fixtures).
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: String,
    pub kind: PartnerKind,
    pub contracted_regions: Vec<RegionCode>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// Open on `today`: started, and not yet ended.
fn open_on(starts: impl ColumnTrait, ends: impl ColumnTrait, today: NaiveDate) -> Condition {
    Condition::all()
        .add(starts.lte(today))
        .add(Condition::any().add(ends.is_null()).add(ends.gt(today)))
}

impl Store {
    /// The caller behind a verified token, as its account says now (cached per token for
    /// at most [`crate::db::ACCOUNT_CACHE_TTL`]; a change made through this store clears
    /// the cache at once). `Err(Refusal)` inside `Ok` when the token no longer speaks for
    /// anyone; the outer error is the database's.
    pub async fn authenticated(
        &self,
        token: &Principal,
    ) -> Result<Result<Principal, Refusal>, StoreError> {
        // Keyed by token id *and* subject: a token id is only unique among honest tokens.
        let Some(key) = token.token.as_ref().map(|t| cache_key(&t.id, token)) else {
            return self.recheck(token).await;
        };
        if let Some(hit) = self.accounts.get(&key) {
            return Ok(Ok(hit));
        }
        let fresh = self.recheck(token).await?;
        if let Ok(p) = &fresh {
            self.accounts.insert(key, p.clone());
        }
        Ok(fresh)
    }

    /// Forgets every cached account look (after any change to accounts, grants, contracts or
    /// pairings; a partner's service links are read in SQL on every request, not cached).
    pub(crate) fn forget_accounts(&self) {
        self.accounts.invalidate_all();
    }

    /// The caller as the account says now, uncached.
    pub async fn recheck(
        &self,
        token: &Principal,
    ) -> Result<Result<Principal, Refusal>, StoreError> {
        if let Some(t) = &token.token {
            let revoked = revoked_token::Entity::find_by_id(t.id.clone())
                .one(&self.db)
                .await?;
            if revoked.is_some() {
                return Ok(Err(Refusal::Revoked));
            }
        }
        let today = time::china_today();
        let fresh = match &token.subject {
            Subject::Anonymous => return Ok(Ok(token.clone())),
            Subject::System { .. } => return Ok(Err(Refusal::NotANetworkCaller)),
            Subject::Staff { user, .. } => {
                let Some(row) = staff_user::Entity::find_by_id(*user)
                    .filter(staff_user::Column::Active.eq(true))
                    .one(&self.db)
                    .await?
                else {
                    return Ok(Err(Refusal::AccountDisabled));
                };
                // Role and region as they are now: a demotion or move counts at once.
                match super::staff::to_user(row) {
                    Ok(u) => u.principal(),
                    Err(_) => return Ok(Err(Refusal::AccountDisabled)),
                }
            }
            Subject::Partner {
                organisation, app, ..
            } => {
                let app_row = partner_app::Entity::find_by_id(*app)
                    .filter(partner_app::Column::OrganisationId.eq(*organisation))
                    .filter(partner_app::Column::Active.eq(true))
                    .one(&self.db)
                    .await?;
                let org_row = org::Entity::find_by_id(*organisation)
                    .filter(org::Column::Active.eq(true))
                    .filter(open_on(org::Column::ValidFrom, org::Column::ValidTo, today))
                    .one(&self.db)
                    .await?;
                let (Some(app_row), Some(org_row)) = (app_row, org_row) else {
                    return Ok(Err(Refusal::AccountDisabled));
                };
                let Some(kind) = PartnerKind::parse(&org_row.kind) else {
                    return Ok(Err(Refusal::AccountDisabled));
                };
                let contracted_regions = org_region::Entity::find()
                    .filter(org_region::Column::OrganisationId.eq(*organisation))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .filter_map(|r| RegionCode::parse(&r.region_code).ok())
                    .collect();
                // Service links (links, referrals, cards) are a rule evaluated in SQL.
                Principal::of(Subject::Partner {
                    organisation: *organisation,
                    kind,
                    app: *app,
                    name: app_row.name,
                })
                .with_reach(Reach {
                    contracted_regions,
                    ..Reach::default()
                })
            }
            Subject::Volunteer { volunteer: v } => {
                if volunteer::Entity::find_by_id(*v)
                    .filter(volunteer::Column::Active.eq(true))
                    .one(&self.db)
                    .await?
                    .is_none()
                {
                    return Ok(Err(Refusal::AccountDisabled));
                }
                let paired_families = care_pairing::Entity::find()
                    .filter(care_pairing::Column::VolunteerId.eq(*v))
                    .filter(open_on(
                        care_pairing::Column::StartsOn,
                        care_pairing::Column::EndedOn,
                        today,
                    ))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|p| p.family_id)
                    .collect();
                token.clone().with_reach(Reach {
                    paired_families,
                    ..Reach::default()
                })
            }
            Subject::FamilyMember { family, member: m } => {
                // Still a living member of that family.
                if member::Entity::find_by_id(*m)
                    .filter(member::Column::FamilyId.eq(*family))
                    .filter(member::Column::DeceasedOn.is_null())
                    .one(&self.db)
                    .await?
                    .is_none()
                {
                    return Ok(Err(Refusal::AccountDisabled));
                }
                token.clone()
            }
        };
        Ok(Ok(Principal {
            token: token.token.clone(),
            ..fresh
        }))
    }

    /// Signs out the access token `caller` came with (nothing to do for a caller without
    /// one): its id is refused until it would have expired anyway.
    pub async fn revoke_access_token(&self, caller: &Principal) -> Result<bool, StoreError> {
        let Some(token) = &caller.token else {
            return Ok(false);
        };
        revoked_token::Entity::insert(revoked_token::ActiveModel {
            jti: Set(token.id.clone()),
            expires_at: Set(token.expires_at),
        })
        .on_conflict_do_nothing_on([revoked_token::Column::Jti])
        .exec(&self.db)
        .await?;
        self.accounts.invalidate(&cache_key(&token.id, caller));
        // Ids of tokens that have expired anyway are dropped (they are refused as expired).
        revoked_token::Entity::delete_many()
            .filter(revoked_token::Column::ExpiresAt.lt(Utc::now()))
            .exec(&self.db)
            .await?;
        Ok(true)
    }

    /// Creates a partner organisation with its contracted regions and one app; returns
    /// (organisation, app).
    pub async fn create_organisation(
        &self,
        new: NewOrganisation,
        app_name: &str,
    ) -> Result<(Uuid, Uuid), StoreError> {
        let id = self.insert_organisation(new).await?;
        let app = Uuid::now_v7();
        partner_app::Entity::insert(partner_app::ActiveModel {
            id: Set(app),
            organisation_id: Set(id),
            name: Set(app_name.to_owned()),
            active: Set(true),
            client_id: Set(None),
            created_at: Set(Utc::now()),
        })
        .exec(&self.db)
        .await?;
        Ok((id, app))
    }

    /// The organisation and its contracted regions, in one transaction.
    pub(crate) async fn insert_organisation(
        &self,
        new: NewOrganisation,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let txn = self.db.begin().await?;
        org::Entity::insert(org::ActiveModel {
            id: Set(id),
            name: Set(new.name),
            kind: Set(new.kind.as_str().to_owned()),
            active: Set(true),
            valid_from: Set(new.valid_from),
            valid_to: Set(new.valid_to),
            created_at: Set(Utc::now()),
        })
        .exec(&txn)
        .await?;
        for r in new.contracted_regions {
            org_region::Entity::insert(org_region::ActiveModel {
                organisation_id: Set(id),
                region_code: Set(r.as_str().to_owned()),
            })
            .exec(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(id)
    }

    /// Turns an organisation on or off (its apps are refused on their next request).
    pub async fn set_organisation_active(&self, id: Uuid, active: bool) -> Result<(), StoreError> {
        org::Entity::update_many()
            .col_expr(org::Column::Active, active.into())
            .filter(org::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        self.forget_accounts();
        Ok(())
    }

    /// An active service link from an organisation to a family, from `starts_on`.
    pub async fn link_service(
        &self,
        organisation: Uuid,
        family: Uuid,
        kind: &str,
        starts_on: NaiveDate,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        service_link::Entity::insert(service_link::ActiveModel {
            id: Set(id),
            organisation_id: Set(organisation),
            family_id: Set(family),
            kind: Set(kind.to_owned()),
            starts_on: Set(starts_on),
            ends_on: Set(None),
            created_at: Set(Utc::now()),
        })
        .exec(&self.db)
        .await?;
        Ok(id)
    }

    /// Ends a service link on `ends_on` (access ends with it).
    pub async fn end_service_link(&self, id: Uuid, ends_on: NaiveDate) -> Result<(), StoreError> {
        service_link::Entity::update_many()
            .col_expr(service_link::Column::EndsOn, ends_on.into())
            .filter(service_link::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// A volunteer, paired with `families` from `starts_on`.
    pub async fn create_volunteer(
        &self,
        name: &str,
        families: &[Uuid],
        starts_on: NaiveDate,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let now = Utc::now();
        volunteer::Entity::insert(volunteer::ActiveModel {
            id: Set(id),
            name: Set(name.to_owned()),
            active: Set(true),
            team_id: Set(None),
            phone_enc: Set(None),
            phone_bidx: Set(None),
            region_code: Set(None),
            created_at: Set(now),
        })
        .exec(&self.db)
        .await?;
        for f in families {
            care_pairing::Entity::insert(care_pairing::ActiveModel {
                id: Set(Uuid::now_v7()),
                family_id: Set(*f),
                leader_name: Set(String::new()),
                worker_kind: Set("volunteer".into()),
                worker_staff_id: Set(None),
                volunteer_id: Set(Some(id)),
                worker_name: Set(name.to_owned()),
                schedule: Set("monthly".into()),
                content: Set(String::new()),
                answerable_name: Set(name.to_owned()),
                starts_on: Set(starts_on),
                ended_on: Set(None),
                last_visit_on: Set(None),
                created_by: Set(id),
                created_at: Set(now),
            })
            .exec(&self.db)
            .await?;
        }
        self.forget_accounts();
        Ok(id)
    }
}
