// The bundled rule library (rules/) is embedded with include_dir; rebuild when it changes.
fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=grammar");
}
