//! Runs a query with no tables and prints each result row, for trying the engine while
//! developing: `cargo run -p kql-engine --example run -- 'print x = 1'`.

use arrow::array::Array;
use arrow::util::display::array_value_to_string;

fn main() {
    let query = std::env::args().nth(1).unwrap_or_default();
    match kql_engine::Engine::new().run(&query) {
        Ok(result) => {
            for table in result.tables {
                let names: Vec<_> = table
                    .schema
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect();
                println!("{}", names.join(" | "));
                for batch in &table.batches {
                    for row in 0..batch.num_rows() {
                        let cells: Vec<String> = batch
                            .columns()
                            .iter()
                            .map(|c| {
                                if c.is_null(row) {
                                    "null".into()
                                } else {
                                    array_value_to_string(c, row).unwrap_or_default()
                                }
                            })
                            .collect();
                        println!("{}", cells.join(" | "));
                    }
                }
            }
        }
        Err(error) => eprintln!("{error}"),
    }
}
