//! Every definition file in the repository loads, and bad definitions fail with the file,
//! the field and the position.

use forms::catalog::parse_definition;
use forms::{Catalog, FieldType, PlanArea};

#[test]
fn every_bundled_definition_loads() {
    let catalog = match Catalog::bundled() {
        Ok(c) => c,
        Err(e) => panic!("a bundled definition does not load: {e}"),
    };
    let ids: std::collections::BTreeSet<&str> = catalog.forms().map(|f| f.id()).collect();
    for id in [
        "training_session",
        "outreach_event",
        "model_check",
        "school_session",
        "project8_activity",
        "action_month_event",
    ] {
        assert!(ids.contains(id), "the plan needs form {id}, which is missing");
    }
    let areas: std::collections::HashSet<PlanArea> = catalog.forms().map(|f| f.definition.plan_area).collect();
    assert_eq!(areas.len(), 6, "every plan area has a form");
}
