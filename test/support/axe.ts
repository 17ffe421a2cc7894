import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core in the page (its context made with `bypassCSP`, so the script can be injected): fails on a
 * serious or critical violation, and prints a line for every other one.
 */
export async function axe(page: Page, what: string): Promise<void> {
  // A toast or dialog caught halfway through its fade has the contrast of no colour a person reads: the check
  // waits for running transitions to end (at most 2 s), then judges what stays on screen.
  await page.evaluate(`Promise.race([
    Promise.allSettled(document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity).map((a) => a.finished)),
    new Promise((resolve) => setTimeout(resolve, 2000)),
  ])`);
  await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe.run().then((r) => r.violations),
  )) as AxeViolation[];
  for (const v of violations) console.log(`# axe ${what}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  for (const v of violations) for (const n of v.nodes.slice(0, 3)) console.log(`# axe ${what}: ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help}`), [], `${what}: no serious or critical accessibility violation`);
}
