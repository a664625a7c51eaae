//! The catalog a server process serves: compiled from the database
//! ([`crate::store::catalog`]), replaced when an admin publishes through this process or
//! another one. Requests read it through [`crate::http::AppState`], which takes the
//! current catalog each time axum clones the state for a request: a request sees one
//! catalog from start to end.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use forms::reference::ReferenceData;
use forms::Catalog;

use crate::store::catalog::StoredCatalog;
use crate::store::StoreError;
use crate::Db;

/// How often a process asks the database whether another one published.
pub const POLL: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum CatalogLoadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the stored catalog does not compile: {0}")]
    Definition(#[from] forms::DefinitionError),
    #[error("the stored reference lists do not hold together: {0}")]
    Reference(forms::reference::ReferenceError),
}

/// What a process serves at one generation of the stored catalog: the published catalog,
/// and the one testers get, with the drafts (the same `Arc` while there are none).
struct Served {
    generation: i64,
    published: Arc<Catalog>,
    testing: Arc<Catalog>,
}

impl Served {
    fn of(generation: i64, catalog: Arc<Catalog>) -> Served {
        Served { generation, published: catalog.clone(), testing: catalog }
    }
}

/// The current catalog and the generation of the stored catalog it was compiled from.
#[derive(Clone)]
pub struct Catalogs {
    current: Arc<RwLock<Served>>,
    /// The reference data compiled catalogs use while the database holds no lists.
    fallback_reference: Arc<ReferenceData>,
}

impl Catalogs {
    /// A fixed catalog, for tests and tools that never publish.
    pub fn fixed(catalog: Arc<Catalog>) -> Catalogs {
        let fallback_reference = Arc::new(catalog.reference().clone());
        Catalogs { current: Arc::new(RwLock::new(Served::of(i64::MIN, catalog))), fallback_reference }
    }

    /// Seeds the database with `shipped` (the repository's files: forms, figures and
    /// reference lists) where it lacks them and compiles what it holds.
    pub async fn load(db: &Db, shipped: &Catalog) -> Result<Catalogs, CatalogLoadError> {
        db.seed_catalog(shipped).await?;
        db.seed_reference(forms::catalog::bundled_reference_files()).await?;
        let catalogs = Catalogs {
            current: Arc::new(RwLock::new(Served::of(i64::MIN, Arc::new(shipped.clone())))),
            fallback_reference: Arc::new(shipped.reference().clone()),
        };
        catalogs.refresh(db).await?;
        Ok(catalogs)
    }

    /// The published catalog.
    pub fn current(&self) -> Arc<Catalog> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).published.clone()
    }

    /// The catalog testers get: the published one and every draft, marked `draft`.
    pub fn testing(&self) -> Arc<Catalog> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).testing.clone()
    }

    /// The published and the testers' catalog, of one generation.
    pub fn both(&self) -> (Arc<Catalog>, Arc<Catalog>) {
        let served = self.current.read().unwrap_or_else(|e| e.into_inner());
        (served.published.clone(), served.testing.clone())
    }

    fn generation(&self) -> i64 {
        self.current.read().unwrap_or_else(|e| e.into_inner()).generation
    }

    /// Compiles the stored catalog again if it moved since; returns whether it did.
    pub async fn refresh(&self, db: &Db) -> Result<bool, CatalogLoadError> {
        if db.catalog_generation().await? == self.generation() {
            return Ok(false);
        }
        let stored = db.stored_catalog().await?;
        let reference = self.stored_reference(db).await?;
        // Read after the published versions: a draft published in between is in both, and
        // left out of the drafts; the counter moved, so the next poll reads it again.
        let drafts = db.drafts().await?;
        let catalog = Arc::new(stored.compile(reference.clone())?);
        let mut served = Served::of(stored.generation, catalog);
        let drafts: Vec<_> = drafts
            .into_iter()
            .map(|d| d.definition)
            .filter(|d| served.published.form(&d.id, d.version).is_none())
            .collect();
        if !drafts.is_empty() {
            let mut with_drafts = stored.clone();
            with_drafts.definitions.extend(drafts);
            match with_drafts.compile(reference) {
                Ok(testing) => served.testing = Arc::new(testing),
                // Checked when uploaded; never keeps the published catalog from being served.
                Err(e) => tracing::error!(error = %e, "the drafts do not compile with the published catalog"),
            }
        }
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        // Another refresh may have gone further meanwhile.
        if stored.generation > current.generation {
            *current = served;
        }
        Ok(true)
    }

    /// The reference lists as stored (`store::reference`), checked; the fallback while
    /// none are.
    pub async fn stored_reference(&self, db: &Db) -> Result<ReferenceData, CatalogLoadError> {
        let files = db.reference_files().await?;
        if files.is_empty() {
            return Ok((*self.fallback_reference).clone());
        }
        let borrowed = files.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        forms::catalog::reference_from_files(&borrowed)
            .map_err(|mut problems| CatalogLoadError::Reference(problems.remove(0)))
    }

    /// Follows what other processes publish: polls the stored generation every [`POLL`].
    pub fn watch(&self, db: Db) -> tokio::task::JoinHandle<()> {
        let catalogs = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(POLL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match catalogs.refresh(&db).await {
                    Ok(true) => {
                        tracing::info!(version = %catalogs.current().version(), "serving a newly published catalog")
                    }
                    Ok(false) => {}
                    // Keeps serving the catalog it has; the next tick tries again.
                    Err(e) => tracing::error!(error = %e, "could not load the published catalog"),
                }
            }
        })
    }
}

/// The two files a published version downloads as: over HTTP (`GET /admin/forms/{id}/{v}/…`)
/// and with `sotay-sync-server forms export`, written by [`form_file`] for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormFile {
    /// An XLSForm workbook (`.xlsx`), `xlsform::export`.
    Xlsform,
    /// sotay TOML, as the repository's definition files are written (`xlsform::definition_toml`).
    Toml,
}

impl FormFile {
    pub fn content_type(self) -> &'static str {
        match self {
            FormFile::Xlsform => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FormFile::Toml => "application/toml; charset=utf-8",
        }
    }

    /// `<form>-v<version>.xlsx` or `.toml`.
    pub fn file_name(self, form_id: &str, version: u32) -> String {
        let extension = match self {
            FormFile::Xlsform => "xlsx",
            FormFile::Toml => "toml",
        };
        format!("{form_id}-v{version}.{extension}")
    }
}

/// Version `version` of `form_id` as a `shape` file, `None` when no such version is
/// published. The version as published: a withdrawal from the console is a state beside
/// it, not part of the file, so the file uploads again as a version in use.
pub fn form_file(
    stored: &StoredCatalog,
    reference: &ReferenceData,
    form_id: &str,
    version: u32,
    shape: FormFile,
) -> Option<Result<Vec<u8>, xlsform::ExportError>> {
    let (definition, figures) = stored.published(form_id, version)?;
    Some(match shape {
        FormFile::Xlsform => xlsform::export(definition, figures, reference),
        FormFile::Toml => Ok(xlsform::definition_toml(definition).into_bytes()),
    })
}
