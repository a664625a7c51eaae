//! The PWA's size budget: what a phone downloads on its first visit, gzip-compressed as
//! the server sends it. Every kilobyte is seconds on a 2G link in a mountain commune.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};

/// First-load transfer budget (issue 4); ODK Web Forms' JavaScript alone is ~1.25 MB gzip.
pub const FIRST_LOAD_BUDGET: u64 = 300 * 1024;

/// Gzip size of every file of the built PWA; fails when the total exceeds the budget.
pub fn check(dist: &Path) -> Result<()> {
    let mut total = 0;
    let mut files: Vec<_> = std::fs::read_dir(dist)
        .with_context(|| format!("reading {}", dist.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&bytes)?;
        let size = gz.finish()?.len() as u64;
        total += size;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("  {name:<40} {:>8} B raw {:>8} B gzip", bytes.len(), size);
    }
    println!("  first-load transfer (gzip): {} KB of {} KB budget", total / 1024, FIRST_LOAD_BUDGET / 1024);
    if total > FIRST_LOAD_BUDGET {
        bail!("the PWA is {} KB gzip, over the {} KB budget", total / 1024, FIRST_LOAD_BUDGET / 1024);
    }
    Ok(())
}
