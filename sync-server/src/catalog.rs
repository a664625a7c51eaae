//! The catalog a server process serves: compiled from the database
//! ([`crate::store::catalog`]), replaced when an admin publishes through this process or
//! another one. Requests read it through [`crate::http::AppState`], which takes the
//! current catalog each time axum clones the state for a request: a request sees one
//! catalog from start to end.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use forms::reference::ReferenceData;
use forms::Catalog;

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
}

/// The current catalog and the generation of the stored catalog it was compiled from.
#[derive(Clone)]
pub struct Catalogs {
    current: Arc<RwLock<(i64, Arc<Catalog>)>>,
    /// The reference data every compiled catalog uses (lists are not stored yet).
    reference: Arc<ReferenceData>,
}

impl Catalogs {
    /// A fixed catalog, for tests and tools that never publish.
    pub fn fixed(catalog: Arc<Catalog>) -> Catalogs {
        let reference = Arc::new(catalog.reference().clone());
        Catalogs { current: Arc::new(RwLock::new((i64::MIN, catalog))), reference }
    }

    /// Seeds the database with `shipped` (the repository's files) where it lacks them and
    /// compiles what it holds.
    pub async fn load(db: &Db, shipped: &Catalog) -> Result<Catalogs, CatalogLoadError> {
        db.seed_catalog(shipped).await?;
        let catalogs = Catalogs {
            current: Arc::new(RwLock::new((i64::MIN, Arc::new(shipped.clone())))),
            reference: Arc::new(shipped.reference().clone()),
        };
        catalogs.refresh(db).await?;
        Ok(catalogs)
    }

    pub fn current(&self) -> Arc<Catalog> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).1.clone()
    }

    fn generation(&self) -> i64 {
        self.current.read().unwrap_or_else(|e| e.into_inner()).0
    }

    /// Compiles the stored catalog again if it moved since; returns whether it did.
    pub async fn refresh(&self, db: &Db) -> Result<bool, CatalogLoadError> {
        if db.catalog_generation().await? == self.generation() {
            return Ok(false);
        }
        let stored = db.stored_catalog().await?;
        let catalog = Arc::new(stored.compile((*self.reference).clone())?);
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        // Another refresh may have gone further meanwhile.
        if stored.generation > current.0 {
            *current = (stored.generation, catalog);
        }
        Ok(true)
    }

    pub fn reference(&self) -> &ReferenceData {
        &self.reference
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
