#[allow(dead_code)] // until main renders results (the lead writes main.rs)
mod render;

fn main() {}
