/** ByteDictionary: the hash dictionary that turns a string column's bytes into dictionary codes without a string per field. */

/** A growable hash dictionary of byte strings → codes. */
export class ByteDictionary {
  values: string[] = [];
  private pool = new Uint8Array(1 << 12);
  private poolUsed = 0;
  private starts = new Int32Array(64);
  private lens = new Int32Array(64);
  private table = new Int32Array(256);
  private mask = 255;

  /** The code of bytes [s, e) of `src` (added when new). */
  code(src: Uint8Array, s: number, e: number): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ src[i], 16777619);
    return this.codeHashed(src, s, e, h);
  }

  /** The code of bytes [s, e) whose FNV-1a hash is `h` (added when new). */
  codeHashed(src: Uint8Array, s: number, e: number, h: number): number {
    const len = e - s;
    let slot = h & this.mask;
    for (;;) {
      const entry = this.table[slot];
      if (entry === 0) break;
      const code = entry - 1;
      if (this.lens[code] === len) {
        const start = this.starts[code];
        let k = 0;
        while (k < len && this.pool[start + k] === src[s + k]) k++;
        if (k === len) return code;
      }
      slot = (slot + 1) & this.mask;
    }
    const code = this.values.length;
    if (code >= this.starts.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts);
      this.lens = grow(this.lens);
    }
    if (this.poolUsed + len > this.pool.length) {
      const b = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + len));
      b.set(this.pool);
      this.pool = b;
    }
    this.pool.set(src.subarray(s, e), this.poolUsed);
    this.starts[code] = this.poolUsed;
    this.lens[code] = len;
    this.poolUsed += len;
    this.values.push(Buffer.from(src.buffer, src.byteOffset + s, len).toString("utf8"));
    this.table[slot] = code + 1;
    if (this.values.length * 2 > this.table.length) this.rehash();
    return code;
  }

  private rehash(): void {
    const size = this.table.length * 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let code = 0; code < this.values.length; code++) {
      let h = 0x811c9dc5;
      const start = this.starts[code];
      for (let i = 0; i < this.lens[code]; i++) h = Math.imul(h ^ this.pool[start + i], 16777619);
      let slot = h & this.mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
      this.table[slot] = code + 1;
    }
  }
}
