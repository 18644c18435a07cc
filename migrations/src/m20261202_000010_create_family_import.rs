//! Bulk import of families (批量导入): each upload is a job (`job`, kind `family_import`) with
//! its outcome (`family_import`: a check only or a commit, what it would write or wrote) and
//! the problems found, one row per cell at fault (`family_import_problem`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum FamilyImport {
    Table,
    JobId,
    DryRun,
    Families,
    Members,
    Committed,
}

#[derive(DeriveIden, Clone, Copy)]
enum FamilyImportProblem {
    Table,
    Id,
    JobId,
    RowNo,
    ColumnKey,
    Message,
}

#[derive(DeriveIden, Clone, Copy)]
enum Job {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FamilyImport::Table)
                    .col(uuid(FamilyImport::JobId).primary_key())
                    .col(boolean(FamilyImport::DryRun))
                    .col(integer(FamilyImport::Families))
                    .col(integer(FamilyImport::Members))
                    .col(boolean(FamilyImport::Committed))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_family_import_job")
                            .from(FamilyImport::Table, FamilyImport::JobId)
                            .to(Job::Table, Job::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FamilyImportProblem::Table)
                    .col(uuid(FamilyImportProblem::Id).primary_key())
                    .col(uuid(FamilyImportProblem::JobId))
                    .col(integer(FamilyImportProblem::RowNo))
                    .col(string_null(FamilyImportProblem::ColumnKey))
                    .col(text(FamilyImportProblem::Message))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_family_import_problem_job")
                            .from(FamilyImportProblem::Table, FamilyImportProblem::JobId)
                            .to(Job::Table, Job::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_family_import_problem_job")
                    .table(FamilyImportProblem::Table)
                    .col(FamilyImportProblem::JobId)
                    .col(FamilyImportProblem::RowNo)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FamilyImportProblem::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(FamilyImport::Table).to_owned())
            .await
    }
}
