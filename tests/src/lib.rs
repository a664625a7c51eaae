//! The cross-component tests are under `tests/tests/` (server ↔ form engine) and
//! `tests/e2e/` (the PWA in Chromium, driven by Node.js). This library is empty on purpose:
//! a cargo package needs a target, and the tests share nothing that is not already a crate.
