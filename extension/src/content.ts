// In every web page: tells the extension about an Alt-clicked link (that download stays with the browser) and,
// when asked, lists the page's links for "Download all links with Braid". It reads the page; it never changes it.

function linkOf(target: EventTarget | null): HTMLAnchorElement | null {
  return target instanceof Element ? target.closest<HTMLAnchorElement>('a[href]') : null;
}

document.addEventListener(
  'click',
  (event) => {
    if (!event.altKey) return;
    const link = linkOf(event.target);
    if (link) void chrome.runtime.sendMessage({ type: 'leave-to-browser', url: link.href }).catch(() => undefined);
  },
  true,
);

chrome.runtime.onMessage.addListener((message: { type?: string }, _sender, reply) => {
  if (message?.type !== 'collect-links') return;
  const urls = new Set<string>();
  for (const link of Array.from(document.links)) {
    if (/^https?:/i.test(link.href)) urls.add(link.href.split('#')[0]!);
  }
  reply([...urls]);
});
