//! The README's commands, run as written, so the README cannot go stale: its `cargo run
//! --release -p kql-cli -- ARGS` lines run here as `kql ARGS` (the debug build of the same
//! binary), and what it says they print is compared with what they print.

mod common;

use common::{Outcome, csv_records, kql, workspace_root};

/// What the README's `sh` blocks put before kql's own arguments.
const CARGO_RUN: &str = "cargo run --release -p kql-cli -- ";

fn readme() -> String {
    std::fs::read_to_string(workspace_root().join("README.md")).expect("read README.md")
}

/// The contents of every fenced block (```` ```info ````) whose info string is `info`.
fn fenced_blocks(text: &str, info: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    // Inside a block: whether it is one of those wanted, whose lines go into `block`.
    let mut inside: Option<bool> = None;
    let mut block = String::new();
    for line in text.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (inside, fence) {
            (None, Some(rest)) => inside = Some(rest.trim() == info),
            (Some(wanted), Some(_)) => {
                if wanted {
                    blocks.push(std::mem::take(&mut block));
                }
                inside = None;
            }
            (Some(true), None) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    assert!(inside.is_none(), "README.md has an unclosed fenced block");
    blocks
}

/// A `cargo run --release -p kql-cli -- ...` line of the README's `sh` blocks.
struct ReadmeCommand {
    /// kql's arguments.
    args: Vec<String>,
    /// The exit code its `# exit code N` comment gives, else 0.
    exit_code: i32,
}

impl ReadmeCommand {
    fn subcommand(&self) -> &str {
        self.args.first().map_or("", String::as_str)
    }

    fn run(&self) -> Outcome {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        kql(&args)
    }
}

fn readme_commands() -> Vec<ReadmeCommand> {
    let mut commands = Vec::new();
    for block in fenced_blocks(&readme(), "sh") {
        for line in block.lines() {
            let Some(rest) = line.trim().strip_prefix(CARGO_RUN) else {
                continue;
            };
            let (args, comment) = rest.split_once('#').unwrap_or((rest, ""));
            // Plain words only, so splitting on spaces is what a shell would do.
            assert!(
                !args.contains(['\'', '"', '\\', '$', '`', '|', '<', '>', ';', '&', '*']),
                "the README's command needs a shell to split: {line}"
            );
            let exit_code = match comment.trim().strip_prefix("exit code ") {
                Some(code) => code.parse().expect("`# exit code N` gives a number"),
                None => 0,
            };
            let args = args.split_whitespace().map(str::to_string).collect();
            commands.push(ReadmeCommand { args, exit_code });
        }
    }
    commands
}

/// The README's first command whose subcommand is `name`.
fn readme_command(name: &str) -> ReadmeCommand {
    readme_commands()
        .into_iter()
        .find(|command| command.subcommand() == name)
        .unwrap_or_else(|| panic!("README.md has no `kql {name}` line"))
}

/// The README's `text` block that shows a diagnostic (it starts with `warning:`).
fn readme_warning() -> String {
    let blocks = fenced_blocks(&readme(), "text");
    let mut warnings = blocks
        .into_iter()
        .filter(|block| block.starts_with("warning:"));
    let warning = warnings
        .next()
        .expect("README.md shows the warning kql prints");
    assert!(
        warnings.next().is_none(),
        "README.md shows several warnings"
    );
    warning
}

/// The README's prose with its line breaks and runs of spaces as single spaces.
fn readme_prose() -> String {
    readme().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_readme_command_exits_as_the_readme_says() {
    let commands = readme_commands();
    let names: Vec<&str> = commands.iter().map(ReadmeCommand::subcommand).collect();
    assert_eq!(names.first(), Some(&"run"), "the main job comes first");
    assert!(names.contains(&"check"), "README.md shows `kql check`");
    for command in &commands {
        command.run().assert_code(command.exit_code);
    }
}

#[test]
fn the_main_job_prints_what_the_readme_says() {
    let outcome = readme_command("run").run();
    outcome.assert_code(0);

    // Not on a terminal, the result is CSV: a header and the 7 rows, with all 369 columns.
    let records = csv_records(&outcome.stdout);
    assert_eq!(records.len(), 1 + 7, "{}", outcome.stdout);
    assert!(
        records.iter().all(|record| record.len() == 369),
        "{}",
        outcome.stdout
    );
    let prose = readme_prose();
    assert!(
        prose.contains("prints the 7 rows the hunt finds"),
        "README.md: the row count"
    );
    assert!(
        prose.contains("prints all 369 columns"),
        "README.md: the column count"
    );
    // Real hits: bitsadmin command lines.
    let column = records[0].iter().position(|name| name == "CommandLine");
    let column = column.expect("a CommandLine column");
    let hits = records[1..]
        .iter()
        .filter(|row| row[column].contains("bitsadmin"));
    assert!(
        hits.count() >= 1,
        "no bitsadmin command line in\n{}",
        outcome.stdout
    );

    // On standard error, exactly the warning the README shows.
    common::assert_text("the README's warning", &readme_warning(), &outcome.stderr);
}

#[test]
fn the_main_job_as_a_table_shows_the_non_empty_columns() {
    let command = readme_command("run");
    let mut args: Vec<&str> = command.args.iter().map(String::as_str).collect();
    args.extend(["--format", "table", "--quiet"]);
    let outcome = kql(&args);
    outcome.assert_code(0).assert_stderr("");
    assert!(readme_prose().contains("as a table of their non-empty columns"));
    outcome
        .assert_stdout_contains(" empty ones hidden; use --format csv or json for all)\n7 rows\n");
}

#[test]
fn the_check_line_fails_with_the_same_diagnostic() {
    let command = readme_command("check");
    assert_eq!(
        command.exit_code, 1,
        "README.md: the exit code of `kql check`"
    );
    let error = readme_warning().replacen("warning:", "error:", 1);
    command
        .run()
        .assert_code(1)
        .assert_stdout("")
        .assert_stderr(&error);
}

#[test]
fn the_test_command_is_what_ci_runs() {
    let ci = std::fs::read_to_string(workspace_root().join(".ci/run")).expect("read .ci/run");
    let tests: Vec<String> = fenced_blocks(&readme(), "sh")
        .iter()
        .flat_map(|block| {
            block
                .lines()
                .map(str::trim)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|line| line.starts_with("cargo test"))
        .collect();
    assert_eq!(tests.len(), 1, "README.md shows one test command");
    assert!(
        ci.lines().any(|line| line.trim() == tests[0]),
        ".ci/run lacks `{}`",
        tests[0]
    );
}

#[test]
fn every_flag_the_readme_names_exists() {
    // Flags of kql, not of cargo: drop what comes before ` -- ` and `cargo test` lines.
    let readme = readme();
    let kql_text = readme
        .lines()
        .filter_map(|line| match line.split_once(" -- ") {
            Some((cargo, kql)) if cargo.contains("cargo ") => Some(kql),
            _ if line.contains("cargo ") => None,
            _ => Some(line),
        });
    let mut flags: Vec<String> = kql_text
        .flat_map(|line| line.match_indices("--").map(move |(at, _)| &line[at..]))
        .map(|rest| {
            rest.chars()
                .take_while(|c| *c == '-' || c.is_ascii_lowercase())
                .collect()
        })
        .filter(|flag: &String| flag[2..].starts_with(|c: char| c.is_ascii_lowercase()))
        .collect();
    flags.sort();
    flags.dedup();
    assert!(
        flags.contains(&"--allow-missing-columns".to_string()),
        "{flags:?}"
    );

    let help = kql(&["run", "--help"]).stdout + &kql(&["check", "--help"]).stdout;
    for flag in &flags {
        // The flag itself, not a longer one it begins.
        let named = help.match_indices(flag.as_str()).any(|(at, _)| {
            let next = help[at + flag.len()..].chars().next();
            !next.is_some_and(|c| c == '-' || c.is_ascii_lowercase())
        });
        assert!(
            named,
            "`{flag}` is in README.md but not in `kql run --help` or `kql check --help`"
        );
    }
}
