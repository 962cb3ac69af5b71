// Where a cold page load spends its long main-thread tasks: records a Chrome trace of one load in
// headless Chromium and prints, for the longest tasks, the time in each kind of event inside them
// (Layout, wasm compile, our rAF frame...). Usage, with the site served on localhost:
//   node scripts/bench.d/trace-load.mjs 'http://127.0.0.1:PORT/index.html#chapter=04-training-linear-models'
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const url = process.argv[2];
const tracePath = 'target/load-trace.json';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
await browser.startTracing(page, {
  path: tracePath,
  categories: ['devtools.timeline', 'v8', 'v8.wasm', 'disabled-by-default-devtools.timeline', 'toplevel'],
});
await page.goto(url);
// Like a reader jumping to the first demo (off-screen demos neither step nor draw).
await page.waitForSelector('.demo-mount');
await page.evaluate(() => document.querySelector('.demo-mount').scrollIntoView());
await page.waitForFunction(() => document.querySelector('section.ml-demo[data-drawn]'), null, { timeout: 30_000 });
await page.waitForTimeout(1000);
await browser.stopTracing();
await browser.close();

const trace = JSON.parse(readFileSync(tracePath, 'utf8'));
const events = (trace.traceEvents ?? trace).filter((e) => e.ph === 'X');
const isTask = (e) => e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask';
const tasks = events.filter((e) => isTask(e) && e.dur > 40_000).sort((a, b) => b.dur - a.dur);
const shown = [];
for (const t of tasks) {
  // RunTask is often recorded twice, one inside the other: show the outer one only.
  const within = (o) => o.tid === t.tid && t.ts >= o.ts && t.ts + t.dur <= o.ts + o.dur;
  if (shown.some(within) || shown.length >= 5) continue;
  shown.push(t);
  const inside = new Map();
  for (const e of events) {
    if (e.tid !== t.tid || e.pid !== t.pid || isTask(e) || e.ts < t.ts || e.ts > t.ts + t.dur) continue;
    inside.set(e.name, (inside.get(e.name) ?? 0) + (e.dur ?? 0));
  }
  console.log(`task ${(t.dur / 1000).toFixed(1)} ms`);
  for (const [name, dur] of [...inside].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
    console.log(`  ${name.padEnd(50)} ${(dur / 1000).toFixed(1)}`);
  }
}
