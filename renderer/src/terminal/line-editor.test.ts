import { describe, expect, it } from 'vitest';
import { LineEditor } from './line-editor';

const UP = '\u001b[A';
const DOWN = '\u001b[B';
const LEFT = '\u001b[D';

describe('LineEditor', () => {
  it('edits a line locally and hands it over only on Enter', () => {
    const editor = new LineEditor();
    expect(editor.handle('hostnmae')).toHaveLength(8);
    editor.handle('\u007f\u007f\u007fame');
    expect(editor.buffer).toBe('hostname');
    expect(editor.handle('\r')).toEqual([{ kind: 'submit', line: 'hostname' }]);
    expect(editor.buffer).toBe('');
  });

  it('inserts at the cursor and deletes whole surrogate pairs', () => {
    const editor = new LineEditor();
    editor.handle('echo 😀x');
    editor.handle(LEFT);
    editor.handle('\u007f');
    expect(editor.buffer).toBe('echo x');
    editor.handle('y');
    expect(editor.buffer).toBe('echo yx');
  });

  it('recalls earlier lines with up and down, keeping the unfinished draft', () => {
    const editor = new LineEditor();
    editor.handle('first\r');
    editor.handle('second\r');
    editor.handle('dra');
    editor.handle(UP);
    expect(editor.buffer).toBe('second');
    editor.handle(UP);
    expect(editor.buffer).toBe('first');
    editor.handle(UP);
    expect(editor.buffer).toBe('first');
    editor.handle(DOWN + DOWN);
    expect(editor.buffer).toBe('dra');
    expect(editor.historyLines).toEqual(['first', 'second']);
  });

  it('submits each line of a multi-line paste in order', () => {
    const editor = new LineEditor();
    const actions = editor.handle('a=1\r\nb=2\rc');
    expect(actions.filter((a) => a.kind === 'submit')).toEqual([
      { kind: 'submit', line: 'a=1' },
      { kind: 'submit', line: 'b=2' },
    ]);
    expect(editor.buffer).toBe('c');
  });

  it('passes Ctrl-C through (clearing the line) and drops other control characters', () => {
    const editor = new LineEditor();
    editor.handle('sleep 100');
    expect(editor.handle('\u0003')).toEqual([{ kind: 'control', data: '\u0003' }]);
    expect(editor.buffer).toBe('');
    editor.handle('a\u0007\u001bb');
    expect(editor.buffer).toBe('ab');
  });
});
