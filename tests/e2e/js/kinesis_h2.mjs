// kinesis_h2.mjs — drives `eddy serve` with the JavaScript SDK v3 and its
// default HTTP/2 handler (prior-knowledge h2c on the plain port): unary calls,
// SubscribeToShard receiving live records, the takeover of a subscription by
// a second one, and the end-of-shard event with ChildShards after a split.
// Usage: node kinesis_h2.mjs ENDPOINT MODULES_DIR (where @aws-sdk/client-kinesis
// is installed). Exits 0 when every check passes.
import { createRequire } from 'node:module';

const [endpoint, modules] = process.argv.slice(2);
const require = createRequire(modules.replace(/\/?$/, '/'));
const K = require('@aws-sdk/client-kinesis');

const client = new K.KinesisClient({
  endpoint, region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  maxAttempts: 1,
});
const send = (Cmd, input) => client.send(new Cmd(input));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failures = 0;
function check(name, cond, detail) {
  if (cond) { console.log('ok  ', name); return; }
  failures++;
  console.log('FAIL', name, detail === undefined ? '' : JSON.stringify(detail));
}
const text = (b) => Buffer.from(b).toString();

// Reads a subscription's events until the stream ends; resolves with them.
async function drain(sub, events) {
  try {
    for await (const ev of sub.EventStream) events.push(ev);
    return null;
  } catch (e) {
    return e;
  }
}

async function main() {
  await send(K.CreateStreamCommand, { StreamName: 'j1', ShardCount: 1 });
  await K.waitUntilStreamExists({ client, maxWaitTime: 20, minDelay: 1 }, { StreamName: 'j1' });
  const sum = (await send(K.DescribeStreamSummaryCommand, { StreamName: 'j1' })).StreamDescriptionSummary;
  check('active over h2', sum.StreamStatus === 'ACTIVE', sum);
  const arn = sum.StreamARN;
  const byArn = await send(K.ListShardsCommand, { StreamARN: arn });
  check('StreamARN accepted', byArn.Shards.length === 1, byArn.Shards);
  const put = await send(K.PutRecordCommand, { StreamARN: arn, PartitionKey: 'a', Data: Buffer.from('hello') });
  check('put', put.ShardId === 'shardId-000000000000', put);
  const it = (await send(K.GetShardIteratorCommand, {
    StreamName: 'j1', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON',
  })).ShardIterator;
  const gr = await send(K.GetRecordsCommand, { ShardIterator: it });
  check('get', gr.Records.length === 1 && text(gr.Records[0].Data) === 'hello', gr.Records);
  check('arrival is a Date', gr.Records[0].ApproximateArrivalTimestamp instanceof Date);
  try {
    await send(K.DescribeStreamCommand, { StreamName: 'nope' });
    check('not found', false);
  } catch (e) {
    check('not found', e.name === 'ResourceNotFoundException', e.name);
  }

  const consumer = (await send(K.RegisterStreamConsumerCommand, { StreamARN: arn, ConsumerName: 'jc' })).Consumer;
  for (let i = 0; i < 50; i++) {
    const d = await send(K.DescribeStreamConsumerCommand, { ConsumerARN: consumer.ConsumerARN });
    if (d.ConsumerDescription.ConsumerStatus === 'ACTIVE') break;
    await sleep(100);
  }
  const subInput = { ConsumerARN: consumer.ConsumerARN, ShardId: 'shardId-000000000000' };
  const subA = await send(K.SubscribeToShardCommand, { ...subInput, StartingPosition: { Type: 'LATEST' } });
  const evA = [];
  const doneA = drain(subA, evA);
  await sleep(300);
  for (const d of ['live0', 'live1']) await send(K.PutRecordCommand, { StreamName: 'j1', PartitionKey: 'a', Data: Buffer.from(d) });
  for (let i = 0; i < 50; i++) {
    const n = evA.flatMap((e) => e.SubscribeToShardEvent ? e.SubscribeToShardEvent.Records : []).length;
    if (n >= 2) break;
    await sleep(100);
  }
  const liveA = evA.flatMap((e) => e.SubscribeToShardEvent ? e.SubscribeToShardEvent.Records : []).map((r) => text(r.Data));
  check('subscription pushes records', liveA.join() === 'live0,live1', liveA);

  const subB = await send(K.SubscribeToShardCommand, { ...subInput, StartingPosition: { Type: 'TRIM_HORIZON' } });
  const errA = await Promise.race([doneA, sleep(10000).then(() => 'timeout')]);
  check('takeover ends the first subscription', errA === null, errA && String(errA));
  const evB = [];
  const doneB = drain(subB, evB);
  await sleep(300);
  await send(K.SplitShardCommand, {
    StreamName: 'j1', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 127n).toString(),
  });
  const errB = await Promise.race([doneB, sleep(10000).then(() => 'timeout')]);
  check('end of shard ends the stream', errB === null, errB && String(errB));
  const subEvents = evB.filter((e) => e.SubscribeToShardEvent).map((e) => e.SubscribeToShardEvent);
  const dataB = subEvents.flatMap((e) => e.Records).map((r) => text(r.Data));
  check('second subscription reads from trim horizon', dataB.join() === 'hello,live0,live1', dataB);
  const last = subEvents[subEvents.length - 1] || {};
  check('ChildShards at the end', (last.ChildShards || []).map((c) => c.ShardId).sort().join() ===
        'shardId-000000000001,shardId-000000000002', last);
  client.destroy();
  if (failures) {
    console.log(`${failures} failure(s)`);
    process.exit(1);
  }
  console.log('ok');
}

main().catch((e) => {
  console.error('FAIL', e);
  process.exit(1);
});
