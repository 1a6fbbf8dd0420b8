// The official openai npm SDK (v6) as a client of keygate in front of the
// mock OpenAI upstream. TestJSSDK starts the stack and runs this file with
// KEYGATE_BASE_URL and KEYGATE_API_KEY set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: process.env.KEYGATE_BASE_URL,
  apiKey: process.env.KEYGATE_API_KEY,
  maxRetries: 0,
});
const messages = [{ role: 'user', content: 'Say hello' }];

test('models: list and retrieve', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, ['gpt-3.5-turbo-instruct', 'gpt-4o-mini', 'text-embedding-3-small']);
  const m = await client.models.retrieve('gpt-4o-mini');
  assert.equal(m.id, 'gpt-4o-mini');
  assert.equal(m.object, 'model');
});

test('chat: JSON', async () => {
  const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
  assert.equal(r.object, 'chat.completion');
  assert.ok(r.choices[0].message.content.length > 0);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
});

async function collect(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

test('chat: stream without include_usage gets no usage', async () => {
  const chunks = await collect(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }));
  assert.ok(chunks.length >= 3);
  for (const c of chunks) {
    assert.ok(!('usage' in c), `unexpected usage in ${JSON.stringify(c)}`);
    assert.ok(c.choices.length > 0);
  }
  assert.ok(chunks.map((c) => c.choices[0].delta.content ?? '').join('').length > 0);
});

test('chat: stream with include_usage ends with the usage chunk', async () => {
  const chunks = await collect(await client.chat.completions.create({
    model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true },
  }));
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.ok(last.usage.total_tokens > 0);
  for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null);
});

test('completions', async () => {
  const r = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon a time' });
  assert.equal(r.object, 'text_completion');
  assert.ok(r.choices[0].text.length > 0);
});

test('embeddings: float, and base64 (the SDK default) decode to the same vector', async () => {
  const input = ['hello', 'world'];
  const asFloat = await client.embeddings.create({ model: 'text-embedding-3-small', input, encoding_format: 'float' });
  const byDefault = await client.embeddings.create({ model: 'text-embedding-3-small', input });
  assert.equal(asFloat.data.length, 2);
  assert.equal(asFloat.data[0].embedding.length, 1536);
  for (let i = 0; i < 2; i++) {
    const a = asFloat.data[i].embedding, b = byDefault.data[i].embedding;
    assert.equal(b.length, a.length);
    for (let j = 0; j < a.length; j++) assert.equal(Math.fround(b[j]), Math.fround(a[j]));
  }
});

test('responses: JSON and stream', async () => {
  const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'Say hello' });
  assert.equal(r.status, 'completed');
  assert.ok(r.output_text.length > 0);
  const events = await collect(await client.responses.create({ model: 'gpt-4o-mini', input: 'Say hello', stream: true }));
  const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
  assert.equal(text, r.output_text);
  assert.equal(events.at(-1).type, 'response.completed');
  for (let i = 1; i < events.length; i++) assert.ok(events[i].sequence_number > events[i - 1].sequence_number);
});

test('errors raise the SDK error classes with OpenAI fields', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-4o-mni', messages }),
    (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found' && /Did you mean `gpt-4o-mini`/.test(e.message) && e.requestID?.startsWith('req_'),
  );
  const bad = new OpenAI({ baseURL: process.env.KEYGATE_BASE_URL, apiKey: 'kg-wrong-key-0000000000', maxRetries: 0 });
  await assert.rejects(bad.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key');
});
