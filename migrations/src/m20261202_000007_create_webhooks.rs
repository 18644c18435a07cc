//! Events for partners: an organisation's webhook endpoints (the signing secret encrypted,
//! since it must be read back to sign) and the outbox of deliveries, written in the same
//! transaction as the event and worked off with retries; the outbox is the delivery log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum WebhookEndpoint {
    Table,
    Id,
    OrganisationId,
    Url,
    SecretCipher,
    Events,
    Active,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookDelivery {
    Table,
    Id,
    EndpointId,
    Event,
    Payload,
    State,
    Attempts,
    NextAttemptAt,
    LastAttemptAt,
    LastStatus,
    LastError,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Organisation {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoint::Table)
                    .col(pk_uuid(WebhookEndpoint::Id))
                    .col(uuid(WebhookEndpoint::OrganisationId))
                    .col(string_len(WebhookEndpoint::Url, 500))
                    .col(text(WebhookEndpoint::SecretCipher))
                    .col(string_len(WebhookEndpoint::Events, 200))
                    .col(boolean(WebhookEndpoint::Active))
                    .col(timestamp_with_time_zone(WebhookEndpoint::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_organisation")
                            .from(WebhookEndpoint::Table, WebhookEndpoint::OrganisationId)
                            .to(Organisation::Table, Organisation::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .col(pk_uuid(WebhookDelivery::Id))
                    .col(uuid(WebhookDelivery::EndpointId))
                    .col(string_len(WebhookDelivery::Event, 40))
                    .col(text(WebhookDelivery::Payload))
                    .col(string_len(WebhookDelivery::State, 12))
                    .col(integer(WebhookDelivery::Attempts))
                    .col(timestamp_with_time_zone(WebhookDelivery::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(
                        WebhookDelivery::LastAttemptAt,
                    ))
                    .col(integer_null(WebhookDelivery::LastStatus))
                    .col(string_len_null(WebhookDelivery::LastError, 300))
                    .col(timestamp_with_time_zone(WebhookDelivery::CreatedAt))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::DeliveredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_delivery_endpoint")
                            .from(WebhookDelivery::Table, WebhookDelivery::EndpointId)
                            .to(WebhookEndpoint::Table, WebhookEndpoint::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_delivery_due")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::State)
                    .col(WebhookDelivery::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            WebhookDelivery::Table.into_iden(),
            WebhookEndpoint::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
