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

/// The console's folder inside the PWA's (`frontend/dist/console`): not part of what a
/// phone downloads, reported on its own.
pub const CONSOLE_SUBDIR: &str = "console";

/// Prints the transfer size of every file of the built PWA and the total against the
/// budget, then the province console's (built into `console/` of the same folder, never
/// downloaded by the PWA). Figures, like the benchmarks, not a pass/fail gate: BENCHMARKS.md
/// records them. Returns the PWA's total.
pub fn report(dist: &Path) -> Result<u64> {
    let console = dist.join(CONSOLE_SUBDIR);
    let all = files(dist)?;
    let (pwa, console_files): (Vec<_>, Vec<_>) = all.into_iter().partition(|p| !p.starts_with(&console));
    println!("  PWA ({}):", dist.display());
    let (total, total_gz) = list(dist, &pwa)?;
    let verdict = if total <= FIRST_LOAD_BUDGET { "met" } else { "NOT MET" };
    println!(
        "  PWA first-load transfer over HTTPS (brotli): {} KB; target ≤ {} KB: {verdict} (gzip, plain HTTP: {} KB)",
        total / 1024,
        FIRST_LOAD_BUDGET / 1024,
        total_gz / 1024
    );
    if console_files.is_empty() {
        println!("  console: not built ({} is missing)", console.display());
    } else {
        println!("  province console ({}), online only, never downloaded by the PWA:", console.display());
        let (c, c_gz) = list(&console, &console_files)?;
        println!(
            "  console first-load transfer over HTTPS (brotli): {} KB (gzip, plain HTTP: {} KB)",
            c / 1024,
            c_gz / 1024
        );
    }
    Ok(total)
}

/// One line per file (raw, brotli, gzip); the brotli and gzip totals.
fn list(base: &Path, paths: &[std::path::PathBuf]) -> Result<(u64, u64)> {
    let (mut total, mut total_gz) = (0, 0);
    let sent = |path: &Path, suffix: &str, raw: u64| {
        let mut compressed = path.as_os_str().to_owned();
        compressed.push(suffix);
        std::fs::metadata(&compressed).map_or(raw, |m| m.len())
    };
    for path in paths {
        let raw = std::fs::metadata(path)?.len();
        let (br, gz) = (sent(path, ".br", raw), sent(path, ".gz", raw));
        let name = path.strip_prefix(base).unwrap_or(path).to_string_lossy().into_owned();
        total += br;
        total_gz += gz;
        println!("    {name:<38} {raw:>8} B raw {br:>8} B brotli {gz:>8} B gzip");
    }
    Ok((total, total_gz))
}
