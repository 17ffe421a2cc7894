import * as Dialog from '@radix-ui/react-dialog';
import { useEffect, useState } from 'react';
import { displayName } from '../../../shared/file-category';
import { failedItsChecksum } from '../../../shared/status-words';
import type { DownloadSnapshot } from '../../../shared/types';
import { focusListOnClose } from '../focus-list';

/**
 * Asks before removing, and says what happens to the files: an unfinished download's partial file is always
 * deleted (it is of no use alone); a finished file is kept unless "also delete" is ticked.
 */
export function RemoveDialog(props: { targets: DownloadSnapshot[] | null; onCancel: () => void; onConfirm: (deleteFiles: boolean) => void }) {
  const { targets, onCancel, onConfirm } = props;
  const [deleteFiles, setDeleteFiles] = useState(false);
  useEffect(() => setDeleteFiles(false), [targets]);
  const list = targets ?? [];
  const finished = list.filter((d) => d.status === 'completed').length;
  const unfinished = list.length - finished;
  // A download that never ran has no partial file to lose; a running one may have made its file already.
  // One that failed its checksum holds its whole .part though its segments were reset (bytesDone 0).
  const partial = list.filter((d) => d.status !== 'completed' && (d.bytesDone > 0 || d.status === 'active' || failedItsChecksum(d))).length;
  const title = list.length === 1 ? `Remove “${displayName(list[0]!)}”?` : `Remove ${list.length.toLocaleString()} downloads?`;
  return (
    <Dialog.Root open={targets !== null} onOpenChange={(open) => !open && onCancel()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content
          className="dialog confirm-dialog"
          role="alertdialog"
          aria-describedby="remove-what"
          // Whichever button opened it, Delete goes on from the next row.
          onCloseAutoFocus={focusListOnClose}
        >
          <Dialog.Title>{title}</Dialog.Title>
          <div id="remove-what" className="dialog-help">
            {partial > 0 && (
              <p>
                {partial === 1 && list.length === 1 ? 'It is not finished: the partly downloaded data will be deleted.' : `${partial.toLocaleString()} partly downloaded: ${partial === 1 ? 'its' : 'their'} data will be deleted.`}
              </p>
            )}
            {unfinished > 0 && partial === 0 && finished === 0 && <p>{list.length === 1 ? 'Nothing of it is on disk: there is nothing to lose.' : 'Nothing of them is on disk: there is nothing to lose.'}</p>}
            {finished > 0 && (
              <p>{deleteFiles ? 'The downloaded file' + (finished > 1 ? 's' : '') + ' will be deleted from disk.' : `The downloaded file${finished > 1 ? 's stay' : ' stays'} on disk; only ${list.length > 1 ? 'the entries leave' : 'the entry leaves'} the list.`}</p>
            )}
          </div>
          {finished > 0 && (
            <label className="check">
              <input type="checkbox" checked={deleteFiles} onChange={(e) => setDeleteFiles(e.target.checked)} /> Also delete the downloaded file{finished > 1 ? 's' : ''}
            </label>
          )}
          <div className="dialog-buttons">
            {/* Enter removes at once only when nothing on disk is lost; otherwise it cancels. */}
            <Dialog.Close className="button" autoFocus={partial > 0}>
              Cancel
            </Dialog.Close>
            <button className="button danger" onClick={() => onConfirm(deleteFiles)} autoFocus={partial === 0}>
              Remove
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
