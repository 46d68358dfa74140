/** Headless Debian Chromium (installed by scripts/test) driven by playwright-core, as the browser tests use it. */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where screenshots go (gitignored). */
export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A browser and a Russian-locale page of dashboard size. */
export async function openBrowser(): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, locale: 'ru-RU' });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return { browser, page };
}
