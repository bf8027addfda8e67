// Flash-attention style kernel written once over simd/vec.h, compiled per ISA
// (attention_<isa>.cc). Keys are visited in tiles; each query row keeps a running max m,
// normaliser l and unnormalised output acc, and a tile that raises m rescales acc by
// e^(m_old - m_new): numerically stable in one pass over K and V. A job is (batch, KV head,
// block of query positions) and covers every query head of the GQA group, so each K/V tile is
// read once for up to kRowTarget query rows; jobs run on the addon's thread pool.
#pragma once

#include <cstdlib>
#include <new>

#include "attention/attention.h"
#include "simd/f16.h"
#include "simd/vmath.h"

namespace xt::XT_ISA {

constexpr int64_t kKeyTile = 64;    // keys per online-softmax step (a multiple of every W)
constexpr int64_t kRowTarget = 16;  // query rows sharing one pass over a K/V tile

inline vf loadKv(const float* p) { return load(p); }
inline vf loadKv(const uint16_t* p) { return loadHalf(p); }
inline float kv1(const float* p) { return *p; }
inline float kv1(const uint16_t* p) { return h2f(*p); }

// out = {sum a, sum b, sum c, sum d}: a transpose-add tree, far cheaper than four lane-by-lane
// reductions on the per-key path.
inline void hsum4(vf a, vf b, vf c, vf d, float* out) {
#if defined(__AVX512F__)
  auto half = [](vf v) -> __m256 {
    return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  };
  const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(half(a), half(b)), _mm256_hadd_ps(half(c), half(d)));
  _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1)));
#elif defined(__AVX2__)
  const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
  _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1)));
#elif defined(__SSE3__)
  _mm_storeu_ps(out, _mm_hadd_ps(_mm_hadd_ps(a, b), _mm_hadd_ps(c, d)));
#else
  out[0] = hsum(a), out[1] = hsum(b), out[2] = hsum(c), out[3] = hsum(d);
#endif
}

// s[t] = scale * q . k_t for t < n, four keys at a time for independent FMA chains.
template <class KT>
void scores(const float* q, const KT* k, int64_t n, int64_t dim, float scale, float* s) {
  const int64_t dv = dim - dim % W;
  int64_t t = 0;
  for (; t + 4 <= n; t += 4) {
    const KT* k0 = k + t * dim;
    vf c0 = splat(0.0f), c1 = c0, c2 = c0, c3 = c0;
    for (int64_t j = 0; j < dv; j += W) {
      const vf x = load(q + j);
      c0 += x * loadKv(k0 + j);
      c1 += x * loadKv(k0 + dim + j);
      c2 += x * loadKv(k0 + 2 * dim + j);
      c3 += x * loadKv(k0 + 3 * dim + j);
    }
    float r[4];
    hsum4(c0, c1, c2, c3, r);
    for (int64_t j = dv; j < dim; j++)
      for (int u = 0; u < 4; u++) r[u] += q[j] * kv1(k0 + u * dim + j);
    for (int u = 0; u < 4; u++) s[t + u] = r[u] * scale;
  }
  for (; t < n; t++) {
    const KT* kt = k + t * dim;
    vf c = splat(0.0f);
    for (int64_t j = 0; j < dv; j += W) c += load(q + j) * loadKv(kt + j);
    float r = hsum(c);
    for (int64_t j = dv; j < dim; j++) r += q[j] * kv1(kt + j);
    s[t] = r * scale;
  }
}

// acc += sum_t p[t] v_t, the accumulators held in registers across the tile.
template <class KT>
void accumulate(const float* p, const KT* v, int64_t n, int64_t dim, float* acc) {
  int64_t j = 0;
  for (; j + 4 * W <= dim; j += 4 * W) {
    vf a0 = load(acc + j), a1 = load(acc + j + W), a2 = load(acc + j + 2 * W), a3 = load(acc + j + 3 * W);
    for (int64_t t = 0; t < n; t++) {
      const vf w = splat(p[t]);
      const KT* vt = v + t * dim + j;
      a0 += w * loadKv(vt);
      a1 += w * loadKv(vt + W);
      a2 += w * loadKv(vt + 2 * W);
      a3 += w * loadKv(vt + 3 * W);
    }
    store(acc + j, a0), store(acc + j + W, a1), store(acc + j + 2 * W, a2), store(acc + j + 3 * W, a3);
  }
  for (; j + W <= dim; j += W) {
    vf a = load(acc + j);
    for (int64_t t = 0; t < n; t++) a += splat(p[t]) * loadKv(v + t * dim + j);
    store(acc + j, a);
  }
  for (; j < dim; j++) {
    float a = acc[j];
    for (int64_t t = 0; t < n; t++) a += p[t] * kv1(v + t * dim + j);
    acc[j] = a;
  }
}

// Folds scores s[0, n) into the row state (m, l, acc) and overwrites them with e^(s - m_new);
// s has room for a whole tile, padded here with -inf to a multiple of W.
inline void softmaxStep(float* s, int64_t n, float& m, float& l, float* acc, int64_t dim) {
  const float inf = __builtin_inff();
  const int64_t padded = (n + W - 1) / W * W;
  for (int64_t t = n; t < padded; t++) s[t] = -inf;
  vf mv = splat(-inf);
  for (int64_t t = 0; t < padded; t += W) mv = vmax(mv, load(s + t));
  const float mt = hmax(mv), mnew = mt > m ? mt : m;
  vf sum = splat(0.0f);
  for (int64_t t = 0; t < padded; t += W) {
    const vf e = vexp(load(s + t) - splat(mnew));
    store(s + t, e);
    sum += e;
  }
  if (mnew > m) {  // rescale what earlier tiles accumulated (nothing before the first tile)
    const float corr = m == -inf ? 0.0f : hmax(vexp(splat(m - mnew)));
    l *= corr;
    int64_t j = 0;
    for (; j + W <= dim; j += W) store(acc + j, load(acc + j) * splat(corr));
    for (; j < dim; j++) acc[j] *= corr;
    m = mnew;
  }
  l += hsum(sum);
}

inline int64_t positionsPerJob(const AttentionArgs& a) {
  const int64_t rep = a.hq / a.hkv, qb = rep >= kRowTarget ? 1 : kRowTarget / rep;
  return qb < a.sq ? qb : a.sq;
}

template <class KT>
void attentionJob(const AttentionArgs& a, int64_t job, float* scratch) {
  const int64_t rep = a.hq / a.hkv, qb = positionsPerJob(a), nqb = (a.sq + qb - 1) / qb, dim = a.d;
  const int64_t i0 = job % nqb * qb, kvh = job / nqb % a.hkv, bb = job / nqb / a.hkv;
  const int64_t qn = a.sq - i0 < qb ? a.sq - i0 : qb, rows = rep * qn;
  const int64_t head = bb * a.hkv + kvh, kvOff = head * a.skv * dim;
  const KT* k = a.kHeads ? static_cast<const KT*>(a.kHeads[head]) : static_cast<const KT*>(a.k) + kvOff;
  const KT* v = a.vHeads ? static_cast<const KT*>(a.vHeads[head]) : static_cast<const KT*>(a.v) + kvOff;
  // Row r is query head kvh*rep + r/qn at position i0 + r%qn; when causal it sees keys
  // [0, pos + skv - sq] (the queries are the last sq positions).
  auto limit = [&](int64_t r) {
    const int64_t lim = i0 + r % qn + a.skv - a.sq + 1;
    return !a.causal || lim > a.skv ? a.skv : lim;
  };
  auto rowOffset = [&](int64_t r) { return ((bb * a.hq + kvh * rep + r / qn) * a.sq + i0 + r % qn) * dim; };
  float* acc = scratch;
  float* s = acc + rows * dim;
  float* m = s + rows * kKeyTile;
  float* l = m + rows;
  for (int64_t j = 0; j < rows * dim; j++) acc[j] = 0.0f;
  int64_t end = 0;
  for (int64_t r = 0; r < rows; r++) {
    m[r] = -__builtin_inff(), l[r] = 0.0f;
    end = limit(r) > end ? limit(r) : end;
  }
  for (int64_t t0 = 0; t0 < end; t0 += kKeyTile) {
    for (int64_t r = 0; r < rows; r++) {
      const int64_t n = imin(kKeyTile, limit(r) - t0);
      if (n <= 0) continue;
      float* sr = s + r * kKeyTile;
      scores(a.q + rowOffset(r), k + t0 * dim, n, dim, a.scale, sr);
      softmaxStep(sr, n, m[r], l[r], acc + r * dim, dim);
      accumulate(sr, v + t0 * dim, n, dim, acc + r * dim);
    }
  }
  for (int64_t r = 0; r < rows; r++) {
    float* o = a.out + rowOffset(r);
    const float inv = l[r] > 0.0f ? 1.0f / l[r] : 0.0f;  // a row that sees no key outputs zeros
    for (int64_t j = 0; j < dim; j++) o[j] = acc[r * dim + j] * inv;
  }
}

void attention(const AttentionArgs& a) {
  const int64_t qb = positionsPerJob(a), jobs = a.b * a.hkv * ((a.sq + qb - 1) / qb);
  if (jobs == 0 || a.d == 0) return;
  const int64_t rows = qb * (a.hq / a.hkv);
  const size_t floats = static_cast<size_t>(rows * (a.d + kKeyTile + 2));
  bool failed = false;  // a worker must not throw: it flags, the calling thread throws
  // Jobs per thread chunk: a decode step's few small jobs run on the calling thread (waking a
  // worker costs more than they do); long contexts and prefill spread one job at a time.
  const int64_t work = rows * a.skv * a.d + 1, grain = work >= 65536 ? 1 : (65536 + work - 1) / work;
  parallel(jobs, grain, [&](int64_t j0, int64_t j1) {
    float* scratch = static_cast<float*>(std::malloc(floats * sizeof(float)));
    if (scratch == nullptr) return __atomic_store_n(&failed, true, __ATOMIC_RELAXED);
    for (int64_t j = j0; j < j1; j++) {
      if (a.kvHalf) attentionJob<uint16_t>(a, j, scratch);
      else attentionJob<float>(a, j, scratch);
    }
    std::free(scratch);
  });
  if (failed) throw std::bad_alloc();
}

}  // namespace xt::XT_ISA
