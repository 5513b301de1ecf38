/**
 * Exports come from the server's export routes (CSV with formula-looking cells neutralised, or
 * JSON Lines) through main (`api:download`); the renderer only saves the text it is handed.
 */
import { getBulwark } from '../bridge/index';
import type { ConsoleDownloadRouteName, DownloadInput } from '../../../shared/ipc/api-routes';
import { guard, type Result } from '../api/calls';

/** Hands a file to the browser's download (an object URL; nothing leaves the machine). Electron asks where to save it. */
export function saveFile(name: string, mime: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Fetches an export through main and saves it; resolves with the file name, or the refusal to show. */
export async function exportToFile<N extends ConsoleDownloadRouteName>(route: N, input: DownloadInput<N>): Promise<Result<string>> {
  const result = await guard(() => getBulwark().api.download(route, input));
  if (!result.ok) return result;
  saveFile(result.value.filename, `${result.value.contentType};charset=utf-8`, result.value.content);
  return { ok: true, value: result.value.filename };
}
