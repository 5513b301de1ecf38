import { z } from 'zod';

export type DownloadContentType = 'text/csv; charset=utf-8' | 'application/x-ndjson; charset=utf-8';

/**
 * A non-JSON answer (a file to save, e.g. an audit export). A route whose contract response is
 * `FileDownloadResponse` sends the body as is with this content type, as an attachment; the
 * body may be streamed so large exports never sit in memory.
 */
export class FileDownload {
  constructor(
    readonly contentType: DownloadContentType,
    /** Plain file name (letters, digits, dot, dash, underscore). */
    readonly filename: string,
    readonly body: string | AsyncIterable<string>,
  ) {
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(filename)) throw new Error('download file names are plain names');
  }
}

export const FileDownloadResponse = z.instanceof(FileDownload);
