// The x-llm command line, importable for in-process use.
export { type CliIO, Progress, formatDuration, processIO } from "./io.js";
export { type CommandSpec, type FlagSpec, type ParsedArgs, helpText, parseCommand } from "./args.js";
export { COMMANDS, EXIT, main } from "./main.js";
