import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './test-support/chromium';

const PREVIEW_PORT = 4199;

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
    { name: 'console', testIgnore: 'electron/**', use: { baseURL: `http://127.0.0.1:${PREVIEW_PORT}` } },
    { name: 'electron', testMatch: 'electron/**/*.spec.ts' },
  ],
  webServer: {
    // The built renderer, served as static files: proves the production bundle runs under its CSP.
    command: `npx electron-vite build && npx vite preview --outDir out/renderer --host 127.0.0.1 --port ${PREVIEW_PORT} --strictPort`,
    url: `http://127.0.0.1:${PREVIEW_PORT}/`,
    reuseExistingServer: false,
    timeout: 180_000,
  },
});
