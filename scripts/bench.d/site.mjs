// Time to the first interactive demo: cold loads of chapter 4 in headless Chromium against the
// site served on localhost. Prints one JSON object. Usage: node scripts/bench.d/site.mjs URL [RUNS]
import { chromium } from 'playwright-core';

const [url, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 7);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const samples = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } }); // cold cache
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__marks = {};
    window.__longtasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
    const watch = () => {
      const m = window.__marks;
      if (!m.ready && document.body?.dataset.ready === '1') m.ready = performance.now();
      // The reader jumps to the first demo as soon as it is there, and uses it once it is drawn.
      const first = document.querySelector('.demo-mount');
      if (first && !m.scrolled) { first.scrollIntoView(); m.scrolled = true; }
      if (!m.drawn && document.querySelector('section.ml-demo[data-drawn]')) m.drawn = performance.now();
      if (!m.drawn || !m.ready) requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__marks.drawn && window.__marks.ready, null, { timeout: 30_000 });
  await page.waitForTimeout(1500); // the rest of the chapter mounts, one demo per frame
  const m = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
    return {
      ...window.__marks,
      dcl: nav.domContentLoadedEventEnd,
      wasmFetched: wasm?.responseEnd,
      longestTask: Math.max(0, ...window.__longtasks),
      longTasks: window.__longtasks.length,
    };
  });
  samples.push(m);
  await context.close();
}
await browser.close();
const median = (k) => {
  const v = samples.map((s) => s[k]).sort((a, b) => a - b);
  return Math.round(v[Math.floor(v.length / 2)]);
};
console.log(JSON.stringify({
  runs,
  median_ms: { wasm_fetched: median('wasmFetched'), first_demo_drawn: median('drawn'), all_demos_mounted: median('ready') },
  min_first_demo_drawn_ms: Math.round(Math.min(...samples.map((s) => s.drawn))),
  load_longest_task_ms: { median: median('longestTask'), per_run: samples.map((s) => Math.round(s.longestTask)) },
}));
