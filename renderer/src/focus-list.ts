/**
 * For a dialog's `onCloseAutoFocus`: the keyboard goes back to the download list, where what the dialog did
 * shows, whatever opened it (a button, a key, a paste) and so the keyboard can go on from there.
 */
export function focusListOnClose(e: Event): void {
  const grid = document.querySelector<HTMLElement>('[role="grid"]');
  if (!grid) return;
  e.preventDefault();
  grid.focus();
}
