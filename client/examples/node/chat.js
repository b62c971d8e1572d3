#!/usr/bin/env node
// Calls seedgate from Node.js: one answer, a streamed answer, and an error's details.
//
//   npm install            # @grpc/grpc-js, @grpc/proto-loader (package.json here)
//   node chat.js [TARGET] [--check]
//
// No code generation: @grpc/proto-loader reads proto/seedgate/v1/chat.proto and
// the google/rpc protos at start-up. TARGET defaults to $SEEDGATE_TARGET, else
// localhost:50051. A secured seedgate wants a client token, taken from
// $SEEDGATE_TOKEN (sent as `authorization: Bearer <token>`), and TLS, on when
// $SEEDGATE_TLS_CA names the PEM CA file to trust. With --check it asserts what
// seedgate's bundled emulator answers (the tests run it this way) and exits
// non-zero on any mismatch.
'use strict';
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_DIR = path.join(__dirname, '../../../proto');
const GOOGLEAPIS_DIR =
  process.env.GOOGLEAPIS_PROTO_DIR || '/usr/share/gocode/src/github.com/gogo/googleapis';

const options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };
const pkg = grpc.loadPackageDefinition(
  protoLoader.loadSync(
    ['seedgate/v1/chat.proto', 'google/rpc/status.proto', 'google/rpc/error_details.proto'],
    { ...options, includeDirs: [PROTO_DIR, GOOGLEAPIS_DIR] }));
const rpc = pkg.google.rpc;

// The google.rpc.Status in the error's grpc-status-details-bin trailer, its details unpacked.
function errorDetails(err) {
  const details = {};
  const [bin] = err.metadata ? err.metadata.get('grpc-status-details-bin') : [];
  if (!bin) return details;
  const status = rpc.Status.deserialize(bin);
  for (const any of status.details) {
    const name = any.type_url.split('/').pop(); // type.googleapis.com/google.rpc.ErrorInfo
    const type = rpc[name.replace(/^google\.rpc\./, '')];
    if (type) details[name.replace(/^google\.rpc\./, '')] = type.deserialize(any.value);
  }
  return details;
}

function user(text, fields = {}) {
  return { model: 'doubao-seed-2.0-lite', messages: [{ role: 'ROLE_USER', content_text: text }], ...fields };
}

async function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const target = args.find((a) => a !== '--check') || process.env.SEEDGATE_TARGET || 'localhost:50051';
  const failures = [];
  const expect = (ok, what) => {
    if (!check) return;
    console.log((ok ? 'ok   ' : 'FAIL ') + what);
    if (!ok) failures.push(what);
  };

  const ca = process.env.SEEDGATE_TLS_CA;
  const transport = ca ? grpc.credentials.createSsl(fs.readFileSync(ca)) : grpc.credentials.createInsecure();
  const client = new pkg.seedgate.v1.ChatService(target, transport);
  // Every call: the client token when there is one (from the environment, so
  // that it is not on a command line), and a deadline.
  const metadata = () => {
    const md = new grpc.Metadata();
    if (process.env.SEEDGATE_TOKEN) md.set('authorization', `Bearer ${process.env.SEEDGATE_TOKEN}`);
    return md;
  };
  const deadline = () => ({ deadline: Date.now() + 60_000 });
  const unary = (request) =>
    new Promise((resolve, reject) =>
      client.CreateChatCompletion(request, metadata(), deadline(),
        (err, answer) => (err ? reject(err) : resolve(answer))));

  // 1. Unary: the whole answer at once.
  const answer = await unary(user('Please introduce yourself'));
  const choice = answer.choices[0];
  console.log(`unary: ${JSON.stringify(choice.message.content)} (${choice.finish_reason})`);
  expect(choice.message.content && choice.finish_reason === 'FINISH_REASON_STOP',
    'unary: non-empty answer, finish_reason STOP');

  // 2. Streaming: print each token the moment it arrives.
  // (#fake:key=value words steer the bundled emulator; --check uses them, so it
  // needs the emulator: 8 tokens, 100 ms apart.)
  const text = 'Tell me a story' + (check ? ' #fake:tokens=8 #fake:delay_ms=100' : '');
  const start = Date.now();
  let firstAt = 0;
  let chunks = 0;
  let got = '';
  process.stdout.write('stream: ');
  for await (const chunk of client.StreamChatCompletion(user(text), metadata(), deadline())) {
    for (const c of chunk.choices) {
      if (c.delta.content) {
        firstAt = firstAt || Date.now();
        chunks++;
        got += c.delta.content;
        process.stdout.write(c.delta.content);
      }
    }
  }
  const doneAt = Date.now();
  console.log();
  expect(chunks >= 3 && got.trim() !== '', `stream: ${chunks} content chunks, non-empty text`);
  expect(firstAt && doneAt - firstAt > 300,
    `stream: first chunk after ${(firstAt || doneAt) - start} ms, end after ${doneAt - start} ms`);

  // 3. An upstream error: 429 with a retry delay, as google.rpc details.
  try {
    await unary(user('hi #fake:error=429 #fake:retry_after=7'));
    expect(false, 'rate limit: expected an error');
  } catch (err) {
    if (!('code' in err)) throw err;
    const { ErrorInfo: info, RetryInfo: retry } = errorDetails(err);
    console.log(`error: ${grpc.status[err.code]} ${JSON.stringify(err.details)}`);
    console.log(`  ErrorInfo ${info && info.reason} ${JSON.stringify(info && info.metadata)}`);
    console.log(`  RetryInfo ${retry && retry.retry_delay.seconds}s`);
    expect(err.code === grpc.status.RESOURCE_EXHAUSTED, 'rate limit: RESOURCE_EXHAUSTED');
    expect(info && info.reason === 'RATE_LIMIT_ERROR', 'rate limit: ErrorInfo.reason RATE_LIMIT_ERROR');
    expect(retry && retry.retry_delay.seconds === 7, 'rate limit: RetryInfo 7s');
  }

  // 4. A request seedgate refuses itself: every violation is listed in BadRequest.
  try {
    await unary(user('hi', { temperature: 5 }));
    expect(false, 'validation: expected an error');
  } catch (err) {
    if (!('code' in err)) throw err;
    const bad = errorDetails(err).BadRequest;
    const fields = bad ? bad.field_violations.map((v) => v.field) : [];
    console.log(`error: ${grpc.status[err.code]} ${JSON.stringify(fields)}`);
    expect(err.code === grpc.status.INVALID_ARGUMENT, 'validation: INVALID_ARGUMENT');
    expect(fields.includes('temperature'), 'validation: BadRequest names temperature');
  }

  client.close();
  if (failures.length) {
    console.error(`${failures.length} check(s) failed`);
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
