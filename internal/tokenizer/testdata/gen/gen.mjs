// gen.mjs — writes the golden token ids for every file in ../corpus/ using the
// npm `tiktoken` package (dqbd's WASM build of OpenAI's Rust tiktoken core),
// version pinned in package-lock.json.
//
//   npm ci && node gen.mjs           # (re)write ../golden/
//   node gen.mjs --check             # exit 1 if ../golden/ is not what gen.mjs would write
//
// For each corpus file F and each encoding E in {o200k_base, cl100k_base}:
//   ../golden/E/F.json     JSON array of token ids, one line
//   ../golden/E/counts.json  {F: number of tokens}
// plus ../golden/manifest.json (sizes and hashes of each file, the decoded text's
// hash, the tiktoken version) and ../golden/decoded/F for each file whose bytes are
// not valid UTF-8 (the exact text the ids were computed from, re-encoded as UTF-8).
//
// Text: the file's bytes decoded with new TextDecoder('utf-8', { ignoreBOM: true }),
// i.e. WHATWG replacement mode (each maximal subpart of an ill-formed sequence ->
// one U+FFFD) and a leading BOM kept as U+FEFF rather than stripped.
//
// Ids: Encoding.encode_ordinary(text) — special-token text such as "<|endoftext|>"
// is encoded as ordinary text, which is what a gateway counting user content must
// do (tiktoken's encode() would throw on it by default).

import { readFileSync, writeFileSync, readdirSync, mkdirSync, rmSync, existsSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { get_encoding } from 'tiktoken';

const HERE = dirname(fileURLToPath(import.meta.url));
const CORPUS = join(HERE, '..', 'corpus');
const GOLDEN = join(HERE, '..', 'golden');
const ENCODINGS = ['o200k_base', 'cl100k_base'];
// tiktoken's "exports" map hides package.json, so read it from node_modules directly.
const TIKTOKEN_VERSION = JSON.parse(readFileSync(join(HERE, 'node_modules', 'tiktoken', 'package.json'), 'utf8')).version;

const check = process.argv.includes('--check');
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const sortedObject = (entries) => Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export function corpusFiles(dir = CORPUS) {
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.') && statSync(join(dir, f)).isFile())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function decode(bytes) {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
}

// Collect every output file as path -> Buffer, then write or compare.
const outputs = new Map();
const put = (rel, data) => outputs.set(rel, Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'));

const files = corpusFiles();
if (files.length === 0) throw new Error(`no corpus files in ${CORPUS}`);
const texts = new Map();
const manifestFiles = [];
for (const f of files) {
  const raw = readFileSync(join(CORPUS, f));
  const text = decode(raw);
  const utf8 = Buffer.from(text, 'utf8');
  const valid = Buffer.compare(raw, utf8) === 0;
  texts.set(f, text);
  manifestFiles.push([f, {
    bytes: raw.length,
    sha256: sha256(raw),
    valid_utf8: valid,
    decoded_bytes: utf8.length,
    decoded_sha256: sha256(utf8),
    code_points: [...text].length,
  }]);
  if (!valid) put(join('decoded', f), utf8);
}

const countsByEnc = {};
for (const name of ENCODINGS) {
  const enc = get_encoding(name);
  const counts = [];
  try {
    for (const f of files) {
      const text = texts.get(f);
      const ids = enc.encode_ordinary(text);
      // sanity: ids must decode back to exactly the UTF-8 of the text
      const back = Buffer.from(enc.decode(ids));
      if (Buffer.compare(back, Buffer.from(text, 'utf8')) !== 0) throw new Error(`${name}/${f}: decode(encode_ordinary(text)) != text`);
      put(join(name, f + '.json'), JSON.stringify(Array.from(ids)) + '\n');
      counts.push([f, ids.length]);
    }
  } finally {
    enc.free();
  }
  countsByEnc[name] = sortedObject(counts);
  put(join(name, 'counts.json'), JSON.stringify(countsByEnc[name], null, 2) + '\n');
}

const manifest = {
  generator: 'internal/tokenizer/testdata/gen/gen.mjs',
  tiktoken_npm_version: TIKTOKEN_VERSION,
  api: 'Encoding.encode_ordinary(text)',
  decoding: "new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }) — invalid sequences -> U+FFFD per WHATWG (one per maximal subpart); a leading BOM is kept",
  encodings: ENCODINGS,
  files: sortedObject(manifestFiles),
  totals: {
    files: files.length,
    bytes: manifestFiles.reduce((s, [, m]) => s + m.bytes, 0),
    tokens: Object.fromEntries(ENCODINGS.map((e) => [e, Object.values(countsByEnc[e]).reduce((s, n) => s + n, 0)])),
  },
};
put('manifest.json', JSON.stringify(manifest, null, 2) + '\n');

// Existing golden files that gen.mjs would not write are stale.
function listRel(dir, base = '') {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const rel = join(base, e.name);
    if (e.isDirectory()) out.push(...listRel(join(dir, e.name), rel));
    else out.push(rel);
  }
  return out;
}
const stale = listRel(GOLDEN).filter((rel) => !outputs.has(rel));

if (check) {
  let bad = 0;
  for (const [rel, buf] of outputs) {
    const p = join(GOLDEN, rel);
    if (!existsSync(p) || Buffer.compare(readFileSync(p), buf) !== 0) { console.error(`differs or missing: golden/${rel}`); bad++; }
  }
  for (const rel of stale) { console.error(`stale: golden/${rel}`); bad++; }
  console.log(bad ? `${bad} golden file(s) out of date; run: node gen.mjs` : `golden up to date: ${files.length} files x ${ENCODINGS.length} encodings (tiktoken ${TIKTOKEN_VERSION})`);
  process.exit(bad ? 1 : 0);
}

for (const rel of stale) rmSync(join(GOLDEN, rel));
for (const [rel, buf] of outputs) {
  const p = join(GOLDEN, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, buf);
}
const t = manifest.totals;
console.log(`tiktoken ${TIKTOKEN_VERSION}: ${t.files} files, ${t.bytes} bytes; tokens ${ENCODINGS.map((e) => `${e}=${t.tokens[e]}`).join(' ')}` + (stale.length ? `; removed ${stale.length} stale` : ''));
