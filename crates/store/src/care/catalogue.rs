//! The service catalogue and its responsible units, as data: seeded from the seed's list
//! when missing, added to by the city.

use std::collections::HashMap;

use chrono::Utc;
use nuanxin_domain::Principal;
use nuanxin_domain::care::catalogue::{self, CareCategory, SEED_SERVICES, SEED_UNITS};
use nuanxin_domain::policy::{Operation, Resource};
use nuanxin_domain::principal::RowFilter;
use nuanxin_domain::text;
use nuanxin_locale::{Message, msg};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set, TransactionTrait};
use uuid::Uuid;

use crate::Store;
use crate::entity::{care_service as svc, care_service_unit as svc_unit, care_unit as unit};
use crate::error::StoreError;
use crate::slice::require;

#[derive(Debug, Clone)]
pub struct UnitRecord {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The organisation that logs in for this unit (the partner issue), when there is one.
    pub organisation: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct ServiceRecord {
    pub code: String,
    pub category: CareCategory,
    pub name_zh: String,
    pub name_en: String,
    pub units: Vec<String>,
}

fn reaches_catalogue(p: &Principal) -> Result<(), StoreError> {
    require(p, Operation::ReadCatalogue)?;
    match p.rows(Resource::CareCatalogue) {
        RowFilter::Everything => Ok(()),
        _ => Err(StoreError::forbidden(msg!(
            "forbidden-operation",
            role = p.audience().word(),
            operation = Operation::ReadCatalogue.word()
        ))),
    }
}

impl Store {
    /// Inserts the seed's units and services that are missing (a city's own are kept).
    pub(crate) async fn seed_catalogue(&self) -> Result<(), StoreError> {
        let now = Utc::now();
        let have_units: Vec<String> = unit::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| u.code)
            .collect();
        let have_services: Vec<String> = svc::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| s.code)
            .collect();
        let txn = self.db.begin().await?;
        for (code, zh, en) in SEED_UNITS {
            if !have_units.iter().any(|c| c == code) {
                unit::ActiveModel {
                    code: Set((*code).into()),
                    name_zh: Set((*zh).into()),
                    name_en: Set((*en).into()),
                    organisation_id: Set(None),
                    created_at: Set(now),
                }
                .insert(&txn)
                .await?;
            }
        }
        for s in SEED_SERVICES {
            if have_services.iter().any(|c| c == s.code) {
                continue;
            }
            svc::ActiveModel {
                code: Set(s.code.into()),
                category: Set(s.category.as_str().into()),
                name_zh: Set(s.name_zh.into()),
                name_en: Set(s.name_en.into()),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
            for u in s.units {
                svc_unit::ActiveModel {
                    service_code: Set(s.code.into()),
                    unit_code: Set((*u).into()),
                }
                .insert(&txn)
                .await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }

    pub async fn care_units(&self, p: &Principal) -> Result<Vec<UnitRecord>, StoreError> {
        reaches_catalogue(p)?;
        Ok(unit::Entity::find()
            .order_by_asc(unit::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| UnitRecord {
                code: u.code,
                name_zh: u.name_zh,
                name_en: u.name_en,
                organisation: u.organisation_id,
            })
            .collect())
    }

    /// Every service with its units (two queries, whatever the catalogue's size).
    pub async fn care_services(&self, p: &Principal) -> Result<Vec<ServiceRecord>, StoreError> {
        reaches_catalogue(p)?;
        let mut units: HashMap<String, Vec<String>> = HashMap::new();
        for link in svc_unit::Entity::find()
            .order_by_asc(svc_unit::Column::UnitCode)
            .all(&self.db)
            .await?
        {
            units
                .entry(link.service_code)
                .or_default()
                .push(link.unit_code);
        }
        svc::Entity::find()
            .order_by_asc(svc::Column::Category)
            .order_by_asc(svc::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| {
                Ok(ServiceRecord {
                    category: CareCategory::parse(&s.category)
                        .ok_or_else(|| StoreError::Internal(format!("category {}", s.category)))?,
                    units: units.remove(&s.code).unwrap_or_default(),
                    code: s.code,
                    name_zh: s.name_zh,
                    name_en: s.name_en,
                })
            })
            .collect()
    }

    pub async fn add_care_unit(
        &self,
        p: &Principal,
        code: &str,
        name_zh: &str,
        name_en: &str,
    ) -> Result<UnitRecord, StoreError> {
        require(p, Operation::ManageCatalogue)?;
        let (code, name_zh, name_en) = check_names(code, name_zh, name_en)?;
        unit::ActiveModel {
            code: Set(code.clone()),
            name_zh: Set(name_zh.clone()),
            name_en: Set(name_en.clone()),
            organisation_id: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await
        .map_err(|e| taken(e, "code", msg!("unit-code-taken")))?;
        Ok(UnitRecord {
            code,
            name_zh,
            name_en,
            organisation: None,
        })
    }

    /// A city's own service, in one of the six categories, with its responsible units.
    pub async fn add_care_service(
        &self,
        p: &Principal,
        code: &str,
        category: CareCategory,
        name_zh: &str,
        name_en: &str,
        units: &[String],
    ) -> Result<ServiceRecord, StoreError> {
        require(p, Operation::ManageCatalogue)?;
        let (code, name_zh, name_en) = check_names(code, name_zh, name_en)?;
        if units.is_empty() || units.len() > 20 {
            return Err(StoreError::bad_input(
                "units",
                msg!("catalogue-units-count"),
            ));
        }
        let known: Vec<String> = unit::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| u.code)
            .collect();
        if let Some(u) = units.iter().find(|u| !known.contains(u)) {
            return Err(StoreError::bad_input(
                "units",
                msg!("unit-unknown", code = u.as_str()),
            ));
        }
        let txn = self.db.begin().await?;
        svc::ActiveModel {
            code: Set(code.clone()),
            category: Set(category.as_str().into()),
            name_zh: Set(name_zh.clone()),
            name_en: Set(name_en.clone()),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await
        .map_err(|e| taken(e, "code", msg!("service-code-taken")))?;
        let mut units = units.to_vec();
        units.sort();
        units.dedup();
        for u in &units {
            svc_unit::ActiveModel {
                service_code: Set(code.clone()),
                unit_code: Set(u.clone()),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(ServiceRecord {
            code,
            category,
            name_zh,
            name_en,
            units,
        })
    }
}

fn check_names(code: &str, zh: &str, en: &str) -> Result<(String, String, String), StoreError> {
    if !catalogue::valid_code(code) {
        return Err(StoreError::bad_input("code", msg!("catalogue-code-format")));
    }
    let zh = text::required(zh, 60).map_err(|e| StoreError::bad_input("nameZh", e))?;
    let en = text::required(en, 120).map_err(|e| StoreError::bad_input("nameEn", e))?;
    Ok((code.to_owned(), zh, en))
}

fn taken(e: sea_orm::DbErr, field: &str, message: Message) -> StoreError {
    match StoreError::from(e) {
        StoreError::Conflict { .. } => StoreError::Conflict {
            field: Some(field.into()),
            message,
        },
        other => other,
    }
}
