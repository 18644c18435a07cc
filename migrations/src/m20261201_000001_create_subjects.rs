//! Subjects other than staff, and what their rows rules name: partner organisations with
//! their contracted regions, apps and service links to families; volunteers with their
//! pairings; and revoked access-token ids (logout of the access token itself).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Organisation {
    Table,
    Id,
    Name,
    Kind,
    Active,
    ValidFrom,
    ValidTo,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum OrganisationRegion {
    Table,
    OrganisationId,
    RegionCode,
}

#[derive(DeriveIden, Clone, Copy)]
enum PartnerApp {
    Table,
    Id,
    OrganisationId,
    Name,
    Active,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ServiceLink {
    Table,
    Id,
    OrganisationId,
    FamilyId,
    Kind,
    StartsOn,
    EndsOn,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Volunteer {
    Table,
    Id,
    Name,
    Active,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Pairing {
    Table,
    Id,
    VolunteerId,
    FamilyId,
    StartsOn,
    EndsOn,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RevokedToken {
    Table,
    Jti,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Family {
    Table,
    Id,
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisation::Table)
                    .col(pk_uuid(Organisation::Id))
                    .col(text(Organisation::Name))
                    .col(string_len(Organisation::Kind, 32))
                    .col(boolean(Organisation::Active))
                    .col(date(Organisation::ValidFrom))
                    .col(date_null(Organisation::ValidTo))
                    .col(timestamp_with_time_zone(Organisation::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganisationRegion::Table)
                    .col(uuid(OrganisationRegion::OrganisationId))
                    .col(string_len(OrganisationRegion::RegionCode, 12))
                    .primary_key(
                        Index::create()
                            .col(OrganisationRegion::OrganisationId)
                            .col(OrganisationRegion::RegionCode),
                    )
                    .foreign_key(&mut fk(
                        (
                            OrganisationRegion::Table,
                            OrganisationRegion::OrganisationId,
                        ),
                        (Organisation::Table, Organisation::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnerApp::Table)
                    .col(pk_uuid(PartnerApp::Id))
                    .col(uuid(PartnerApp::OrganisationId))
                    .col(text(PartnerApp::Name))
                    .col(boolean(PartnerApp::Active))
                    .col(timestamp_with_time_zone(PartnerApp::CreatedAt))
                    .foreign_key(&mut fk(
                        (PartnerApp::Table, PartnerApp::OrganisationId),
                        (Organisation::Table, Organisation::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceLink::Table)
                    .col(pk_uuid(ServiceLink::Id))
                    .col(uuid(ServiceLink::OrganisationId))
                    .col(uuid(ServiceLink::FamilyId))
                    .col(string_len(ServiceLink::Kind, 32))
                    .col(date(ServiceLink::StartsOn))
                    .col(date_null(ServiceLink::EndsOn))
                    .col(timestamp_with_time_zone(ServiceLink::CreatedAt))
                    .foreign_key(&mut fk(
                        (ServiceLink::Table, ServiceLink::OrganisationId),
                        (Organisation::Table, Organisation::Id),
                    ))
                    .foreign_key(&mut fk(
                        (ServiceLink::Table, ServiceLink::FamilyId),
                        (Family::Table, Family::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_service_link_organisation")
                    .table(ServiceLink::Table)
                    .col(ServiceLink::OrganisationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Volunteer::Table)
                    .col(pk_uuid(Volunteer::Id))
                    .col(text(Volunteer::Name))
                    .col(boolean(Volunteer::Active))
                    .col(timestamp_with_time_zone(Volunteer::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Pairing::Table)
                    .col(pk_uuid(Pairing::Id))
                    .col(uuid(Pairing::VolunteerId))
                    .col(uuid(Pairing::FamilyId))
                    .col(date(Pairing::StartsOn))
                    .col(date_null(Pairing::EndsOn))
                    .col(timestamp_with_time_zone(Pairing::CreatedAt))
                    .foreign_key(&mut fk(
                        (Pairing::Table, Pairing::VolunteerId),
                        (Volunteer::Table, Volunteer::Id),
                    ))
                    .foreign_key(&mut fk(
                        (Pairing::Table, Pairing::FamilyId),
                        (Family::Table, Family::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_pairing_volunteer")
                    .table(Pairing::Table)
                    .col(Pairing::VolunteerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RevokedToken::Table)
                    .col(string_len(RevokedToken::Jti, 64).primary_key())
                    .col(timestamp_with_time_zone(RevokedToken::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            RevokedToken::Table.into_iden(),
            Pairing::Table.into_iden(),
            Volunteer::Table.into_iden(),
            ServiceLink::Table.into_iden(),
            PartnerApp::Table.into_iden(),
            OrganisationRegion::Table.into_iden(),
            Organisation::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
