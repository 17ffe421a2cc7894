/** The last few handovers, shown in the popup so a user can see what Braid took or why it did not. */
export interface Activity {
  at: number;
  name: string;
  ok: boolean;
  note: string;
}

const KEEP = 8;

export async function recordActivity(entry: Activity): Promise<void> {
  const { activity } = (await chrome.storage.local.get('activity')) as { activity?: Activity[] };
  await chrome.storage.local.set({ activity: [entry, ...(activity ?? [])].slice(0, KEEP) });
}

export async function recentActivity(): Promise<Activity[]> {
  const { activity } = (await chrome.storage.local.get('activity')) as { activity?: Activity[] };
  return activity ?? [];
}

/** Tells the user, outside the page, what happened to a download. */
export function notify(title: string, message: string): void {
  chrome.notifications
    ?.create({ type: 'basic', iconUrl: chrome.runtime.getURL('icons/icon-128.png'), title, message })
    .catch(() => undefined);
}
