//! Reads of sensitive personal information in the clear, and the append-only access log
//! that records each one (who, which person, which fields, which operation, why, when).

use chrono::Utc;
use nuanxin_domain::policy::{FieldAccess, Operation, SensitiveField};
use nuanxin_domain::{IdNumber, Principal};
use nuanxin_locale::msg;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::access_log_writer::MAX_GROUP_ROWS;
use crate::entity::{access_log, member as mem};
use crate::error::StoreError;
use crate::records::{AccessLogEntry, MemberRecord, Page, RequestMeta, Revealed};
use crate::slice::require;
use crate::{Store, slice};

impl Store {
    /// Releases the clear values of `fields` for members the caller already reached, after
    /// checking the policy grants an unmasked read of each field and a purpose is stated.
    /// Writes exactly one access-log row per person.
    pub async fn reveal(
        &self,
        p: &Principal,
        members: &[&MemberRecord],
        fields: &[SensitiveField],
        purpose: &str,
        meta: &RequestMeta,
    ) -> Result<Vec<Revealed>, StoreError> {
        let purpose = check_unmask(p, fields, purpose)?;
        if fields.is_empty() || members.is_empty() {
            return Ok(vec![Revealed::default(); members.len()]);
        }
        let field_list = fields
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(",");
        // Logged before release: if the log cannot be written, nothing is revealed.
        self.log_reads(
            p,
            members.iter().map(|m| Some(m.id())),
            &field_list,
            "reveal",
            purpose,
            meta,
        )
        .await?;
        Ok(members
            .iter()
            .map(|m| Revealed {
                id_number: fields
                    .contains(&SensitiveField::IdNumber)
                    .then(|| m.member.id_number.expose().to_owned()),
                phone: if fields.contains(&SensitiveField::Phone) {
                    m.member.phone.clone()
                } else {
                    None
                },
                address: if fields.contains(&SensitiveField::Address) {
                    m.member.address.clone()
                } else {
                    None
                },
            })
            .collect())
    }

    /// Exact-match lookup by ID number through the blind index, within the caller's slice.
    /// The search itself is logged (the searcher typed a full ID number), found or not.
    pub async fn member_by_id_number(
        &self,
        p: &Principal,
        id_number: &IdNumber,
        meta: &RequestMeta,
    ) -> Result<MemberRecord, StoreError> {
        require(p, Operation::LookupMemberByIdNumber)?;
        let bidx = self.vault.blind_index("idNumber", id_number.expose());
        let row = mem::Entity::find()
            .filter(slice::members(p))
            .filter(mem::Column::IdNumberBidx.eq(bidx))
            // The living person first, if a deceased namesake row also exists.
            .order_by_asc(mem::Column::DeceasedOn.is_not_null())
            .one(&self.db)
            .await?;
        self.log_reads(
            p,
            [row.as_ref().map(|r| r.id)],
            "idNumber",
            "memberByIdNumber",
            "exact-match lookup",
            meta,
        )
        .await?;
        let row = row.ok_or(StoreError::NotFound { what: "member" })?;
        self.member_record(row)
    }

    /// The access log, newest first; auditors only.
    pub async fn access_log(
        &self,
        p: &Principal,
        member: Option<Uuid>,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<Page<AccessLogEntry>, StoreError> {
        require(p, Operation::ReadAccessLog)?;
        let mut q = access_log::Entity::find()
            .filter(slice::access_log(p))
            .order_by_desc(access_log::Column::Id);
        if let Some(m) = member {
            q = q.filter(access_log::Column::MemberId.eq(m));
        }
        if let Some(after) = after {
            q = q.filter(access_log::Column::Id.lt(after));
        }
        let mut rows = q.limit(first + 1).all(&self.db).await?;
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(first as usize);
        Ok(Page {
            has_next_page,
            items: rows
                .into_iter()
                .map(|r| AccessLogEntry {
                    id: r.id,
                    at: r.at,
                    actor_id: r.actor_id,
                    actor_name: r.actor_name,
                    actor_role: r.actor_role,
                    member_id: r.member_id,
                    fields: r
                        .fields
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    operation: r.operation,
                    purpose: r.purpose,
                    request_id: r.request_id,
                })
                .collect(),
        })
    }

    /// Appends one access-log row per person (repeats of a person are written once) and
    /// returns once they are committed, grouped with other reads' rows (see
    /// `access_log_writer`). For reads outside a transaction; inside one, [`log_reads`].
    pub(crate) async fn log_reads(
        &self,
        p: &Principal,
        members: impl IntoIterator<Item = Option<Uuid>>,
        fields: &str,
        operation: &str,
        purpose: &str,
        meta: &RequestMeta,
    ) -> Result<(), StoreError> {
        let rows = log_rows(p, members, fields, operation, purpose, meta);
        if rows.len() > MAX_GROUP_ROWS {
            return insert_rows(&self.db, rows).await;
        }
        self.access_log.write(rows).await
    }
}

/// Checks that the caller may read every one of `fields` unmasked and has stated a
/// purpose; returns the trimmed purpose.
pub(crate) fn check_unmask<'a>(
    p: &Principal,
    fields: &[SensitiveField],
    purpose: &'a str,
) -> Result<&'a str, StoreError> {
    if let Some(f) = fields
        .iter()
        .find(|f| p.field_access(**f) != FieldAccess::Unmaskable)
    {
        return Err(StoreError::forbidden(msg!(
            "forbidden-unmask",
            role = p.audience().word(),
            field = f.word()
        )));
    }
    let purpose = purpose.trim();
    if purpose.chars().count() < 4 {
        return Err(StoreError::bad_input(
            "purpose",
            msg!("unmask-purpose-needed"),
        ));
    }
    Ok(purpose)
}

/// Appends one access-log row per person (repeats of a person are written once) on `conn`,
/// inside the caller's transaction. With [`Store::log_reads`], the one writer of the log:
/// every read of sensitive data goes through one of the two.
pub(crate) async fn log_reads<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    members: impl IntoIterator<Item = Option<Uuid>>,
    fields: &str,
    operation: &str,
    purpose: &str,
    meta: &RequestMeta,
) -> Result<(), StoreError> {
    insert_rows(conn, log_rows(p, members, fields, operation, purpose, meta)).await
}

fn log_rows(
    p: &Principal,
    members: impl IntoIterator<Item = Option<Uuid>>,
    fields: &str,
    operation: &str,
    purpose: &str,
    meta: &RequestMeta,
) -> Vec<access_log::ActiveModel> {
    let now = Utc::now();
    let mut seen = std::collections::HashSet::new();
    members
        .into_iter()
        .filter(|m| m.is_none() || seen.insert(*m))
        .map(|member_id| access_log::ActiveModel {
            id: Set(Uuid::now_v7()),
            at: Set(now),
            actor_id: Set(p.actor_id()),
            actor_name: Set(p.actor_name()),
            actor_role: Set(p.audience().name().to_owned()),
            member_id: Set(member_id),
            fields: Set(fields.to_owned()),
            operation: Set(operation.to_owned()),
            purpose: Set(purpose.to_owned()),
            request_id: Set(meta.request_id.clone()),
        })
        .collect()
}

async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<access_log::ActiveModel>,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(MAX_GROUP_ROWS) {
        access_log::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    Ok(())
}
