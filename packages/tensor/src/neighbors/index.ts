// Nearest-neighbour primitives: row sets, distances, exact k-NN, graph search and builds.

export { distanceRows, type KnnResult, knnScan } from "./distance-ops.js";
export { crc32c, mapFile } from "./file-map.js";
export { type GraphArrays, neighbours, testBit } from "./graph-arrays.js";
export { type HnswInsertOptions, hnswInsert, pruneNeighbors } from "./graph-build.js";
export { graphReach } from "./graph-reach.js";
export { type GraphSearchOptions, graphSearch } from "./graph-search.js";
export { type GraphSearcher, type GraphSearcherOptions, graphSearcher } from "./graph-searcher.js";
export {
  graphDiversify,
  type NNDescentOptions,
  type NNDescentResult,
  nnDescent,
} from "./nndescent.js";
export {
  createRowSet,
  i8Code,
  ROW_TYPE_BYTES,
  type RowMetric,
  type RowSet,
  type RowType,
  readRow,
  rowStride,
  writeRow,
} from "./rows.js";
