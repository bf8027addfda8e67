// Distances between f32 queries and stored rows (f32, f16 or i8), and exact k-NN by a blocked scan.
// Rows live in an arena with a fixed byte stride; every row is zero-padded to `dimPad` elements
// (a multiple of 16), so kernels need no tail loop and all ISAs share one reduction order.
#pragma once

#include <cstdint>

#include "core/dispatch.h"

namespace xt {

enum class DistMetric : int { L2 = 0, Dot = 1 };    // Dot returns 1 - <q, x> (ip and cosine)
enum class RowType : int { F32 = 0, F16 = 1, I8 = 2 };  // i8 rows hold round(127 * unit vector)

// The stored rows: `rows + i * stride` is row i.
struct RowSet {
  const uint8_t* rows;
  int64_t stride;  // bytes
  int64_t dimPad;  // elements, multiple of 16
  RowType type;
  DistMetric metric;
};

// out[j] = d(q, row ids[j]) (or row j when ids is null).
struct DistanceRowsArgs {
  RowSet set;
  const float* q;  // dim elements
  int64_t dim;
  const uint32_t* ids;
  int64_t count;
  float* out;
};

// For each of nq queries (dim f32 each, row-major), the k nearest of the n rows, ascending with
// ties by smaller id; missing slots are 0xFFFFFFFF / +inf. `allow` (bitset, may be null) limits
// the candidates. `f64` accumulates f32 rows in double (ground truth).
struct KnnScanArgs {
  RowSet set;
  int64_t n;
  const float* queries;
  int64_t nq, dim, k;
  const uint8_t* allow;
  bool f64;
  uint32_t* outIds;
  float* outDist;
};

}  // namespace xt

XT_DECLARE_KERNEL(void, distanceRows, (const ::xt::DistanceRowsArgs& args))
XT_DECLARE_KERNEL(void, knnScan, (const ::xt::KnnScanArgs& args))
