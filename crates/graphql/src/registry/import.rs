//! `familyImport(id)`: how a bulk import (批量导入) went — its progress, what it would write
//! or wrote, and each problem by row and column, in the reader's language. The file itself
//! is sent to `POST /imports/families` (see the server's `imports`).

use async_graphql::{Context, ID, Object};
use nuanxin_domain::policy::Operation;
use nuanxin_domain::registry::import::ImportProblem as Problem;
use nuanxin_store::{FamilyImportRecord, JobRecord, Store};

use crate::error::{IntoGql, locale};
use crate::guard::{self, Allowed, principal};
use crate::ids::{self, Kind};

/// One cell at fault: the spreadsheet's row (the header is row 1), the column, what is wrong.
pub struct ImportProblem(Problem);

#[Object]
impl ImportProblem {
    async fn row(&self) -> i64 {
        i64::try_from(self.0.row).unwrap_or(i64::MAX)
    }
    /// The column's key (`idNumber`, `childDeathDate` …); `null` for the file as a whole.
    async fn column(&self) -> Option<&str> {
        self.0.column.map(|c| c.as_str())
    }
    /// The column as the template heads it (身份证号 …).
    async fn column_name(&self, ctx: &Context<'_>) -> Option<String> {
        self.0.column.map(|c| c.word().render(locale(ctx)))
    }
    async fn message(&self, ctx: &Context<'_>) -> String {
        self.0.message.render(locale(ctx))
    }
}

/// A bulk import of families: a check only (`dryRun`) or all rows written at once.
pub struct FamilyImport {
    job: JobRecord,
    outcome: FamilyImportRecord,
}

#[Object]
impl FamilyImport {
    async fn id(&self) -> ID {
        ids::encode(Kind::Job, self.job.id)
    }
    /// `running`, `succeeded` (checked; written when `committed`) or `failed`.
    async fn status(&self) -> &str {
        &self.job.status
    }
    /// Rows checked so far, of `total`.
    async fn done(&self) -> i64 {
        self.job.done
    }
    async fn total(&self) -> i64 {
        self.job.total
    }
    async fn dry_run(&self) -> bool {
        self.outcome.dry_run
    }
    /// True once every family of the file is on file; a file with any problem writes none.
    async fn committed(&self) -> bool {
        self.outcome.committed
    }
    /// Families (and members) the file holds, well-formed.
    async fn families(&self) -> i32 {
        self.outcome.families
    }
    async fn members(&self) -> i32 {
        self.outcome.members
    }
    async fn problem_count(&self) -> u64 {
        self.outcome.problem_count
    }
    /// The first 200 problems, by row.
    async fn problems(&self) -> Vec<ImportProblem> {
        self.outcome
            .problems
            .iter()
            .cloned()
            .map(ImportProblem)
            .collect()
    }
    /// Why the import could not be run at all, when it failed.
    async fn error(&self, ctx: &Context<'_>) -> Option<String> {
        self.job.error.as_ref().map(|m| m.render(locale(ctx)))
    }
}

#[derive(Default)]
pub struct ImportQuery;

#[Object]
impl ImportQuery {
    /// An import the caller started (`POST /imports/families` answered its id).
    #[graphql(
        guard = "Allowed(Operation::RegisterFamily)",
        visible = "guard::may_register_family"
    )]
    async fn family_import(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<FamilyImport> {
        let store = ctx.data::<Store>()?;
        let id = ids::decode(Kind::Job, &id, "id").gql()?;
        let job = store.get_job(principal(ctx), id).await.gql()?;
        let outcome = store.family_import(principal(ctx), id).await.gql()?;
        Ok(FamilyImport { job, outcome })
    }
}

/// An import's API id (for the HTTP upload's answer).
pub fn encode_job_id(id: uuid::Uuid) -> String {
    ids::encode(Kind::Job, id).to_string()
}
