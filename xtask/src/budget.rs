//! The PWA's size budget: what a phone downloads on its first visit, as the server sends it:
//! the brotli `.br` beside a file when there is one (phones reach the server over HTTPS,
//! where browsers accept brotli), else the file itself (images are sent as they are). The
//! gzip figure (plain HTTP, older browsers) is printed beside it. Every kilobyte is seconds
//! on a 2G link in a mountain commune.

use std::path::Path;

use anyhow::Result;

use crate::precompress::files;

/// First-load transfer budget (issue 4); ODK Web Forms' JavaScript alone is ~1.25 MB gzip.
pub const FIRST_LOAD_BUDGET: u64 = 300 * 1024;

/// Prints the transfer size of every file of the built PWA and the total against the
/// budget. A figure, like the benchmarks, not a pass/fail gate: BENCHMARKS.md records it.
pub fn report(dist: &Path) -> Result<u64> {
    let (mut total, mut total_gz) = (0, 0);
    let sent = |path: &Path, suffix: &str, raw: u64| {
        let mut compressed = path.as_os_str().to_owned();
        compressed.push(suffix);
        std::fs::metadata(&compressed).map_or(raw, |m| m.len())
    };
    for path in files(dist)? {
        let raw = std::fs::metadata(&path)?.len();
        let (br, gz) = (sent(&path, ".br", raw), sent(&path, ".gz", raw));
        let name = path.strip_prefix(dist).unwrap_or(&path).to_string_lossy().into_owned();
        total += br;
        total_gz += gz;
        println!("  {name:<40} {raw:>8} B raw {br:>8} B brotli {gz:>8} B gzip");
    }
    let verdict = if total <= FIRST_LOAD_BUDGET { "met" } else { "NOT MET" };
    println!(
        "  first-load transfer over HTTPS (brotli): {} KB; target ≤ {} KB: {verdict} (gzip, plain HTTP: {} KB)",
        total / 1024,
        FIRST_LOAD_BUDGET / 1024,
        total_gz / 1024
    );
    Ok(total)
}
