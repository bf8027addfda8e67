// Row-major ggml blocks <-> the CPU tile layout of quant.h (ISA-independent: byte moves only;
// src/quant/cpu-tiles.ts holds the same mapping in JS, the reference the tests compare against).
#include <cstring>

#include "quant/quant.h"

namespace xt {

void moveTiles(QFormat f, uint8_t* rows, uint8_t* tiles, int64_t n, int64_t k, bool pack) {
  const int bytes = qBlockBytes(f), words = (bytes - 2) / 4;
  const uint32_t flip = f == QFormat::q8_0 ? 0x80808080u : 0u;
  const int64_t nb = k / kQBlock;
  for (int64_t row = 0; row < n; row++) {
    const int64_t r = row % kTileRows;
    uint8_t* tile = tiles + (row - r) * nb * bytes;
    for (int64_t b = 0; b < nb; b++) {
      uint8_t* src = rows + (row * nb + b) * bytes;
      uint8_t* dst = tile + b * qTileBlockBytes(f);
      uint8_t* scale = dst + qTileCodeBytes(f) + 2 * r;
      if (pack) std::memcpy(scale, src, 2);
      else std::memcpy(src, scale, 2);
      for (int c = 0; c < words; c++) {
        uint8_t* code = dst + 64 * c + 4 * r;
        uint32_t w;
        std::memcpy(&w, pack ? src + 2 + 4 * c : code, 4);
        w ^= flip;
        std::memcpy(pack ? code : src + 2 + 4 * c, &w, 4);
      }
    }
  }
}

}  // namespace xt
