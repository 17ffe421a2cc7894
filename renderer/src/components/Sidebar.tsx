import { CircleAlert, CircleCheck, CirclePause, Clock, Download, Inbox } from 'lucide-react';
import type { LucideIcon } from 'lucide-react';
import { FILE_CATEGORIES, type FileCategory } from '../../../shared/file-category';
import type { DownloadStatus } from '../../../shared/types';
import type { Filter, View } from '../useQueue';
import { CATEGORY_ICONS, CATEGORY_LABELS } from './FileIcon';

const VIEWS: { view: View; label: string; icon: LucideIcon }[] = [
  { view: 'all', label: 'All', icon: Inbox },
  { view: 'active', label: 'Downloading', icon: Download },
  { view: 'queued', label: 'Waiting', icon: Clock },
  { view: 'paused', label: 'Paused', icon: CirclePause },
  { view: 'completed', label: 'Done', icon: CircleCheck },
  { view: 'failed', label: 'Failed', icon: CircleAlert },
];

/** The views of the queue by status, with how many each holds, and the file types. */
export function Sidebar({ filter, counts, onFilter }: { filter: Filter; counts: Record<DownloadStatus, number> | undefined; onFilter: (f: Filter) => void }) {
  const all = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
  const count = (view: View) => (view === 'all' ? all : (counts?.[view] ?? 0));
  const chooseCategory = (category: FileCategory) => onFilter({ ...filter, category: filter.category === category ? null : category });
  return (
    <nav className="sidebar" aria-label="Views">
      <ul>
        {VIEWS.map(({ view, label, icon: Icon }) => (
          <li key={view}>
            <button className="side-item" aria-current={filter.view === view ? 'true' : undefined} onClick={() => onFilter({ ...filter, view })}>
              <Icon size={16} aria-hidden />
              <span className="label">{label}</span>
              <span className="count" aria-label={`${count(view).toLocaleString()} downloads`}>
                {count(view).toLocaleString()}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <h2 className="side-heading">File types</h2>
      <ul>
        {FILE_CATEGORIES.map((category) => {
          const Icon = CATEGORY_ICONS[category];
          return (
            <li key={category}>
              <button className="side-item" aria-pressed={filter.category === category} onClick={() => chooseCategory(category)}>
                <Icon size={16} aria-hidden />
                <span className="label">{CATEGORY_LABELS[category]}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
