// Fit time of every estimator in target/bench/cases.json (written by estimators.py --cases): ours
// compiled to wasm in headless Chromium (the `fit_json` export of dist/mlplay.js) against ours
// native (the release CLI), on the same CSV. Prints a Markdown table.
// Usage: node scripts/bench.d/wasm.mjs SITE_URL MLPLAY_BINARY [REPEAT]
// Both sides report the `fit_ms` that src/fit.rs measures around the fit alone (not CSV parsing);
// wasm's is the median of REPEAT calls after one warm-up in one page, native's the median of
// REPEAT fresh processes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [site, binary, repeatArg] = process.argv.slice(2);
const repeat = Number(repeatArg || 5);
const cases = JSON.parse(readFileSync('target/bench/cases.json', 'utf8'));
// One number showing both builds reached the same model (wasm's f64 math is IEEE like native's).
const answer = (out) => {
  const ratio = out.explained_variance_ratio?.reduce((a, b) => a + b, 0);
  const [key, v] = [['train score', out.train_score], ['inertia', out.inertia], ['BIC', out.bic],
    ['clusters', out.n_clusters], ['variance kept', ratio], ['reconstruction error', out.reconstruction_error],
    ['components', out.n_components]].find(([, v]) => v !== undefined) ?? ['', NaN];
  return `${key} ${Number(v).toPrecision(7)}`;
};
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function native(c) {
  const args = ['fit', c.name, '--data', c.path];
  if (c.target) args.push('--target', c.target);
  for (const [k, v] of Object.entries(c.sets)) args.push('--set', `${k}=${v}`);
  const outs = [];
  for (let i = 0; i < repeat; i++) {
    outs.push(JSON.parse(execFileSync(binary, args, { encoding: 'utf8', maxBuffer: 1 << 30 })));
  }
  return { ms: median(outs.map((o) => o.fit_ms)), answer: answer(outs[0]) };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage();
// A blank page on the site's origin imports the module without mounting the course, and the CSVs
// come from target/bench/ so that the server only serves dist/.
await page.route('**/bench.html', (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bench</title>' }));
await page.route('**/bench-data/**', (r) =>
  r.fulfill({ contentType: 'text/csv', path: resolve('target/bench', new URL(r.request().url()).pathname.split('/').pop()) }));
page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
await page.goto(new URL('bench.html', site).href);
const version = browser.version();
const isolated = await page.evaluate(async () => {
  window.mlplay = await import('./mlplay.js');
  await window.mlplay.default();
  return self.crossOriginIsolated;
});

const rows = [];
for (const c of cases) {
  const file = c.path.split('/').pop();
  const wasm = await page.evaluate(async ({ c, file, repeat }) => {
    const csv = await (await fetch(`bench-data/${file}`)).text();
    const sets = JSON.stringify(c.sets);
    const outs = [];
    for (let i = 0; i <= repeat; i++) {
      outs.push(JSON.parse(window.mlplay.fit_json(c.name, csv, c.target ?? undefined, sets)));
    }
    return outs.slice(1); // the first call is the warm-up (tier-up, memory growth)
  }, { c, file, repeat });
  const nat = native(c);
  const times = wasm.map((o) => o.fit_ms);
  const wasmMs = median(times);
  const same = answer(wasm[0]) === nat.answer ? nat.answer : `${nat.answer} vs ${answer(wasm[0])}`;
  rows.push(`| ${c.label} | ${c.data} | ${nat.ms.toFixed(1)} | ${wasmMs.toFixed(1)} | **${(wasmMs / nat.ms).toFixed(2)}x** | ${same} |`);
  console.error(`${c.label} on ${c.data}: native ${nat.ms.toFixed(1)} ms, wasm ${times.map((t) => t.toFixed(1)).join(' ')} ms`);
}
await browser.close();

console.log(`Chromium ${version}; crossOriginIsolated=${isolated}; median of ${repeat} fits (wasm after one warm-up).`);
console.log();
console.log('| estimator | data | native ms | wasm ms | wasm / native | same answer (native vs wasm) |');
console.log('|---|---|---:|---:|---:|---|');
for (const r of rows) console.log(r);
