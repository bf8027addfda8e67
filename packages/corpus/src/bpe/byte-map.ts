// GPT-2's reversible map from bytes to printable Unicode characters, which byte-level BPE uses
// so that every token is a printable string (a space becomes "Ġ", a newline "Ċ").

function buildByteToChar(): string[] {
  const printable: number[] = [];
  const ranges: [number, number][] = [
    [0x21, 0x7e], // "!" .. "~"
    [0xa1, 0xac], // "¡" .. "¬"
    [0xae, 0xff], // "®" .. "ÿ"
  ];
  for (const [lo, hi] of ranges) for (let b = lo; b <= hi; b++) printable.push(b);
  const keep = new Set(printable);
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    out[b] = String.fromCodePoint(keep.has(b) ? b : 256 + extra++);
  }
  return out;
}

/**
 * The character that stands for each byte (index = byte value).
 *
 * ```ts
 * BYTE_TO_CHAR[0x20]; // "Ġ"
 * BYTE_TO_CHAR[0x41]; // "A"
 * ```
 */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/**
 * The inverse of {@link BYTE_TO_CHAR}.
 *
 * ```ts
 * CHAR_TO_BYTE.get("Ġ"); // 32
 * ```
 */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(
  BYTE_TO_CHAR.map((c, b) => [c, b] as const),
);

/**
 * The byte-level string of some bytes (one character per byte).
 *
 * ```ts
 * bytesToSymbols(new TextEncoder().encode(" é")); // "ĠÃ©"
 * ```
 */
export function bytesToSymbols(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += BYTE_TO_CHAR[b];
  return s;
}
