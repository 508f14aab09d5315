//! Parses a query file and prints its canonical form, or the diagnostic.
fn main() {
    let path = std::env::args().nth(1).expect("usage: parse FILE");
    let text = std::fs::read_to_string(&path).expect("readable file");
    match kql_parser::parse(&text) {
        Ok(query) => println!("{query}"),
        Err(error) => print!("{}", error.render(&text, &path)),
    }
}
