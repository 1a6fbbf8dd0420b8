// corpus.mjs — deterministically (re)generates the machine-made files of
// ../corpus/. Hand-written files there are left alone; this script writes only
// the files listed in GENERATED below (byte-exact edge cases that an editor
// would mangle, and the bulk files that give the MB/s benchmark its size).
//
//   node corpus.mjs          # rewrite the generated files
//   node corpus.mjs --check  # exit 1 if any generated file differs on disk
//
// Output depends only on this script and on the hand-written seed files it
// reads (prose_*.txt, prose_cjk.txt): it uses a seeded 32-bit PRNG and integer
// arithmetic only, so any Node version produces identical bytes.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CORPUS = join(HERE, '..', 'corpus');
const MAX_FILE = 199_000; // every corpus file stays below 200 KB

// ---------------------------------------------------------------------------
// helpers

function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

class Rng {
  constructor(seed) { this.next = mulberry32(seed); }
  int(n) { return this.next() % n; }                 // [0, n)
  range(lo, hi) { return lo + this.int(hi - lo + 1); } // [lo, hi]
  pick(arr) { return arr[this.int(arr.length)]; }
  chance(pct) { return this.int(100) < pct; }
  hex(n) { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(16)]; return s; }
  alnum(n) {
    const cs = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = ''; for (let i = 0; i < n; i++) s += cs[this.int(cs.length)]; return s;
  }
  digits(n) { let s = ''; for (let i = 0; i < n; i++) s += String(this.int(10)); return s; }
  // fixed-point decimal with `dp` places from an integer range: no float math
  dec(lo, hi, dp) {
    const scale = 10 ** dp;
    const v = this.range(lo * scale, hi * scale);
    const neg = v < 0; const a = Math.abs(v);
    const ip = Math.floor(a / scale); const fp = String(a % scale).padStart(dp, '0');
    return (neg ? '-' : '') + ip + (dp ? '.' + fp : '');
  }
}

const cp = (...cps) => String.fromCodePoint(...cps);
const read = (name) => readFileSync(join(CORPUS, name), 'utf8');

// Fill up to `target` bytes by calling `make()` for chunks; cut at a chunk end.
function fill(target, make, sep = '') {
  const parts = [];
  let size = 0;
  for (;;) {
    const chunk = make(parts.length);
    const add = Buffer.byteLength(chunk) + (parts.length ? Buffer.byteLength(sep) : 0);
    if (size + add > target) break;
    parts.push(chunk);
    size += add;
  }
  return parts.join(sep);
}

// ---------------------------------------------------------------------------
// byte-exact edge-case files

function emoji() {
  const L = [];
  L.push('Emoji test file');
  L.push('');
  let row = '';
  const lines = [];
  for (let c = 0x1f600; c <= 0x1f64f; c++) { row += cp(c); if ((c & 15) === 15) { lines.push(row); row = ''; } }
  L.push('Emoticons block U+1F600..U+1F64F:', ...lines);
  L.push('Spaced: ' + [0x1f600, 0x1f602, 0x1f60d, 0x1f914, 0x1f44d, 0x1f525, 0x1f680, 0x1f389, 0x2764, 0x2728, 0x1f4af].map((c) => cp(c)).join(' '));
  L.push('Misc symbols: ' + Array.from({ length: 48 }, (_, i) => cp(0x1f300 + i * 5)).join(''));
  L.push('Supplemental: ' + Array.from({ length: 48 }, (_, i) => cp(0x1f910 + i * 4)).join(' '));
  L.push('Newer (Unicode 13-15): ' + [0x1fae0, 0x1fae8, 0x1fa77, 0x1fabf, 0x1fa75, 0x1f6dc, 0x1fa87, 0x1fa88].map((c) => cp(c)).join(' '));
  L.push('');
  const tones = [0x1f3fb, 0x1f3fc, 0x1f3fd, 0x1f3fe, 0x1f3ff];
  L.push('Skin tones:');
  for (const base of [0x1f44b, 0x1f44d, 0x1f64c, 0x1f44f, 0x1f91d, 0x1f9d1, 0x1f476, 0x270c, 0x1f590]) {
    L.push(cp(base) + ' ' + tones.map((t) => cp(base, t)).join(' ') + ' ' + tones.map((t) => cp(base, t)).join(''));
  }
  L.push('Tone modifiers alone: ' + tones.map((t) => cp(t)).join(' ') + ' and after letters: a' + cp(0x1f3fd) + ' Z' + cp(0x1f3ff));
  L.push('');
  const ZWJ = 0x200d, VS16 = 0xfe0f;
  const zwj = [
    ['family', [0x1f468, ZWJ, 0x1f469, ZWJ, 0x1f467, ZWJ, 0x1f466]],
    ['two mothers', [0x1f469, ZWJ, 0x1f469, ZWJ, 0x1f467]],
    ['kiss', [0x1f469, ZWJ, 0x2764, VS16, ZWJ, 0x1f48b, ZWJ, 0x1f468]],
    ['couple with heart, tones', [0x1f9d1, 0x1f3fb, ZWJ, 0x2764, VS16, ZWJ, 0x1f9d1, 0x1f3ff]],
    ['rainbow flag', [0x1f3f3, VS16, ZWJ, 0x1f308]],
    ['transgender flag', [0x1f3f3, VS16, ZWJ, 0x26a7, VS16]],
    ['pirate flag', [0x1f3f4, ZWJ, 0x2620, VS16]],
    ['technologist medium tone', [0x1f468, 0x1f3fd, ZWJ, 0x1f4bb]],
    ['astronaut dark tone', [0x1f9d1, 0x1f3ff, ZWJ, 0x1f680]],
    ['woman scientist', [0x1f469, ZWJ, 0x1f52c]],
    ['polar bear', [0x1f43b, ZWJ, 0x2744, VS16]],
    ['heart on fire', [0x2764, VS16, ZWJ, 0x1f525]],
    ['mending heart', [0x2764, VS16, ZWJ, 0x1fa79]],
    ['woman with beard', [0x1f9d4, ZWJ, 0x2640, VS16]],
    ['handshake tones', [0x1faf1, 0x1f3fb, ZWJ, 0x1faf2, 0x1f3ff]],
    ['eye in speech bubble', [0x1f441, VS16, ZWJ, 0x1f5e8, VS16]],
    ['black cat', [0x1f408, ZWJ, 0x2b1b]],
    ['service dog', [0x1f415, ZWJ, 0x1f9ba]],
    ['man running facing right (15.1)', [0x1f3c3, ZWJ, 0x2642, VS16, ZWJ, 0x27a1, VS16]],
    ['phoenix (15.1)', [0x1f426, ZWJ, 0x1f525]],
    ['broken ZWJ (trailing joiner)', [0x1f468, ZWJ]],
    ['double joiner', [0x1f468, ZWJ, ZWJ, 0x1f469]],
  ];
  L.push('ZWJ sequences:');
  for (const [name, seq] of zwj) L.push(`${name}: ${cp(...seq)} x3 ${cp(...seq)}${cp(...seq)}${cp(...seq)}`);
  L.push('');
  const ri = (cc) => cp(...[...cc].map((ch) => 0x1f1e6 + ch.charCodeAt(0) - 65));
  const countries = 'US GB DE FR JP CN KR IN BR RU UA IL SA EG ZA NG MX CA AU NZ SE NO FI DK IS IE PT ES IT GR TR IR PK BD TH VN ID PH MY SG AR CL CO PE KE ET EU UN'.split(' ');
  L.push('Flags: ' + countries.map(ri).join(' '));
  L.push('Flags run: ' + countries.map(ri).join(''));
  L.push('Odd regional indicators: ' + cp(0x1f1e6) + ' ' + cp(0x1f1fa, 0x1f1f8, 0x1f1e6) + ' ' + ri('ZZ') + ri('QQ'));
  const tag = (s) => cp(0x1f3f4, ...[...s].map((ch) => 0xe0000 + ch.charCodeAt(0)), 0xe007f);
  L.push('Subdivision flags: England ' + tag('gbeng') + ' Scotland ' + tag('gbsct') + ' Wales ' + tag('gbwls'));
  L.push('');
  L.push('Keycaps: ' + '#*0123456789'.split('').map((k) => cp(k.charCodeAt(0), VS16, 0x20e3)).join(' '));
  L.push('Keycaps without VS16: ' + '#123'.split('').map((k) => cp(k.charCodeAt(0), 0x20e3)).join(' '));
  L.push('Variation selectors: ' + cp(0x263a) + ' ' + cp(0x263a, VS16) + ' ' + cp(0x263a, 0xfe0e) + ' ' + cp(0x2764) + ' ' + cp(0x2764, VS16) + ' ' + cp(0x2122, VS16) + ' ' + cp(0x00a9, VS16) + ' ' + cp(0x1f5e1, 0xfe0e));
  L.push('');
  L.push(`In sentences: I love ${cp(0x1f355)} and ${cp(0x2615)}! Ship it ${cp(0x1f680)}${cp(0x1f680)}${cp(0x1f680)}. LGTM ${cp(0x1f44d, 0x1f3fd)}.`);
  L.push(`Glued: hello${cp(0x1f600)}world ${cp(0x1f600)}start end${cp(0x1f600)} 123${cp(0x1f4af)}456 ${cp(0x1f1fa, 0x1f1f8)}USA ${cp(0x4e2d)}${cp(0x1f600)}${cp(0x6587)}`);
  L.push(`Punctuation mix: !!!${cp(0x1f631)}??? (${cp(0x1f642)}) "${cp(0x1f525)}" [${cp(0x2705)}] <${cp(0x274c)}> ...${cp(0x1f4a4)}`);
  L.push(`Chat: omg ${cp(0x1f602)}${cp(0x1f602)}${cp(0x1f602)}${cp(0x1f602)}${cp(0x1f602)} that's so funny ${cp(0x1f923)} brb ${cp(0x1f3c3, 0x200d, 0x2640, 0xfe0f)}${cp(0x1f4a8)}`);
  L.push(`Emoji run x200: ${cp(0x1f389).repeat(200)}`);
  L.push(`Text-style symbols: ${[0x2600, 0x2601, 0x2602, 0x2603, 0x2604, 0x260e, 0x2611, 0x2614, 0x2615, 0x261d, 0x2620, 0x2622, 0x2623, 0x2626, 0x262a, 0x262e, 0x262f, 0x2638, 0x2639, 0x263a].map((c) => cp(c)).join('')}`);
  L.push(`Kaomoji: ¯\\_(ツ)_/¯ (╯°□°)╯︵ ┻━┻ ( ͡° ͜ʖ ͡°) ಠ_ಠ (•‿•) ヽ(•‿•)ノ ʕ•ᴥ•ʔ (｡◕‿◕｡) :-) ;-) :D :P <3 </3 xD ^_^ -_- o_O`);
  return L.join('\n') + '\n';
}

function zeroWidth() {
  const ZWSP = cp(0x200b), ZWNJ = cp(0x200c), ZWJ = cp(0x200d), WJ = cp(0x2060), BOM = cp(0xfeff), SHY = cp(0x00ad);
  const L = [];
  L.push('Zero-width and invisible characters');
  L.push(`ZWSP between words: hello${ZWSP}world foo${ZWSP}${ZWSP}${ZWSP}bar ${ZWSP}lead trail${ZWSP} ${ZWSP} alone`);
  L.push(`ZWSP in CJK line breaking: 这是${ZWSP}一个${ZWSP}测试${ZWSP}句子。 タイ語${ZWSP}の${ZWSP}改行`);
  L.push(`ZWSP in Thai: ภาษา${ZWSP}ไทย${ZWSP}ไม่มี${ZWSP}ช่องว่าง`);
  L.push(`ZWNJ in Persian: می${ZWNJ}خواهم، نمی${ZWNJ}دانم، کتاب${ZWNJ}ها، خانه${ZWNJ}ای`);
  L.push(`ZWNJ in German ligature control: Auf${ZWNJ}lage Schiff${ZWNJ}fahrt`);
  L.push(`ZWNJ/ZWJ in Indic: क्${ZWNJ}ष क्${ZWJ}ष र्${ZWJ}य ශ්${ZWJ}රී ന്${ZWJ}`);
  L.push(`ZWJ between letters: a${ZWJ}b ${ZWJ}x y${ZWJ} ${ZWJ}${ZWJ}${ZWJ}`);
  L.push(`Word joiner: no${WJ}break ${WJ}${WJ} 1${WJ}000`);
  L.push(`BOM mid-text: before${BOM}after ${BOM}start end${BOM} ${BOM}`);
  L.push(`Soft hyphen: hy${SHY}phen${SHY}ation ex${SHY}tra${SHY}or${SHY}di${SHY}nary ${SHY}`);
  L.push(`Bidi marks: ${cp(0x200e)}LRM ${cp(0x200f)}RLM abc${cp(0x200f)}def ${cp(0x202a)}LRE${cp(0x202c)} ${cp(0x202b)}RLE${cp(0x202c)} ${cp(0x202d)}LRO${cp(0x202c)} ${cp(0x202e)}RLO reversed${cp(0x202c)}`);
  L.push(`Bidi isolates: ${cp(0x2066)}LRI${cp(0x2069)} ${cp(0x2067)}RLI ${cp(0x5e9, 0x5dc, 0x5d5, 0x5dd)}${cp(0x2069)} ${cp(0x2068)}FSI${cp(0x2069)} user said: ${cp(0x2067)}مرحبا${cp(0x2069)}!`);
  L.push(`Trojan-source style: if (access_level != "user${cp(0x202e)} ${cp(0x2066)}// Check if admin${cp(0x2069)} ${cp(0x2066)}") {`);
  L.push(`Invisible math: f${cp(0x2061)}(x) 2${cp(0x2062)}x a${cp(0x2063)}b 1${cp(0x2064)}½`);
  L.push(`Mongolian vowel separator: ᠮᠣᠩᠭᠣᠯ${cp(0x180e)}ᠠ ${cp(0x180e)}`);
  L.push(`Combining grapheme joiner: a${cp(0x34f)}b ${cp(0x34f)}`);
  L.push(`Variation selectors on letters: a${cp(0xfe00)} 葛${cp(0xe0100)} 辻${cp(0xe0101)} ${cp(0xfe0f)}alone`);
  L.push(`Tag characters: x${cp(0xe0001)}${[...'hidden text'].map((c) => cp(0xe0000 + c.charCodeAt(0))).join('')}${cp(0xe007f)}y`);
  L.push(`Hangul fillers: ${cp(0x3164)} ${cp(0x115f)}${cp(0x1160)} ${cp(0xffa0)} x${cp(0x3164)}y`);
  L.push(`Braille blank: ${cp(0x2800)}${cp(0x2800)} a${cp(0x2800)}b`);
  L.push(`Interlinear annotation: ${cp(0xfff9)}漢字${cp(0xfffa)}かんじ${cp(0xfffb)}`);
  L.push(`Object replacement / replacement char: ${cp(0xfffc)} ${cp(0xfffd)} ${cp(0xfffd)}${cp(0xfffd)}`);
  L.push(`Noncharacters: ${cp(0xfdd0)} ${cp(0xfffe)} ${cp(0xffff)} ${cp(0x1fffe)} ${cp(0x10ffff)}`);
  L.push(`Private use: ${cp(0xe000)} ${cp(0xf8ff)} ${cp(0xf0000)} ${cp(0x100000)} apple${cp(0xf8ff)}`);
  L.push(`Line/paragraph separators: a${cp(0x2028)}b${cp(0x2029)}c`);
  L.push(`Everything together: ${[ZWSP, ZWNJ, ZWJ, WJ, BOM, SHY, cp(0x200e), cp(0x200f), cp(0x2061), cp(0x34f), cp(0x180e)].join('')}end`);
  L.push(`Each alone on a line:`);
  for (const c of [ZWSP, ZWNJ, ZWJ, WJ, BOM, SHY, cp(0x200e), cp(0x200f)]) L.push(c);
  return L.join('\n') + '\n';
}

function combiningNFD() {
  const L = [];
  L.push('Combining marks and decomposed (NFD/NFKD) text');
  const samples = [
    'Café, naïve, résumé, coöperate, façade, jalapeño, São Paulo, Zürich, Ångström, Øresund, Kraków, Dvořák',
    'Árvíztűrő tükörfúrógép. Příliš žluťoučký kůň úpěl ďábelské ódy. Zażółć gęślą jaźń.',
    'Tiếng Việt: Tất cả mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm và quyền lợi. Hà Nội, Đà Nẵng, Huế.',
    'Ἄνδρα μοι ἔννεπε, Μοῦσα, πολύτροπον, ὃς μάλα πολλὰ πλάγχθη. Ἐν ἀρχῇ ἦν ὁ λόγος.',
    'Ёлка, йод, Йошкар-Ола, ёжик, Ї, й. Їжак, ґанок.',
    '한국어 문장: 모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다. 서울, 부산.',
    'がぎぐげご ざじずぜぞ ぱぴぷぺぽ ガギグゲゴ パピプペポ ヴ — 日本語のテキスト、だ、ば、ぽ。',
    'क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़ ড় ঢ় য় ਖ਼ ਗ਼ ਜ਼ ਫ਼ — क़ानून, ज़िंदगी, फ़िल्म',
    'Spanish: ¿Dónde está el niño? Año, señor, pingüino, acción.',
  ];
  for (const s of samples) {
    L.push('NFC: ' + s.normalize('NFC'));
    L.push('NFD: ' + s.normalize('NFD'));
  }
  const compat = 'ﬁnance ﬂow ﬀ ﬃ ﬄ ﬅ ﬆ Ⅻ ① ㈱ ㍻ ㎞ ℡ ™ ½ x² H₂O ＡＢＣ１２３ ｶﾀｶﾅ ﹏ ︵ ǅ ǈ ǋ ŉ ẞ ß';
  L.push('Compat raw: ' + compat);
  L.push('NFKC: ' + compat.normalize('NFKC'));
  L.push('NFKD: ' + compat.normalize('NFKD'));
  // Zalgo text built deterministically from U+0300..U+036F
  const rng = new Rng(0x2a19);
  const zalgo = (s, n) => [...s].map((ch) => ch + (ch === ' ' ? '' : Array.from({ length: rng.range(1, n) }, () => cp(0x300 + rng.int(0x70))).join(''))).join('');
  L.push('Zalgo light: ' + zalgo('the gateway is fine', 2));
  L.push('Zalgo heavy: ' + zalgo('HE COMES', 12));
  L.push('Zalgo cjk: ' + zalgo('中文テキスト', 4));
  L.push('Stacked on one base: e' + Array.from({ length: 40 }, (_, i) => cp(0x300 + (i % 0x70))).join(''));
  L.push('Orphan marks (after space, at line start, after digits and punctuation):');
  L.push(cp(0x301) + 'start ' + cp(0x308) + ' ' + cp(0x301, 0x302, 0x303) + ' 1' + cp(0x301) + '2' + cp(0x20e3) + ' !' + cp(0x301) + ' "' + cp(0x327) + '"');
  L.push('Enclosing marks: A' + cp(0x20dd) + ' B' + cp(0x20de) + ' C' + cp(0x20df) + ' 1' + cp(0x20e3) + ' ' + cp(0x20e0) + 'x');
  L.push('Underline/strike via marks: ' + [...'underlined'].map((c) => c + cp(0x332)).join('') + ' ' + [...'struck'].map((c) => c + cp(0x336)).join(''));
  L.push('Hebrew points: ' + 'בְּרֵאשִׁית בָּרָא אֱלֹהִים'.normalize('NFD'));
  L.push('Arabic harakat: ' + 'بِسْمِ ٱللَّهِ ٱلرَّحْمَٰنِ ٱلرَّحِيمِ'.normalize('NFD') + ' ' + 'ـــًٌٍَُِّْـ');
  L.push('Devanagari signs: ' + 'अंग्रेज़ी ँ ं ः ़ ् ॑ ॒ कँ हिंदी'.normalize('NFD'));
  L.push('Thai marks: ' + 'ก่ ก้ ก๊ ก๋ กิ กี กึ กื กุ กู ก็ ก์ ก่ำ น้ำ');
  L.push('Hangul jamo, conjoining (Lo, not marks): ' + '한글 훈민정음 뷁 똠방각하'.normalize('NFD'));
  L.push('Hangul jamo, compatibility: ㅎㅏㄴㄱㅡㄹ');
  L.push('Mixed NFC+NFD same word: ' + 'é'.normalize('NFC') + 'é'.normalize('NFD') + ' ' + 'Å'.normalize('NFD') + 'Å'.normalize('NFC') + cp(0x212b));
  L.push('CamelCase with marks: ' + 'ÉcoleNormaleSupérieure ÜberGroßeStraße ÇaVa'.normalize('NFD'));
  L.push("Contractions with marks: " + "café's CAFÉ'S naïve'll résumé'd".normalize('NFD'));
  return L.join('\n') + '\n';
}

function whitespaceUnicode() {
  const spaces = [
    [0x09, 'TAB'], [0x0b, 'VT'], [0x0c, 'FF'], [0x20, 'SPACE'], [0x85, 'NEL'], [0xa0, 'NBSP'], [0x1680, 'OGHAM SPACE MARK'],
    [0x2000, 'EN QUAD'], [0x2001, 'EM QUAD'], [0x2002, 'EN SPACE'], [0x2003, 'EM SPACE'], [0x2004, 'THREE-PER-EM'], [0x2005, 'FOUR-PER-EM'],
    [0x2006, 'SIX-PER-EM'], [0x2007, 'FIGURE SPACE'], [0x2008, 'PUNCTUATION SPACE'], [0x2009, 'THIN SPACE'], [0x200a, 'HAIR SPACE'],
    [0x2028, 'LINE SEPARATOR'], [0x2029, 'PARAGRAPH SEPARATOR'], [0x202f, 'NARROW NBSP'], [0x205f, 'MEDIUM MATH SPACE'], [0x3000, 'IDEOGRAPHIC SPACE'],
  ];
  const L = ['Unicode whitespace (White_Space property) and control characters', ''];
  for (const [c, name] of spaces) {
    const s = cp(c);
    L.push(`${name}: word${s}word | ${s}lead | trail${s} | double${s}${s}x | run${s.repeat(5)}x | before-newline${s}`);
  }
  L.push('All spaces in a row:' + spaces.map(([c]) => cp(c)).join('') + 'end');
  L.push('All spaces, each followed by a letter: ' + spaces.map(([c]) => cp(c) + 'a').join(''));
  L.push('French typography: « Bonjour »' + cp(0x202f) + '! Combien' + cp(0x202f) + '? 10' + cp(0xa0) + '%, 1' + cp(0x202f) + '000' + cp(0x202f) + '000' + cp(0xa0) + '€');
  L.push('CJK ideographic spaces:' + cp(0x3000) + '全角スペース' + cp(0x3000, 0x3000) + 'です。');
  L.push('');
  L.push('Mixed runs:');
  L.push(' \t \t' + cp(0xa0) + ' ' + cp(0x3000) + 'x');
  L.push('x \t\u000b\u000c y');
  L.push('a\u000bb\u000cc\u0085d');
  L.push('');
  const ctl = [];
  for (let c = 0; c < 0x20; c++) if (![0x09, 0x0a, 0x0b, 0x0c, 0x0d].includes(c)) ctl.push(c);
  L.push('C0 controls (non-space): ' + ctl.map((c) => 'x' + cp(c)).join(' '));
  L.push('NUL run: a' + '\u0000'.repeat(5) + 'b');
  L.push('DEL and C1: ' + [0x7f, 0x80, 0x81, 0x8d, 0x8f, 0x90, 0x9b, 0x9c, 0x9f].map((c) => 'y' + cp(c)).join(' '));
  L.push('ANSI escapes: \u001b[1;31mred bold\u001b[0m \u001b[38;5;208morange\u001b[m \u001b]0;title\u0007 \u001b[2J\u001b[H');
  L.push('Backspace tricks: abc\b\b\bxyz ___\b\b\b');
  return L.join('\n') + '\n';
}

function whitespaceCRLF() {
  const lines = [
    'Windows line endings (CRLF) throughout this file.',
    '',
    'Line with trailing spaces   ',
    'Line with trailing tab\t',
    '\tTab-indented line',
    '\t\tDouble tab',
    '    Four-space indent',
    '        Eight-space indent',
    '',
    '',
    '',
    'After three blank lines.',
    '  \t  ',
    'After a whitespace-only line.',
    'func main() {',
    '\tfmt.Println("hello, CRLF")',
    '\tif x {',
    '\t\treturn',
    '\t}',
    '}',
    '',
    'SELECT *',
    '  FROM t',
    ' WHERE x = 1;',
  ];
  let s = lines.join('\r\n') + '\r\n';
  s += 'Lone CR:\rafter CR\r\rtwo CRs\r\n';
  s += 'LF then CR:\n\rmixed\n\r\n';
  s += 'Mixed endings: unix\nwindows\r\nold-mac\rend\r\n';
  s += 'Spaces before CRLF:     \r\n     \r\n\r\n';
  s += 'Tabs and spaces before newline: \t \t\r\n';
  s += '\r\n\r\n\r\n\r\n';
  s += 'CRLF runs:\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n';
  s += 'Indented after blank:\r\n\r\n    indented\r\n\r\n\t\ttabbed\r\n';
  s += 'Punctuation then CRLF.\r\n!!\r\n??\r\n...\r\n';
  s += 'Numbers then CRLF 123\r\n4567\r\n';
  s += 'Final: file ends with several CRLFs\r\n\r\n\r\n';
  return s;
}

function whitespaceNoFinalNewline() {
  const L = [];
  L.push('This file does not end with a newline.');
  L.push('');
  for (let n = 1; n <= 16; n++) L.push(`${String(n).padStart(2, '0')} spaces:` + ' '.repeat(n) + 'word' + ' '.repeat(n) + 'word');
  for (let n = 1; n <= 8; n++) L.push(`${n} tabs:` + '\t'.repeat(n) + 'word');
  for (let n = 1; n <= 12; n++) L.push(' '.repeat(n) + `indent ${n}`);
  L.push('Blank lines follow');
  L.push('', '', '', '');
  L.push('Spaces-only lines follow');
  L.push(' ', '  ', '   ', '    ', '\t', ' \t ');
  L.push('Space before punctuation ! ? . , ; : ) ] }');
  L.push('Space after newline then punctuation:');
  L.push(' !', '  ?', '   ...', '    "quoted"');
  L.push('Newline then spaces then newline:\n   \n   \nend of runs');
  L.push('Last paragraph: the quick brown fox jumps over the lazy dog. The end.');
  return L.join('\n');
}

function whitespaceTrailingSpaces() {
  const L = [];
  L.push('Every line in this file ends with trailing whitespace, and so does the file itself.   ');
  const rng = new Rng(7);
  const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');
  for (let i = 0; i < 60; i++) {
    const n = rng.range(3, 12);
    const w = Array.from({ length: n }, () => rng.pick(words)).join(' ');
    const tail = rng.pick([' ', '  ', '   ', '\t', ' \t', '    ', '        ', ' '.repeat(rng.range(1, 30))]);
    L.push(w + tail);
  }
  L.push('Code with trailing spaces:  ');
  L.push('def f(x):    ');
  L.push('    return x * 2  ');
  L.push('    ');
  L.push('');
  L.push('The end.     ');
  return L.join('\n');
}

function bomStart() {
  return cp(0xfeff) + 'This file starts with a UTF-8 byte order mark (EF BB BF).\n' +
    'The goldens keep it as U+FEFF (TextDecoder with ignoreBOM: true), exactly like Go\'s string(bytes).\n' +
    cp(0xfeff) + 'A second BOM at the start of a line.\n' +
    'Hello' + cp(0xfeff) + 'World\n';
}

function invalidUTF8() {
  const parts = [];
  const t = (s) => parts.push(Buffer.from(s, 'utf8'));
  const b = (...bytes) => parts.push(Buffer.from(bytes));
  t('Invalid UTF-8 test file. Decoded with WHATWG TextDecoder (replacement mode): each maximal\n');
  t('subpart of an ill-formed sequence becomes one U+FFFD.\n\n');
  t('Lone continuation bytes: ['); b(0x80); t('] ['); b(0xbf); t('] ['); b(0x80, 0x80, 0x80); t(']\n');
  t('Invalid lead bytes: ['); b(0xc0); t('] ['); b(0xc1); t('] ['); b(0xf5); t('] ['); b(0xf8); t('] ['); b(0xfc); t('] ['); b(0xfe); t('] ['); b(0xff); t(']\n');
  t('Overlong slash: ['); b(0xc0, 0xaf); t('] ['); b(0xe0, 0x80, 0xaf); t('] ['); b(0xf0, 0x80, 0x80, 0xaf); t(']\n');
  t('Overlong NUL: ['); b(0xc0, 0x80); t(']\n');
  t('Truncated euro (E2 82) then ASCII: ['); b(0xe2, 0x82); t('A]\n');
  t('Truncated emoji (F0 9F 98) then space: ['); b(0xf0, 0x9f, 0x98); t(' ]\n');
  t('Truncated 2-byte (C3) then letter: ['); b(0xc3); t('x] and before newline: '); b(0xc3); t('\n');
  t('Truncated then another lead: ['); b(0xe2, 0x82, 0xe2, 0x82, 0xac); t(']\n');
  t('UTF-16 surrogates encoded as UTF-8: ['); b(0xed, 0xa0, 0x80); t('] ['); b(0xed, 0xbf, 0xbf); t('] pair ['); b(0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80); t(']\n');
  t('Above U+10FFFF: ['); b(0xf4, 0x90, 0x80, 0x80); t('] ['); b(0xf7, 0xbf, 0xbf, 0xbf); t(']\n');
  t('E0 with low second byte: ['); b(0xe0, 0x9f, 0x80); t('] F0 with low second byte: ['); b(0xf0, 0x8f, 0xbf, 0xbf); t(']\n');
  t('Valid 4-byte then stray continuation: ['); b(0xf0, 0x9f, 0x98, 0x80, 0x80); t(']\n');
  t('Latin-1 encoded "café crème à la française": '); parts.push(Buffer.from('café crème à la française', 'latin1')); t('\n');
  t('Windows-1252 smart quotes: '); b(0x93); t('quoted'); b(0x94); t(' and '); b(0x91); t('single'); b(0x92); t(' dash '); b(0x96); t(' euro '); b(0x80); t('5\n');
  t('Shift-JIS bytes for 日本語: '); b(0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea); t('\n');
  t('GBK bytes for 中文: '); b(0xd6, 0xd0, 0xce, 0xc4); t('\n');
  t('Invalid bytes inside a word: hel'); b(0xff); t('lo wor'); b(0x80, 0x81); t('ld caf'); b(0xe9); t(' na'); b(0xef); t('ve\n');
  t('Invalid bytes inside digits: 12'); b(0xff); t('34 5'); b(0xc3); t('6\n');
  t('Invalid bytes between CJK: 中'); b(0xe4, 0xb8); t('文'); b(0xa0); t('字\n');
  t('Replacement char already present: \ufffd \ufffd\ufffd\n');
  t('Valid multi-byte for contrast: é € 😀 中 𝄞\n');
  t('All 256 byte values, 16 per line:\n');
  for (let r = 0; r < 16; r++) {
    const row = [];
    for (let c = 0; c < 16; c++) row.push(r * 16 + c);
    b(...row); t('\n');
  }
  t('Random bytes:\n');
  const rng = new Rng(0xbad);
  for (let line = 0; line < 24; line++) { b(...Array.from({ length: 48 }, () => rng.int(256))); t('\n'); }
  t('Mostly text with sparse corruption:\n');
  const text = Buffer.from('The quick brown fox jumps over the lazy dog. Съешь же ещё этих мягких французских булок. 我能吞下玻璃而不伤身体。 ', 'utf8');
  for (let rep = 0; rep < 6; rep++) {
    const buf = Buffer.from(text);
    for (let k = 0; k < 4; k++) buf[rng.int(buf.length)] = rng.int(256);
    parts.push(buf); t('\n');
  }
  t('File ends with a truncated sequence: ');
  b(0xe2, 0x82);
  return Buffer.concat(parts);
}

function longRuns() {
  const rng = new Rng(0x10e6);
  const L = [];
  L.push('Long runs (pre-tokens of extreme length)');
  L.push('Digits x10000:');
  L.push(rng.digits(10000));
  L.push('Letter a x3000:');
  L.push('a'.repeat(3000));
  L.push('Random lowercase word x4000 (one pre-token, worst case for BPE merging):');
  L.push(Array.from({ length: 4000 }, () => 'abcdefghijklmnopqrstuvwxyz'[rng.int(26)]).join(''));
  L.push('Random mixed-case letters x2000:');
  L.push(Array.from({ length: 2000 }, () => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'[rng.int(52)]).join(''));
  L.push('Spaces x2000 then a word:');
  L.push(' '.repeat(2000) + 'word');
  L.push('Tabs x1000 then a word:');
  L.push('\t'.repeat(1000) + 'word');
  L.push('Newlines x500:');
  L.push('\n'.repeat(500));
  L.push('Space-newline pairs x300:');
  L.push(' \n'.repeat(300));
  L.push('Equals x2000:');
  L.push('='.repeat(2000));
  L.push('Dot-space x500:');
  L.push('. '.repeat(500));
  L.push('CJK ideograph x1000:');
  L.push('的'.repeat(1000));
  L.push('Random CJK x2000:');
  L.push(Array.from({ length: 2000 }, () => cp(0x4e00 + rng.int(0x5000))).join(''));
  L.push('Random Hangul syllables x1500:');
  L.push(Array.from({ length: 1500 }, () => cp(0xac00 + rng.int(11172))).join(''));
  L.push('Emoji x500:');
  L.push(cp(0x1f600).repeat(500));
  L.push('Cyrillic word x1500 letters:');
  L.push(Array.from({ length: 1500 }, () => cp(0x430 + rng.int(32))).join(''));
  L.push('Base64 blob (16 KiB of PRNG bytes):');
  const bytes = Buffer.from(Array.from({ length: 12288 }, () => rng.int(256)));
  const b64 = bytes.toString('base64');
  for (let i = 0; i < b64.length; i += 76) L.push(b64.slice(i, i + 76));
  L.push('Same base64 on one line:');
  L.push(b64.slice(0, 8192));
  L.push('Hex x4096:');
  L.push(rng.hex(4096));
  L.push('Minified JSON line:');
  const obj = Array.from({ length: 120 }, (_, i) => ({ id: i, k: rng.alnum(8), v: rng.range(-100000, 100000), f: rng.dec(-1000, 1000, 4), ok: rng.chance(50) }));
  L.push(JSON.stringify(obj));
  return L.join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// bulk files

function markovEnglish(target) {
  // paragraphs and verse only: drop headings such as "IV. Sonnet 18 (...)"
  const src = read('prose_english.txt').split('\n').filter((l) => l.length > 30 && !/^[IVX]+\. /.test(l)).join('\n');
  const words = src.split(/\s+/).filter(Boolean);
  const chain = new Map();
  for (let i = 0; i + 2 < words.length; i++) {
    const k = words[i] + ' ' + words[i + 1];
    if (!chain.has(k)) chain.set(k, []);
    chain.get(k).push(words[i + 2]);
  }
  const starts = [];
  for (let i = 1; i + 1 < words.length; i++) {
    if (/[.!?]["'”’)]?$/.test(words[i - 1]) && /^[A-Z"“]/.test(words[i])) starts.push([words[i], words[i + 1]]);
  }
  const rng = new Rng(0xe6e6);
  const sentence = () => {
    let [a, b] = rng.pick(starts);
    const out = [a, b];
    for (let n = 0; n < 80; n++) {
      const nexts = chain.get(a + ' ' + b);
      if (!nexts) break;
      const c = rng.pick(nexts);
      out.push(c);
      a = b; b = c;
      if (/[.!?]["'”’)]?$/.test(c) && n > 4) break;
    }
    return out.join(' ');
  };
  let heading = 0;
  return fill(target, () => {
    const ps = Array.from({ length: rng.range(3, 8) }, sentence).join(' ');
    return (rng.chance(8) ? `${++heading}. ${sentence().split(' ').slice(0, rng.range(2, 6)).join(' ')}\n\n` : '') + ps;
  }, '\n\n') + '\n';
}

function sentencePools() {
  const files = ['prose_european.txt', 'prose_cyrillic_greek.txt', 'prose_rtl.txt', 'prose_indic_sea.txt', 'prose_cjk.txt'];
  const pools = new Map();
  for (const f of files) {
    let bucket = f;
    for (const line of read(f).split('\n')) {
      const m = /^== (.+) ==$/.exec(line);
      if (m) { bucket = m[1]; continue; }
      const s = line.trim();
      if (s.length < 8 || s.startsWith('(')) continue;
      if (!pools.has(bucket)) pools.set(bucket, []);
      pools.get(bucket).push(s);
    }
  }
  return pools;
}

function multilingual(target) {
  const pools = sentencePools();
  const names = [...pools.keys()];
  const noSpace = /中文|日本語|ภาษาไทย|ລາວ/;
  const rng = new Rng(0x3171);
  return fill(target, () => {
    const name = rng.pick(names);
    const pool = pools.get(name);
    // a run of consecutive lines from one language section (keeps verse in order)
    const n = Math.min(rng.range(2, 6), pool.length);
    const start = rng.int(pool.length);
    const sents = Array.from({ length: n }, (_, i) => pool[(start + i) % pool.length]);
    const body = sents.join(noSpace.test(name) ? '' : ' ');
    return (rng.chance(15) ? `## ${name}\n\n` : '') + body;
  }, '\n\n') + '\n';
}

const NOUNS = 'user request token key limit bucket model message response client server cache entry record config route upstream stream chunk buffer header session account quota window metric counter event job queue worker batch result item node shard index payload price usage tenant policy rule span trace store table column row schema field value label tag prompt completion choice delta tool call plan budget invoice region zone replica lease lock timer deadline retry backoff'.split(' ');
const VERBS = 'get set load save parse build compute validate encode decode fetch send handle process count merge split flush reset update delete create find lookup apply normalize render format check ensure collect resolve register refresh drain close open acquire release reserve charge estimate'.split(' ');
const ADJS = 'max min total default current next prev active pending cached raw normalized remaining last first new old local remote global stale dirty primary fallback'.split(' ');
const cap = (s) => s[0].toUpperCase() + s.slice(1);
const camel = (...ws) => ws[0] + ws.slice(1).map(cap).join('');
const pascal = (...ws) => ws.map(cap).join('');
const lcFirst = (s) => (/^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);
const snake = (...ws) => ws.join('_');

function commentSentence(rng) {
  const n = rng.pick(NOUNS), n2 = rng.pick(NOUNS), v = rng.pick(VERBS), a = rng.pick(ADJS);
  return rng.pick([
    `${cap(v)}s the ${a} ${n} for the given ${n2}.`,
    `It returns an error if the ${n} is nil or the ${n2} has expired.`,
    `The caller must hold the ${n} lock; see ${pascal(n2, 'Manager')} for details.`,
    `TODO(${rng.pick(['ana', 'bo', 'chen', 'dmitri', 'eve'])}): ${v} ${n}s in batches of ${rng.pick([8, 16, 32, 64, 128, 256])} once the ${n2} API supports it.`,
    `This is O(n log n) in the number of ${n}s, which is fine for n < ${rng.pick(['1e4', '10_000', '65536', '1M'])}.`,
    `NOTE: ${n2}s with a zero ${a} ${n} are skipped rather than rejected (see issue #${rng.range(10, 9999)}).`,
    `Deprecated: use ${pascal(v, a, n)} instead.`,
  ]);
}

function goFile(target) {
  const rng = new Rng(0x60);
  const types = ['int', 'int64', 'uint32', 'float64', 'string', 'bool', '[]byte', 'time.Duration', 'time.Time', 'map[string]int', '[]string', '*sync.Mutex', 'context.Context', 'json.RawMessage'];
  const lit = (t) => ({ int: String(rng.range(0, 9999)), int64: String(rng.range(-100000, 1e6)), uint32: '0x' + rng.hex(8), float64: rng.dec(-100, 1000, 3), string: JSON.stringify(rng.pick(NOUNS) + '-' + rng.alnum(4)), bool: rng.pick(['true', 'false']), 'time.Duration': `${rng.range(1, 500)} * time.Millisecond` }[t] ?? 'nil');
  const header = `// Code generated by corpus.mjs for tokenizer benchmarks. DO NOT EDIT.\n\npackage ${rng.pick(NOUNS)}gen\n\nimport (\n\t"context"\n\t"encoding/json"\n\t"errors"\n\t"fmt"\n\t"log"\n\t"sort"\n\t"strings"\n\t"sync"\n\t"time"\n)\n`;
  let k = 0;
  const unit = () => {
    k++;
    const n = rng.pick(NOUNS), a = rng.pick(ADJS), T = pascal(a, n) + (k % 7 ? '' : String(k));
    const fields = Array.from({ length: rng.range(3, 8) }, () => { const f = rng.pick(NOUNS), fa = rng.pick(ADJS); return [pascal(fa, f), rng.pick(types), snake(fa, f)]; });
    const seen = new Set(); const uniq = fields.filter(([name]) => !seen.has(name) && seen.add(name));
    let s = `\n// ${T} ${lcFirst(commentSentence(rng))}\n// ${commentSentence(rng)}\ntype ${T} struct {\n`;
    for (const [name, t, tag] of uniq) s += `\t${name} ${t} \`json:"${tag}${rng.chance(30) ? ',omitempty' : ''}"\`\n`;
    s += '}\n';
    const nm = Math.max(1, rng.range(1, 3));
    for (let m = 0; m < nm; m++) {
      const v = rng.pick(VERBS), arg = rng.pick(NOUNS), f = uniq[rng.int(uniq.length)];
      const recv = n[0];
      s += `\n// ${pascal(v, arg)} ${lcFirst(commentSentence(rng))}\n`;
      s += `func (${recv} *${T}) ${pascal(v, arg)}(ctx context.Context, ${arg}s []string, limit int) (int, error) {\n`;
      s += `\tif ${recv} == nil {\n\t\treturn 0, errors.New("${n}: nil ${T}")\n\t}\n`;
      const body = rng.range(3, 9);
      for (let i = 0; i < body; i++) {
        switch (rng.int(8)) {
          case 0: s += `\ttotal := 0\n\tfor i, ${arg} := range ${arg}s {\n\t\tif i >= limit {\n\t\t\tbreak\n\t\t}\n\t\ttotal += len(${arg}) * ${rng.range(2, 64)}\n\t}\n\t_ = total\n`; break;
          case 1: s += `\tif err := ctx.Err(); err != nil {\n\t\treturn 0, fmt.Errorf("${v} ${arg}: %w", err)\n\t}\n`; break;
          case 2: s += `\tlog.Printf("${n}: ${v} %d ${arg}s (limit=%d, ${snake(a, 'ms')}=%.2f)", len(${arg}s), limit, ${rng.dec(0, 999, 2)})\n`; break;
          case 3: s += `\tswitch ${recv}.${f[0]} {\n\tcase ${lit(f[1])}:\n\t\treturn ${rng.range(0, 100)}, nil\n\tdefault:\n\t}\n`; break;
          case 4: s += `\tsort.Slice(${arg}s, func(i, j int) bool { return strings.ToLower(${arg}s[i]) < strings.ToLower(${arg}s[j]) })\n`; break;
          case 5: s += `\t${camel(a, 'table')} := map[string]int{"${rng.pick(NOUNS)}": ${rng.range(0, 1e5)}, "${rng.pick(NOUNS)}": ${rng.range(0, 1e5)}, "${rng.pick(NOUNS)}": -${rng.range(1, 99)}}\n\tif v, ok := ${camel(a, 'table')}[${arg}s[0]]; ok && v > limit {\n\t\treturn v, nil\n\t}\n`; break;
          case 6: s += `\tdeadline, ok := ctx.Deadline()\n\tif ok && time.Until(deadline) < ${rng.range(1, 900)}*time.Millisecond {\n\t\treturn 0, context.DeadlineExceeded\n\t}\n`; break;
          default: s += `\t// ${commentSentence(rng)}\n\tbuf, err := json.Marshal(map[string]any{"${snake(n, 'id')}": "${rng.hex(12)}", "count": len(${arg}s), "ratio": ${rng.dec(0, 1, 4)}})\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\t_ = buf\n`;
        }
      }
      s += `\treturn len(${arg}s), nil\n}\n`;
    }
    if (rng.chance(30)) {
      s += `\nconst (\n`;
      for (let i = 0; i < rng.range(2, 5); i++) s += `\t${camel(rng.pick(ADJS), rng.pick(NOUNS), 'size')} = ${rng.pick([rng.range(1, 4096), '1 << ' + rng.range(4, 30), '0x' + rng.hex(4), rng.range(1, 999) + '_000'])}\n`;
      s += `)\n`;
    }
    if (rng.chance(25)) s += `\nvar ${camel(a, n, 'pool')} = sync.Pool{New: func() any { return new(${T}) }}\n`;
    return s;
  };
  return header + fill(target - header.length, unit);
}

function pyFile(target) {
  const rng = new Rng(0x9e);
  const hints = ['int', 'float', 'str', 'bool', 'bytes', 'list[str]', 'dict[str, int]', 'Optional[str]', 'datetime', 'Decimal'];
  const header = '# Generated by corpus.mjs for tokenizer benchmarks.\nfrom __future__ import annotations\n\nimport asyncio\nimport json\nimport logging\nfrom dataclasses import dataclass, field\nfrom datetime import datetime, timedelta\nfrom decimal import Decimal\nfrom typing import Optional\n\nlog = logging.getLogger(__name__)\n';
  const unit = () => {
    const n = rng.pick(NOUNS), a = rng.pick(ADJS), C = pascal(a, n);
    let s = `\n\n@dataclass\nclass ${C}:\n    """${commentSentence(rng)}\n\n    ${commentSentence(rng)}\n    """\n\n`;
    const fs = new Set();
    for (let i = 0; i < rng.range(2, 6); i++) {
      const f = snake(rng.pick(ADJS), rng.pick(NOUNS)); if (fs.has(f)) continue; fs.add(f);
      const h = rng.pick(hints);
      s += `    ${f}: ${h}${h.startsWith('list') ? ' = field(default_factory=list)' : h.startsWith('dict') ? ' = field(default_factory=dict)' : h === 'Optional[str]' ? ' = None' : ''}\n`;
    }
    for (let m = 0; m < rng.range(1, 3); m++) {
      const v = rng.pick(VERBS), arg = rng.pick(NOUNS);
      const isAsync = rng.chance(30);
      s += `\n    ${isAsync ? 'async ' : ''}def ${snake(v, arg)}(self, ${arg}s: list[str], *, limit: int = ${rng.range(1, 1000)}) -> int:\n        """${commentSentence(rng)}"""\n`;
      for (let i = 0; i < rng.range(2, 7); i++) {
        switch (rng.int(7)) {
          case 0: s += `        total = sum(len(x) * ${rng.range(2, 64)} for x in ${arg}s[:limit] if x)\n`; break;
          case 1: s += `        if not ${arg}s:\n            raise ValueError(f"${v} ${arg}: empty input for {self!r}")\n`; break;
          case 2: s += `        log.info("%s: ${v} %d ${arg}s in %.3fs", type(self).__name__, len(${arg}s), ${rng.dec(0, 99, 3)})\n`; break;
          case 3: s += `        ${snake(a, 'map')} = {k: i for i, k in enumerate(sorted(set(${arg}s)), start=${rng.range(0, 9)})}\n`; break;
          case 4: s += `        try:\n            payload = json.loads(${arg}s[0])\n        except (json.JSONDecodeError, IndexError) as exc:\n            log.warning("bad ${arg}: %s", exc)\n            payload = {"${snake(n, 'id')}": "${rng.hex(10)}", "ratio": ${rng.dec(0, 1, 4)}}\n`; break;
          case 5: s += isAsync ? `        await asyncio.sleep(${rng.dec(0, 2, 2)})\n` : `        deadline = datetime.now() + timedelta(milliseconds=${rng.range(10, 5000)})\n`; break;
          default: s += `        # ${commentSentence(rng)}\n        ${arg}s = [x.strip().lower() for x in ${arg}s if x and not x.startswith("#")]\n`;
        }
      }
      s += `        return len(${arg}s)\n`;
    }
    if (rng.chance(30)) s += `\n\n${snake(rng.pick(ADJS), rng.pick(NOUNS), 'limits').toUpperCase()} = {\n` + Array.from({ length: rng.range(2, 5) }, () => `    "${rng.pick(NOUNS)}": ${rng.pick([rng.range(1, 1e6), rng.dec(0, 100, 2), 'None', 'True', `"${rng.alnum(6)}"`])},\n`).join('') + '}\n';
    return s;
  };
  return header + fill(target - header.length, unit);
}

function jsFile(target) {
  const rng = new Rng(0x15);
  const header = "// Generated by corpus.mjs for tokenizer benchmarks.\nimport { EventEmitter } from 'node:events';\n";
  const unit = () => {
    const n = rng.pick(NOUNS), a = rng.pick(ADJS), C = pascal(a, n);
    let s = `\n/**\n * ${commentSentence(rng)}\n * @param {object} opts\n * @param {number} [opts.limit=${rng.range(1, 100)}]\n */\nexport class ${C} extends EventEmitter {\n  #${camel(rng.pick(ADJS), n)} = ${rng.pick(['null', '0', '[]', 'new Map()', "''"])};\n\n  constructor({ limit = ${rng.range(1, 100)}, ...rest } = {}) {\n    super();\n    this.limit = limit;\n    this.options = { ...rest };\n  }\n`;
    for (let m = 0; m < rng.range(1, 3); m++) {
      const v = rng.pick(VERBS), arg = rng.pick(NOUNS), isAsync = rng.chance(40);
      s += `\n  ${isAsync ? 'async ' : ''}${camel(v, arg)}(${arg}s = []) {\n`;
      for (let i = 0; i < rng.range(2, 7); i++) {
        switch (rng.int(7)) {
          case 0: s += `    const total = ${arg}s.slice(0, this.limit).reduce((acc, x) => acc + x.length * ${rng.range(2, 64)}, 0);\n`; break;
          case 1: s += `    if (!Array.isArray(${arg}s)) throw new TypeError(\`${v} ${arg}: expected array, got \${typeof ${arg}s}\`);\n`; break;
          case 2: s += `    this.emit('${snake(v, arg)}', { count: ${arg}s.length, at: Date.now(), ratio: ${rng.dec(0, 1, 3)} });\n`; break;
          case 3: s += isAsync ? `    await new Promise((resolve) => setTimeout(resolve, ${rng.range(1, 500)}));\n` : `    const seen = new Set(${arg}s.map((x) => x.toLowerCase()));\n`; break;
          case 4: s += `    // ${commentSentence(rng)}\n    const ${camel(a, 'index')} = Object.fromEntries(${arg}s.map((x, i) => [x, i + ${rng.range(0, 9)}]));\n`; break;
          case 5: s += `    const res = ${isAsync ? 'await ' : ''}${isAsync ? 'fetch' : 'JSON.stringify'}(${isAsync ? `\`/api/v1/${n}s/\${encodeURIComponent(${arg}s[0] ?? '')}?limit=\${this.limit}\`` : `{ ${snake(n, 'id')}: '${rng.hex(10)}', items: ${arg}s }`});\n`; break;
          default: s += `    for (const [i, x] of ${arg}s.entries()) {\n      if (i >= this.limit) break;\n      if (x?.startsWith?.('${rng.pick(['#', '//', 'sk-', 'http'])}')) continue;\n    }\n`;
        }
      }
      s += `    return ${arg}s.length;\n  }\n`;
    }
    s += '}\n';
    if (rng.chance(30)) s += `\nexport const ${snake(rng.pick(ADJS), n).toUpperCase()} = Object.freeze({ ${Array.from({ length: rng.range(2, 5) }, () => `${rng.pick(NOUNS)}: ${rng.pick([rng.range(0, 1e6), rng.dec(0, 100, 2), 'null', 'true', `'${rng.alnum(6)}'`])}`).join(', ')} });\n`;
    return s;
  };
  return header + fill(target - header.length, unit);
}

function chatRequests(target) {
  const rng = new Rng(0xc4a7);
  const pools = sentencePools();
  const names = [...pools.keys()];
  const en = read('prose_english.txt').split(/\n+/).filter((l) => l.length > 40);
  const code = read('code_go.txt').split('\n\n').concat(read('code_python.txt').split('\n\n'));
  const models = ['gpt-4o', 'gpt-4o-mini', 'gpt-4-turbo', 'gpt-3.5-turbo', 'o1-mini', 'text-embedding-3-small'];
  const systems = ['You are a helpful assistant.', 'You are a terse assistant. Answer in one sentence.', "Answer in the user's language.", 'You are a senior Go reviewer. Point out bugs first.', 'Translate the user message into English.', ''];
  const asciiEscape = (s) => s.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  let t = Date.UTC(2024, 5, 10, 8, 0, 0);
  return fill(target, () => {
    t += rng.range(5, 4000);
    const msgs = [];
    const sys = rng.pick(systems);
    if (sys) msgs.push({ role: 'system', content: sys });
    const turns = rng.range(1, 3);
    for (let i = 0; i < turns; i++) {
      const kind = rng.int(10);
      let content;
      if (kind < 4) content = rng.pick(en);
      else if (kind < 8) { const pool = pools.get(rng.pick(names)); content = Array.from({ length: rng.range(1, 3) }, () => rng.pick(pool)).join(' '); }
      else content = 'Review this:\n```\n' + rng.pick(code) + '\n```';
      msgs.push({ role: 'user', content });
      if (i + 1 < turns) msgs.push({ role: 'assistant', content: rng.pick(en).slice(0, rng.range(20, 200)) });
    }
    const req = {
      id: 'req_' + rng.hex(24),
      ts: new Date(t).toISOString(),
      key: 'sk-' + rng.pick(['proj-', '', 'svc-']) + rng.alnum(6) + '…' + rng.alnum(4),
      model: rng.pick(models),
      messages: msgs,
      temperature: Number(rng.dec(0, 1, 1)),
      max_tokens: rng.pick([256, 512, 1024, 4096, null]),
      stream: rng.chance(60),
      usage: { prompt_tokens: rng.range(10, 4000), completion_tokens: rng.range(0, 2000) },
    };
    const line = JSON.stringify(req);
    return rng.chance(25) ? asciiEscape(line) : line;
  }, '\n') + '\n';
}

function accessLogs(target) {
  const rng = new Rng(0x10a5);
  const ips = () => rng.pick([`192.0.2.${rng.range(1, 254)}`, `198.51.100.${rng.range(1, 254)}`, `203.0.113.${rng.range(1, 254)}`, `2001:db8::${rng.hex(4)}:${rng.hex(4)}`, '127.0.0.1']);
  const paths = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/models', '/healthz', '/metrics', '/v1/moderations', '/admin/keys', '/v1/chat/completions?stream=true'];
  const uas = ['python-requests/2.31.0', 'OpenAI/Python 1.35.3', 'OpenAI/NodeJS/4.52.0', 'curl/8.5.0', 'Go-http-client/2.0', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'axios/1.7.2', 'okhttp/4.12.0'];
  const statuses = [200, 200, 200, 200, 200, 200, 200, 201, 204, 400, 401, 404, 429, 429, 500, 502, 503, 504];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  let t = Date.UTC(2024, 5, 10, 0, 0, 0);
  return fill(target, () => {
    t += rng.range(1, 2500);
    const d = new Date(t);
    const iso = d.toISOString();
    const st = rng.pick(statuses), path = rng.pick(paths), ip = ips();
    const dur = rng.dec(0, 30, 3);
    switch (rng.int(6)) {
      case 0: case 1:
        return `${iso} ${st >= 500 ? 'ERROR' : st >= 400 ? 'WARN ' : 'INFO '} http request method=POST path=${path} status=${st} dur=${dur}s key=sk-${rng.alnum(3)}…${rng.alnum(4)} model=${rng.pick(['gpt-4o', 'gpt-4o-mini', 'gpt-3.5-turbo'])} prompt_tokens=${rng.range(1, 9000)} completion_tokens=${rng.range(0, 4000)} ip=${ip} req_id=${rng.hex(16)}`;
      case 2: {
        const pad = (x) => String(x).padStart(2, '0');
        return `${ip} - - [${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000] "${rng.pick(['GET', 'POST', 'DELETE'])} ${path} HTTP/${rng.pick(['1.1', '2.0'])}" ${st} ${rng.range(0, 99999)} "-" "${rng.pick(uas)}"`;
      }
      case 3:
        return JSON.stringify({ level: st >= 500 ? 'error' : 'info', ts: iso, msg: 'upstream response', upstream: rng.pick(['openai', 'azure-eastus', 'local']), status: st, latency_ms: Number(rng.dec(0, 30000, 1)), retries: rng.range(0, 3), bytes: rng.range(0, 1 << 20) });
      case 4:
        if (st >= 500 && rng.chance(50)) {
          return `${iso} ERROR panic recovered: runtime error: index out of range [${rng.range(1, 99)}] with length ${rng.range(0, 1)}\ngoroutine ${rng.range(1, 99999)} [running]:\ngithub.com/keygate/keygate/internal/proxy.(*Handler).ServeHTTP(0xc000${rng.hex(6)}, {0x${rng.hex(7)}, 0xc000${rng.hex(6)}}, 0xc000${rng.hex(6)})\n\t/src/internal/proxy/handler.go:${rng.range(20, 900)} +0x${rng.hex(3)}\nnet/http.serverHandler.ServeHTTP({0xc000${rng.hex(6)}}, {0x${rng.hex(7)}, 0xc000${rng.hex(6)}}, 0xc000${rng.hex(6)})\n\t/usr/local/go/src/net/http/server.go:3137 +0x8e`;
        }
        return `${iso} DEBUG ratelimit key=sk-${rng.alnum(3)}…${rng.alnum(4)} tokens=${rng.dec(0, 1000000, 2)} rate=${rng.range(1, 50000)}/min wait=${rng.range(0, 30000)}ms allowed=${rng.chance(80)}`;
      default:
        return `time="${iso}" level=${rng.pick(['info', 'warning', 'error'])} msg="${rng.pick(VERBS)} ${rng.pick(NOUNS)} ${rng.pick(['ok', 'failed', 'slow', 'retrying'])}" component=${rng.pick(NOUNS)} attempt=${rng.range(1, 5)} elapsed=${rng.range(0, 9999)}ms`;
    }
  }, '\n') + '\n';
}

function csvNumbers(target) {
  const rng = new Rng(0xc5f);
  const cities = ['Tokyo', 'Delhi', 'Shanghai', 'São Paulo', 'Mexico City', 'Cairo', 'Mumbai', 'Beijing', 'Dhaka', 'Osaka', 'New York', 'Karachi', 'Buenos Aires', 'Istanbul', 'Kolkata', 'Lagos', 'Manila', 'Rio de Janeiro', 'Guangzhou', 'Moscow', 'Paris', 'Zürich', 'Köln', 'Kraków', 'Reykjavík'];
  const header = 'id,timestamp,city,lat,lon,temp_c,humidity_pct,pressure_hpa,wind_mps,requests,tokens,cost_usd,p50_ms,p99_ms,ok\n';
  let t = Date.UTC(2024, 0, 1);
  let id = 100000;
  return header + fill(target - header.length, () => {
    t += rng.range(1000, 3600000);
    const city = rng.pick(cities);
    return [id++, new Date(t).toISOString(), city.includes(' ') ? `"${city}"` : city, rng.dec(-90, 90, 6), rng.dec(-180, 180, 6), rng.dec(-40, 50, 1), rng.range(0, 100), rng.dec(950, 1050, 2), rng.dec(0, 40, 2), rng.range(0, 1e6), rng.range(0, 2e9), rng.dec(0, 99999, 4), rng.range(1, 2000), rng.range(100, 60000), rng.chance(95) ? 'true' : 'false'].join(',') + '\n';
  });
}

// ---------------------------------------------------------------------------

const GENERATED = {
  'emoji.txt': emoji,
  'zero_width.txt': zeroWidth,
  'combining_nfd.txt': combiningNFD,
  'whitespace_unicode.txt': whitespaceUnicode,
  'whitespace_crlf.txt': whitespaceCRLF,
  'whitespace_no_final_newline.txt': whitespaceNoFinalNewline,
  'whitespace_trailing_spaces.txt': whitespaceTrailingSpaces,
  'bom_start.txt': bomStart,
  'invalid_utf8.bin.txt': invalidUTF8,
  'long_runs.txt': longRuns,
  'gen_prose_english.txt': () => markovEnglish(190_000),
  'gen_multilingual.txt': () => multilingual(190_000),
  'gen_code_go.txt': () => goFile(185_000),
  'gen_code_python.txt': () => pyFile(150_000),
  'gen_code_javascript.txt': () => jsFile(120_000),
  'gen_chat_requests_jsonl.txt': () => chatRequests(190_000),
  'gen_access_logs.txt': () => accessLogs(150_000),
  'gen_csv_numbers.txt': () => csvNumbers(100_000),
};

const check = process.argv.includes('--check');
let bad = 0;
for (const [name, make] of Object.entries(GENERATED)) {
  const out = make();
  const buf = Buffer.isBuffer(out) ? out : Buffer.from(out, 'utf8');
  if (buf.length >= MAX_FILE) throw new Error(`${name}: ${buf.length} bytes exceeds ${MAX_FILE}`);
  const path = join(CORPUS, name);
  if (check) {
    const same = existsSync(path) && Buffer.compare(readFileSync(path), buf) === 0;
    if (!same) { console.error(`differs: ${name}`); bad++; }
  } else {
    writeFileSync(path, buf);
    console.log(`${name.padEnd(34)} ${String(buf.length).padStart(7)} bytes`);
  }
}
if (check) {
  console.log(bad ? `${bad} generated file(s) differ` : 'all generated corpus files are up to date');
  process.exit(bad ? 1 : 0);
}
