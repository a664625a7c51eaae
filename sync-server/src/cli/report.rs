//! `sotay-sync-server report …`: the province's reports written to files from the terminal,
//! read from the database as the HTTP report routes read it.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use forms::Catalog;
use sync_server::reports::{self, Format, PeriodParams, ReportScope};
use sync_server::Db;

#[derive(Subcommand)]
pub enum ReportCommand {
    /// The annual report of plan section V: a table per plan area, by sex and ethnicity.
    Annual {
        #[arg(long)]
        year: i32,
        #[arg(long, value_enum, default_value = "xlsx")]
        format: Format,
        /// File to write.
        #[arg(long)]
        out: PathBuf,
        /// Only this commune (a code of the 2025 unit list).
        #[arg(long)]
        commune: Option<String>,
    },
    /// A period's figures by form, commune, sex and ethnicity, as JSON.
    Summary {
        #[command(flatten)]
        period: PeriodParams,
        /// Only this form.
        #[arg(long)]
        form: Option<String>,
        #[arg(long)]
        commune: Option<String>,
        /// File to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// One form's final records, a row each, grid cells as columns.
    Raw {
        #[arg(long)]
        form: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        period: PeriodParams,
        #[arg(long)]
        commune: Option<String>,
    },
}

/// `public_url` (`--public-url`): where photo links in a raw export point; without it they
/// are paths on the server.
pub async fn report(db: &Db, catalog: &Catalog, public_url: Option<&str>, command: ReportCommand) -> Result<()> {
    let reference = catalog.reference();
    let whole = sync_server::store::users::Scope::whole_province();
    let scope = |commune: Option<&str>| ReportScope::resolve(&whole, &[], reference, commune);
    match command {
        ReportCommand::Annual { year, format, out, commune } => {
            let report = reports::annual_report(db, catalog, &scope(commune.as_deref())?, year, false).await?;
            std::fs::write(&out, reports::annual_file(&report, format)?)
                .with_context(|| format!("writing {}", out.display()))?;
            println!("{}", out.display());
        }
        ReportCommand::Summary { period, form, commune, out } => {
            let period = period.required()?;
            let scope = scope(commune.as_deref())?;
            let filter = reports::summary::Filter { form, commune, approved_only: false };
            let summary = reports::summary(db, catalog, &scope, period, filter).await?;
            let json = serde_json::to_string_pretty(&summary)?;
            match out {
                Some(path) => std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?,
                None => println!("{json}"),
            }
        }
        ReportCommand::Raw { form, format, out, period, commune } => {
            let period = period.period()?;
            let filter = reports::record_filter(&scope(commune.as_deref())?, period.as_ref(), Some(&form));
            let plan = reports::raw_plan(db, catalog, &filter).await?;
            let plan = match public_url {
                Some(base) => plan.with_links(base),
                None => plan,
            };
            match format {
                Format::Csv => {
                    let file = std::fs::File::create(&out).with_context(|| format!("creating {}", out.display()))?;
                    let mut writer = std::io::BufWriter::new(file);
                    reports::raw_csv(db, &plan, &filter, &mut writer).await?;
                    writer.flush()?;
                }
                Format::Xlsx => std::fs::write(&out, reports::raw_xlsx(db, &plan, &filter).await?)
                    .with_context(|| format!("writing {}", out.display()))?,
            }
            println!("{}", out.display());
        }
    }
    Ok(())
}
