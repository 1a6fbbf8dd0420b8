// oracle.mjs answers oracle_test.go's questions with tiktoken itself (the npm
// package installed by ../gen: `cd ../gen && npm ci`).
//
//   node oracle.mjs encode < ["text", ...]  -> {"o200k_base": [[ids], ...], "cl100k_base": [...]}
//   node oracle.mjs decode < ["base64", ...] -> ["base64 of TextDecoder's UTF-8", ...]
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const input = JSON.parse(readFileSync(0, "utf8"));
let out;
switch (process.argv[2]) {
  case "encode": {
    const { get_encoding } = createRequire(import.meta.url)("../gen/node_modules/tiktoken");
    out = {};
    for (const name of ["o200k_base", "cl100k_base"]) {
      const enc = get_encoding(name);
      out[name] = input.map((t) => Array.from(enc.encode_ordinary(t)));
      enc.free();
    }
    break;
  }
  case "decode": {
    const td = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
    out = input.map((b) => Buffer.from(td.decode(Buffer.from(b, "base64"))).toString("base64"));
    break;
  }
  default:
    throw new Error("usage: node oracle.mjs encode|decode < input.json");
}
process.stdout.write(JSON.stringify(out));
