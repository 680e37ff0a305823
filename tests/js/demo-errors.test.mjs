// The demo's sentences for errors (www/errors.js): one for every code the package declares, and what the page offers
// next decided by the error's own `retryable` and `restartRequired`, as the library set them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describe } from "../../www/errors.js";
import { ERROR_CODES } from "../../pkg/index.js";

const error = (code, fields = {}) => Object.assign(new Error("message"), { name: "Auth0MfaError", code, ...fields });

test("every declared code has a sentence of its own", () => {
  const fallback = describe(error("no_such_code")).text;
  for (const code of ERROR_CODES) {
    if (code === "internal_error") continue; // a bug in the library: the fallback words it with its message
    const { text } = describe(error(code, { description: "d" }));
    assert.notEqual(text, fallback, code);
    assert.ok(!text.includes("Something went wrong"), `${code}: ${text}`);
  }
});

test("Retry is offered when the library says the step may run again, unless the person's input was refused", () => {
  // An unreadable answer to a grant that checked a code used the code up: the library says not retryable.
  assert.equal(describe(error("invalid_response", { retryable: false })).retry, false);
  assert.equal(describe(error("invalid_response", { retryable: true })).retry, true);
  for (const code of ["network_error", "timeout", "server_error", "rate_limited"]) {
    assert.equal(describe(error(code, { retryable: true })).retry, true, code);
    assert.equal(describe(error(code, { retryable: false })).retry, false, code);
  }
  // A wrong code or password may be tried again, but with other input: the form is there for it.
  assert.equal(describe(error("invalid_code", { retryable: true })).retry, false);
  assert.equal(describe(error("invalid_credentials", { retryable: true })).retry, false);
  assert.equal(describe(error("access_denied")).retry, false, "no retryable flag: no Retry");
});

test("Start again follows restartRequired", () => {
  assert.equal(describe(error("mfa_token_expired", { restartRequired: true })).restart, true);
  assert.equal(describe(error("mfa_token_invalid", { restartRequired: true })).restart, true);
  assert.equal(describe(error("invalid_code", { restartRequired: false, retryable: true })).restart, false);
  assert.equal(describe(error("server_error", { restartRequired: false })).restart, false);
  assert.equal(describe(error("internal_error", { restartRequired: true })).restart, true);
});

test("the recovery step and the waiting time are in the words", () => {
  assert.match(describe(error("invalid_code"), { step: "recovery" }).text, /recovery code is not right/);
  assert.match(describe(error("rate_limited", { retryAfter: 30 })).text, /Wait 30 seconds/);
  assert.match(describe(error("network_error"), { domain: "tenant.example" }).text, /\(tenant\.example\)/);
});
