import { AppWindow, Archive, File, FileText, Film, Music, type LucideIcon } from 'lucide-react';
import { categoryOf, type FileCategory } from '../../../shared/file-category';

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

/** The icon of a file's type, beside its name. */
export function FileIcon({ name }: { name: string }) {
  const Icon = CATEGORY_ICONS[categoryOf(name)];
  return <Icon className="file-icon" size={16} aria-hidden />;
}
