//! Organisations and apps, managed by city admins (through the API and the command line),
//! and the check behind `POST /auth/token`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::principal::RowFilter;
use nuanxin_domain::{PartnerKind, Principal, Subject, text, time};
use nuanxin_locale::msg;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::Store;
use crate::entity::{
    app_secret as secret, organisation as org, organisation_region as org_region, partner_app,
};
use crate::error::StoreError;
use crate::session::NewOrganisation;
use crate::slice::require;

#[derive(Debug, Clone)]
pub struct SecretRecord {
    pub created_at: DateTime<Utc>,
    /// Set once a newer secret replaced it: it works until then.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct AppRecord {
    pub id: Uuid,
    pub organisation: Uuid,
    pub name: String,
    pub client_id: Option<String>,
    pub active: bool,
    pub secrets: Vec<SecretRecord>,
}

#[derive(Debug, Clone)]
pub struct OrganisationRecord {
    pub id: Uuid,
    pub name: String,
    pub kind: PartnerKind,
    pub contracted_regions: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub active: bool,
    pub apps: Vec<AppRecord>,
}

/// Why client credentials are refused (all answer `invalid_client`; the log tells them
/// apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClientRefusal {
    #[error("unknown client or wrong secret")]
    BadCredentials,
    #[error("the app is disabled")]
    AppDisabled,
    #[error("the organisation is disabled or outside its validity period")]
    OrganisationInactive,
}

pub(super) fn manages(p: &Principal) -> Result<(), StoreError> {
    require(p, Operation::ManagePartners)?;
    match p.rows(Resource::Organisation) {
        RowFilter::Everything => Ok(()),
        _ => Err(StoreError::forbidden(msg!(
            "forbidden-operation",
            role = p.audience().word(),
            operation = Operation::ManagePartners.word()
        ))),
    }
}

/// Compares two hex digests without stopping at the first difference.
fn same_digest(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Store {
    /// Every organisation with its regions and apps (never a secret).
    pub async fn organisations(
        &self,
        p: &Principal,
    ) -> Result<Vec<OrganisationRecord>, StoreError> {
        manages(p)?;
        let orgs = org::Entity::find()
            .order_by_asc(org::Column::Id)
            .all(&self.db)
            .await?;
        let regions = org_region::Entity::find().all(&self.db).await?;
        let apps = partner_app::Entity::find()
            .order_by_asc(partner_app::Column::Id)
            .all(&self.db)
            .await?;
        let secrets = secret::Entity::find()
            .order_by_asc(secret::Column::Id)
            .all(&self.db)
            .await?;
        orgs.into_iter()
            .map(|o| {
                Ok(OrganisationRecord {
                    kind: PartnerKind::parse(&o.kind)
                        .ok_or_else(|| StoreError::Internal(format!("kind {}", o.kind)))?,
                    contracted_regions: regions
                        .iter()
                        .filter(|r| r.organisation_id == o.id)
                        .map(|r| r.region_code.clone())
                        .collect(),
                    apps: apps
                        .iter()
                        .filter(|a| a.organisation_id == o.id)
                        .map(|a| app_record(a, &secrets))
                        .collect(),
                    id: o.id,
                    name: o.name,
                    valid_from: o.valid_from,
                    valid_to: o.valid_to,
                    active: o.active,
                })
            })
            .collect()
    }

    /// Files an organisation of a kind, contracted for regions of this city.
    pub async fn add_organisation(
        &self,
        p: &Principal,
        new: NewOrganisation,
    ) -> Result<OrganisationRecord, StoreError> {
        manages(p)?;
        let name = text::required(&new.name, 100).map_err(|e| StoreError::bad_input("name", e))?;
        if new.contracted_regions.is_empty() || new.contracted_regions.len() > 200 {
            return Err(StoreError::bad_input(
                "contractedRegions",
                msg!("organisation-regions-count"),
            ));
        }
        if let Some(r) = new
            .contracted_regions
            .iter()
            .find(|r| !r.is_within(&self.city))
        {
            return Err(StoreError::bad_input(
                "contractedRegions",
                msg!("region-outside-city", region = r.as_str()),
            ));
        }
        if new.valid_to.is_some_and(|t| t < new.valid_from) {
            return Err(StoreError::bad_input(
                "validTo",
                msg!("organisation-validity-order"),
            ));
        }
        let id = self
            .insert_organisation(NewOrganisation { name, ..new })
            .await?;
        self.organisation(p, id).await
    }

    async fn organisation(
        &self,
        p: &Principal,
        id: Uuid,
    ) -> Result<OrganisationRecord, StoreError> {
        self.organisations(p)
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or(StoreError::NotFound {
                what: "organisation",
            })
    }

    /// A new app of an organisation with its first secret (given hashed).
    pub async fn add_partner_app(
        &self,
        p: &Principal,
        organisation: Uuid,
        name: &str,
        client_id: &str,
        secret_hash: &str,
    ) -> Result<AppRecord, StoreError> {
        manages(p)?;
        let name = text::required(name, 100).map_err(|e| StoreError::bad_input("name", e))?;
        org::Entity::find_by_id(organisation)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound {
                what: "organisation",
            })?;
        let id = Uuid::now_v7();
        let now = Utc::now();
        let txn = self.db.begin().await?;
        partner_app::ActiveModel {
            id: Set(id),
            organisation_id: Set(organisation),
            name: Set(name),
            active: Set(true),
            client_id: Set(Some(client_id.to_owned())),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        secret::ActiveModel {
            id: Set(Uuid::now_v7()),
            app_id: Set(id),
            secret_hash: Set(secret_hash.to_owned()),
            created_at: Set(now),
            expires_at: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        self.app(id).await
    }

    async fn app(&self, id: Uuid) -> Result<AppRecord, StoreError> {
        let a = partner_app::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound { what: "app" })?;
        let secrets = secret::Entity::find()
            .filter(secret::Column::AppId.eq(id))
            .order_by_asc(secret::Column::Id)
            .all(&self.db)
            .await?;
        Ok(app_record(&a, &secrets))
    }

    /// A new secret for an app; the secrets it had stay valid for `overlap` (0: at once
    /// refused), so a partner can deploy the new one without an outage.
    pub async fn rotate_app_secret(
        &self,
        p: &Principal,
        app: Uuid,
        secret_hash: &str,
        overlap: Duration,
    ) -> Result<AppRecord, StoreError> {
        manages(p)?;
        if overlap < Duration::zero() || overlap > Duration::days(30) {
            return Err(StoreError::bad_input(
                "overlapHours",
                msg!("app-overlap-range"),
            ));
        }
        let now = Utc::now();
        let until = now + overlap;
        let txn = self.db.begin().await?;
        partner_app::Entity::find_by_id(app)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "app" })?;
        secret::Entity::update_many()
            .col_expr(secret::Column::ExpiresAt, Expr::value(until))
            .filter(secret::Column::AppId.eq(app))
            .filter(
                Condition::any()
                    .add(secret::Column::ExpiresAt.is_null())
                    .add(secret::Column::ExpiresAt.gt(until)),
            )
            .exec(&txn)
            .await?;
        secret::ActiveModel {
            id: Set(Uuid::now_v7()),
            app_id: Set(app),
            secret_hash: Set(secret_hash.to_owned()),
            created_at: Set(now),
            expires_at: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        self.app(app).await
    }

    /// Turns an app on or off; a disabled app's tokens are refused on their next request.
    pub async fn set_app_active(
        &self,
        p: &Principal,
        app: Uuid,
        active: bool,
    ) -> Result<AppRecord, StoreError> {
        manages(p)?;
        let done = partner_app::Entity::update_many()
            .col_expr(partner_app::Column::Active, Expr::value(active))
            .filter(partner_app::Column::Id.eq(app))
            .exec(&self.db)
            .await?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound { what: "app" });
        }
        self.forget_accounts();
        self.app(app).await
    }

    /// Turns an organisation on or off, as the city admin (every app of it with it).
    pub async fn set_organisation_active_as(
        &self,
        p: &Principal,
        organisation: Uuid,
        active: bool,
    ) -> Result<OrganisationRecord, StoreError> {
        manages(p)?;
        self.organisation(p, organisation).await?;
        self.set_organisation_active(organisation, active).await?;
        self.organisation(p, organisation).await
    }

    /// Names the organisation that answers for a responsible unit (its referrals reach it).
    pub async fn link_care_unit(
        &self,
        p: &Principal,
        unit_code: &str,
        organisation: Uuid,
    ) -> Result<(), StoreError> {
        use crate::entity::care_unit as unit;
        manages(p)?;
        org::Entity::find_by_id(organisation)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound {
                what: "organisation",
            })?;
        let done = unit::Entity::update_many()
            .col_expr(unit::Column::OrganisationId, Expr::value(organisation))
            .filter(unit::Column::Code.eq(unit_code))
            .exec(&self.db)
            .await?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound { what: "unit" });
        }
        Ok(())
    }

    /// The partner a client id and secret (hashed by the caller) speak for, when the app and
    /// its organisation are active and the secret is current (or within its overlap).
    pub async fn client_credentials(
        &self,
        client_id: &str,
        secret_hash: &str,
    ) -> Result<Result<Principal, ClientRefusal>, StoreError> {
        let Some(app) = partner_app::Entity::find()
            .filter(partner_app::Column::ClientId.eq(client_id))
            .one(&self.db)
            .await?
        else {
            return Ok(Err(ClientRefusal::BadCredentials));
        };
        let now = Utc::now();
        let current = secret::Entity::find()
            .filter(secret::Column::AppId.eq(app.id))
            .filter(
                Condition::any()
                    .add(secret::Column::ExpiresAt.is_null())
                    .add(secret::Column::ExpiresAt.gt(now)),
            )
            .all(&self.db)
            .await?;
        if !current
            .iter()
            .any(|s| same_digest(&s.secret_hash, secret_hash))
        {
            return Ok(Err(ClientRefusal::BadCredentials));
        }
        if !app.active {
            return Ok(Err(ClientRefusal::AppDisabled));
        }
        let today = time::china_today();
        let organisation = org::Entity::find_by_id(app.organisation_id)
            .one(&self.db)
            .await?
            .filter(|o| o.active && o.valid_from <= today && o.valid_to.is_none_or(|t| t > today));
        let Some(organisation) = organisation else {
            return Ok(Err(ClientRefusal::OrganisationInactive));
        };
        let Some(kind) = PartnerKind::parse(&organisation.kind) else {
            return Ok(Err(ClientRefusal::OrganisationInactive));
        };
        Ok(Ok(Principal::of(Subject::Partner {
            organisation: organisation.id,
            kind,
            app: app.id,
            name: app.name,
        })))
    }
}

fn app_record(a: &partner_app::Model, secrets: &[secret::Model]) -> AppRecord {
    AppRecord {
        id: a.id,
        organisation: a.organisation_id,
        name: a.name.clone(),
        client_id: a.client_id.clone(),
        active: a.active,
        secrets: secrets
            .iter()
            .filter(|s| s.app_id == a.id)
            .map(|s| SecretRecord {
                created_at: s.created_at,
                expires_at: s.expires_at,
            })
            .collect(),
    }
}
