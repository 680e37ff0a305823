// The objects a request is made of, built where building them is one call rather than one per property.

// A null prototype: a browser's `fetch` reads every RequestInit member through the prototype chain (WebIDL's [[Get]]),
// and so may a custom `fetch`, so a polluted `Object.prototype.credentials` or `mode` would otherwise change how the
// password goes. `redirect: "manual"`: a 307 or 308 would make `fetch` send the body again (password, client secret,
// codes) to wherever it points.
//
// `headers` is "name\0value\0name\0value": the module refuses a header that holds a NUL.
export function requestInit(method, headers, body, signal) {
  const record = Object.create(null);
  const parts = headers.split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) record[parts[i]] = parts[i + 1];
  const init = Object.create(null);
  init.method = method;
  init.headers = record;
  if (body) init.body = body;
  init.signal = signal;
  init.redirect = "manual";
  return init;
}

// What a browser gives for a redirect it did not follow: no status, no headers, no body.
const OPAQUE_REDIRECT = -2;
const NOT_A_RESPONSE = -1;

// The status of what `fetch` resolved with: 100 to 599, OPAQUE_REDIRECT, or NOT_A_RESPONSE for anything else (a
// custom `fetch` may resolve with anything, and its getters may throw).
export function responseStatus(response) {
  try {
    if (response.type === "opaqueredirect") return OPAQUE_REDIRECT;
    const status = response.status;
    return Number.isInteger(status) && status >= 100 && status <= 599 ? status : NOT_A_RESPONSE;
  } catch {
    return NOT_A_RESPONSE;
  }
}
