import * as ContextMenu from '@radix-ui/react-context-menu';
import { ArrowDownToLine, ArrowUpToLine, Copy, ExternalLink, FolderOpen, Info, Link2, Pause, Play, RotateCw, Trash2 } from 'lucide-react';
import type { ReactNode } from 'react';
import type { DownloadSnapshot } from '../../../shared/types';
import { canPause, canRefreshLink, canResume, canRetry, type QueueActions } from '../actions';

/** The right-click menu of the queue: it acts on the selection (a row right-clicked outside it is selected first). */
export function QueueMenu({ selection, actions, children }: { selection: DownloadSnapshot[]; actions: QueueActions; children: ReactNode }) {
  const ids = selection.map((d) => d.id);
  const one = selection.length === 1 ? selection[0]! : null;
  const done = one?.status === 'completed';
  const item = (label: string, icon: ReactNode, run: () => void, enabled = true) => (
    <ContextMenu.Item className="menu-item" disabled={!enabled} onSelect={run}>
      {icon}
      {label}
    </ContextMenu.Item>
  );
  return (
    // Not modal: a modal menu hides the rest of the window from assistive technology while it stays focusable.
    <ContextMenu.Root modal={false}>
      <ContextMenu.Trigger asChild disabled={selection.length === 0}>
        <div className="grid-area">{children}</div>
      </ContextMenu.Trigger>
      <ContextMenu.Portal>
        <ContextMenu.Content className="menu" collisionPadding={8} aria-label="Download actions">
          {actions.open && item('Open', <ExternalLink size={15} aria-hidden />, () => one && actions.open?.(one.id, 'file'), done)}
          {actions.open && item('Show in folder', <FolderOpen size={15} aria-hidden />, () => one && actions.open?.(one.id, 'folder'), done)}
          {item('Details', <Info size={15} aria-hidden />, () => one && actions.showDetails(one.id), one !== null)}
          <ContextMenu.Separator className="menu-separator" />
          {item('Pause', <Pause size={15} aria-hidden />, () => actions.pause(ids), selection.some(canPause))}
          {item('Resume', <Play size={15} aria-hidden />, () => actions.resume(ids), selection.some(canResume))}
          {item('Retry', <RotateCw size={15} aria-hidden />, () => actions.retry(ids), selection.some(canRetry))}
          {item('Refresh link…', <Link2 size={15} aria-hidden />, () => one && actions.refreshLink(one.id), one !== null && canRefreshLink(one))}
          <ContextMenu.Separator className="menu-separator" />
          {item(selection.length > 1 ? 'Copy URLs' : 'Copy URL', <Copy size={15} aria-hidden />, () => actions.copyUrls(ids))}
          {/* A place in the queue means nothing to a download that is done. */}
          {item('Move to top', <ArrowUpToLine size={15} aria-hidden />, () => one && actions.move(one.id, 'top'), one !== null && one.status !== 'completed')}
          {item('Move to bottom', <ArrowDownToLine size={15} aria-hidden />, () => one && actions.move(one.id, 'bottom'), one !== null && one.status !== 'completed')}
          <ContextMenu.Separator className="menu-separator" />
          {item('Remove…', <Trash2 size={15} aria-hidden />, () => actions.remove(ids))}
        </ContextMenu.Content>
      </ContextMenu.Portal>
    </ContextMenu.Root>
  );
}
