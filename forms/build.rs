//! Embeds every definition file and reference list in the crate, so that adding a form
//! version is adding a file: no code lists them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    // Read when the script runs, not baked in when it was compiled: checkouts sharing a
    // target directory share this script's binary.
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = root.as_path();
    let mut out = String::new();

    let defs = root.join("definitions");
    println!("cargo:rerun-if-changed={}", defs.display());
    let mut files = Vec::new();
    for form in fs::read_dir(&defs).expect("forms/definitions exists") {
        let form = form.expect("readable entry").path();
        if !form.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", form.display());
        for file in fs::read_dir(&form).expect("readable form folder") {
            let path = file.expect("readable entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    out += "/// Definition files as `(\"<form>/<file>\", text)`, sorted by path.\n";
    out += "pub const DEFINITIONS: &[(&str, &str)] = &[\n";
    for path in &files {
        let rel = path.strip_prefix(&defs).expect("under definitions").to_string_lossy().replace('\\', "/");
        writeln!(out, "    ({rel:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    out += "];\n\n";

    let reference = root.join("reference");
    println!("cargo:rerun-if-changed={}", reference.display());
    let mut refs: Vec<_> = fs::read_dir(&reference)
        .expect("forms/reference exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "toml"))
        .collect();
    refs.sort();
    out += "/// Reference files as `(file name, text)`.\n";
    out += "pub const REFERENCE: &[(&str, &str)] = &[\n";
    for path in &refs {
        let name = path.file_name().expect("file").to_string_lossy();
        writeln!(out, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    out += "];\n";

    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}
