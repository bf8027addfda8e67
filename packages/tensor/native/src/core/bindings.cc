#include "core/bindings.h"

#include <vector>

namespace xt {
namespace {

struct Entry {
  const char* family;
  BindingInit init;
};

// Function-local so registrars in other translation units never see it uninitialized.
std::vector<Entry>& entries() {
  static std::vector<Entry> list;
  return list;
}

}  // namespace

BindingRegistrar::BindingRegistrar(const char* family, BindingInit init) {
  entries().push_back({family, init});
}

void installBindings(Napi::Env env, Napi::Object exports) {
  for (const Entry& e : entries()) e.init(env, exports);
}

}  // namespace xt
