import type {
  GraphDiversifyKernel,
  GraphReachKernel,
  GraphSearcherKernel,
  GraphSearchKernel,
  GraphSearchOneKernel,
  HnswInsertKernel,
  NNDescentKernel,
  PruneNeighborsKernel,
} from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Graph hot loops of nearest-neighbour indexes: beam search, HNSW insertion, pruning,
// NN-Descent and reachability (native/src/graph). No JS runs per hop or per candidate.
defineCpuFamily("graph", (addon) => {
  registerKernel("graphSearch", "cpu", entry<GraphSearchKernel>(addon, "graphSearch"));
  registerKernel("graphSearcher", "cpu", entry<GraphSearcherKernel>(addon, "graphSearcher"));
  registerKernel("graphSearchOne", "cpu", entry<GraphSearchOneKernel>(addon, "graphSearchOne"));
  registerKernel("hnswInsert", "cpu", entry<HnswInsertKernel>(addon, "hnswInsert"));
  registerKernel("pruneNeighbors", "cpu", entry<PruneNeighborsKernel>(addon, "pruneNeighbors"));
  registerKernel("nnDescent", "cpu", entry<NNDescentKernel>(addon, "nnDescent"));
  registerKernel("graphDiversify", "cpu", entry<GraphDiversifyKernel>(addon, "graphDiversify"));
  registerKernel("graphReach", "cpu", entry<GraphReachKernel>(addon, "graphReach"));
});
