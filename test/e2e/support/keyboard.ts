/// <reference lib="dom" />
import { expect, type Locator, type Page } from '@playwright/test';

/** Presses Tab until the element is focused (proving it is reachable by keyboard), failing after `max` presses. */
export async function tabTo(page: Page, target: Locator, max = 80): Promise<void> {
  const handle = await target.elementHandle();
  if (!handle) throw new Error('tabTo: the element is not on the page');
  for (let press = 0; press < max; press += 1) {
    if (
      await handle.evaluate((element) => element === document.activeElement || element.contains(document.activeElement))
    )
      return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`tabTo: not reached after ${max} Tab presses`);
}

/** Tabs to a control and presses Enter on it; also checks that focus is visible there. */
export async function activate(page: Page, target: Locator, key: 'Enter' | 'Space' = 'Enter'): Promise<void> {
  await tabTo(page, target);
  const outline = await target.evaluate((element) => {
    const focused = (document.activeElement as HTMLElement | null) ?? element;
    const style = getComputedStyle(focused);
    return `${style.outlineStyle} ${style.outlineWidth} ${style.boxShadow}`;
  });
  expect(outline, 'a visible focus indicator').not.toMatch(/^none 0px none$/);
  await page.keyboard.press(key);
}
