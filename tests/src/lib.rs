//! Cross-component tests live under `tests/tests/`; this library holds what they share as
//! they grow (the end-to-end browser harness of issue 5 will live here too).
