import { Eraser, Pause, Play, Plus, RotateCw, Settings, Trash2, type LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import type { DownloadSnapshot, DownloadStatus } from '../../../shared/types';
import { canPause, canResume, canRetry } from '../actions';

function Tool({ icon: Icon, label, onClick, disabled, title }: { icon: LucideIcon; label: string; onClick: () => void; disabled?: boolean; title?: string }) {
  return (
    <button className="tool" onClick={onClick} disabled={disabled} title={title}>
      <Icon size={17} aria-hidden />
      <span>{label}</span>
    </button>
  );
}

/**
 * The actions people look for first; the ones on the selection are greyed out when they do not apply, and so are
 * the ones on the whole queue when it holds nothing they act on (`counts`, once known).
 */
export function Toolbar(props: {
  selection: DownloadSnapshot[];
  counts: Record<DownloadStatus, number> | undefined;
  onAdd: () => void;
  onResume: () => void;
  onPause: () => void;
  onRemove: () => void;
  onStartAll: () => void;
  onPauseAll: () => void;
  onClearCompleted: () => void;
  onSettings: () => void;
  /** The search box, at the end of the row beside Settings. */
  search?: ReactNode;
}) {
  const s = props.selection;
  // Failed downloads only: the menu and the pane call it Retry, and so does the toolbar.
  const retrying = s.some(canRetry) && !s.some(canResume);
  const none = (...statuses: DownloadStatus[]) => props.counts !== undefined && statuses.every((st) => props.counts![st] === 0);
  return (
    <div className="toolbar" role="toolbar" aria-label="Actions">
      <Tool icon={Plus} label="Add" title="Add downloads (Ctrl+N)" onClick={props.onAdd} />
      <span className="tool-gap" />
      <Tool icon={retrying ? RotateCw : Play} label={retrying ? 'Retry' : 'Resume'} onClick={props.onResume} disabled={!s.some((d) => canResume(d) || canRetry(d))} />
      <Tool icon={Pause} label="Pause" onClick={props.onPause} disabled={!s.some(canPause)} />
      <Tool icon={Trash2} label="Remove" onClick={props.onRemove} disabled={s.length === 0} title="Remove (Delete)" />
      <span className="tool-gap" />
      <Tool icon={Play} label="Start all" title="Resume what is paused and retry what failed" onClick={props.onStartAll} disabled={none('paused', 'failed')} />
      <Tool icon={Pause} label="Pause all" onClick={props.onPauseAll} disabled={none('active', 'queued')} />
      <Tool icon={Eraser} label="Clear done" title="Remove finished downloads from the list (the files stay)" onClick={props.onClearCompleted} disabled={none('completed')} />
      <span className="tool-spacer" />
      {props.search}
      <Tool icon={Settings} label="Settings" onClick={props.onSettings} />
    </div>
  );
}
