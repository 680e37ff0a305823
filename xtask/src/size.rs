//! Size: the budgets `cargo xtask test` checks, and each shipped wasm module with its names kept, for the breakdown
//! of `cargo xtask bench` (bench/breakdown.mjs reads them with twiggy). Each is made from the same release wasm with
//! the same wasm-bindgen and wasm-opt flags as pkg/, plus `-g`, and checked to be pkg/'s wasm byte for byte once
//! its name section is taken out: every size in the breakdown is then a size in the shipped file.

use crate::package;
use crate::report::Report;
use crate::setup::Tools;
use crate::shell::{Cmd, root};
use std::path::PathBuf;

/// The size budgets of `cargo xtask test`: each entry of pkg/ (its JS bundle and the wasm it loads, gzip -9)
/// against bench/size-budget.json. bench/size.mjs measures them, the very code bench reports from; sizes only, so a
/// build always gets one answer.
pub fn check_budget(report: &mut Report) {
    report.single_test(
        "size budget per entry, JS + wasm gzip (bench/size-budget.json)",
        Cmd::new("node").args(["bench/size.mjs", "--check"]),
    );
}

/// `cargo xtask size`: builds pkg/ and runs only that check, for trying a change against the budget quickly.
pub fn run() -> Result<(), String> {
    let tools = crate::setup::run()?;
    crate::build(&tools)?;
    let mut report = Report::default();
    check_budget(&mut report);
    report.finish()
}

/// Writes, for each module of pkg/, target/size/<stem>.named.wasm and target/size/<stem>.functions.txt (wasm-opt's
/// function map: `index:name` for every function, also those it made itself, which the name section leaves
/// unnamed). Needs `build()` first.
pub fn named_wasm(tools: &Tools) -> Result<(), String> {
    let dir = root().join("target/size");
    let _ = std::fs::remove_dir_all(&dir);
    for module in package::MODULES {
        let bindgen = dir.join(module.stem);
        module.bindgen(tools, &module.cargo_build(&[], None)?, &bindgen, &["--keep-debug"])?;
        let named = dir.join(format!("{}.named.wasm", module.stem));
        // --print-function-map only prints (to stdout); the module written is the same with or without it.
        let wasm_opt = Cmd::new(&tools.wasm_opt)
            .arg(bindgen.join(format!("{}_bg.wasm", module.stem)))
            .args(module.wasm_opt_flags())
            .args(["-g", "--print-function-map", "-o"])
            .arg(&named);
        println!("$ {} > target/size/{}.functions.txt", wasm_opt.shown(), module.stem);
        let map = wasm_opt.output()?;
        std::fs::write(dir.join(format!("{}.functions.txt", module.stem)), map)
            .map_err(|e| format!("cannot write the function map: {e}"))?;

        let read = |path: &PathBuf| std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()));
        let shipped = read(&root().join(format!("pkg/{}_bg.wasm", module.stem)))?;
        if without_name_section(&read(&named)?)? != shipped {
            return Err(format!(
                "{} differs from pkg/{}_bg.wasm beyond its name section",
                named.display(),
                module.stem
            ));
        }
        println!("size: {} (pkg/'s wasm plus its name section)", named.display());
    }
    Ok(())
}

/// The module with its `name` custom section left out; every other byte as it was.
fn without_name_section(wasm: &[u8]) -> Result<Vec<u8>, String> {
    let malformed = || "a named wasm of target/size/ is not a well-formed wasm module".to_string();
    let header = wasm.get(..8).ok_or_else(malformed)?;
    let mut out = header.to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        at += 1;
        let (len, after) = leb128(wasm, at).ok_or_else(malformed)?;
        let end = after.checked_add(len).filter(|&end| end <= wasm.len()).ok_or_else(malformed)?;
        let is_name = id == 0
            && leb128(wasm, after).is_some_and(|(n, name)| wasm.get(name..name.saturating_add(n)) == Some(b"name"));
        if !is_name {
            out.extend_from_slice(&wasm[start..end]);
        }
        at = end;
    }
    Ok(out)
}

/// An unsigned LEB128 at `at`: its value and the offset after it.
fn leb128(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(at)?;
        at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some((value, at));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::without_name_section;

    #[test]
    fn drops_only_the_name_section() {
        let header = b"\0asm\x01\0\0\0";
        let types = [1, 4, 1, 0x60, 0, 0];
        let name = [0, 6, 4, b'n', b'a', b'm', b'e', 0];
        let other = [0, 4, 3, b'a', b'b', b'c'];
        let module = [&header[..], &types, &name, &other].concat();
        assert_eq!(without_name_section(&module).unwrap(), [&header[..], &types, &other].concat());
        assert!(without_name_section(&[&header[..], &[1, 9, 0]].concat()).is_err());
    }
}
