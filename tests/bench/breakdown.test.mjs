// The grouping of bench/breakdown.mjs on the names twiggy prints for a Rust module after wasm-bindgen and wasm-opt.
import test from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  DATA,
  ENTRIES,
  LOGIN,
  MODULES,
  OTP,
  SHIMS,
  STRUCTURE,
  UNNAMED,
  classify,
  crateModules,
  isFormatting,
  kind,
  parseTwiggyCsv,
  readable,
} from "../../bench/breakdown.mjs";

const CRATE = LOGIN.crate;
const modules = new Set([CRATE, `${CRATE}::js`, `${CRATE}::js::client`, `${CRATE}::api`, `${CRATE}::api::secret`, `${CRATE}::flow`]);
const exports = new Set(["hotp_weak", "__wbg_hotp_free", "__wbindgen_malloc"]);
const group = (name) => {
  const { group, module } = classify(name, { crate: CRATE, modules, exports });
  return module ?? group;
};

test("paths of our crate group by module, closures and generics included", () => {
  for (const [name, expected] of [
    ["auth0_mfa_wasm::js::client::MfaClient::step::{{closure}}::h91e81535cf8f4e1e", "auth0_mfa_wasm::js::client"],
    ["auth0_mfa_wasm::js::client::config_from::h8eaa12d5b1726c8d", "auth0_mfa_wasm::js::client"],
    ["auth0_mfa_wasm::flow::Flow<C>::send::{{closure}}::h891207d4cc114b3d", "auth0_mfa_wasm::flow"],
    ["auth0_mfa_wasm::js::task::POLL::__rust_std_internal_init_fn::{{closure}}::h1", "auth0_mfa_wasm::js"],
    ["auth0_mfa_wasm::unknown::thing::h0", "auth0_mfa_wasm"],
    ["byn$mgfn-shared$auth0_mfa_wasm::js::client::MfaClient::step::{{closure}}::h651d0c4398262210", "auth0_mfa_wasm::js::client"],
  ]) {
    assert.equal(group(name), expected, name);
  }
});

test("other crates group by crate name, with or without a disambiguator", () => {
  for (const [name, expected] of [
    ["core[c5930c85a12de822]::fmt::write", "core"],
    ["std[a543996e6e7dbf1e]::alloc::default_alloc_error_hook", "std"],
    ["__rustc[b7974e8690430dd9]::__rdl_realloc", "std"],
    ["sha1::block_api::compress::h38f3b214e7b27c1b", "sha1"],
    ["js_sys::Array<T>::get::h41fa9fc97f408737", "js_sys"],
    ["core::str::<impl str>::parse::heb2a39e166b77dd6", "core"],
    ["core::fmt::Write::write_fmt::hc149a9105d52c151[1]", "core"],
  ]) {
    assert.equal(group(name), expected, name);
  }
});

test("trait impls group by the crate of the type, else of the trait", () => {
  for (const [name, expected] of [
    ["<alloc::vec::IntoIter<T> as core::iter::Iterator>::try_fold::h0123456789abcdef", "alloc"],
    ["<dlmalloc[e24a27700634d609]::dlmalloc::Dlmalloc<dlmalloc[e24a27700634d609]::sys::System>>::malloc", "dlmalloc"],
    ["<auth0_mfa_wasm::api::secret::IdToken as core::ops::drop::Drop>::drop::hee88410a365761b8", "auth0_mfa_wasm::api::secret"],
    ["<core::iter::adapters::GenericShunt<I,R> as core::iter::traits::iterator::Iterator>::next::h9b4e", "core"],
    ["<wasm_bindgen::convert::traits::WasmRet<T> as core::convert::From<T>>::from::hacb055301316a286", "wasm_bindgen"],
    ["<&mut W as core::fmt::Write>::write_str::h0", "core"],
    ["<[Z] as zeroize::Zeroize>::zeroize::h0b90758424299726", "zeroize"],
    ["<&dyn core[c5930c85a12de822]::fmt::Debug as core[c5930c85a12de822]::fmt::Debug>::fmt", "core"],
    ["<<alloc::vec::into_iter::IntoIter<T,A> as core::ops::drop::Drop>::drop::DropGuard<T,A> as core::ops::drop::Drop>::drop::h9", "alloc"],
    ["<char>::is_whitespace", "core"],
    ["<T as core::convert::Into<U>>::into::h7b677a31b91a9d18", "core"],
  ]) {
    assert.equal(group(name), expected, name);
  }
});

test("drop glue groups by the type it drops", () => {
  assert.equal(group("core::ptr::drop_in_place<auth0_mfa_wasm::api::secret::IdToken>::h0"), "auth0_mfa_wasm::api::secret");
  assert.equal(group("core::ptr::drop_in_place<alloc::rc::Rc<core::cell::Cell<&str>>>::h606023a00259ef2c"), "alloc");
  assert.equal(
    group("core::ptr::drop_in_place<auth0_mfa_wasm::flow::Flow<alloc::rc::Rc<auth0_mfa_wasm::js::fetch::FetchClient>>::delete::{{closure}}>::h0"),
    "auth0_mfa_wasm::flow",
  );
  assert.equal(group("core::ptr::drop_in_place<core::cell::lazy::State<wasm_bindgen::JsValue,fn() .> wasm_bindgen::JsValue>>::h5"), "core");
  assert.equal(group("core::ptr::drop_in_place<&str>::h0"), "core");
});

test("wasm-bindgen's shims, export wrappers and runtime; builtins; unnamed", () => {
  for (const [name, expected] of [
    ["mfaclient_restore externref shim multivalue shim", SHIMS],
    ["js_sys::Promise::new::__wbg_new_ba40181b3f24ac80::h6e2b167771a776b7 externref shim", SHIMS],
    ["hotp_weak", SHIMS],
    ["__wbg_hotp_free", SHIMS],
    ["__wbindgen_malloc", "wasm_bindgen"],
    ["__externref_table_alloc", "wasm_bindgen"],
    ["memcmp", "compiler_builtins"],
    ["code[668]", UNNAMED],
    ["1259", UNNAMED],
  ]) {
    assert.equal(group(name), expected, name);
  }
});

test("item kinds, and twiggy's CSV with quoted names", () => {
  const csv = [
    "Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent",
    '"""function names"" subsection",56941,22.4,,',
    '"data segment "".rodata.6""",5766,2.2,,',
    '"<core::iter::adapters::GenericShunt<I,R> as core::iter::traits::iterator::Iterator>::next::h9b4e",1198,0.4,,',
    "import ./auth0_mfa_wasm_bg.js::__wbg_fetch_5c5a7f898a54f5ba,54,0.02,,",
    '"export ""mfaclient_login""",19,0.007,,',
    '"type[71]: (i32, i32) -> nil",18,0.007,,',
  ].join("\n");
  const items = parseTwiggyCsv(csv);
  assert.deepEqual(items.map((i) => i.size), [56941, 5766, 1198, 54, 19, 18]);
  assert.deepEqual(items.map((i) => kind(i.name)), ["names", "data", "function", "import", "export", "structure"]);
  for (const name of ["custom section 'name' headers", '"module name" subsection']) assert.equal(kind(name), "names");
  for (const name of ["code section headers", "wasm magic bytes", "elem[0]", "global[2]", "custom section 'target_features'"]) {
    assert.equal(kind(name), "structure");
  }
  assert.equal(kind("code[668]"), "function");
  assert.ok([DATA, ENTRIES, STRUCTURE].every((g) => g.startsWith("[")));
  assert.equal(readable("core[c5930c85a12de822]::fmt::write::h0123456789abcdef"), "core::fmt::write");
});

test("each wasm module groups by its own crate; the other crate is just a crate", () => {
  assert.deepEqual(
    MODULES.map((m) => [m.stem, m.crate, m.src]),
    [
      ["auth0_mfa_otp", "auth0_mfa_otp", "otp/src"],
      ["auth0_mfa_wasm", "auth0_mfa_wasm", "src"],
    ],
  );
  const otpModules = new Set([OTP.crate, `${OTP.crate}::code`, `${OTP.crate}::wasm`]);
  const inOtp = (name) => {
    const { group, module } = classify(name, { crate: OTP.crate, modules: otpModules, exports: new Set(["key_new"]) });
    return module ?? group;
  };
  assert.equal(inOtp("auth0_mfa_otp::code::hotp_value::h17880a1f41b7e564"), "auth0_mfa_otp::code");
  assert.equal(inOtp("core::ptr::drop_in_place<auth0_mfa_otp::code::KeyedHotp>::h3"), "auth0_mfa_otp::code");
  assert.equal(inOtp("auth0_mfa_otp::wasm::KEYS::h0"), "auth0_mfa_otp::wasm");
  assert.equal(inOtp("key_new"), SHIMS);
  assert.equal(inOtp("auth0_mfa_wasm::js::client::MfaClient::new::h0"), "auth0_mfa_wasm");
  // The OTP crate inside the login module is one crate among others there.
  assert.equal(group("auth0_mfa_otp::code::hotp_value::h17880a1f41b7e564"), "auth0_mfa_otp");
});

test("a crate's modules come from its source files", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "breakdown-test-"));
  try {
    mkdirSync(path.join(dir, "js"));
    for (const file of ["lib.rs", "code.rs", "js/mod.rs", "js/client.rs", "notes.txt"]) writeFileSync(path.join(dir, file), "");
    assert.deepEqual([...crateModules(dir, "auth0_mfa_otp")].sort(), ["auth0_mfa_otp", "auth0_mfa_otp::code", "auth0_mfa_otp::js", "auth0_mfa_otp::js::client"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("formatting machinery: core::fmt and alloc::fmt, and impls of their traits", () => {
  for (const name of [
    "core[c5930c85a12de822]::fmt::write",
    "<core[c5930c85a12de822]::fmt::Formatter>::pad_integral",
    "<core[c5930c85a12de822]::fmt::Formatter>::pad_integral::write_prefix",
    "alloc[3ca501edff3f0c7c]::fmt::format",
    "<u32 as core[c5930c85a12de822]::fmt::Display>::fmt",
    "<&T as core::fmt::Debug>::fmt::h2a5450a5c4fda85e",
    "<alloc::vec::Vec<T,A> as core::fmt::Debug>::fmt::h7a9f7514c70c3003",
    "<alloc[3ca501edff3f0c7c]::string::String as core[c5930c85a12de822]::fmt::Write>::write_char.16",
    "<alloc[3ca501edff3f0c7c]::string::String as core[c5930c85a12de822]::fmt::Write>::write_fmt[1]",
    "<&dyn core[c5930c85a12de822]::fmt::Debug as core[c5930c85a12de822]::fmt::Debug>::fmt",
    "<core[c5930c85a12de822]::cell::BorrowError as core[c5930c85a12de822]::fmt::Display>::fmt",
    "<<alloc::string::String as core::fmt::Write>::write_fmt::Guard as core::ops::drop::Drop>::drop::h0",
    "core::fmt::num::imp::<impl core::fmt::Display for u32>::fmt::h0123456789abcdef",
    "auth0_mfa_wasm::error::<impl core::fmt::Display for auth0_mfa_wasm::error::Error>::fmt::h0",
    "byn$mgfn-shared$<&T as core::fmt::Debug>::fmt::h7da7d85ef2da1bbd",
  ]) {
    assert.ok(isFormatting(name), name);
  }
  for (const name of [
    "core[c5930c85a12de822]::panicking::panic_fmt",
    "sha1::block_api::compress::h259c93303c5b6317",
    "<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop::h0",
    "auth0_mfa_otp::code::hotp_value::h17880a1f41b7e564",
    "auth0_mfa_wasm::js::fmt::thing::h0",
    "key_new",
    "code[12]",
  ]) {
    assert.ok(!isFormatting(name), name);
  }
});
