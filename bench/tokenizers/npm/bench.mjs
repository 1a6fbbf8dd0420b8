// bench.mjs — single-core throughput of the npm `tiktoken` package (dqbd's WASM
// build of OpenAI's Rust tiktoken core) on the internal/tokenizer corpus, printed
// in a line format a shell script can put beside the Go benchmark numbers.
//
//   npm ci && node bench.mjs [--runs N] [--warmup N] [--corpus DIR]
//                            [--encodings o200k_base,cl100k_base] [--no-per-file]
//   taskset -c 0 node bench.mjs      # pin to one core (recommended)
//
// What is timed (wall clock, process.hrtime): Encoding.encode_ordinary(text), the
// same call that produced internal/tokenizer/testdata/golden. Text is decoded
// exactly as the goldens were (TextDecoder, replacement mode, BOM kept), before
// timing. MB = 10^6 bytes of the UTF-8 text, as in Go's b.SetBytes MB/s.
//
// Output lines (all start with "npm-tiktoken "; "#" lines are comments):
//   npm-tiktoken module_load_ms=X                         import('tiktoken') incl. WASM compile
//   npm-tiktoken ENC load_ms=X cold_load_ms=Y             get_encoding(ENC): warm median / first call
//   npm-tiktoken ENC MB/s=X mode=concat ...               all files concatenated, one encode per run (headline)
//   npm-tiktoken ENC mode=per_doc MB/s=X ...              each file encoded separately, summed time
//   npm-tiktoken ENC file=NAME MB/s=X ...                 one file, median over runs
// MB/s figures are medians over --runs timed runs after --warmup untimed ones.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const o = {
    runs: 10,
    warmup: 3,
    loadRuns: 5,
    corpus: process.env.KEYGATE_TOKENIZER_CORPUS || join(HERE, '..', '..', '..', 'internal', 'tokenizer', 'testdata', 'corpus'),
    encodings: ['o200k_base', 'cl100k_base'],
    perFile: true,
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--runs') o.runs = Math.max(1, parseInt(val(), 10));
    else if (a === '--warmup') o.warmup = Math.max(0, parseInt(val(), 10));
    else if (a === '--load-runs') o.loadRuns = Math.max(1, parseInt(val(), 10));
    else if (a === '--corpus') o.corpus = resolve(val());
    else if (a === '--encodings') o.encodings = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--no-per-file') o.perFile = false;
    else if (a === '-h' || a === '--help') { console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).join('\n')); process.exit(0); }
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isFinite(o.runs) || !Number.isFinite(o.warmup)) throw new Error('--runs/--warmup need numbers');
  return o;
}

const now = () => process.hrtime.bigint();
const ms = (t0, t1) => Number(t1 - t0) / 1e6;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const f2 = (x) => x.toFixed(2);
const f3 = (x) => x.toFixed(3);

const opts = parseArgs(process.argv);

// Corpus, decoded exactly as gen.mjs does for the goldens.
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const names = readdirSync(opts.corpus).filter((f) => !f.startsWith('.') && statSync(join(opts.corpus, f)).isFile()).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
if (names.length === 0) throw new Error(`no files in ${opts.corpus}`);
const docs = names.map((name) => {
  const text = decoder.decode(readFileSync(join(opts.corpus, name)));
  return { name, text, bytes: Buffer.byteLength(text, 'utf8') };
});
const all = docs.map((d) => d.text).join('');
const allBytes = Buffer.byteLength(all, 'utf8');

const tm0 = now();
const { get_encoding } = await import('tiktoken');
const tm1 = now();
const version = JSON.parse(readFileSync(join(HERE, 'node_modules', 'tiktoken', 'package.json'), 'utf8')).version;

console.log(`# npm tiktoken ${version}, node ${process.version}, ${process.platform}/${process.arch}`);
console.log(`# corpus ${opts.corpus}: ${docs.length} files, ${allBytes} bytes; runs=${opts.runs} warmup=${opts.warmup}; API encode_ordinary; MB=1e6 bytes`);
console.log(`npm-tiktoken module_load_ms=${f2(ms(tm0, tm1))}`);

for (const encName of opts.encodings) {
  // Vocabulary load: the first get_encoding() in the process also loads and
  // parses the rank table's JS module; later calls rebuild the Rust encoder
  // from the (cached) rank string.
  const c0 = now();
  let enc = get_encoding(encName);
  const c1 = now();
  const coldLoad = ms(c0, c1);
  enc.free();
  const loads = [];
  for (let i = 0; i < opts.loadRuns; i++) {
    const l0 = now();
    const e = get_encoding(encName);
    const l1 = now();
    loads.push(ms(l0, l1));
    e.free();
  }
  enc = get_encoding(encName);
  console.log(`npm-tiktoken ${encName} load_ms=${f2(median(loads))} cold_load_ms=${f2(coldLoad)} load_runs=${opts.loadRuns}`);

  // Warm up on every document and on the concatenation.
  let tokensAll = 0;
  for (let w = 0; w < opts.warmup; w++) {
    for (const d of docs) enc.encode_ordinary(d.text);
    tokensAll = enc.encode_ordinary(all).length;
  }
  if (opts.warmup === 0) tokensAll = enc.encode_ordinary(all).length;

  // Headline: whole corpus concatenated, one call per run.
  const concat = [];
  for (let r = 0; r < opts.runs; r++) {
    const t0 = now();
    const n = enc.encode_ordinary(all).length;
    const t1 = now();
    if (n !== tokensAll) throw new Error('token count changed between runs');
    concat.push(allBytes / 1e6 / (ms(t0, t1) / 1e3));
  }
  console.log(`npm-tiktoken ${encName} MB/s=${f3(median(concat))} mode=concat bytes=${allBytes} tokens=${tokensAll} runs=${opts.runs} min=${f3(Math.min(...concat))} max=${f3(Math.max(...concat))}`);

  // Per document: each file is one call; per-run total time over all files.
  const perDocRun = [];
  const perFile = docs.map(() => []);
  const tokens = docs.map((d) => enc.encode_ordinary(d.text).length);
  for (let r = 0; r < opts.runs; r++) {
    let total = 0;
    docs.forEach((d, i) => {
      const t0 = now();
      enc.encode_ordinary(d.text);
      const t1 = now();
      const dt = ms(t0, t1);
      total += dt;
      perFile[i].push(dt);
    });
    perDocRun.push(allBytes / 1e6 / (total / 1e3));
  }
  const sumTokens = tokens.reduce((s, n) => s + n, 0);
  console.log(`npm-tiktoken ${encName} mode=per_doc MB/s=${f3(median(perDocRun))} bytes=${allBytes} tokens=${sumTokens} docs=${docs.length} runs=${opts.runs}`);
  if (opts.perFile) {
    docs.forEach((d, i) => {
      const t = median(perFile[i]);
      console.log(`npm-tiktoken ${encName} file=${d.name} MB/s=${f3(d.bytes / 1e6 / (t / 1e3))} bytes=${d.bytes} tokens=${tokens[i]} ms=${f3(t)}`);
    });
  }
  enc.free();
}
