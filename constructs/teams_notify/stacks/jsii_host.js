"use strict";
// teams-notify's host for jsii's kernel: the kernel runs in this Node process, not in a second.
//
// jsii's own launcher (bin/jsii-runtime.js) starts a second Node for the kernel
// (lib/program.js), which reads and writes the jsii protocol on file descriptor 3, and relays
// every message between that descriptor and its own standard input and output. What the
// kernel or a library prints is sent on standard error as {"stdout"|"stderr": base64} lines,
// which jsii's Python side unwraps. Here the kernel's reads of descriptor 3 come from standard
// input and its writes go to standard output, and what is printed is wrapped the same way: the
// same protocol without the second Node's start-up and without a relay hop per message.
//
// jsii_host.py copies this file beside the kernel and starts Node with --preserve-symlinks,
// as the launcher does (the kernel then links each library's folder instead of copying it).
const fs = require("fs");
const { Writable } = require("stream");

const CHANNEL = 3;
const INPUT = 0;
const OUTPUT = 1;
const ERRORS = 2;
const readSync = fs.readSync;
const writeSync = fs.writeSync;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function writeAll(fd, bytes) {
  let done = 0;
  let pause = 0;
  while (done < bytes.length) {
    try {
      done += writeSync.call(fs, fd, bytes, done);
      pause = 0;
    } catch (err) {
      if (err.code !== "EAGAIN") throw err;
      pause = Math.min(Math.max(2 * pause, 1), 10);
      sleep(pause);
    }
  }
}

// What fs.writeSync would write, in any of its forms: (buffer, offset, length, position),
// (buffer, {offset, length}) or (string, position, encoding).
function asBytes(data, rest) {
  if (typeof data === "string") return Buffer.from(data, rest.find((arg) => typeof arg === "string") || "utf8");
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const options = typeof rest[0] === "object" && rest[0] !== null ? rest[0] : { offset: rest[0], length: rest[1] };
  const start = typeof options.offset === "number" ? options.offset : 0;
  const end = typeof options.length === "number" ? start + options.length : bytes.length;
  return bytes.subarray(start, end);
}

function wrapped(kind, bytes) {
  writeAll(ERRORS, Buffer.from(JSON.stringify({ [kind]: bytes.toString("base64") }) + "\n"));
  return bytes.length;
}

fs.readSync = function readSyncHosted(fd, ...rest) {
  return readSync.call(fs, fd === CHANNEL ? INPUT : fd, ...rest);
};

fs.writeSync = function writeSyncHosted(fd, data, ...rest) {
  if (fd === CHANNEL) return writeSync.call(fs, OUTPUT, data, ...rest);
  // The kernel's own error lines: the launcher would have wrapped what its child wrote here.
  if (fd === ERRORS) return wrapped("stderr", asBytes(data, rest));
  return writeSync.call(fs, fd, data, ...rest);
};

for (const kind of ["stdout", "stderr"]) {
  const stream = new Writable({
    write(chunk, encoding, callback) {
      wrapped(kind, asBytes(chunk, [encoding]));
      callback();
    },
  });
  Object.defineProperty(process, kind, { configurable: true, enumerable: true, get: () => stream });
}

require("./program.js");
