// Renders resources/icon.svg to the PNGs electron-builder needs (run after changing the SVG):
//   node resources/packaging/render-icons.mjs
// icon.png (1024 px) is converted by electron-builder to .icns (macOS) and .ico (Windows);
// icons/<size>x<size>.png are the Linux hicolor set for the AppImage and the .deb.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const resources = dirname(dirname(fileURLToPath(import.meta.url)));
const svg = readFileSync(join(resources, 'icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const page = await browser.newPage();
mkdirSync(join(resources, 'icons'), { recursive: true });
const render = async (size, path) => {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
  );
  await page.screenshot({ path, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
};
await render(1024, join(resources, 'icon.png'));
for (const size of [16, 32, 48, 64, 128, 256, 512]) await render(size, join(resources, 'icons', `${size}x${size}.png`));
await browser.close();
console.log('icons written');
