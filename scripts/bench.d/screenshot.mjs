// Regenerates docs/chapter4.png (the README's screenshot) from the site served at URL.
// Usage: node scripts/bench.d/screenshot.mjs http://127.0.0.1:8080/
import { chromium } from 'playwright-core';

const base = process.argv[2] || 'http://127.0.0.1:8080/';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
await page.goto(`${base}index.html#chapter=04-training-linear-models`);
await page.waitForFunction(() => document.body.dataset.ready === '1');
const demo = page.locator('section.ml-demo[data-instance="gradient-descent-3"]');
await demo.scrollIntoViewIfNeeded();
await page.evaluate(() => window.scrollBy(0, -120));
await demo.locator('button.play').click();
await page.waitForTimeout(2500);
await page.screenshot({ path: 'docs/chapter4.png' });
await browser.close();
