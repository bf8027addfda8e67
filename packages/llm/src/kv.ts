// Subpath `@x/llm/kv`: the KV-cache protocol (types, version, error) and the full cache, for
// cache implementations that want nothing else from @x/llm.

export { type DeviceCacheConfig, DeviceStore, deviceCache } from "./cache/device-cache.js";
export { checkKVShape, type FullCacheConfig, fullCache } from "./cache/full-cache.js";
export { type FullCacheDType, FullStore, type SlidingWindowMode } from "./cache/full-store.js";
export { LayeredCache } from "./cache/model-cache.js";
export { KVCacheError, type KVCacheErrorCode } from "./errors.js";
export {
  KV_PROTOCOL_VERSION,
  type KVAppendOptions,
  type KVAttendOptions,
  type KVAttendResult,
  type KVBytes,
  type KVCache,
  type KVCacheFactory,
  type KVCacheLayer,
  type KVCaps,
  type KVRopeParams,
  type KVShape,
  type KVSnapshot,
  type KVStore,
} from "./protocols.js";
