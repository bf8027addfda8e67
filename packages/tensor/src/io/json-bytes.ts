import { FormatError } from "../errors.js";

/** Byte offset of a top-level JSON key and of the keys of the object it maps to. */
export interface KeyOffsets {
  readonly at: number;
  readonly fields: Map<string, number>;
}

/**
 * A parsed JSON document plus the byte offsets of its top-level keys (and of their objects'
 * keys), so that later validation can point at the field at fault.
 */
export interface JsonWithOffsets {
  readonly value: unknown;
  readonly keys: Map<string, KeyOffsets>;
}

const MAX_DEPTH = 64;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Strict JSON parser over UTF-8 bytes (RFC 8259). Unlike JSON.parse it reports every error as a
 * FormatError at the exact byte offset (`base` + index), rejects duplicate keys, limits nesting
 * to 64 levels, and builds objects with a null prototype so that a key such as "__proto__" is
 * plain data.
 *
 * ```ts
 * const { value, keys } = parseJsonBytes(new TextEncoder().encode('{"a":{"b":1}}'), 8);
 * keys.get("a")?.fields.get("b"); // 14
 * ```
 */
export function parseJsonBytes(bytes: Uint8Array, base: number): JsonWithOffsets {
  const keys = new Map<string, KeyOffsets>();
  let i = 0;
  const fail = (msg: string, at = i): never => {
    throw new FormatError(`JSON: ${msg}`, base + at);
  };
  const ws = () => {
    for (let c = bytes[i]; c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = bytes[++i]);
  };
  const string = (): string => {
    const start = i++;
    for (;;) {
      const c = bytes[i];
      if (c === undefined) fail("unterminated string", start);
      if (c === 0x22) break;
      if (c! < 0x20) fail("control character in string");
      i += c === 0x5c ? 2 : 1;
    }
    i++;
    let text: string;
    try {
      text = utf8.decode(bytes.subarray(start, i));
    } catch {
      return fail("string is not valid UTF-8", start);
    }
    try {
      return JSON.parse(text) as string;
    } catch {
      return fail("invalid escape in string", start);
    }
  };
  const literal = (word: string, v: unknown): unknown => {
    for (let k = 0; k < word.length; k++)
      if (bytes[i + k] !== word.charCodeAt(k)) fail("unexpected character", i + k);
    i += word.length;
    return v;
  };
  const number = (): number => {
    const start = i;
    while (i < bytes.length && isNumberByte(bytes[i]!)) i++;
    const token = utf8.decode(bytes.subarray(start, i));
    if (!NUMBER.test(token)) fail(`invalid number ${JSON.stringify(token)}`, start);
    return Number(token);
  };
  const value = (depth: number, sink?: Map<string, number>): unknown => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    ws();
    const c = bytes[i];
    if (c === 0x7b) return object(depth, sink);
    if (c === 0x5b) return array(depth);
    if (c === 0x22) return string();
    if (c === 0x74) return literal("true", true);
    if (c === 0x66) return literal("false", false);
    if (c === 0x6e) return literal("null", null);
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return number();
    return fail(c === undefined ? "unexpected end of input" : "unexpected character");
  };
  const object = (depth: number, sink?: Map<string, number>): Record<string, unknown> => {
    const out: Record<string, unknown> = Object.create(null);
    i++;
    ws();
    if (bytes[i] === 0x7d) {
      i++;
      return out;
    }
    for (;;) {
      ws();
      if (bytes[i] !== 0x22) fail("expected a property name");
      const at = i;
      const key = string();
      if (Object.hasOwn(out, key)) fail(`duplicate key ${JSON.stringify(key)}`, at);
      let fields: Map<string, number> | undefined;
      if (depth === 0) keys.set(key, { at: base + at, fields: (fields = new Map()) });
      sink?.set(key, base + at);
      ws();
      if (bytes[i] !== 0x3a) fail("expected ':'");
      i++;
      out[key] = value(depth + 1, fields);
      ws();
      if (bytes[i] === 0x2c) i++;
      else if (bytes[i] === 0x7d) {
        i++;
        return out;
      } else fail("expected ',' or '}'");
    }
  };
  const array = (depth: number): unknown[] => {
    const out: unknown[] = [];
    i++;
    ws();
    if (bytes[i] === 0x5d) {
      i++;
      return out;
    }
    for (;;) {
      out.push(value(depth + 1));
      ws();
      if (bytes[i] === 0x2c) i++;
      else if (bytes[i] === 0x5d) {
        i++;
        return out;
      } else fail("expected ',' or ']'");
    }
  };
  const result = value(0);
  ws();
  if (i < bytes.length) fail("unexpected data after the JSON value");
  return { value: result, keys };
}

/** Bytes that may appear in a JSON number: digits, sign, point, exponent. */
function isNumberByte(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45
  );
}
