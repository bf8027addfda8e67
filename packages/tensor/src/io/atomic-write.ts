import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Writes a file so that readers see either the old content or the complete new one: `write`
 * fills a temporary file in the same directory (same filesystem, so rename is atomic), which is
 * fsynced and renamed over `path`. If `write` throws, the temporary file is removed and `path`
 * is untouched.
 *
 * ```ts
 * writeFileAtomic("out.bin", (fd) => fs.writeSync(fd, bytes));
 * ```
 */
export function writeFileAtomic(path: string, write: (fd: number) => void): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = fs.openSync(tmp, "wx");
  try {
    write(fd);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, path);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDirectory(dir);
}

/**
 * Fsyncs directory `dir`, persisting renames and new entries in it. Best effort: directories
 * cannot be opened for fsync on every platform, so failures are ignored.
 *
 * ```ts
 * fs.renameSync(tmp, path);
 * fsyncDirectory(dirname(path));
 * ```
 */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // best effort (Windows refuses to fsync a directory)
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes all of `bytes` at the file's current position, looping over partial writes.
 *
 * ```ts
 * writeAll(fd, new Uint8Array([1, 2, 3]));
 * ```
 */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    done += fs.writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
  }
}
