/**
 * Scripts the analysed text writes and then runs. `echo … >> f`, `cat > f <<EOF`, `printf … | tee f`,
 * `'…' | Out-File f`, `Set-Content f -Value '…'` leave a file whose text is known; where the text later runs
 * that file (`sh f`, `./f`, `. f`, `cmd /c f.bat`, `powershell -File f.ps1`, `Start-Process f.bat`), the
 * file's text is lexed as a nested layer, so a script built line by line is judged as the script it becomes.
 * What is written to a shell's start-up file (`~/.bashrc`, `/etc/profile.d/x.sh`) runs in every shell started later:
 * it is lexed where it is written.
 */
import { SHELL_PROFILE_FILES } from '../catalog/autostart';
import type { DocBuilder } from './builder';
import type { SimpleCommand, Word } from './document';
import { derivedLayer } from './layer';
import { optionClusterHas } from './names';
import { executedPaths, fileKey, startedUnitFiles } from './semantics';
import { decodeBackslashEscapes, pipelineOutput, POSIX_SHELLS, printfOutput, type NestedText } from './unwrap';
import type { Shell } from '../types';

/** A written file's text is kept up to this size; what is appended beyond it is not (the layer budget bounds the rest). */
const MAX_FILE_TEXT = 64 * 1024;
/** At most this many files are followed, so a text writing 100,000 files keeps a bounded map. */
const MAX_FILES = 256;

const POWERSHELL_WRITERS: ReadonlySet<string> = new Set(['set-content', 'add-content', 'out-file']);
/** Texts written to start-up files that are lexed; a text writing more is abnormal and noted. */
const MAX_STARTUP_TEXTS = 64;
/** Start-up files of shells whose language is not a POSIX shell's (csh, fish, PowerShell). */
const NON_POSIX_STARTUP_FILES: ReadonlySet<string> = new Set(['.cshrc', '.tcshrc', '.login', '.logout', 'config.fish']);
/** System-wide start-up files of bash and zsh (their per-user ones are matched by name). */
const SYSTEM_STARTUP_FILES: readonly string[] = [
  '/etc/profile',
  '/etc/bash.bashrc',
  '/etc/bashrc',
  '/etc/zshrc',
  '/etc/zsh/zshrc',
  '/etc/zprofile',
  '/etc/zsh/zprofile',
  '/etc/zshenv',
  '/etc/zsh/zshenv',
];

/** Whether a path (lower case) is a file a POSIX shell runs when it starts: `~/.bashrc`, `/etc/profile.d/x.sh`, `/etc/zshrc`. */
function isPosixStartupFile(path: string): boolean {
  const key = fileKey(path);
  if (NON_POSIX_STARTUP_FILES.has(key) || key.endsWith('.ps1')) return false;
  if (SHELL_PROFILE_FILES.has(key)) return true;
  const p = path.replace(/["']/g, '');
  return (p.includes('/etc/profile.d/') && key.endsWith('.sh')) || SYSTEM_STARTUP_FILES.includes(p);
}

export class WrittenFiles {
  /** fileKey → the text written to it so far. */
  private readonly files = new Map<string, string>();
  /** Written unit files (fileKey) whose command lines were read where they were started, for the text in `files`. */
  private readonly startedUnits = new Set<string>();
  /** Texts written to shell start-up files and lexed so far. */
  private startupTexts = 0;

  constructor(private readonly b: DocBuilder) {}

  /** Records what the commands [from, to) write, and returns the texts of written files that they run. */
  find(from: number, to: number, depth: number): NestedText[] {
    const out: NestedText[] = [];
    for (let i = from; i < to; i++) {
      const cmd = this.b.commands[i] as SimpleCommand;
      if (this.files.size > 0) this.replayRunFiles(cmd, depth, out);
      if (cmd.redirects.length > 0) this.recordRedirects(cmd, depth, out);
      if (cmd.name === 'tee' || (cmd.shell === 'powershell' && POWERSHELL_WRITERS.has(cmd.name))) this.recordWriter(cmd, depth, out);
    }
    return out;
  }

  private replayRunFiles(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    // `cmd /c f.bat` runs f.bat as a nested command line of its own, where the file is met again.
    if (cmd.name === 'cmd') return;
    for (const unit of startedUnitFiles(cmd)) {
      const text = this.files.get(unit);
      // A unit started again with the same text runs the same lines: they are read at its first start only.
      if (text === undefined || this.startedUnits.has(unit)) continue;
      this.startedUnits.add(unit);
      const lines = unitCommandLines(text);
      if (lines !== '') out.push({ layer: derivedLayer(cmd.span, lines, 'sh', depth, 'written_file'), lex: true });
    }
    for (const path of executedPaths(cmd)) {
      const key = fileKey(path);
      const text = key ? this.files.get(key) : undefined;
      if (text === undefined) continue;
      const shell = scriptShell(key, cmd, text);
      if (shell !== null) out.push({ layer: derivedLayer(cmd.span, text, shell, depth, 'written_file'), lex: true });
      return;
    }
  }

  /** `cat >> ~/.bashrc <<'EOF' … EOF`: the text written to a POSIX shell's start-up file, lexed as what later shells run. */
  private startupFileText(path: string, text: string | null, cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    if (text === null || cmd.shell === 'powershell' || cmd.shell === 'cmd' || !isPosixStartupFile(path) || text.trim() === '') return;
    if (++this.startupTexts > MAX_STARTUP_TEXTS) {
      if (this.startupTexts === MAX_STARTUP_TEXTS + 1)
        this.b.note('budget_exhausted', cmd.span, 'too many writes to shell start-up files to analyse');
      return;
    }
    const shell = fileKey(path).startsWith('.z') || path.includes('zsh') ? 'zsh' : 'bash';
    const written = text.length > MAX_FILE_TEXT ? text.slice(0, MAX_FILE_TEXT) : text;
    // The command with its redirects: a here-document's body is what was written.
    let end = cmd.span.end;
    for (const r of cmd.redirects) end = Math.max(end, r.target.span.end);
    out.push({ layer: derivedLayer({ start: cmd.span.start, end }, written, shell, depth, 'written_file'), lex: true });
  }

  /** `echo … > f`, `printf … >> f`, `cat > f <<EOF`, PowerShell `'…' > f`: the text written, or the file forgotten. */
  private recordRedirects(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    for (const r of cmd.redirects) {
      if (r.op !== '>' && r.op !== '>>') continue;
      const key = fileKey(r.target.value);
      if (!key || key === 'null' || key === 'nul') continue;
      const text = writtenText(cmd);
      this.write(key, text, r.op === '>>');
      this.startupFileText(r.target.lower, text, cmd, depth, out);
    }
  }

  /** `… | tee [-a] f…`, `… | Out-File [-Append] f`, `Set-Content f -Value '…'`, `Add-Content f '…'`. */
  private recordWriter(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const powershell = cmd.shell === 'powershell';
    const words = cmd.words;
    let append = cmd.name === 'add-content';
    let value: string | null = null;
    const paths: string[] = [];
    for (let k = 1; k < words.length; k++) {
      const w = words[k] as Word;
      const l = w.lower;
      if (powershell && l.length >= 2 && l.startsWith('-')) {
        if ('-append'.startsWith(l) && l.length >= 3) append = true;
        else if (l.length >= 3 && '-value'.startsWith(l)) value = words[++k]?.value ?? null;
        else if ('-path'.startsWith(l) || '-literalpath'.startsWith(l) || '-filepath'.startsWith(l)) {
          const p = words[++k];
          if (p) paths.push(p.value);
        } else if (PARAMETERS_WITH_VALUE.has(l)) k++;
        continue;
      }
      if (!powershell && l.startsWith('-') && l.length > 1) {
        if (l === '--append' || (!l.startsWith('--') && optionClusterHas(l, 'a', true))) append = true;
        continue;
      }
      // Set-Content's second positional parameter is its value; tee and Out-File take only files.
      if (powershell && paths.length > 0 && cmd.name !== 'out-file' && value === null) value = w.value;
      else paths.push(w.value);
    }
    if (value === null && cmd.position > 0) value = pipedText(this.b, cmd);
    for (const path of powershell ? paths.slice(0, 1) : paths) {
      const key = fileKey(path);
      if (key) this.write(key, value, append);
      if (key) this.startupFileText(path.toLowerCase(), value, cmd, depth, out);
    }
  }

  private write(key: string, text: string | null, append: boolean): void {
    this.startedUnits.delete(key);
    const before = append ? this.files.get(key) : undefined;
    // Unknown text overwriting a file leaves nothing known; appended to a known one, the known part still runs.
    if (text === null) {
      if (!append) this.files.delete(key);
      return;
    }
    const next = before === undefined ? text : before.length >= MAX_FILE_TEXT ? before : `${before}\n${text}`;
    if (before === undefined && !this.files.has(key) && this.files.size >= MAX_FILES) return;
    this.files.set(key, next.length > MAX_FILE_TEXT ? next.slice(0, MAX_FILE_TEXT) : next);
  }
}

/**
 * The command lines a unit file runs when started (`ExecStartPre=`, `ExecStart=`, `ExecStartPost=`), one per line,
 * without systemd's prefixes (`-`, `@`, `+`, `!`, `!!`) that change how a failure or privileges are handled.
 */
function unitCommandLines(text: string): string {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    if (key !== 'execstart' && key !== 'execstartpre' && key !== 'execstartpost') continue;
    let command = line.slice(eq + 1).trim();
    while (command !== '' && '-@+!'.includes(command[0]!)) command = command.slice(1);
    if (command !== '') out.push(command);
  }
  return out.join('\n');
}

/** Parameters of the PowerShell writers that take a value (the rest are switches). */
const PARAMETERS_WITH_VALUE: ReadonlySet<string> = new Set(['-encoding', '-width', '-stream', '-filter', '-include', '-exclude']);

/** The text a command writes to its output redirect: echo's or printf's output, a here-document given to cat, a PowerShell string. */
function writtenText(cmd: SimpleCommand): string | null {
  const name = cmd.name;
  if (name === 'echo' || name === 'write-output' || name === 'printf') {
    const args = cmd.words.slice(1).map((w) => w.value);
    if (name === 'printf') return printfOutput(args);
    if (cmd.shell === 'cmd' || cmd.shell === 'powershell') return args.join(' ');
    let k = 0;
    let escapes = false;
    for (; k < args.length && /^-[neE]+$/.test(args[k] as string); k++) escapes ||= optionClusterHas(args[k] as string, 'e', true);
    const text = args.slice(k).join(' ');
    return escapes ? decodeBackslashEscapes(text) : text;
  }
  if (name === 'cat' && cmd.words.length === 1) {
    for (const r of cmd.redirects) if (r.op === '<' && r.heredoc) return r.target.value;
    return null;
  }
  if (name === '' && cmd.shell === 'powershell' && cmd.words.length === 1 && cmd.invocation === undefined) return cmd.words[0]!.value;
  return null;
}

/** What earlier commands of the pipeline hand a writer on stdin, when that is known text. */
function pipedText(b: DocBuilder, cmd: SimpleCommand): string | null {
  const output = pipelineOutput(b, b.pipelines[cmd.pipeline] ?? [], cmd.position - 1);
  if (output === null) return null;
  return output.words ? output.words.map((w) => w.value).join(' ') : output.text;
}

/**
 * The shell that runs a written file: the shell named as its runner (`bash f`), the current shell for `. f`,
 * else the file's extension or `#!` line; null when the file is not shell code (a Python script, a document).
 */
function scriptShell(key: string, runner: SimpleCommand, text: string): Shell | null {
  const name = runner.name;
  const posixRunner = runner.shell !== 'powershell' && runner.shell !== 'cmd';
  if (POSIX_SHELLS.has(name)) return name === 'bash' || name === 'zsh' ? name : 'sh';
  if (posixRunner && (name === '.' || name === 'source')) return runner.shell;
  const dot = key.lastIndexOf('.');
  const extension = dot >= 0 ? key.slice(dot + 1) : '';
  if (extension === 'bat' || extension === 'cmd') return 'cmd';
  if (extension === 'ps1' || extension === 'psm1') return 'powershell';
  if (text.startsWith('#!')) {
    const line = text.slice(0, Math.min(text.length, 128)).split('\n', 1)[0]!.toLowerCase();
    if (line.includes('bash')) return 'bash';
    if (line.includes('zsh')) return 'zsh';
    if (line.endsWith('/sh') || line.includes('/sh ') || line.includes('dash') || line.endsWith(' sh')) return 'sh';
    if (line.includes('pwsh') || line.includes('powershell')) return 'powershell';
    return null;
  }
  if (extension === 'sh' || extension === 'bash') return 'bash';
  if (extension === 'zsh') return 'zsh';
  // A file without `#!` run by path from a POSIX shell is run by that shell.
  return posixRunner && extension === '' ? runner.shell : null;
}
