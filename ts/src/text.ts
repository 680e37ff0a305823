// White_Space, as Rust's `char::is_whitespace` and `str::trim` know it: what people put around and inside secrets,
// codes and URIs. It is not quite JavaScript's `\s` (U+0085 is White_Space, U+FEFF is not).
const SPACE = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING = new RegExp(`^[${SPACE}]+`);
const TRAILING = new RegExp(`[${SPACE}]+$`);
const SPACES_AND_HYPHENS = new RegExp(`[${SPACE}-]+`, "g");

export const trimStart = (text: string): string => text.replace(LEADING, "");
export const trim = (text: string): string => trimStart(text).replace(TRAILING, "");
/** `text` without White_Space and hyphens: a code as people type it ("123 456", "123-456"). */
export const withoutSpacesAndHyphens = (text: string): string => text.replace(SPACES_AND_HYPHENS, "");
