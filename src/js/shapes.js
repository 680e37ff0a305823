// The results of `verify`, built here: an object literal made in JavaScript costs one call from the module, where
// setting each property from Rust would cost a call per property, on a path that runs on every code checked.

/** `TotpMatch` */
export function totpMatch(delta, step) {
  return { delta, step };
}

/** `HotpMatch` */
export function hotpMatch(delta, counter) {
  return { delta, counter };
}
