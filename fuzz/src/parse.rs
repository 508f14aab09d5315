//! The `parse` target's harness: any text either parses, and then prints back as KQL that
//! parses to the same tree, or fails with a diagnostic that renders against the text.

/// Parses `text` and checks what the parser promises about the outcome.
///
/// # Panics
///
/// When the parser panics, when the printed tree does not parse back to an equal tree (the
/// round trip `tests/roundtrip.rs` checks on the project's queries), or when printing is not
/// a fixed point.
pub fn check(text: &str) {
    match kql_parser::parse(text) {
        Ok(query) => {
            let printed = query.to_string();
            let again = kql_parser::parse(&printed).unwrap_or_else(|error| {
                panic!("the printed query does not parse: {error}\n{printed}")
            });
            assert_eq!(
                again, query,
                "the printed query parses differently:\n{printed}"
            );
            assert_eq!(again.to_string(), printed, "printing is not a fixed point");
        }
        Err(error) => {
            // The caret rendering slices the text at the diagnostic's spans.
            let _ = error.render(text, "query");
        }
    }
}
