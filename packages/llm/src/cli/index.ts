// The x-llm command line, importable for in-process use.

export {
  type CommandSpec,
  type FlagSpec,
  helpText,
  type ParsedArgs,
  parseCommand,
} from "./args.js";
export { type CliIO, formatDuration, Progress, processIO } from "./io.js";
export { COMMANDS, EXIT, main } from "./main.js";
