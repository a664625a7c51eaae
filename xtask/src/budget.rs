//! The PWA's size budget: what a phone downloads on its first visit, as the server sends it
//! (the zopfli `.gz` beside a file when there is one, else the file itself, since images
//! are sent as they are). Every kilobyte is seconds on a 2G link in a mountain commune.

use std::path::Path;

use anyhow::Result;

use crate::precompress::files;

/// First-load transfer budget (issue 4); ODK Web Forms' JavaScript alone is ~1.25 MB gzip.
pub const FIRST_LOAD_BUDGET: u64 = 300 * 1024;

/// Prints the transfer size of every file of the built PWA and the total against the
/// budget. A figure, like the benchmarks, not a pass/fail gate: BENCHMARKS.md records it.
pub fn report(dist: &Path) -> Result<u64> {
    let mut total = 0;
    for path in files(dist)? {
        let raw = std::fs::metadata(&path)?.len();
        let mut gz = path.clone().into_os_string();
        gz.push(".gz");
        let sent = std::fs::metadata(&gz).map_or(raw, |m| m.len());
        let name = path.strip_prefix(dist).unwrap_or(&path).to_string_lossy().into_owned();
        total += sent;
        println!("  {name:<40} {raw:>8} B raw {sent:>8} B sent");
    }
    let verdict = if total <= FIRST_LOAD_BUDGET { "met" } else { "NOT MET" };
    println!("  first-load transfer (gzip): {} KB; target ≤ {} KB: {verdict}", total / 1024, FIRST_LOAD_BUDGET / 1024);
    Ok(total)
}
