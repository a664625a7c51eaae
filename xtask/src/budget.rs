//! The PWA's size budget: what a phone downloads on its first visit, gzip-compressed as
//! the server sends it. Every kilobyte is seconds on a 2G link in a mountain commune.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// First-load transfer budget (issue 4); ODK Web Forms' JavaScript alone is ~1.25 MB gzip.
pub const FIRST_LOAD_BUDGET: u64 = 300 * 1024;

/// Prints the gzip size of every file of the built PWA and the total against the budget.
/// A figure, like the benchmarks, not a pass/fail gate: BENCHMARKS.md records it.
pub fn report(dist: &Path) -> Result<u64> {
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
    let verdict = if total <= FIRST_LOAD_BUDGET { "met" } else { "NOT MET" };
    println!("  first-load transfer (gzip): {} KB; target ≤ {} KB: {verdict}", total / 1024, FIRST_LOAD_BUDGET / 1024);
    Ok(total)
}
