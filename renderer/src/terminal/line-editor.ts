/**
 * Local line editing for the terminal's line mode: the technician edits a whole line here, and
 * only a finished line (Enter) is handed over — to main's policy check, then the server. Keys
 * arrive as xterm `onData` strings (printable text, or escape sequences for arrows/home/end).
 */
export type EditorAction =
  | { kind: 'redraw' }
  | { kind: 'submit'; line: string }
  /** A control key that goes to the remote shell as is (Ctrl-C, Ctrl-D, Ctrl-Z, Tab). */
  | { kind: 'control'; data: string }
  | { kind: 'none' };

const MAX_HISTORY = 200;
const PASSTHROUGH_CONTROLS = new Set(['\u0003', '\u0004', '\u001a', '\t', '\u001c']);

export class LineEditor {
  buffer = '';
  /** Cursor position in UTF-16 code units (kept on code-point boundaries). */
  cursor = 0;
  private readonly history: string[] = [];
  private historyIndex: number | null = null;
  private draft = '';

  get historyLines(): readonly string[] {
    return this.history;
  }

  /** Handles one xterm data chunk; a paste may hold several lines, so several actions may result. */
  handle(data: string): EditorAction[] {
    const actions: EditorAction[] = [];
    let index = 0;
    while (index < data.length) {
      const rest = data.slice(index);
      // eslint-disable-next-line no-control-regex -- matching the ESC that starts a key's escape sequence is the point
      const sequence = /^\u001b(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(rest);
      if (sequence) {
        actions.push(this.escape(sequence[0]));
        index += sequence[0].length;
        continue;
      }
      const char = String.fromCodePoint(rest.codePointAt(0) ?? 0);
      index += char.length;
      actions.push(this.key(char));
      if (char === '\r' && rest[1] === '\n') index += 1;
    }
    return actions.filter((action) => action.kind !== 'none');
  }

  private key(char: string): EditorAction {
    if (char === '\r' || char === '\n') {
      const line = this.buffer;
      if (line.trim() !== '' && this.history[this.history.length - 1] !== line) {
        this.history.push(line);
        if (this.history.length > MAX_HISTORY) this.history.shift();
      }
      this.buffer = '';
      this.cursor = 0;
      this.historyIndex = null;
      return { kind: 'submit', line };
    }
    if (char === '\u007f' || char === '\b') return this.deleteBefore();
    if (char === '\u0001') return this.moveTo(0);
    if (char === '\u0005') return this.moveTo(this.buffer.length);
    if (char === '\u0015') {
      this.buffer = this.buffer.slice(this.cursor);
      this.cursor = 0;
      return { kind: 'redraw' };
    }
    if (char === '\u000b') {
      this.buffer = this.buffer.slice(0, this.cursor);
      return { kind: 'redraw' };
    }
    if (PASSTHROUGH_CONTROLS.has(char)) {
      if (char === '\u0003') {
        this.buffer = '';
        this.cursor = 0;
        this.historyIndex = null;
      }
      return { kind: 'control', data: char };
    }
    if (char === '\u001b' || char < ' ') return { kind: 'none' };
    this.buffer = this.buffer.slice(0, this.cursor) + char + this.buffer.slice(this.cursor);
    this.cursor += char.length;
    return { kind: 'redraw' };
  }

  private escape(sequence: string): EditorAction {
    switch (sequence.slice(-1)) {
      case 'A':
        return this.historyStep(-1);
      case 'B':
        return this.historyStep(1);
      case 'C':
        return this.moveTo(this.cursor + codePointWidthAt(this.buffer, this.cursor));
      case 'D':
        return this.moveTo(this.cursor - codePointWidthBefore(this.buffer, this.cursor));
      case 'H':
        return this.moveTo(0);
      case 'F':
        return this.moveTo(this.buffer.length);
      case '~':
        if (sequence === '\u001b[3~') return this.deleteAt();
        if (sequence === '\u001b[1~' || sequence === '\u001b[7~') return this.moveTo(0);
        if (sequence === '\u001b[4~' || sequence === '\u001b[8~') return this.moveTo(this.buffer.length);
        return { kind: 'none' };
      default:
        return { kind: 'none' };
    }
  }

  private moveTo(position: number): EditorAction {
    const clamped = Math.max(0, Math.min(position, this.buffer.length));
    if (clamped === this.cursor) return { kind: 'none' };
    this.cursor = clamped;
    return { kind: 'redraw' };
  }

  private deleteBefore(): EditorAction {
    if (this.cursor === 0) return { kind: 'none' };
    const width = codePointWidthBefore(this.buffer, this.cursor);
    this.buffer = this.buffer.slice(0, this.cursor - width) + this.buffer.slice(this.cursor);
    this.cursor -= width;
    return { kind: 'redraw' };
  }

  private deleteAt(): EditorAction {
    if (this.cursor >= this.buffer.length) return { kind: 'none' };
    const width = codePointWidthAt(this.buffer, this.cursor);
    this.buffer = this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + width);
    return { kind: 'redraw' };
  }

  private historyStep(direction: -1 | 1): EditorAction {
    if (this.history.length === 0) return { kind: 'none' };
    if (this.historyIndex === null) {
      if (direction === 1) return { kind: 'none' };
      this.draft = this.buffer;
      this.historyIndex = this.history.length - 1;
    } else {
      const next = this.historyIndex + direction;
      if (next < 0) return { kind: 'none' };
      if (next >= this.history.length) {
        this.historyIndex = null;
        this.buffer = this.draft;
        this.cursor = this.buffer.length;
        return { kind: 'redraw' };
      }
      this.historyIndex = next;
    }
    this.buffer = this.history[this.historyIndex] ?? '';
    this.cursor = this.buffer.length;
    return { kind: 'redraw' };
  }
}

function codePointWidthAt(text: string, index: number): number {
  const code = text.codePointAt(index);
  return code !== undefined && code > 0xffff ? 2 : 1;
}

function codePointWidthBefore(text: string, index: number): number {
  if (index >= 2) {
    const low = text.charCodeAt(index - 1);
    const high = text.charCodeAt(index - 2);
    if (low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff) return 2;
  }
  return 1;
}
