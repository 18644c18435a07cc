//! Binding by a proved phone number (手机号绑定): WeChat vouches that the user holds a phone
//! number (the phone-number code of `getPhoneNumber`), and if exactly one living adult
//! member or one active volunteer has that number on file, the user is bound to them. Two
//! people sharing a number (a couple's one phone) is not a guess the store makes: the
//! user is told to ask a worker for a binding code. Phones are compared by a blind index
//! of their digits, kept beside each encrypted phone.

use nuanxin_domain::Principal;
use nuanxin_domain::registry::family::phone_match_key;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait};

use crate::Store;
use crate::entity::{member, volunteer};
use crate::error::StoreError;
use crate::slice::minor_cutoff;

use super::bindings::{BindVia, MEMBER, VOLUNTEER, bind_in, take_ticket};
use super::identity::principal_of;

/// Why a binding by phone did not happen (nothing was written; the ticket stays good).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneBindRefusal {
    /// The ticket is unknown, expired or spent: sign in with WeChat again.
    Ticket,
    /// Nobody who may sign in has this number on file.
    NotOnFile,
    /// More than one person has it: a worker's binding code tells them apart.
    Shared,
}

/// The blind-index field name of phones (members' and volunteers' alike).
const PHONE_INDEX: &str = "phone";

impl Store {
    /// The blind index a phone number is found by; `None` for what is not a phone number.
    pub(crate) fn phone_bidx(&self, phone: &str) -> Option<String> {
        phone_match_key(phone).map(|key| self.vault.blind_index(PHONE_INDEX, &key))
    }

    /// Binds the WeChat user of the ticket to the one person whose phone on file is
    /// `phone` (as WeChat proved it), in one transaction like a binding code.
    pub async fn bind_wechat_by_phone(
        &self,
        ticket_hash: &str,
        phone: &str,
    ) -> Result<Result<Principal, PhoneBindRefusal>, StoreError> {
        let Some(bidx) = self.phone_bidx(phone) else {
            return Ok(Err(PhoneBindRefusal::NotOnFile));
        };
        let now = self.clock.now();
        let txn = self.db.begin().await?;
        let Some(identity) = take_ticket(&txn, ticket_hash, now).await? else {
            return Ok(Err(PhoneBindRefusal::Ticket));
        };
        // Adults only: a child signs in to nothing.
        let members = member::Entity::find()
            .filter(member::Column::PhoneBidx.eq(bidx.as_str()))
            .filter(member::Column::DeceasedOn.is_null())
            .filter(member::Column::BirthDate.lte(minor_cutoff()))
            .limit(2)
            .all(&txn)
            .await?;
        let volunteers = volunteer::Entity::find()
            .filter(volunteer::Column::PhoneBidx.eq(bidx.as_str()))
            .filter(volunteer::Column::Active.eq(true))
            .limit(2)
            .all(&txn)
            .await?;
        let (kind, ids) = match (members.as_slice(), volunteers.as_slice()) {
            ([m], []) => (MEMBER, (Some(m.family_id), Some(m.id), None)),
            ([], [v]) => (VOLUNTEER, (None, None, Some(v.id))),
            ([], []) => {
                tracing::info!("wechat binding by phone refused: not on file");
                return Ok(Err(PhoneBindRefusal::NotOnFile));
            }
            _ => {
                tracing::info!("wechat binding by phone refused: the number is shared");
                return Ok(Err(PhoneBindRefusal::Shared));
            }
        };
        let Some(principal) = principal_of(ids.0, ids.1, ids.2) else {
            return Ok(Err(PhoneBindRefusal::NotOnFile));
        };
        if bind_in(&txn, &identity, kind, ids, BindVia::Phone, now)
            .await?
            .is_none()
        {
            return Ok(Err(PhoneBindRefusal::NotOnFile));
        }
        txn.commit().await?;
        tracing::info!(kind, "wechat bound by a proved phone number");
        Ok(self
            .recheck(&principal)
            .await?
            .map_err(|_| PhoneBindRefusal::NotOnFile))
    }

    /// Fills the phone index of rows written before it existed (once; at start-up, since
    /// the index key is the vault's, not the migration's). Returns how many it filled.
    pub(crate) async fn index_phones(&self) -> Result<u64, StoreError> {
        let mut filled = 0;
        let members = member::Entity::find()
            .filter(member::Column::PhoneEnc.is_not_null())
            .filter(member::Column::PhoneBidx.is_null())
            .all(&self.db)
            .await?;
        for m in members {
            let Some(enc) = m.phone_enc.as_deref() else {
                continue;
            };
            let Ok(phone) = self.vault.decrypt("phone", m.id, enc) else {
                tracing::warn!(member = %m.id, "phone not indexed: it does not decrypt");
                continue;
            };
            member::Entity::update(member::ActiveModel {
                id: Set(m.id),
                phone_bidx: Set(self.phone_bidx(&phone)),
                ..Default::default()
            })
            .exec(&self.db)
            .await?;
            filled += 1;
        }
        let volunteers = volunteer::Entity::find()
            .filter(volunteer::Column::PhoneEnc.is_not_null())
            .filter(volunteer::Column::PhoneBidx.is_null())
            .all(&self.db)
            .await?;
        for v in volunteers {
            let Some(enc) = v.phone_enc.as_deref() else {
                continue;
            };
            let Ok(phone) = self.vault.decrypt("volunteerPhone", v.id, enc) else {
                tracing::warn!(volunteer = %v.id, "phone not indexed: it does not decrypt");
                continue;
            };
            volunteer::Entity::update(volunteer::ActiveModel {
                id: Set(v.id),
                phone_bidx: Set(self.phone_bidx(&phone)),
                ..Default::default()
            })
            .exec(&self.db)
            .await?;
            filled += 1;
        }
        if filled > 0 {
            tracing::info!(filled, "phone numbers indexed");
        }
        Ok(filled)
    }
}
