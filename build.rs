//! Embeds each vendor's documented answers (`src/providers/<vendor>/fixtures/*.http`)
//! so that the sandbox can serve them and the conformance suite can find them:
//! a vendor's fixtures are found by existing, not by being listed.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    build_date();
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

/// The date on the manual pages: `SOURCE_DATE_EPOCH`'s (reproducible builds),
/// else today's, as YYYY-MM-DD.
fn build_date() {
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    // Howard Hinnant's days-to-civil.
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    println!("cargo:rustc-env=BALANCE_BUILD_DATE={year:04}-{month:02}-{day:02}");
}
