// A one-node ONNX model (Y = MatMul(A, B), both dynamic inputs) encoded by hand, so the
// onnxruntime-node baseline needs no onnx tooling. Only the protobuf fields MatMul needs.

type Field = number[];

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

const int = (field: number, value: number): Field => [...varint(field << 3), ...varint(value)];
const bytes = (field: number, payload: number[]): Field => [
  ...varint((field << 3) | 2),
  ...varint(payload.length),
  ...payload,
];
const str = (field: number, s: string): Field => bytes(field, [...Buffer.from(s, "utf8")]);

function tensorInfo(name: string, dims: number[]): Field {
  const shape = dims.flatMap((d) => bytes(1, int(1, d))); // TensorShapeProto.dim { dim_value }
  const tensorType = [...int(1, 1), ...bytes(2, shape)]; // elem_type FLOAT, shape
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))]; // ValueInfoProto { name, type.tensor_type }
}

/** Serialized ModelProto of Y[m,n] = A[m,k] B[k,n] (opset 13). */
export function matmulModel(m: number, n: number, k: number): Uint8Array {
  const node = [
    ...str(1, "A"),
    ...str(1, "B"),
    ...str(2, "Y"),
    ...str(3, "mm"),
    ...str(4, "MatMul"),
  ];
  const graph = [
    ...bytes(1, node),
    ...str(2, "matmul"),
    ...bytes(11, tensorInfo("A", [m, k])),
    ...bytes(11, tensorInfo("B", [k, n])),
    ...bytes(12, tensorInfo("Y", [m, n])),
  ];
  const model = [...int(1, 8), ...bytes(8, [...str(1, ""), ...int(2, 13)]), ...bytes(7, graph)];
  return Uint8Array.from(model);
}
