import { useState } from 'react';
import { ErrorNotice, Progress } from '../components/common';
import type { Result } from '../api/calls';

export type ExportFormat = 'csv' | 'jsonl';

/**
 * State of one screen's export: which format is being fetched, where it was saved, or why it
 * failed. `run` is given the format and does the fetching and saving (see exportToFile).
 */
export function useFileExport(run: (format: ExportFormat) => Promise<Result<string>>) {
  const [exporting, setExporting] = useState<string | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  async function exportAs(format: ExportFormat) {
    setExporting(`Exporting ${format.toUpperCase()}…`);
    setError(null);
    setSaved(null);
    const outcome = await run(format);
    setExporting(null);
    if (outcome.ok) setSaved(outcome.value);
    else setError(outcome.error);
  }
  return { exporting, error, saved, exportAs };
}

export type FileExport = ReturnType<typeof useFileExport>;

export function ExportButtons({ fileExport }: { fileExport: FileExport }) {
  return (
    <>
      <button type="button" onClick={() => void fileExport.exportAs('csv')} disabled={fileExport.exporting !== null}>
        Export CSV
      </button>
      <button type="button" onClick={() => void fileExport.exportAs('jsonl')} disabled={fileExport.exporting !== null}>
        Export JSONL
      </button>
    </>
  );
}

export function ExportStatus({ fileExport }: { fileExport: FileExport }) {
  return (
    <>
      {fileExport.exporting ? <Progress label={fileExport.exporting} /> : null}
      {fileExport.error ? <ErrorNotice error={fileExport.error} title="Export failed" /> : null}
      {fileExport.saved ? <p role="status">Saved {fileExport.saved}.</p> : null}
    </>
  );
}
