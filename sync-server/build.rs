//! `sqlx::migrate!` embeds the files under `migrations/` at compile time; without this a new
//! migration file is missed by an incremental build.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
