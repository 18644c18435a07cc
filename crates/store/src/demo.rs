//! The demo city: Xuchang (许昌市, 411000) with its six real county-level divisions,
//! synthetic townships and villages below them, and synthetic families whose ID numbers
//! carry valid check characters. Deterministic for a given seed, so demos and benchmarks
//! can be repeated.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate, Utc};
use nuanxin_domain::{FamilyStatus, IdNumber, MemberRole, Region, RegionCode, RegionLevel};
use sea_orm::{EntityTrait, PaginatorTrait, Set, TransactionTrait};
use uuid::Uuid;

use crate::Store;
use crate::entity::{family as fam, family_status_history as hist, member as mem};
use crate::error::StoreError;
use crate::registry::demo_valid_from;
use nuanxin_domain::registry::intake::ValidMember;

pub const CITY: (&str, &str) = ("411000", "许昌市");
pub const COUNTIES: [(&str, &str); 6] = [
    ("411002", "魏都区"),
    ("411003", "建安区"),
    ("411024", "鄢陵县"),
    ("411025", "襄城县"),
    ("411081", "禹州市"),
    ("411082", "长葛市"),
];
pub const TOWNSHIPS_PER_COUNTY: u32 = 4;
pub const VILLAGES_PER_TOWNSHIP: u32 = 5;

/// The demo region tree: province, city, six counties, synthetic townships and villages.
pub fn regions() -> Vec<Region> {
    let from = demo_valid_from();
    let mk = |code: String, name: String| Region {
        code: RegionCode::parse(&code).expect("demo codes are valid"),
        name,
        valid_from: from,
        valid_to: None,
    };
    let mut out = vec![
        mk("410000".into(), "河南省".into()),
        mk(CITY.0.into(), CITY.1.into()),
    ];
    const TOWNSHIP_NAMES: [&str; 4] = ["城关镇", "东风街道", "南庄乡", "北湖镇"];
    const VILLAGE_NAMES: [&str; 5] = ["东村", "西村", "南村", "北村", "中心社区"];
    for (county, county_name) in COUNTIES {
        out.push(mk(county.into(), county_name.into()));
        for t in 1..=TOWNSHIPS_PER_COUNTY {
            let tcode = format!("{county}{t:03}");
            let tname = format!(
                "{county_name}{}",
                TOWNSHIP_NAMES[(t - 1) as usize % TOWNSHIP_NAMES.len()]
            );
            out.push(mk(tcode.clone(), tname.clone()));
            for v in 1..=VILLAGES_PER_TOWNSHIP {
                let vname = VILLAGE_NAMES[(v - 1) as usize % VILLAGE_NAMES.len()];
                out.push(mk(format!("{tcode}{v:03}"), format!("{tname}{vname}")));
            }
        }
    }
    out
}

/// A small deterministic generator (xorshift64*): no external randomness for demo data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
];
const MALE: [&str; 10] = [
    "建国", "国强", "志明", "长青", "振华", "德胜", "文斌", "新民", "宝山", "海涛",
];
const FEMALE: [&str; 10] = [
    "秀英", "桂兰", "玉梅", "淑珍", "凤霞", "秀兰", "丽华", "春梅", "素芬", "红霞",
];

/// Seeds the demo region tree (idempotent).
pub async fn seed_regions(store: &Store) -> Result<(), StoreError> {
    store.upsert_regions(&regions()).await
}

/// Adds `count` synthetic families spread over the demo villages, in batches, unless the
/// registry already has families. Returns how many were added.
pub async fn seed_families(
    store: &Store,
    count: u64,
    seed: u64,
    mut progress: impl FnMut(u64),
) -> Result<u64, StoreError> {
    if fam::Entity::find().count(&store.db).await? > 0 {
        return Ok(0);
    }
    let villages: Vec<RegionCode> = regions()
        .into_iter()
        .map(|r| r.code)
        .filter(|c| c.level() == RegionLevel::Village)
        .collect();
    let mut rng = Rng(seed | 1);
    let mut used_ids: HashSet<String> = HashSet::new();
    let now = Utc::now();
    let mut done = 0;
    const BATCH: u64 = 500;
    while done < count {
        let n = BATCH.min(count - done);
        let mut families = Vec::with_capacity(n as usize);
        let mut members = Vec::with_capacity(2 * n as usize);
        let mut history = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let village = &villages[rng.below(villages.len() as u64) as usize];
            let county = village
                .ancestor_at(RegionLevel::County)
                .expect("village has a county");
            let family_id = Uuid::now_v7();
            let status = match rng.below(10) {
                0 => FamilyStatus::Registered,
                1 => FamilyStatus::Verified,
                _ => FamilyStatus::Active,
            };
            let surname = rng.pick(&SURNAMES);
            let father_birth = birth(&mut rng, 1950, 30);
            let mother_birth = father_birth + Duration::days(rng.below(2000) as i64 - 600);
            let child_death = NaiveDate::from_ymd_opt(
                2000 + rng.below(25) as i32,
                1 + rng.below(12) as u32,
                1 + rng.below(28) as u32,
            )
            .unwrap_or(NaiveDate::MIN);
            families.push(fam::ActiveModel {
                id: Set(family_id),
                region_code: Set(village.as_str().to_owned()),
                city_code: Set(CITY.0.to_owned()),
                county_code: Set(county.as_str().to_owned()),
                township_code: Set(village.parent().map(|t| t.as_str().to_owned())),
                village_code: Set(Some(village.as_str().to_owned())),
                status: Set(status.as_str().to_owned()),
                honour_certificate_no: Set(Some(format!("豫许{:07}", rng.below(10_000_000)))),
                honour_certificate_date: Set(NaiveDate::from_ymd_opt(
                    1980 + rng.below(15) as i32,
                    1 + rng.below(12) as u32,
                    1,
                )),
                child_death_date: Set(Some(child_death)),
                later_child_date: Set(None),
                eligible: Set(None),
                eligibility_version: Set(None),
                eligibility_checked_at: Set(None),
                created_by: Set(Uuid::nil()),
                created_at: Set(now),
                updated_at: Set(now),
            });
            for (role, birth_date, given, odd) in [
                (MemberRole::Father, father_birth, rng.pick(&MALE), true),
                (MemberRole::Mother, mother_birth, rng.pick(&FEMALE), false),
            ] {
                let id_number = loop {
                    let seq = (rng.below(500) * 2 + u64::from(odd)) as u16;
                    let id = IdNumber::compose(county.as_str(), birth_date, seq)
                        .map_err(|e| StoreError::Internal(e.to_string()))?;
                    if used_ids.insert(id.expose().to_owned()) {
                        break id;
                    }
                };
                let member = ValidMember {
                    role,
                    name: format!(
                        "{}{}",
                        if role == MemberRole::Father {
                            surname
                        } else {
                            rng.pick(&SURNAMES)
                        },
                        given
                    ),
                    id_number,
                    phone: Some(format!("13{:09}", rng.below(1_000_000_000))),
                    address: Some(format!("河南省许昌市{}号", 1 + rng.below(300))),
                    hukou_region: village.clone(),
                    deceased_on: None,
                };
                members.push(store.member_model(family_id, &member, now)?);
            }
            history.push(hist::ActiveModel {
                id: Set(Uuid::now_v7()),
                family_id: Set(family_id),
                from_status: Set(None),
                to_status: Set(status.as_str().to_owned()),
                reason: Set("demo data".into()),
                actor_id: Set(Uuid::nil()),
                at: Set(now),
                effective_on: Set(None),
            });
        }
        let txn = store.db.begin().await?;
        fam::Entity::insert_many(families).exec(&txn).await?;
        for chunk in members.chunks(500) {
            mem::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        }
        hist::Entity::insert_many(history).exec(&txn).await?;
        txn.commit().await?;
        done += n;
        progress(done);
    }
    store.analyze().await?;
    Ok(done)
}

fn birth(rng: &mut Rng, from_year: i32, span_years: u64) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(from_year, 1, 1).unwrap_or(NaiveDate::MIN);
    start + Duration::days(rng.below(span_years * 365) as i64)
}

/// Synthetic data for the roster benchmark: `counties` counties (two synthetic cities of
/// the province 410000), one township and village each, and `families_per_county` active
/// families with two living parents each. Run with `NUANXIN_CITY=410000`.
pub async fn seed_bench(
    store: &Store,
    counties: u32,
    families_per_county: u64,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, StoreError> {
    let from = demo_valid_from();
    let mut regions = vec![Region {
        code: RegionCode::parse("410000").map_err(|e| StoreError::Internal(e.to_string()))?,
        name: "河南省".into(),
        valid_from: from,
        valid_to: None,
    }];
    let mut villages = Vec::new();
    for i in 0..counties {
        let city = format!("41{:02}00", 1 + i / 50);
        let county = format!("41{:02}{:02}", 1 + i / 50, 1 + i % 50);
        for (code, name) in [
            (city.clone(), format!("测试市{}", 1 + i / 50)),
            (county.clone(), format!("测试县{i:03}")),
            (format!("{county}001"), format!("测试县{i:03}城关镇")),
            (format!("{county}001001"), format!("测试县{i:03}城关镇东村")),
        ] {
            regions.push(Region {
                code: RegionCode::parse(&code).map_err(|e| StoreError::Internal(e.to_string()))?,
                name,
                valid_from: from,
                valid_to: None,
            });
        }
        villages.push(
            RegionCode::parse(&format!("{county}001001"))
                .map_err(|e| StoreError::Internal(e.to_string()))?,
        );
    }
    regions.sort_by(|a, b| a.code.cmp(&b.code));
    regions.dedup_by(|a, b| a.code == b.code);
    store.upsert_regions(&regions).await?;

    let total = u64::from(counties) * families_per_county;
    let mut rng = Rng(0x5eed);
    let mut used: HashSet<String> = HashSet::with_capacity(2 * total as usize);
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap_or(NaiveDate::MIN);
    let registered = d(2019, 12, 1)
        .and_hms_opt(2, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let verified = d(2019, 12, 10)
        .and_hms_opt(2, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let active = d(2020, 1, 2)
        .and_hms_opt(2, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let mut done = 0;
    for village in &villages {
        let county = village
            .ancestor_at(RegionLevel::County)
            .ok_or_else(|| StoreError::Internal("county".into()))?;
        let city = village
            .ancestor_at(RegionLevel::City)
            .ok_or_else(|| StoreError::Internal("city".into()))?;
        let mut left = families_per_county;
        while left > 0 {
            let n = left.min(1000);
            left -= n;
            let mut families = Vec::with_capacity(n as usize);
            let mut members = Vec::with_capacity(2 * n as usize);
            let mut history = Vec::with_capacity(3 * n as usize);
            for _ in 0..n {
                let family_id = Uuid::now_v7();
                families.push(fam::ActiveModel {
                    id: Set(family_id),
                    region_code: Set(village.as_str().to_owned()),
                    city_code: Set(city.as_str().to_owned()),
                    county_code: Set(county.as_str().to_owned()),
                    township_code: Set(village.parent().map(|t| t.as_str().to_owned())),
                    village_code: Set(Some(village.as_str().to_owned())),
                    status: Set(FamilyStatus::Active.as_str().to_owned()),
                    honour_certificate_no: Set(Some(format!("豫{:08}", rng.below(100_000_000)))),
                    honour_certificate_date: Set(Some(d(1985, 1, 1))),
                    child_death_date: Set(Some(d(2019, 6, 1))),
                    later_child_date: Set(None),
                    eligible: Set(Some(true)),
                    eligibility_version: Set(None),
                    eligibility_checked_at: Set(None),
                    created_by: Set(Uuid::nil()),
                    created_at: Set(registered),
                    updated_at: Set(active),
                });
                for (at, status) in [
                    (registered, FamilyStatus::Registered),
                    (verified, FamilyStatus::Verified),
                    (active, FamilyStatus::Active),
                ] {
                    history.push(hist::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        family_id: Set(family_id),
                        from_status: Set(None),
                        to_status: Set(status.as_str().to_owned()),
                        reason: Set("benchmark data".into()),
                        actor_id: Set(Uuid::nil()),
                        at: Set(at),
                        effective_on: Set(None),
                    });
                }
                for (role, odd) in [(MemberRole::Father, true), (MemberRole::Mother, false)] {
                    let born = birth(&mut rng, 1955, 25);
                    let id_number = loop {
                        let seq = (rng.below(500) * 2 + u64::from(odd)) as u16;
                        let id = IdNumber::compose(county.as_str(), born, seq)
                            .map_err(|e| StoreError::Internal(e.to_string()))?;
                        if used.insert(id.expose().to_owned()) {
                            break id;
                        }
                    };
                    let member = ValidMember {
                        role,
                        name: format!(
                            "{}{}",
                            rng.pick(&SURNAMES),
                            if odd {
                                rng.pick(&MALE)
                            } else {
                                rng.pick(&FEMALE)
                            }
                        ),
                        id_number,
                        phone: None,
                        address: None,
                        hukou_region: village.clone(),
                        deceased_on: None,
                    };
                    members.push(store.member_model(family_id, &member, registered)?);
                }
            }
            let txn = store.db.begin().await?;
            fam::Entity::insert_many(families).exec(&txn).await?;
            mem::Entity::insert_many(members).exec(&txn).await?;
            hist::Entity::insert_many(history).exec(&txn).await?;
            txn.commit().await?;
            done += n;
            progress(done, total);
        }
    }
    store.analyze().await?;
    Ok(done)
}

/// Care work for the care benchmark: for every family of `county` that has none yet, one
/// monthly pairing, a chronic-disease record of the mother, an emergency-aid case for one
/// family in ten, and `records` care records spread over the past year (visits of the
/// pairing, services, follow-ups). Deterministic; bulk inserts, a transaction per batch.
pub async fn seed_care(
    store: &Store,
    county: &RegionCode,
    records: u32,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, StoreError> {
    use crate::entity::{
        care_case as case, care_pairing as pairing, care_record as rec, chronic_condition as cond,
    };
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    store.seed_catalogue().await?;
    if rec::Entity::find().count(&store.db).await? > 0 {
        return Ok(0);
    }
    let families = fam::Entity::find()
        .filter(fam::Column::CountyCode.eq(county.as_str()))
        .order_by_asc(fam::Column::Id)
        .all(&store.db)
        .await?;
    let mothers: std::collections::HashMap<Uuid, Uuid> = mem::Entity::find()
        .filter(mem::Column::Role.eq("mother"))
        .filter(mem::Column::FamilyId.is_in(families.iter().map(|f| f.id)))
        .all(&store.db)
        .await?
        .into_iter()
        .map(|m| (m.family_id, m.id))
        .collect();
    let total = families.len() as u64;
    let mut rng = Rng(0x5eed_ca2e);
    let today = store.today();
    let year_ago = today - Duration::days(365);
    let now = Utc::now();
    let mut done = 0;
    for batch in families.chunks(200) {
        let mut pairings = Vec::new();
        let mut conditions = Vec::new();
        let mut cases = Vec::new();
        let mut rows = Vec::new();
        for f in batch {
            let pairing_id = Uuid::now_v7();
            pairings.push(pairing::ActiveModel {
                id: Set(pairing_id),
                family_id: Set(f.id),
                leader_name: Set("张书记".into()),
                worker_kind: Set("staff".into()),
                worker_staff_id: Set(None),
                volunteer_id: Set(None),
                worker_name: Set("城关镇专干".into()),
                schedule: Set("monthly".into()),
                content: Set("每月上门看望".into()),
                answerable_name: Set("刘主任".into()),
                starts_on: Set(year_ago),
                ended_on: Set(None),
                last_visit_on: Set(None),
                created_by: Set(Uuid::nil()),
                created_at: Set(now),
            });
            let mother = mothers.get(&f.id).copied();
            let condition_id = Uuid::now_v7();
            if let Some(m) = mother {
                conditions.push(cond::ActiveModel {
                    id: Set(condition_id),
                    family_id: Set(f.id),
                    member_id: Set(m),
                    disease: Set("高血压".into()),
                    schedule: Set("quarterly".into()),
                    started_on: Set(year_ago),
                    ended_on: Set(None),
                    last_follow_up_on: Set(None),
                    created_by: Set(Uuid::nil()),
                    created_at: Set(now),
                });
            }
            if rng.below(10) == 0 {
                cases.push(case::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    family_id: Set(f.id),
                    member_id: Set(None),
                    workflow: Set("emergency_aid".into()),
                    referral_kind: Set(None),
                    unit_code: Set(None),
                    state: Set("requested".into()),
                    priority: Set(0),
                    summary: Set("突发重病".into()),
                    requested_fen: Set(Some(500_000)),
                    approved_fen: Set(None),
                    approved_by: Set(None),
                    disbursed_fen: Set(None),
                    opened_on: Set(today - Duration::days(rng.below(300) as i64)),
                    opened_by: Set(Uuid::nil()),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
            }
            let (mut last_visit, mut last_follow_up) = (None, None);
            for i in 0..records {
                let on = today - Duration::days(rng.below(365) as i64);
                let (kind, service, pairing_ref, condition_ref, member) = match i % 10 {
                    8 if mother.is_some() => (
                        "follow_up",
                        "chronic_follow_up",
                        None,
                        Some(condition_id),
                        mother,
                    ),
                    9 => ("service", "holiday_visit", None, None, None),
                    _ => ("visit", "home_visit", Some(pairing_id), None, None),
                };
                if pairing_ref.is_some() {
                    last_visit = last_visit.max(Some(on));
                }
                if condition_ref.is_some() {
                    last_follow_up = last_follow_up.max(Some(on));
                }
                rows.push(rec::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    family_id: Set(f.id),
                    member_id: Set(member),
                    kind: Set(kind.into()),
                    service_code: Set(service.into()),
                    occurred_on: Set(on),
                    performer_kind: Set("staff".into()),
                    performer_id: Set(Uuid::nil()),
                    performer_name: Set("城关镇专干".into()),
                    content: Set("上门看望，了解生活和健康情况".into()),
                    outcome: Set(None),
                    money_fen: Set(0),
                    goods_fen: Set(i64::from(i % 3) * 10_000),
                    details: Set("{}".into()),
                    pairing_id: Set(pairing_ref),
                    campaign_id: Set(None),
                    condition_id: Set(condition_ref),
                    corrects_id: Set(None),
                    created_by: Set(Uuid::nil()),
                    created_at: Set(now),
                });
            }
            if let Some(p) = pairings.last_mut() {
                p.last_visit_on = Set(last_visit);
            }
            if let (Some(c), Some(_)) = (conditions.last_mut(), mother) {
                c.last_follow_up_on = Set(last_follow_up);
            }
        }
        let txn = store.db.begin().await?;
        pairing::Entity::insert_many(pairings).exec(&txn).await?;
        if !conditions.is_empty() {
            cond::Entity::insert_many(conditions).exec(&txn).await?;
        }
        if !cases.is_empty() {
            case::Entity::insert_many(cases).exec(&txn).await?;
        }
        for chunk in rows.chunks(1000) {
            rec::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
        }
        txn.commit().await?;
        done += batch.len() as u64;
        progress(done, total);
    }
    store.analyze().await?;
    Ok(done)
}

/// Writes a given consent of each family to share with `kind` (for its purpose), as a
/// county office would have recorded from signed forms (demo data carries no scan).
async fn seed_consents<C: sea_orm::ConnectionTrait>(
    conn: &C,
    families: &[Uuid],
    kind: nuanxin_domain::PartnerKind,
    today: chrono::NaiveDate,
) -> Result<(), StoreError> {
    use crate::entity::{consent, consent_state};
    let purpose = nuanxin_domain::partners::ConsentPurpose::of_kind(kind).as_str();
    let now = Utc::now();
    consent::Entity::insert_many(families.iter().map(|f| consent::ActiveModel {
        id: Set(Uuid::now_v7()),
        family_id: Set(*f),
        recipient_kind: Set(kind.as_str().into()),
        purpose: Set(purpose.into()),
        given: Set(true),
        effective_on: Set(today),
        evidence_id: Set(None),
        recorded_by: Set(Uuid::nil()),
        recorded_at: Set(now),
    }))
    .exec(conn)
    .await?;
    consent_state::Entity::insert_many(families.iter().map(|f| consent_state::ActiveModel {
        family_id: Set(*f),
        recipient_kind: Set(kind.as_str().into()),
        purpose: Set(purpose.into()),
        given: Set(true),
        updated_at: Set(now),
    }))
    .exec(conn)
    .await?;
    Ok(())
}

/// For the insurer's reference client: the first `n` families (by id) consent to share
/// with insurers. Returns how many consents were written (0 when some exist already).
pub async fn seed_insurance_consent(store: &Store, n: u64) -> Result<u64, StoreError> {
    use crate::entity::consent_state;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let kind = nuanxin_domain::PartnerKind::Insurer;
    if consent_state::Entity::find()
        .filter(consent_state::Column::RecipientKind.eq(kind.as_str()))
        .count(&store.db)
        .await?
        > 0
    {
        return Ok(0);
    }
    let families: Vec<Uuid> = fam::Entity::find()
        .order_by_asc(fam::Column::Id)
        .limit(n)
        .all(&store.db)
        .await?
        .into_iter()
        .map(|f| f.id)
        .collect();
    let txn = store.db.begin().await?;
    for chunk in families.chunks(500) {
        seed_consents(&txn, chunk, kind, store.today()).await?;
    }
    txn.commit().await?;
    Ok(families.len() as u64)
}

/// For the green-channel benchmark: the first `n` families consent to share with hospitals
/// and each father gets a card. Returns how many cards were issued.
pub async fn seed_green_channel(store: &Store, n: u64) -> Result<u64, StoreError> {
    use crate::entity::green_channel_card as card;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    if card::Entity::find().count(&store.db).await? > 0 {
        return Ok(0);
    }
    let fathers = mem::Entity::find()
        .filter(mem::Column::Role.eq("father"))
        .order_by_asc(mem::Column::FamilyId)
        .limit(n)
        .all(&store.db)
        .await?;
    let now = Utc::now();
    let today = store.today();
    let mut done = 0;
    for batch in fathers.chunks(500) {
        let txn = store.db.begin().await?;
        let families: Vec<Uuid> = batch.iter().map(|f| f.family_id).collect();
        seed_consents(
            &txn,
            &families,
            nuanxin_domain::PartnerKind::Hospital,
            today,
        )
        .await?;
        card::Entity::insert_many(batch.iter().map(|f| {
            let id = Uuid::now_v7();
            card::ActiveModel {
                id: Set(id),
                family_id: Set(f.family_id),
                member_id: Set(f.id),
                card_no: Set(format!("LS{}", &id.simple().to_string()[8..])),
                issued_on: Set(today),
                revoked_on: Set(None),
                issued_by: Set(Uuid::nil()),
                created_at: Set(now),
            }
        }))
        .exec(&txn)
        .await?;
        txn.commit().await?;
        done += batch.len() as u64;
    }
    store.analyze().await?;
    Ok(done)
}
