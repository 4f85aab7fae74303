// The bundled rule library (rules/) and `gleaner init`'s example project
// (templates/) are embedded with include_dir; rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=grammar");
    println!("cargo:rerun-if-changed=templates");
}
