// A one-node ONNX model, Y = MatMulNBits(A, B) (com.microsoft, 4-bit, block 32, the default
// zero point 8), encoded by hand: B and its f32 scales are initializers so onnxruntime can
// prepack them as it does for real 4-bit models. Only the protobuf fields this node needs.

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const chunks = (...parts: (number[] | Uint8Array)[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
};
const int = (field: number, value: number) =>
  Uint8Array.from([...varint(field << 3), ...varint(value)]);
const len = (field: number, payload: Uint8Array) =>
  chunks(varint((field << 3) | 2), varint(payload.length), payload);
const str = (field: number, s: string) => len(field, Buffer.from(s, "utf8"));

function tensorInfo(name: string, dims: number[]): Uint8Array {
  const shape = chunks(...dims.map((d) => len(1, int(1, d))));
  return chunks(str(1, name), len(2, len(1, chunks(int(1, 1), len(2, shape))))); // f32 tensor_type
}

// TensorProto: dims, data_type (1 f32, 2 u8), name, raw_data.
function initializer(name: string, dims: number[], type: number, raw: Uint8Array): Uint8Array {
  return chunks(...dims.map((d) => int(1, d)), int(2, type), str(8, name), len(9, raw));
}

const intAttr = (name: string, value: number) => chunks(str(1, name), int(3, value), int(20, 2));

/**
 * Serialized ModelProto of Y[m, n] = A[m, k] W^T with W as 4-bit blocks `b` ([n][k/32][16]) and
 * f32 `scales` ([n][k/32]). accuracyLevel 4 lets onnxruntime quantize A to int8 (as ggml does).
 */
export function matmulNBitsModel(
  m: number,
  n: number,
  k: number,
  b: Uint8Array,
  scales: Float32Array,
  accuracyLevel: number,
): Uint8Array {
  const node = chunks(
    str(1, "A"),
    str(1, "B"),
    str(1, "scales"),
    str(2, "Y"),
    str(3, "mm"),
    str(4, "MatMulNBits"),
    len(5, intAttr("K", k)),
    len(5, intAttr("N", n)),
    len(5, intAttr("bits", 4)),
    len(5, intAttr("block_size", 32)),
    len(5, intAttr("accuracy_level", accuracyLevel)),
    str(7, "com.microsoft"),
  );
  const graph = chunks(
    len(1, node),
    str(2, "qmatmul"),
    len(5, initializer("B", [n, k / 32, 16], 2, b)),
    len(
      5,
      initializer(
        "scales",
        [n * (k / 32)],
        1,
        new Uint8Array(scales.buffer, scales.byteOffset, scales.byteLength),
      ),
    ),
    len(11, tensorInfo("A", [m, k])),
    len(12, tensorInfo("Y", [m, n])),
  );
  const opset = (domain: string, version: number) =>
    len(8, chunks(str(1, domain), int(2, version)));
  return chunks(int(1, 8), opset("", 17), opset("com.microsoft", 1), len(7, graph));
}
