// duckdb_tumble.mjs — DuckDB as the batch ceiling for bench_engine's tumbling
// aggregate: loads the same Nexmark bids (JSON lines) that bench_engine put
// into the store, then computes the same COUNT(*)/MAX(price) per auction and
// 10-second window (eddy's STEP(ROWTIME BY INTERVAL '10' SECOND) over arrival
// time = the bid's dateTime; time_bucket's default origin is a multiple of
// 10 s from the epoch, so the windows are the same).
//
//   node duckdb_tumble.mjs FILE.jsonl RUNS THREADS
//
// @duckdb/node-api is looked up in BENCH_PEERS_DIR/node_modules (bench_engine
// installs it there with npm), not next to this file: the source tree keeps
// no node_modules. Prints one JSON object on stdout: load seconds, per-run
// query wall and CPU seconds (CPU of the whole process, so DuckDB's worker
// threads count), and a checksum of the result (groups, sum of counts, sum of
// maxima) that bench_engine compares with eddy's output. Only the query is
// timed; the aggregate is materialised into a temp table so that no rows are
// converted to JavaScript values inside the timing.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [file, runsArg, threadsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node duckdb_tumble.mjs FILE.jsonl [RUNS] [THREADS]');
  process.exit(2);
}
const runs = Math.max(1, Number(runsArg || 3));
const threads = String(Math.max(1, Number(threadsArg || 1)));
const peersDir = process.env.BENCH_PEERS_DIR;
if (!peersDir) {
  console.error('duckdb_tumble: BENCH_PEERS_DIR is not set');
  process.exit(2);
}
const require = createRequire(peersDir.replace(/\/?$/, '/'));
const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const sqlString = (s) => "'" + s.replace(/'/g, "''") + "'";

const instance = await DuckDBInstance.create(':memory:', { threads });
const con = await instance.connect();

// Explicit columns: the same schema the eddy application declares, so that
// neither side pays for type inference.
let w0 = performance.now();
let c0 = cpuSeconds();
await con.run(
  `CREATE TABLE bids AS SELECT * FROM read_json(${sqlString(file)}, format = 'newline_delimited',
     columns = {auction: 'BIGINT', bidder: 'BIGINT', price: 'BIGINT', channel: 'VARCHAR',
                url: 'VARCHAR', dateTime: 'TIMESTAMP', extra: 'VARCHAR'})`);
const load = { wall_s: (performance.now() - w0) / 1000, cpu_s: cpuSeconds() - c0 };
const rows = Number((await con.runAndReadAll('SELECT count(*) FROM bids')).getRows()[0][0]);

const wall = [], cpu = [];
for (let r = 0; r < runs; r++) {
  w0 = performance.now();
  c0 = cpuSeconds();
  await con.run(
    `CREATE OR REPLACE TEMP TABLE res AS
       SELECT auction, time_bucket(INTERVAL 10 SECOND, "dateTime") AS w,
              count(*) AS n, max(price) AS m
       FROM bids GROUP BY auction, w`);
  wall.push((performance.now() - w0) / 1000);
  cpu.push(cpuSeconds() - c0);
}
const check = (await con.runAndReadAll('SELECT count(*), sum(n), sum(m) FROM res')).getRows()[0];

console.log(JSON.stringify({
  duckdb_threads: Number(threads),
  rows,
  load_wall_s: load.wall_s,
  load_cpu_s: load.cpu_s,
  query_wall_s: wall,
  query_cpu_s: cpu,
  groups: String(check[0]),
  sum_count: String(check[1]),
  sum_max: String(check[2]),
}));
