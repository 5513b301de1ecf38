import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './test-support/chromium';

const PREVIEW_PORT = 4199;
/**
 * BULWARK_E2E_REUSE_BUILD=1 skips rebuilding when a build of all three processes exists (for running one
 * spec again and again while developing; CPU is shared). `npm test` always builds.
 */
const reuseBuild =
  process.env.BULWARK_E2E_REUSE_BUILD === '1' &&
  ['out/renderer/index.html', 'out/main/index.js', 'out/preload/index.cjs'].every((file) => existsSync(file));
const build = reuseBuild ? '' : 'npx electron-vite build && ';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'reports/playwright.json' }]],
  use: {
    launchOptions: chromiumLaunchOptions(),
    screenshot: 'on',
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'console', testIgnore: ['electron/**', 'journeys/**'], use: { baseURL: `http://127.0.0.1:${PREVIEW_PORT}` } },
    {
      // Every role's journey against real server, agent and console (browser host) processes
      // (e2e/support/system.ts starts them once per worker). TOTP codes are single-use per
      // 30-second step, so a journey may wait for the next step: hence the longer timeout.
      name: 'journeys',
      testMatch: 'journeys/**/*.spec.ts',
      timeout: 300_000,
      // Actions and assertions fail on their own, with the locator, long before the test's timeout.
      use: { viewport: { width: 1280, height: 860 }, actionTimeout: 15_000 },
      expect: { timeout: 10_000 },
    },
    {
      // The built Electron app (out/main, out/preload, out/renderer: the webServer's build below) through
      // Playwright's _electron, where the Electron binary exists; its journey runs on the same real
      // server and agent as the journeys project, so it gets the same room for TOTP steps.
      name: 'electron',
      testMatch: 'electron/**/*.spec.ts',
      timeout: 300_000,
      use: { actionTimeout: 15_000 },
      expect: { timeout: 10_000 },
    },
  ],
  webServer: {
    // The built renderer, served as static files: proves the production bundle runs under its CSP.
    // The journeys' console hosts serve the same build (out/renderer).
    command: `${build}npx vite preview --outDir out/renderer --host 127.0.0.1 --port ${PREVIEW_PORT} --strictPort`,
    url: `http://127.0.0.1:${PREVIEW_PORT}/`,
    reuseExistingServer: false,
    timeout: 180_000,
  },
});
