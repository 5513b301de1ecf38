import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StepUpPrompt, type StepUpOutcome } from './StepUpPrompt';

afterEach(cleanup);

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function codeInput() {
  return screen.getByLabelText<HTMLInputElement>('Authenticator code');
}

function confirmButton() {
  return screen.getByRole<HTMLButtonElement>('button', { name: /confirm|checking/i });
}

/** A page with a button that opens the prompt, so focus return can be observed. */
function Harness({ onSubmit, onCancel }: { onSubmit: (code: string) => Promise<StepUpOutcome>; onCancel?: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <div>
      <button type="button" onClick={() => setOpen(true)}>
        Open terminal
      </button>
      {open ? (
        <StepUpPrompt
          action="terminal"
          detail="Endpoint: WS-01."
          onSubmit={async (code) => {
            const outcome = await onSubmit(code);
            if (outcome.ok) setOpen(false);
            return outcome;
          }}
          onCancel={() => {
            onCancel?.();
            setOpen(false);
          }}
        />
      ) : null}
    </div>
  );
}

describe('StepUpPrompt', () => {
  it('is a labelled modal dialog that focuses the code field and names the action', () => {
    render(<StepUpPrompt action="terminal" onSubmit={vi.fn()} onCancel={vi.fn()} />);
    const dialog = screen.getByRole('dialog', { name: 'Confirm it is you' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.textContent).toContain('to open a terminal');
    expect(document.activeElement).toBe(codeInput());
    expect(codeInput().getAttribute('autocomplete')).toBe('one-time-code');
    expect(codeInput().getAttribute('inputmode')).toBe('numeric');
  });

  it('accepts only six digits and enables Confirm once there are six', () => {
    render(<StepUpPrompt action="trust_approval" onSubmit={vi.fn()} onCancel={vi.fn()} />);
    expect(confirmButton().disabled).toBe(true);
    fireEvent.change(codeInput(), { target: { value: '12a3' } });
    expect(codeInput().value).toBe('123');
    expect(confirmButton().disabled).toBe(true);
    fireEvent.change(codeInput(), { target: { value: '123 456' } });
    expect(codeInput().value).toBe('123456');
    expect(confirmButton().disabled).toBe(false);
  });

  it('submits the code, shows progress, and closes on success returning focus to the opener', async () => {
    const reply = deferred<StepUpOutcome>();
    const onSubmit = vi.fn(() => reply.promise);
    render(<Harness onSubmit={onSubmit} />);
    const opener = screen.getByRole('button', { name: 'Open terminal' });
    opener.focus();
    fireEvent.click(opener);
    expect(document.activeElement).toBe(codeInput());

    fireEvent.change(codeInput(), { target: { value: '654321' } });
    fireEvent.submit(codeInput().closest('form')!);
    expect(onSubmit).toHaveBeenCalledWith('654321');
    expect(confirmButton().textContent).toBe('Checking…');
    expect(confirmButton().disabled).toBe(true);
    expect(codeInput().disabled).toBe(true);

    await act(() => {
      reply.resolve({ ok: true });
      return reply.promise.then(() => undefined);
    });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it("shows the server's message on a wrong code, clears the field and puts focus back in it", async () => {
    const onSubmit = vi.fn(() =>
      Promise.resolve({ ok: false as const, message: 'That code is not valid. Wait for the next one and try again.' }),
    );
    render(<StepUpPrompt action="terminal" onSubmit={onSubmit} onCancel={vi.fn()} />);
    fireEvent.change(codeInput(), { target: { value: '000000' } });
    await act(() => {
      fireEvent.click(confirmButton());
      return Promise.resolve();
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('That code is not valid. Wait for the next one and try again.');
    expect(codeInput().value).toBe('');
    expect(codeInput().disabled).toBe(false);
    expect(codeInput().getAttribute('aria-invalid')).toBe('true');
    expect(codeInput().getAttribute('aria-describedby')).toBe(alert.id);
    expect(document.activeElement).toBe(codeInput());
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('turns a thrown error into a message instead of failing silently', async () => {
    const onSubmit = vi.fn(() => Promise.reject(new Error('The server could not be reached.')));
    render(<StepUpPrompt action="script" onSubmit={onSubmit} onCancel={vi.fn()} />);
    fireEvent.change(codeInput(), { target: { value: '111111' } });
    await act(() => {
      fireEvent.click(confirmButton());
      return Promise.resolve();
    });
    expect(screen.getByRole('alert').textContent).toBe('The server could not be reached.');
  });

  it('cancels with the Cancel button and with Escape, returning focus', () => {
    const onCancel = vi.fn();
    render(<Harness onSubmit={vi.fn()} onCancel={onCancel} />);
    const opener = screen.getByRole('button', { name: 'Open terminal' });
    opener.focus();
    fireEvent.click(opener);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);

    fireEvent.click(opener);
    fireEvent.keyDown(codeInput(), { key: 'Escape' });
    expect(onCancel).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('keeps Tab inside the dialog', () => {
    render(<StepUpPrompt action="terminal" onSubmit={vi.fn()} onCancel={vi.fn()} />);
    fireEvent.change(codeInput(), { target: { value: '123456' } });
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    cancel.focus();
    fireEvent.keyDown(cancel, { key: 'Tab' });
    expect(document.activeElement).toBe(codeInput());
    fireEvent.keyDown(codeInput(), { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(cancel);
  });

  it('does not submit an incomplete code', () => {
    const onSubmit = vi.fn();
    render(<StepUpPrompt action="terminal" onSubmit={onSubmit} onCancel={vi.fn()} />);
    fireEvent.change(codeInput(), { target: { value: '12345' } });
    fireEvent.submit(codeInput().closest('form')!);
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
