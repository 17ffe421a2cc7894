import type { AddOptionsText } from '../../../../shared/add-options';
import { CONNECTIONS, CONNECTIONS_PER_SERVER } from '../../../../shared/limits';

/** Folder, connections, speed limit and checksum of the downloads being added, each with its own error. */
export function AddOptions(props: {
  value: AddOptionsText;
  onChange: (v: AddOptionsText) => void;
  errors: Partial<Record<keyof AddOptionsText, string>>;
  defaultFolder: string;
  /** The system's folder dialog: in the app only; a browser types the folder. */
  onBrowse?: (start: string) => Promise<string | null>;
}) {
  const { value, onChange, errors, defaultFolder, onBrowse } = props;
  const browse = async () => {
    const chosen = await onBrowse?.(value.folder || defaultFolder);
    if (chosen) onChange({ ...value, folder: chosen });
  };
  const field = (key: keyof AddOptionsText, label: string, hint: string, extra: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <label className={`form-field${errors[key] ? ' invalid' : ''}`}>
      <span className="field-label">{label}</span>
      <span className="with-unit">
        <input
          value={value[key]}
          onChange={(e) => onChange({ ...value, [key]: e.target.value })}
          aria-invalid={errors[key] ? true : undefined}
          aria-describedby={`add-${key}-help`}
          {...extra}
        />
        {key === 'folder' && onBrowse && (
          <button type="button" className="button" onClick={() => void browse()}>
            Browse…
          </button>
        )}
      </span>
      <span id={`add-${key}-help`} className={errors[key] ? 'field-error' : 'field-hint'}>
        {errors[key] ?? hint}
      </span>
    </label>
  );
  return (
    <fieldset className="add-options">
      <legend>Options</legend>
      {field('folder', 'Save to folder', `Empty: ${defaultFolder || 'the default folder'}, or its file type's folder when Settings names one`, { placeholder: defaultFolder, className: 'wide' })}
      {field('connections', 'Connections', `${CONNECTIONS.min} to ${CONNECTIONS.max}; empty: as in Settings`, { inputMode: 'numeric', placeholder: 'default' })}
      {field('speedLimit', 'Speed limit', 'e.g. 500K or 2M per second; empty: none', { placeholder: 'none' })}
      {field('perServer', 'Connections per server', `${CONNECTIONS_PER_SERVER.min} to ${CONNECTIONS_PER_SERVER.max}; empty: as in Settings`, { inputMode: 'numeric', placeholder: 'default' })}
      {field('checksum', 'Checksum', 'e.g. sha-256=9f86…; checked when done', { placeholder: 'none', spellCheck: false })}
      {field('proxy', 'Proxy', 'e.g. socks5://proxy:1080; empty: as in Settings; “direct”: none', { placeholder: 'as in Settings', spellCheck: false, autoComplete: 'off' })}
    </fieldset>
  );
}
