// Side effect of importing @x/tensor: bring up the native CPU backend when a build loads (the js
// backend stays active otherwise, with one warning). Imported first from index.ts.
import { installCpuBackend } from "./backend/cpu/index.js";

installCpuBackend();
