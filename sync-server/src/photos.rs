//! Where evidence photos live (issue 16): a folder under the data directory by default, or
//! an S3-compatible bucket (AWS S3, MinIO…) for deployments that outgrow one disk. Both go
//! through `object_store`, so the handlers never know which.
//!
//! A photo is stored under its content's SHA-256 (`ab/abcdef…`), so the same bytes are one
//! object however often they are sent: an upload retried after a lost reply writes nothing
//! new. Which photos a record has, and which objects exist, is the database's business
//! (`store::photos`); this module only puts, reads and deletes bytes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
/// The object-store crate, for callers that build a store of their own (tests, tools).
pub use object_store;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

#[derive(Debug, thiserror::Error)]
pub enum PhotoStoreError {
    #[error("no such photo")]
    NotFound,
    #[error("photo storage: {0}")]
    Storage(String),
    #[error("photo storage is configured wrongly: {0}")]
    Config(String),
}

impl From<object_store::Error> for PhotoStoreError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => PhotoStoreError::NotFound,
            other => PhotoStoreError::Storage(other.to_string()),
        }
    }
}

/// The photo store a server runs with; cheap to clone.
#[derive(Clone)]
pub struct PhotoStore {
    store: Arc<dyn ObjectStore>,
    /// The folder, for a store on this machine's disk: written files are synced to disk
    /// before an upload is acknowledged, and backups copy it.
    local_root: Option<PathBuf>,
    description: String,
}

impl std::fmt::Debug for PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl PhotoStore {
    /// Photos in `folder` (created, private to the server's user).
    pub fn in_folder(folder: &Path) -> Result<PhotoStore, PhotoStoreError> {
        std::fs::create_dir_all(folder).map_err(|e| PhotoStoreError::Config(format!("{}: {e}", folder.display())))?;
        let root = folder.canonicalize().map_err(|e| PhotoStoreError::Config(format!("{}: {e}", folder.display())))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(&root)
            .map_err(|e| PhotoStoreError::Config(e.to_string()))?;
        Ok(PhotoStore {
            store: Arc::new(store),
            description: format!("folder {}", root.display()),
            local_root: Some(root),
        })
    }

    /// Photos in an S3-compatible bucket, `s3://bucket` or `s3://bucket/prefix`. Endpoint,
    /// region and keys come from the usual `AWS_*` variables (`AWS_ENDPOINT_URL` for MinIO,
    /// `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint on a private network).
    pub fn s3(url: &str) -> Result<PhotoStore, PhotoStoreError> {
        let rest =
            url.strip_prefix("s3://").ok_or_else(|| PhotoStoreError::Config(format!("not an s3:// URL: {url}")))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(PhotoStoreError::Config(format!("no bucket in {url}")));
        }
        let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
        // object_store reads AWS_ENDPOINT; the AWS tools and MinIO's documentation say
        // AWS_ENDPOINT_URL. Either works here.
        if let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL") {
            builder = builder.with_endpoint(endpoint);
        }
        let store = builder.build().map_err(|e| PhotoStoreError::Config(e.to_string()))?;
        Ok(Self::remote(Arc::new(store), prefix, format!("bucket {url}")))
    }

    /// Photos in any object store, under `prefix` (tests give each run its own).
    pub fn remote(store: Arc<dyn ObjectStore>, prefix: &str, description: String) -> PhotoStore {
        let prefix = prefix.trim_matches('/');
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            store
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(store, prefix.to_owned()))
        };
        PhotoStore { store, local_root: None, description }
    }

    /// What `--photo-store` names: `s3://…`, or a folder (the default: `<data-dir>/photos`).
    pub fn from_setting(setting: Option<&str>, data_dir: &Path) -> Result<PhotoStore, PhotoStoreError> {
        match setting {
            Some(url) if url.starts_with("s3://") => Self::s3(url),
            Some(folder) => Self::in_folder(Path::new(folder.strip_prefix("file://").unwrap_or(folder))),
            None => Self::in_folder(&data_dir.join("photos")),
        }
    }

    /// The folder photos are kept in, when they are on this machine.
    pub fn local_root(&self) -> Option<&Path> {
        self.local_root.as_deref()
    }

    fn key(sha256: &str) -> ObjectPath {
        ObjectPath::from(format!("{}/{sha256}.jpg", &sha256[..2.min(sha256.len())]))
    }

    /// Stores a photo's bytes under its hash. Done when it returns: on a local disk the file
    /// and its folder are synced, on S3 the PUT was acknowledged.
    pub async fn put(&self, sha256: &str, bytes: Bytes) -> Result<(), PhotoStoreError> {
        let key = Self::key(sha256);
        self.store.put(&key, PutPayload::from_bytes(bytes)).await?;
        if let Some(root) = &self.local_root {
            let file = root.join(key.as_ref());
            tokio::task::spawn_blocking(move || sync_file_and_folder(&file))
                .await
                .map_err(|e| PhotoStoreError::Storage(e.to_string()))?
                .map_err(|e| PhotoStoreError::Storage(e.to_string()))?;
        }
        Ok(())
    }

    pub async fn get(&self, sha256: &str) -> Result<Bytes, PhotoStoreError> {
        Ok(self.store.get(&Self::key(sha256)).await?.bytes().await?)
    }

    /// Whether the object is there (for tests and the consistency check).
    pub async fn exists(&self, sha256: &str) -> Result<bool, PhotoStoreError> {
        match self.store.head(&Self::key(sha256)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a photo; deleting one that is not there is not an error.
    pub async fn delete(&self, sha256: &str) -> Result<(), PhotoStoreError> {
        match self.store.delete(&Self::key(sha256)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl PhotoStore {
    /// Copies these photos into `folder` (`ab/<sha256>.jpg`, as stored), skipping those
    /// already there: a backup beside the database's. Photos never change once stored, so
    /// on the same disk a hard link is a copy. Returns how many were written.
    pub async fn copy_to(&self, hashes: &[String], folder: &Path) -> Result<usize, PhotoStoreError> {
        let mut written = 0;
        for sha256 in hashes {
            let key = Self::key(sha256);
            let target = folder.join(key.as_ref());
            if tokio::fs::try_exists(&target).await.unwrap_or(false) {
                continue;
            }
            if let Some(parent) = target.parent() {
                tokio::fs::create_dir_all(parent).await.map_err(|e| PhotoStoreError::Storage(e.to_string()))?;
            }
            let linked = match &self.local_root {
                Some(root) => tokio::fs::hard_link(root.join(key.as_ref()), &target).await.is_ok(),
                None => false,
            };
            if !linked {
                let bytes = self.get(sha256).await?;
                tokio::fs::write(&target, &bytes).await.map_err(|e| PhotoStoreError::Storage(e.to_string()))?;
            }
            written += 1;
        }
        Ok(written)
    }
}

fn sync_file_and_folder(file: &Path) -> std::io::Result<()> {
    std::fs::File::open(file)?.sync_all()?;
    if let Some(folder) = file.parent() {
        std::fs::File::open(folder)?.sync_all()?;
    }
    Ok(())
}
