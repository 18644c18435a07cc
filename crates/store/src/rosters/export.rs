//! Export rows: everything a spreadsheet of a roster needs, in a handful of queries, with
//! account numbers masked unless a purpose unmasks them (each person logged).

use std::collections::HashMap;

use nuanxin_domain::{Principal, RegionCode};
use nuanxin_locale::msg;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{ExportRow, RosterLineRecord, RosterRecord, to_line};
use crate::Store;
use crate::entity::{member as mem, roster_line as line};
use crate::error::StoreError;
use crate::records::RequestMeta;

/// What the printed roster's title and signature block (制表 / 审核 / 审批) name: the
/// county by name and each person by name, with the day they acted (a China date).
#[derive(Debug, Clone)]
pub struct RosterHeading {
    pub county_name: String,
    pub prepared: Option<(String, chrono::NaiveDate)>,
    pub checked: Option<(String, chrono::NaiveDate)>,
    pub approved: Option<(String, chrono::NaiveDate)>,
}

impl Store {
    /// The heading of a roster already read with the caller's rights (two queries).
    pub async fn roster_heading(&self, roster: &RosterRecord) -> Result<RosterHeading, StoreError> {
        let county_name = self
            .region_names(std::slice::from_ref(&roster.county))
            .await?
            .remove(&roster.county)
            .unwrap_or_else(|| roster.county.to_string());
        let people: Vec<Uuid> = [
            Some(roster.generated_by),
            roster.submitted_by,
            roster.approved_by,
        ]
        .into_iter()
        .flatten()
        .collect();
        let names = self.staff_names(&people).await?;
        let day = |at: chrono::DateTime<chrono::Utc>| {
            at.with_timezone(&nuanxin_domain::time::china())
                .date_naive()
        };
        let signed = |who: Option<Uuid>, at: Option<chrono::DateTime<chrono::Utc>>| {
            Some((names.get(&who?)?.clone(), day(at?)))
        };
        Ok(RosterHeading {
            county_name,
            prepared: signed(Some(roster.generated_by), Some(roster.generated_at)),
            checked: signed(roster.submitted_by, roster.submitted_at),
            approved: signed(roster.approved_by, roster.approved_at),
        })
    }

    /// Everything an export needs, in a handful of queries. With `unmask`, account numbers
    /// come in the clear for the stated purpose and each person is written to the access log.
    pub async fn roster_export(
        &self,
        p: &Principal,
        id: Uuid,
        unmask: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<(RosterRecord, Vec<ExportRow>), StoreError> {
        let roster = self.get_roster(p, id).await?;
        let rows = line::Entity::find()
            .filter(line::Column::RosterId.eq(id))
            .order_by_asc(line::Column::TownshipCode)
            .order_by_asc(line::Column::FamilyId)
            .order_by_asc(line::Column::MemberId)
            .order_by_asc(line::Column::Month)
            .all(&self.db)
            .await?;
        let outcomes = self
            .outcomes_for(&roster, rows.iter().map(|r| r.id))
            .await?;
        let lines: Vec<RosterLineRecord> = rows
            .into_iter()
            .map(|r| to_line(r, &outcomes))
            .collect::<Result<_, _>>()?;
        // Members of a roster may have moved out of the caller's slice since: the roster
        // itself is the grant, so read them as the system.
        let system = Principal::system("members and accounts of a roster the caller reached");
        let mut member_ids: Vec<Uuid> = lines.iter().map(|l| l.member_id).collect();
        member_ids.sort();
        member_ids.dedup();
        let mut members = HashMap::new();
        for chunk in member_ids.chunks(2000) {
            for row in mem::Entity::find()
                .filter(mem::Column::Id.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                let rec = self.member_record(row)?;
                members.insert(rec.id(), rec);
            }
        }
        // A frozen roster pays the accounts pinned when it was submitted; a draft, the
        // accounts on file.
        let accounts = match self.pinned_accounts(id).await? {
            Some(pinned) => pinned,
            None => {
                let mut accounts = HashMap::new();
                for chunk in member_ids.chunks(2000) {
                    accounts.extend(self.bank_accounts(&system, chunk).await?);
                }
                accounts
            }
        };
        let clear: HashMap<Uuid, String> = match unmask {
            Some(purpose) => {
                // The bank file never pays an account changed since submission unseen.
                if let Some(first) = self.changed_accounts_of(id).await?.first() {
                    let name = members
                        .get(&first.member_id)
                        .map_or("a member", |m| m.name());
                    return Err(StoreError::Conflict {
                        field: None,
                        message: msg!("roster-account-changed", name = name),
                    });
                }
                let list: Vec<&crate::BankAccountRecord> = accounts.values().collect();
                let numbers = self
                    .reveal_bank_accounts(p, &list, purpose, "rosterExport", meta)
                    .await?;
                list.iter().map(|a| a.member_id).zip(numbers).collect()
            }
            None => HashMap::new(),
        };
        let townships: Vec<RegionCode> = lines.iter().filter_map(|l| l.township.clone()).collect();
        let names = self.region_names(&townships).await?;
        let out = lines
            .into_iter()
            .map(|l| {
                let member = members.get(&l.member_id);
                let account = accounts.get(&l.member_id);
                ExportRow {
                    member_name: member.map(|m| m.name().to_owned()).unwrap_or_default(),
                    id_number_masked: member.map(|m| m.id_number_masked()).unwrap_or_default(),
                    township_name: l
                        .township
                        .as_ref()
                        .and_then(|t| names.get(t))
                        .cloned()
                        .unwrap_or_default(),
                    account: clear
                        .get(&l.member_id)
                        .cloned()
                        .or_else(|| account.map(|a| a.number_masked()))
                        .unwrap_or_default(),
                    bank_name: account.map(|a| a.bank_name.clone()).unwrap_or_default(),
                    line: l,
                }
            })
            .collect();
        Ok((roster, out))
    }
}
