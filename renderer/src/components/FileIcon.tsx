import { AppWindow, Archive, File, FileText, Film, Music, type LucideIcon } from 'lucide-react';
import { categoryOf, FILE_CATEGORIES, type FileCategory } from '../../../shared/file-category';

export const CATEGORY_ICONS: Record<FileCategory, LucideIcon> = {
  video: Film,
  audio: Music,
  archives: Archive,
  documents: FileText,
  programs: AppWindow,
  other: File,
};

export const CATEGORY_LABELS: Record<FileCategory, string> = {
  video: 'Video',
  audio: 'Audio',
  archives: 'Archives',
  documents: 'Documents',
  programs: 'Programs',
  other: 'Other',
};

/**
 * Each file type's icon drawn once, as a symbol the rows refer to: a row then costs one small element instead of
 * a whole icon, which keeps a fast scroll through a long queue smooth.
 */
export function FileIconSprite() {
  return (
    <svg width={0} height={0} style={{ position: 'absolute' }} aria-hidden>
      {FILE_CATEGORIES.map((category) => {
        const Icon = CATEGORY_ICONS[category];
        return (
          <symbol key={category} id={`file-${category}`} viewBox="0 0 16 16">
            <Icon size={16} />
          </symbol>
        );
      })}
    </svg>
  );
}

/** The icon of a file's type, beside its name. */
export function FileIcon({ name }: { name: string }) {
  return (
    <svg className="file-icon" width={16} height={16} aria-hidden>
      <use href={`#file-${categoryOf(name)}`} />
    </svg>
  );
}
