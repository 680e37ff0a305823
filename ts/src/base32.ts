// Base32 (RFC 4648 §6), lenient where people type secrets and strict where a typo would change the key.
//
// Decoding accepts lower case, spaces, tabs, line breaks and hyphens anywhere (secrets are shown in groups of four),
// and padding that is missing, partial or complete. It refuses any other character and names its position (never
// the character: it is part of a secret), and a count of symbols that cannot encode whole bytes. Bits past the last
// whole byte are ignored, as authenticator apps do. Encoding is upper case without padding, the form `otpauth://`
// URIs use.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Upper-case base32 without padding. */
export function encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** The bytes of `text`, or why it is not base32, in words. Positions count characters, from 0. */
export function decode(text: string): Uint8Array | string {
  const symbols: number[] = [];
  let paddingAt = -1;
  let position = 0;
  for (const c of text) {
    const at = position++;
    if (" \t\n\r-".includes(c)) continue;
    if (c === "=") {
      if (paddingAt < 0) paddingAt = at;
      continue;
    }
    const symbol = ALPHABET.indexOf(c.toUpperCase());
    // `toUpperCase` maps a few other letters into A–Z ("ı", "ſ"); only ASCII ones are base32.
    if (symbol < 0 || c > "z") return `invalid base32 character at position ${at}`;
    if (paddingAt >= 0) return `padding '=' at position ${paddingAt} is followed by data`;
    symbols.push(symbol);
  }
  const count = symbols.length;
  if ([1, 3, 6].includes(count % 8)) return `${count} base32 characters cannot encode whole bytes`;
  const out = new Uint8Array((count * 5) >> 3);
  let buffer = 0;
  let bits = 0;
  let length = 0;
  for (const symbol of symbols) {
    buffer = ((buffer << 5) | symbol) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[length++] = buffer >> bits;
    }
  }
  return out;
}
