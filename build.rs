//! Embeds each vendor's documented answers (`src/providers/<vendor>/fixtures/*.http`)
//! so that the sandbox can serve them and the conformance suite can find them:
//! a vendor's fixtures are found by existing, not by being listed.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let providers = Path::new("src/providers");
    println!("cargo:rerun-if-changed=src/providers");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let dir = Path::new(&out).join("fixtures");
    std::fs::create_dir_all(&dir).expect("OUT_DIR is writable");
    let mut vendors: Vec<_> = std::fs::read_dir(providers)
        .expect("src/providers exists")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .collect();
    vendors.sort_by_key(|e| e.file_name());
    for vendor in vendors {
        let fixtures = vendor.path().join("fixtures");
        println!("cargo:rerun-if-changed={}", fixtures.display());
        let mut files: Vec<_> = std::fs::read_dir(&fixtures)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "http"));
        files.sort();
        let mut code = String::from("&[\n");
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let abs = std::fs::canonicalize(&file).expect("fixture path resolves");
            writeln!(
                code,
                "    ({name:?}, include_str!({:?})),",
                abs.display().to_string()
            )
            .unwrap();
        }
        code.push(']');
        let name = vendor.file_name().to_string_lossy().into_owned();
        std::fs::write(dir.join(format!("{name}.rs")), code).expect("OUT_DIR is writable");
    }
}
