//! www/vendor/: browser modules of npm devDependencies, committed so that the demo runs from plain files with no
//! bundler. Each is the package's file unchanged below a license header; a check holds it to what npm installed,
//! so bumping the devDependency without copying the file again fails `cargo xtask test`.

use crate::shell::root;

/// Checks that www/vendor/uqr.mjs is node_modules/uqr/dist/index.mjs under a header naming the installed version.
pub fn check_uqr() -> Result<(), String> {
    let root = root();
    let read = |path: &str| std::fs::read_to_string(root.join(path)).map_err(|e| format!("cannot read {path}: {e}"));
    let manifest: serde_json::Value = serde_json::from_str(&read("node_modules/uqr/package.json")?)
        .map_err(|e| format!("node_modules/uqr/package.json: {e}"))?;
    let version = manifest["version"].as_str().ok_or("node_modules/uqr/package.json has no version")?;
    matches_upstream(&read("www/vendor/uqr.mjs")?, &read("node_modules/uqr/dist/index.mjs")?, version)
}

/// `vendored` is `upstream` below a `/*! uqr VERSION …*/` header.
fn matches_upstream(vendored: &str, upstream: &str, version: &str) -> Result<(), String> {
    let (header, body) = vendored.split_once("*/\n").ok_or("www/vendor/uqr.mjs has no license header")?;
    let again = "copy node_modules/uqr/dist/index.mjs below the header again";
    if !header.starts_with(&format!("/*! uqr {version} ")) {
        return Err(format!("www/vendor/uqr.mjs is not uqr {version}, the version npm installed: {again}"));
    }
    if body != upstream {
        return Err(format!("www/vendor/uqr.mjs differs from node_modules/uqr/dist/index.mjs: {again}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::matches_upstream;

    const HEADER: &str = "/*! uqr 0.1.3 (npm package \"uqr\"): a QR code encoder.\n * MIT License\n */\n";

    #[test]
    fn the_same_file_below_the_header_passes() {
        assert_eq!(matches_upstream(&format!("{HEADER}export {{}};\n"), "export {};\n", "0.1.3"), Ok(()));
    }

    #[test]
    fn a_changed_file_or_another_version_fails() {
        let vendored = format!("{HEADER}export {{}};\n");
        assert!(matches_upstream(&vendored, "export { encode };\n", "0.1.3").unwrap_err().contains("differs"));
        assert!(matches_upstream(&vendored, "export {};\n", "0.1.4").unwrap_err().contains("0.1.4"));
        assert!(matches_upstream("export {};\n", "export {};\n", "0.1.3").unwrap_err().contains("header"));
    }
}
