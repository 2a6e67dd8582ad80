import type { Page } from '@playwright/test';
import { en } from '../../../renderer/src/i18n/en';
import { es } from '../../../renderer/src/i18n/es';
import { it } from '../../../renderer/src/i18n/it';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else flatten(value, path, out);
  }
  return out;
}

/** English texts Carbon shows by itself unless the app passes its own (they must never reach es/it pages). */
const CARBON_ENGLISH = [
  'Skip to main content',
  'Open menu',
  'Close menu',
  'close notification',
  'Clear search input',
  'Show password',
  'Hide password',
  'Items per page:',
  'Add file',
  'Options',
  'Complete',
  'Incomplete',
  'Current',
  'Search',
  'Close',
];

const english = flatten(en as Tree);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Patterns for every English catalog text that the language translates differently, plus Carbon's own. */
function englishPatterns(language: 'es' | 'it'): { key: string; pattern: RegExp }[] {
  const target = flatten((language === 'es' ? es : it) as Tree);
  const patterns: { key: string; pattern: RegExp }[] = [];
  for (const [key, text] of english) {
    if (target.get(key) === text) continue;
    const words = text.replace(/\{\{\w+\}\}/g, '').replace(/[^A-Za-z]+/g, '');
    if (words.length < 3) continue;
    const source = escapeRegExp(text).replace(/\\\{\\\{\w+\\\}\\\}/g, '.+');
    patterns.push({ key, pattern: new RegExp(`^${source}$`) });
  }
  for (const text of CARBON_ENGLISH)
    patterns.push({ key: `carbon:${text}`, pattern: new RegExp(`^${escapeRegExp(text)}$`) });
  return patterns;
}

/** Every visible text node and every accessible-name attribute on the page. */
async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const texts = [];
    const visible = (element) => {
      if (!element) return false;
      const style = getComputedStyle(element);
      if (style.display === 'none' || style.visibility === 'hidden') return false;
      // The content of a closed <details> keeps its boxes but is not rendered.
      if (!element.checkVisibility()) return false;
      return element.getClientRects().length > 0 || element.classList.contains('cds--visually-hidden');
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node.textContent || '').trim();
      if (text && visible(node.parentElement)) texts.push(text);
    }
    for (const element of document.body.querySelectorAll('[aria-label],[title],[placeholder],[alt]')) {
      if (!visible(element)) continue;
      for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
        const value = element.getAttribute(name);
        if (value && value.trim()) texts.push(value.trim());
      }
    }
    texts.push(document.title);
    return texts;
  })()`);
}

/** English texts left on a page that is meant to be in Spanish or Italian. */
export async function englishLeftOn(page: Page, language: 'es' | 'it'): Promise<string[]> {
  const patterns = englishPatterns(language);
  const found = new Set<string>();
  for (const text of await visibleTexts(page)) {
    for (const { key, pattern } of patterns) if (pattern.test(text)) found.add(`${key}: "${text}"`);
  }
  return [...found];
}
