// A Node.js client of RingCore's client service, with nothing but @grpc/grpc-js and
// @grpc/proto-loader and the one proto file. Run by InteropTests against a real ringd:
//   node client.js <host:port> [secret]
// Environment: RINGCORE_COUNTER_TYPE, RINGCORE_INCREMENT_TYPE, RINGCORE_GET_TYPE name ringd's
// built-in counter actor and its messages. Prints one JSON line per step and "INTEROP OK" at the
// end; any failure prints "INTEROP FAILED: <why>" and exits 1.
'use strict';

const path = require('path');
const assert = require('assert/strict');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [address, secret] = process.argv.slice(2);
if (!address) {
  console.error('usage: node client.js <host:port> [secret]');
  process.exit(2);
}

const definition = protoLoader.loadSync(path.join(__dirname, '..', '..', '..', '..', 'proto', 'ringcore_client.proto'), {
  keepCase: true,
  longs: String,
  defaults: true,
});
const { RingKv, RingActors } = grpc.loadPackageDefinition(definition).ringcore.client.v1;
const kv = new RingKv(address, grpc.credentials.createInsecure());
const actors = new RingActors(address, grpc.credentials.createInsecure());

function call(client, method, request) {
  const metadata = new grpc.Metadata();
  if (secret) metadata.set('ringcore-secret', secret);
  return new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: Date.now() + 10_000 }, (error, reply) => (error ? reject(error) : resolve(reply))));
}

const text = (values) => values.map((v) => Buffer.from(v).toString('utf8')).sort();
const step = (name, detail) => console.log(JSON.stringify({ step: name, ...detail }));

async function main() {
  const bucket = 'interop';
  const key = Buffer.from(`node-${process.pid}`);

  // Two writes with no context: concurrent, so both are kept as siblings.
  await call(kv, 'Put', { bucket, key, value: Buffer.from('from-node-1'), context: Buffer.alloc(0) });
  await call(kv, 'Put', { bucket, key, value: Buffer.from('from-node-2'), context: Buffer.alloc(0) });
  const conflicted = await call(kv, 'Get', { bucket, key });
  assert.equal(conflicted.found, true);
  assert.deepEqual(text(conflicted.values), ['from-node-1', 'from-node-2']);
  assert.ok(conflicted.context.length > 0, 'a get returns a causal context');
  step('siblings', { values: text(conflicted.values), contextBytes: conflicted.context.length });

  // A write with the context of that read replaces both siblings.
  const resolved = await call(kv, 'Put', { bucket, key, value: Buffer.from('resolved'), context: conflicted.context, return_body: true });
  assert.deepEqual(text(resolved.values), ['resolved']);
  const read = await call(kv, 'Get', { bucket, key });
  assert.deepEqual(text(read.values), ['resolved']);
  step('resolved', { values: text(read.values) });

  // A stale context (the first read's) makes a sibling again rather than losing the write.
  await call(kv, 'Put', { bucket, key, value: Buffer.from('stale'), context: conflicted.context });
  const again = await call(kv, 'Get', { bucket, key });
  assert.deepEqual(text(again.values), ['resolved', 'stale']);
  step('stale-context-sibling', { values: text(again.values) });

  await call(kv, 'Delete', { bucket, key, context: again.context });
  const gone = await call(kv, 'Get', { bucket, key });
  assert.equal(gone.found, false);
  step('deleted', {});

  // A bad request is refused with INVALID_ARGUMENT, not a crash.
  await assert.rejects(call(kv, 'Put', { bucket: '', key, value: Buffer.from('x') }), (error) => error.code === grpc.status.INVALID_ARGUMENT);
  step('invalid-argument', {});

  // The counter actor: asks with JSON payloads.
  const actorType = process.env.RINGCORE_COUNTER_TYPE || 'counter';
  const increment = process.env.RINGCORE_INCREMENT_TYPE;
  const get = process.env.RINGCORE_GET_TYPE;
  const actorKey = Buffer.from(`node-counter-${process.pid}`);
  for (let i = 0; i < 3; i++) {
    await call(actors, 'Ask', { actor_type: actorType, key: actorKey, message_type: increment, payload: Buffer.from(JSON.stringify({ by: 5 })) });
  }
  const reply = await call(actors, 'Ask', { actor_type: actorType, key: actorKey, message_type: get, payload: Buffer.from('{}') });
  const value = JSON.parse(Buffer.from(reply.payload).toString('utf8'));
  assert.equal(Number(value), 15);
  step('actor', { value: Number(value), replyType: reply.reply_type });

  console.log('INTEROP OK');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.log(`INTEROP FAILED: ${error && error.stack ? error.stack : error}`);
    process.exit(1);
  });
