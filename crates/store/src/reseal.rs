//! Sealing `v1` ciphertexts (bound to their field only) again as `v2` (bound to field and
//! row), once, when the store migrates: afterwards the vault refuses `v1` everywhere, so a
//! value copied from one person's row to another's never decrypts.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use crate::Store;
use crate::entity::{bank_account, member};
use crate::error::StoreError;

impl Store {
    /// Seals every `v1` envelope again for its row; returns how many values it sealed.
    pub(crate) async fn reseal_legacy(&self) -> Result<u64, StoreError> {
        let damaged = |what: String| StoreError::Internal(format!("{what}: damaged ciphertext"));
        let txn = self.db.begin().await?;
        let mut sealed = 0;
        let members = member::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(member::Column::IdNumberEnc.starts_with("v1:"))
                    .add(member::Column::PhoneEnc.starts_with("v1:")),
            )
            .all(&txn)
            .await?;
        for m in members {
            let mut am = member::ActiveModel {
                id: Set(m.id),
                ..Default::default()
            };
            if m.id_number_enc.starts_with("v1:") {
                let clear = self
                    .vault
                    .open_legacy("idNumber", &m.id_number_enc)
                    .map_err(|_| damaged(format!("member {}", m.id)))?;
                am.id_number_enc = Set(self.encrypt("idNumber", m.id, &clear)?);
                sealed += 1;
            }
            if let Some(phone) = m.phone_enc.as_deref().filter(|p| p.starts_with("v1:")) {
                let clear = self
                    .vault
                    .open_legacy("phone", phone)
                    .map_err(|_| damaged(format!("member {}", m.id)))?;
                am.phone_enc = Set(Some(self.encrypt("phone", m.id, &clear)?));
                sealed += 1;
            }
            member::Entity::update(am).exec(&txn).await?;
        }
        let accounts = bank_account::Entity::find()
            .filter(bank_account::Column::AccountEnc.starts_with("v1:"))
            .all(&txn)
            .await?;
        for a in accounts {
            let clear = self
                .vault
                .open_legacy("bankAccount", &a.account_enc)
                .map_err(|_| damaged(format!("bank account of {}", a.member_id)))?;
            bank_account::Entity::update(bank_account::ActiveModel {
                member_id: Set(a.member_id),
                account_enc: Set(self.encrypt("bankAccount", a.member_id, &clear)?),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
            sealed += 1;
        }
        txn.commit().await?;
        if sealed > 0 {
            tracing::warn!(
                sealed,
                "sealed legacy ciphertexts again, bound to their rows"
            );
        }
        Ok(sealed)
    }
}
