//! Every rule of `kql.pest` has a `///` doc comment (STYLE.md §2.10).

#[test]
fn every_grammar_rule_is_documented() {
    let grammar = include_str!("../src/kql.pest");
    let lines: Vec<&str> = grammar.lines().collect();
    let mut undocumented = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let is_rule = line.split_once(" = ").is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        });
        if is_rule
            && !index
                .checked_sub(1)
                .is_some_and(|previous| lines[previous].starts_with("///"))
        {
            undocumented.push(*line);
        }
    }
    assert!(
        undocumented.is_empty(),
        "rules without a `///` comment:\n{}",
        undocumented.join("\n")
    );
}
