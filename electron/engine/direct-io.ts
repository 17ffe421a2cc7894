import { constants } from 'node:fs';

/**
 * Writes that skip the page cache (O_DIRECT). Every byte Braid writes is also synced before a checkpoint counts
 * it, so a copy in the page cache only costs: the kernel copies the bytes once more, has to find free pages for
 * them (evicting the user's other files), then writes them out at the sync anyway. A direct write goes from
 * Braid's buffer to the disk. The kernel takes it only in whole pages: at a page-aligned file offset, of a
 * whole number of pages, from page-aligned memory.
 */
export const PAGE = 4096;
/** The open flag, where the system has one (Linux and a few others; neither macOS nor Windows). */
export const O_DIRECT = (constants as { O_DIRECT?: number }).O_DIRECT ?? 0;
/**
 * File systems of local disks, known to write a direct write straight to the device. Others take the flag too
 * but do worse with it: NFS sends each one to the server and waits, tmpfs has no disk to skip to.
 */
const LOCAL_DISK_FILE_SYSTEMS = new Set([0xef53 /* ext2, ext3, ext4 */, 0x58465342 /* XFS */, 0x9123683e /* Btrfs */, 0xf2f52010 /* F2FS */]);
/** WebAssembly memory comes from the system in these units, at a page boundary. */
const WASM_PAGE = 64 * 1024;
/**
 * Page-aligned buffers are cut from slabs of about this size: each WebAssembly memory also reserves address
 * space for its guard regions (10 GiB on 64-bit systems, inside a 1 TiB cage in Electron), so a few large ones,
 * never one per buffer. Address space is not memory: a slab's pages count only once written.
 */
const SLAB_BYTES = 16 * 1024 * 1024;

const pageAlignedMemory = new WeakSet<ArrayBufferLike>();

// The engine's type libraries leave WebAssembly out; this is the one part of it Braid uses.
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer } } | undefined;

/** Whether a file system of this type (statfs's `type`) gets direct writes. */
export function takesDirectWrites(fileSystemType: number): boolean {
  return O_DIRECT !== 0 && LOCAL_DISK_FILE_SYSTEMS.has(fileSystemType);
}

/** Whether buffers of `size` bytes can be had page-aligned, where direct writes exist to use them. */
export function allocatesPageAligned(size: number): boolean {
  return O_DIRECT !== 0 && size > 0 && size % WASM_PAGE === 0;
}

/**
 * Buffers of one size whose memory starts at a page boundary, cut from WebAssembly memory (the only memory
 * JavaScript can get at a known alignment). Where that memory cannot be had (address space limited, or no
 * WebAssembly), `take` returns null and the caller uses an ordinary buffer, which is written through the
 * page cache.
 */
export class PageAlignedSlabs {
  private slab: Buffer | null = null;
  private next = 0;
  private unavailable: boolean;

  constructor(private readonly size: number) {
    this.unavailable = !allocatesPageAligned(size) || typeof WebAssembly === 'undefined';
  }

  take(): Buffer | null {
    if (this.unavailable) return null;
    if (this.slab === null || this.next + this.size > this.slab.length) {
      this.slab = this.newSlab();
      this.next = 0;
      if (this.slab === null) return null;
    }
    const buffer = this.slab.subarray(this.next, this.next + this.size);
    this.next += this.size;
    return buffer;
  }

  /** Later buffers come from a new slab, so one whose buffers were all let go can be collected. */
  startAfresh(): void {
    this.slab = null;
  }

  private newSlab(): Buffer | null {
    const pages = Math.max(1, Math.floor(SLAB_BYTES / this.size)) * (this.size / WASM_PAGE);
    try {
      const memory = new WebAssembly!.Memory({ initial: pages, maximum: pages });
      pageAlignedMemory.add(memory.buffer);
      return Buffer.from(memory.buffer);
    } catch {
      // Out of address space: asking again would only make V8 collect garbage each time to fail again.
      this.unavailable = true;
      return null;
    }
  }
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
