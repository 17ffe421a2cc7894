/**
 * Writes that skip the page cache (O_DIRECT). Every byte Braid writes is also synced before a checkpoint counts
 * it, so a copy in the page cache only costs: the kernel copies the bytes once more, has to find free pages for
 * them (evicting the user's other files), then writes them out at the sync anyway. A direct write goes from
 * Braid's buffer to the disk. The kernel takes it only in whole pages: at a page-aligned file offset, of a
 * whole number of pages, from page-aligned memory.
 */
export const PAGE = 4096;
/** WebAssembly memory comes from the system in these units, at a page boundary. */
const WASM_PAGE = 64 * 1024;

const pageAlignedMemory = new WeakSet<ArrayBufferLike>();

// The engine's type libraries leave WebAssembly out; this is the one part of it Braid uses.
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer } };

/**
 * A buffer of `size` bytes whose memory starts at a page boundary, when `size` is whole WebAssembly pages (the
 * only memory JavaScript can get at a known alignment); any other size is an ordinary buffer.
 */
export function allocatePageAligned(size: number): Buffer {
  if (size <= 0 || size % WASM_PAGE !== 0) return Buffer.allocUnsafeSlow(size);
  const pages = size / WASM_PAGE;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  pageAlignedMemory.add(memory.buffer);
  return Buffer.from(memory.buffer);
}

/** Whether `size` is one `allocatePageAligned` gives page-aligned memory for. */
export function allocatesPageAligned(size: number): boolean {
  return size > 0 && size % WASM_PAGE === 0;
}

/** Whether `view`'s bytes sit at the same place within memory pages as `position` within the file's pages. */
export function inStepWithFile(view: Buffer, position: number): boolean {
  return pageAlignedMemory.has(view.buffer) && view.byteOffset % PAGE === position % PAGE;
}

/**
 * How a write of `length` bytes at `position` divides into the bytes before the first whole page (`head`), the
 * whole pages (`pages` bytes), and what is left after them.
 */
export function wholePages(position: number, length: number): { head: number; pages: number } {
  const head = Math.min(length, (PAGE - (position % PAGE)) % PAGE);
  const pages = Math.floor((length - head) / PAGE) * PAGE;
  return { head, pages };
}
