//! Writes `<file>.br` and `<file>.gz` beside each text or wasm file of the built PWA:
//! brotli at its best setting for browsers on HTTPS (every phone: a service worker needs
//! HTTPS), which reads wasm ~15% smaller than gzip, and zopfli gzip for plain HTTP, about 5%
//! smaller than gzip -9. The server sends these as they are (`ServeDir::precompressed_*`)
//! and compresses nothing else of the PWA at request time. A phone on 2G pays for every
//! byte of the first visit.

use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// What is worth compressing; images are compressed already.
const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "html", "webmanifest", "svg", "json"];

pub fn precompress(dist: &Path) -> Result<()> {
    for path in files(dist)? {
        let compressible = path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible {
            continue;
        }
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        for (suffix, compressed) in [(".gz", zopfli_gzip(&bytes)?), (".br", brotli_best(&bytes)?)] {
            let mut target = path.clone().into_os_string();
            target.push(suffix);
            std::fs::write(&target, compressed).with_context(|| format!("writing {}{suffix}", path.display()))?;
        }
    }
    Ok(())
}

pub fn zopfli_gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let options = zopfli::Options { iteration_count: NonZeroU64::new(15).expect("not zero"), ..Default::default() };
    let mut out = Vec::with_capacity(bytes.len() / 2);
    zopfli::compress(options, zopfli::Format::Gzip, bytes, &mut out).context("zopfli")?;
    Ok(out)
}

/// Brotli at quality 11 with the largest window browsers decode (16 MiB).
pub fn brotli_best(bytes: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
    let mut out = Vec::with_capacity(bytes.len() / 2);
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).context("brotli")?;
    Ok(out)
}

/// Every file under `dir` except the compressed copies (`.gz`, `.br`), sorted.
pub fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_none_or(|e| e != "gz" && e != "br") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}
