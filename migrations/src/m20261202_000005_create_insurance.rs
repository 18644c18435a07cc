//! The family accident insurance (计划生育家庭意外伤害保险): the insurer's policies per member and
//! policy year, claims on them, and the idempotency keys that make an enrolment script safe
//! to run twice (a replay returns the first answer; the same key with another body is
//! refused).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum InsurancePolicy {
    Table,
    Id,
    OrganisationId,
    PolicyNo,
    MemberId,
    FamilyId,
    PolicyYear,
    CoverageStart,
    CoverageEnd,
    PremiumFen,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum InsuranceClaim {
    Table,
    Id,
    PolicyId,
    FamilyId,
    State,
    AmountFen,
    SubmittedOn,
    DecidedOn,
    Note,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum IdempotencyKey {
    Table,
    Owner,
    Key,
    RequestHash,
    Response,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Member {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InsurancePolicy::Table)
                    .col(pk_uuid(InsurancePolicy::Id))
                    .col(uuid(InsurancePolicy::OrganisationId))
                    .col(string_len(InsurancePolicy::PolicyNo, 64))
                    .col(uuid(InsurancePolicy::MemberId))
                    .col(uuid(InsurancePolicy::FamilyId))
                    .col(integer(InsurancePolicy::PolicyYear))
                    .col(date(InsurancePolicy::CoverageStart))
                    .col(date(InsurancePolicy::CoverageEnd))
                    .col(big_integer(InsurancePolicy::PremiumFen))
                    .col(timestamp_with_time_zone(InsurancePolicy::CreatedAt))
                    .col(timestamp_with_time_zone(InsurancePolicy::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_policy_member")
                            .from(InsurancePolicy::Table, InsurancePolicy::MemberId)
                            .to(Member::Table, Member::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "uq_policy_number",
                vec![InsurancePolicy::OrganisationId, InsurancePolicy::PolicyNo],
            ),
            (
                "uq_policy_member_year",
                vec![
                    InsurancePolicy::OrganisationId,
                    InsurancePolicy::MemberId,
                    InsurancePolicy::PolicyYear,
                ],
            ),
        ] {
            let mut ix = Index::create()
                .name(name)
                .table(InsurancePolicy::Table)
                .unique()
                .to_owned();
            for c in cols {
                ix.col(c);
            }
            manager.create_index(ix).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(InsuranceClaim::Table)
                    .col(pk_uuid(InsuranceClaim::Id))
                    .col(uuid(InsuranceClaim::PolicyId))
                    .col(uuid(InsuranceClaim::FamilyId))
                    .col(string_len(InsuranceClaim::State, 16))
                    .col(big_integer(InsuranceClaim::AmountFen))
                    .col(date(InsuranceClaim::SubmittedOn))
                    .col(date_null(InsuranceClaim::DecidedOn))
                    .col(text(InsuranceClaim::Note))
                    .col(uuid(InsuranceClaim::CreatedBy))
                    .col(timestamp_with_time_zone(InsuranceClaim::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_claim_policy")
                            .from(InsuranceClaim::Table, InsuranceClaim::PolicyId)
                            .to(InsurancePolicy::Table, InsurancePolicy::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(string_len(IdempotencyKey::Owner, 64))
                    .col(string_len(IdempotencyKey::Key, 200))
                    .col(string_len(IdempotencyKey::RequestHash, 64))
                    .col(text(IdempotencyKey::Response))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKey::Owner)
                            .col(IdempotencyKey::Key),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            IdempotencyKey::Table.into_iden(),
            InsuranceClaim::Table.into_iden(),
            InsurancePolicy::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
