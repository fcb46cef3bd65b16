fn main() {
    // `embed_migrations!` reads this directory at compile time; without this line a new
    // migration file would not trigger a rebuild and silently be left out.
    println!("cargo:rerun-if-changed=../../migrations");
}
