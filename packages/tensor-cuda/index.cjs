// Where the prebuilt addon lives; @x/tensor resolves this package and loads the file itself
// (after test-loading it in a child process), so requiring this module loads nothing.
const { join } = require("node:path");

/** Absolute path of the CUDA addon and the version it was built for. */
module.exports = {
  addonPath: join(__dirname, "build", "x_tensor_cuda.node"),
  version: require("./package.json").version,
};
