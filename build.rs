//! Embeds every `rules/*.toml` pack into the binary, in file-name order, and fingerprints the
//! analyzer's source (`LOCKIN_SOURCE_HASH`): the result cache is only valid for the same code.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("rules/ exists")
        .map(|e| e.expect("readable rules/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("pub static PACKS: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 pack name");
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .expect("write to String");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("embedded_rules.rs");
    fs::write(dest, out).expect("write embedded_rules.rs");

    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed={}", root.join("src").display());
    let mut sources = Vec::new();
    collect_rs(&root.join("src"), &mut sources);
    sources.push(root.join("Cargo.lock"));
    sources.sort();
    // FNV-1a over every file's path and content: stable across builds and toolchains.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for p in &sources {
        println!("cargo:rerun-if-changed={}", p.display());
        let rel = p
            .strip_prefix(&root)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned();
        let bytes = fs::read(p).unwrap_or_default();
        for b in rel.bytes().chain([0]).chain(bytes) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=LOCKIN_SOURCE_HASH={hash:016x}");
}

fn collect_rs(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable src/").flatten() {
        let p = entry.path();
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            collect_rs(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}
