// Nearest-neighbour primitives: row sets, distances, exact k-NN, graph search and builds.
export { ROW_TYPE_BYTES, type RowMetric, type RowSet, type RowType, createRowSet, i8Code, readRow, rowStride, writeRow } from "./rows.js";
export { type KnnResult, distanceRows, knnScan } from "./distance-ops.js";
export { type GraphArrays, neighbours, testBit } from "./graph-arrays.js";
export { type GraphSearchOptions, graphSearch } from "./graph-search.js";
export { type HnswInsertOptions, hnswInsert, pruneNeighbors } from "./graph-build.js";
export { type NNDescentOptions, type NNDescentResult, graphDiversify, nnDescent } from "./nndescent.js";
export { graphReach } from "./graph-reach.js";
export { crc32c, mapFile } from "./file-map.js";
