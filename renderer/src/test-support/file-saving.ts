/**
 * jsdom has no object URLs and does not download: tests of the console's "save a file" path
 * record the Blob the page hands over and the file name of the clicked link instead.
 */
import { vi } from 'vitest';

const original = Object.getOwnPropertyDescriptors(URL);

export function recordFileSaving(): { saved: Blob[]; clicks: string[] } {
  const saved: Blob[] = [];
  const clicks: string[] = [];
  URL.createObjectURL = (blob: Blob) => (saved.push(blob), 'blob:test');
  URL.revokeObjectURL = () => undefined;
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    clicks.push(this.download);
  });
  return { saved, clicks };
}

/** Puts jsdom's URL back as it was (call after each test; vi.restoreAllMocks restores the click). */
export function restoreFileSaving(): void {
  for (const name of ['createObjectURL', 'revokeObjectURL'] as const) {
    const descriptor = original[name];
    if (descriptor) Object.defineProperty(URL, name, descriptor);
    else Reflect.deleteProperty(URL, name);
  }
}
