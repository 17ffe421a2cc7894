import { ChevronDown, ChevronRight } from 'lucide-react';
import { useEffect, useState } from 'react';
import { FILE_CATEGORIES, type FileCategory } from '../../../../shared/file-category';
import type { Settings } from '../../../../shared/types';
import { CATEGORY_LABELS } from '../FileIcon';
import { folderProblem } from '../../../../shared/folder-problem';

/** Each file type's folder as typed; '' is the main folder. */
export type CategoryFolderFields = Record<FileCategory, string>;

export const toCategoryFolderFields = (s: Settings): CategoryFolderFields =>
  Object.fromEntries(FILE_CATEGORIES.map((c) => [c, s.categoryFolders[c] ?? ''])) as CategoryFolderFields;

/**
 * Every type in the patch, '' for an empty field: the engine takes the map whole and forgets a type sent empty,
 * so the patch says plainly which types have a folder and which go to the main one.
 */
export function checkCategoryFolders(fields: CategoryFolderFields): { categoryFolders: Settings['categoryFolders']; errors: Partial<Record<FileCategory, string>> } {
  const categoryFolders: Settings['categoryFolders'] = {};
  const errors: Partial<Record<FileCategory, string>> = {};
  for (const category of FILE_CATEGORIES) {
    const folder = fields[category].trim();
    const problem = folder === '' ? null : folderProblem(folder);
    if (problem) errors[category] = problem;
    else categoryFolders[category] = folder;
  }
  return { categoryFolders, errors };
}

/** How many types have a folder of their own, for the line beside the collapsed heading. */
function summary(fields: CategoryFolderFields): string {
  const own = FILE_CATEGORIES.filter((c) => fields[c].trim() !== '');
  if (own.length === 0) return 'Every type goes to the main folder.';
  if (own.length === FILE_CATEGORIES.length) return 'Every type has a folder of its own.';
  return `${own.map((c) => CATEGORY_LABELS[c]).join(', ')} ${own.length === 1 ? 'has a folder' : 'have folders'} of ${own.length === 1 ? 'its' : 'their'} own.`;
}

/**
 * "Folders by file type": one folder per type, folded to one line while none is set so the dialog stays short.
 * Every Save that finds a problem unfolds it, so an error is never hidden behind the heading.
 */
export function CategoryFolders(props: {
  value: CategoryFolderFields;
  onChange: (v: CategoryFolderFields) => void;
  errors: Partial<Record<FileCategory, string>>;
  mainFolder: string;
  /** The system's folder dialog: in the app only; a browser types the folder. */
  onBrowse?: (start: string) => Promise<string | null>;
}) {
  const { value, onChange, errors, mainFolder, onBrowse } = props;
  const [open, setOpen] = useState(() => FILE_CATEGORIES.some((c) => value[c].trim() !== ''));
  useEffect(() => {
    if (Object.keys(errors).length > 0) setOpen(true);
  }, [errors]);
  const browse = async (category: FileCategory) => {
    const chosen = await onBrowse?.(value[category].trim() || mainFolder).catch(() => null);
    if (chosen) onChange({ ...value, [category]: chosen });
  };
  return (
    <section aria-labelledby="set-type-folders" className="type-folders">
      <h3 id="set-type-folders">
        <button type="button" className="disclosure" aria-expanded={open} aria-controls="set-type-folders-body" onClick={() => setOpen(!open)}>
          {open ? <ChevronDown size={14} aria-hidden /> : <ChevronRight size={14} aria-hidden />}
          Folders by file type
        </button>
      </h3>
      {!open && <p className="field-hint">{summary(value)}</p>}
      <div id="set-type-folders-body" className="type-folder-list" hidden={!open}>
        <p className="field-hint">A download added without a folder goes to its type’s folder. Leave a type empty to use the main folder.</p>
        {FILE_CATEGORIES.map((category) => (
          <CategoryFolderRow
            key={category}
            category={category}
            folder={value[category]}
            error={errors[category]}
            onChange={(folder) => onChange({ ...value, [category]: folder })}
            onBrowse={onBrowse ? () => void browse(category) : undefined}
          />
        ))}
      </div>
    </section>
  );
}

/** One type: its label, its folder, Browse… in the app, and its error under the field. */
function CategoryFolderRow(props: { category: FileCategory; folder: string; error?: string; onChange: (folder: string) => void; onBrowse?: () => void }) {
  const { category, folder, error, onChange, onBrowse } = props;
  const id = `set-folder-${category}`;
  return (
    <div className={`type-folder${onBrowse ? ' with-browse' : ''}${error ? ' invalid' : ''}`}>
      <label htmlFor={id} id={`${id}-label`}>
        {CATEGORY_LABELS[category]}
      </label>
      <input
        id={id}
        value={folder}
        placeholder="Empty: the main folder"
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {onBrowse && (
        // Named "Browse…" like the main folder's; the type it is for is its description.
        <button type="button" className="button" onClick={onBrowse} aria-describedby={`${id}-label`}>
          Browse…
        </button>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
