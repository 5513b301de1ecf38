import { useState, type ComponentProps, type FormEvent, type ReactNode } from 'react';
import type { Tenant } from '../../../shared/api/tenants';
import type { IpcError } from '../../../shared/ipc/schemas';
import type { Result } from '../api/calls';
import type { Loadable } from './common';

export interface SelectOption {
  value: string;
  label: string;
}

/** A select inside its visible label, also named by `aria-label`; `placeholder` is the empty-value first option. */
export function LabelledSelect<V extends string>({
  label,
  value,
  onChange,
  options,
  placeholder,
}: {
  label: string;
  value: V;
  onChange: (value: V) => void;
  options: readonly SelectOption[];
  placeholder?: string;
}) {
  return (
    <label>
      {label}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as V)}>
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** An input inside its visible label (which names it). */
export function LabelledInput({ label, ...input }: { label: string } & ComponentProps<'input'>) {
  return (
    <label>
      {label}
      <input {...input} />
    </label>
  );
}

/** Each value as its own label (enums shown as they are). */
export function plainOptions(values: readonly string[]): SelectOption[] {
  return values.map((value) => ({ value, label: value }));
}

/** A loaded list as options; none until it has loaded. */
export function loadedOptions<L, T>(
  loaded: Loadable<L>,
  list: (value: L) => readonly T[],
  option: (item: T) => SelectOption,
): SelectOption[] {
  return loaded.state === 'ready' ? list(loaded.value).map(option) : [];
}

/** Loaded tenants as options, by name. */
export function tenantOptions(tenants: Loadable<{ tenants: readonly Tenant[] }>): SelectOption[] {
  return loadedOptions(
    tenants,
    (v) => v.tenants,
    (t) => ({ value: t.id, label: t.name }),
  );
}

/** Reasons must say something: at least three characters once trimmed. */
export function isReason(reason: string): boolean {
  return reason.trim().length >= 3;
}

/**
 * State for a form that confirms an action with a reason: the reason, busy while the action runs,
 * and the action's error. `submit` sends the trimmed reason.
 */
export function useReasonAction(action: (reason: string) => Promise<Result<unknown>>, onDone: () => void) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event?: FormEvent) {
    event?.preventDefault();
    setBusy(true);
    const result = await action(reason.trim());
    setBusy(false);
    if (result.ok) onDone();
    else setError(result.error);
  }
  return { reason, setReason, error, busy, valid: isReason(reason), submit };
}

/** Submit and Cancel side by side. */
export function SubmitCancel({
  label,
  className,
  disabled,
  onCancel,
}: {
  label: ReactNode;
  className: string;
  disabled: boolean;
  onCancel: () => void;
}) {
  return (
    <div className="button-row">
      <button type="submit" className={className} disabled={disabled}>
        {label}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
