import { expect, test } from '@playwright/test';

test('the built console renders under its Content-Security-Policy', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    // A bare static preview has no console host behind it: the renderer's calls to the host's
    // bridge (/bridge/…) answer 404 here. The journeys exercise the real host; this test is about the bundle and its CSP.
    if (message.type() === 'error' && !new URL(message.location().url || 'http://x/').pathname.startsWith('/bridge/')) {
      problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => problems.push(error.message));

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Bulwark' })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('console.png') });
  expect(problems).toEqual([]);
});
