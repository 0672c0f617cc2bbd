const SMALL_LIMIT = 32;
const NO_PORTS: readonly number[] = Object.freeze([]);
const WORDS = 2048; // 65,536 bits

/**
 * An exact set of port numbers (0–65535). Small sets (the benign majority: one to a few ports)
 * are a short array; past 32 ports the set becomes a 8 KiB bitmap, so a scanner touching every
 * port costs 8 KiB and a benign source a few bytes.
 */
export class PortSet {
  /** Never changed in place (adding copies it), so every empty set shares one empty array. */
  #small: readonly number[] | undefined = NO_PORTS;
  #bits: Uint32Array | undefined;
  #size = 0;

  /** Number of distinct ports. */
  get size(): number {
    return this.#size;
  }

  /** Adds a port; returns true when it was not there. The caller guarantees 0 ≤ port ≤ 65535. */
  add(port: number): boolean {
    const small = this.#small;
    if (small !== undefined) {
      if (small.includes(port)) return false;
      if (small.length < SMALL_LIMIT) {
        // Copied at its exact length: a benign source's one to three ports take a few bytes, where
        // a pushed-to array reserves room for 17.
        this.#small = [...small, port];
        this.#size++;
        return true;
      }
      this.#toBitmap();
    }
    const bits = this.#bits as Uint32Array;
    const word = port >>> 5;
    const mask = 1 << (port & 31);
    const current = bits[word] as number;
    if ((current & mask) !== 0) return false;
    bits[word] = current | mask;
    this.#size++;
    return true;
  }

  has(port: number): boolean {
    if (this.#small !== undefined) return this.#small.includes(port);
    return (((this.#bits as Uint32Array)[port >>> 5] as number) & (1 << (port & 31))) !== 0;
  }

  /** Adds every port of `other`. */
  addAll(other: PortSet): void {
    if (other.#small !== undefined) {
      for (const p of other.#small) this.add(p);
      return;
    }
    if (this.#small !== undefined) this.#toBitmap();
    const bits = this.#bits as Uint32Array;
    const theirs = other.#bits as Uint32Array;
    let size = 0;
    for (let i = 0; i < WORDS; i++) {
      const w = ((bits[i] as number) | (theirs[i] as number)) >>> 0;
      bits[i] = w;
      size += popcount(w);
    }
    this.#size = size;
  }

  /** All ports, ascending. */
  toSortedArray(): number[] {
    return this.smallest(this.#size);
  }

  /** The `limit` smallest ports, ascending (decision D2: AttemptedPorts is the 100 smallest). */
  smallest(limit: number): number[] {
    if (this.#small !== undefined) return [...this.#small].sort((a, b) => a - b).slice(0, limit);
    const out: number[] = [];
    const bits = this.#bits as Uint32Array;
    for (let i = 0; i < WORDS && out.length < limit; i++) {
      let w = bits[i] as number;
      while (w !== 0 && out.length < limit) {
        const low = w & -w;
        out.push(i * 32 + (31 - Math.clz32(low)));
        w ^= low;
      }
    }
    return out;
  }

  /** The raw bitmap (8 KiB) when the set is in bitmap form, for the codec. */
  bitmap(): Uint32Array | undefined {
    return this.#bits;
  }

  static from(ports: Iterable<number>): PortSet {
    const set = new PortSet();
    for (const p of ports) set.add(p);
    return set;
  }

  /** Builds a set from a bitmap of 2,048 words (the codec's bitmap form). */
  static fromBitmap(words: Uint32Array): PortSet {
    const set = new PortSet();
    set.#small = undefined;
    set.#bits = new Uint32Array(words);
    let size = 0;
    for (let i = 0; i < WORDS; i++) size += popcount(words[i] as number);
    set.#size = size;
    return set;
  }

  clone(): PortSet {
    const copy = new PortSet();
    if (this.#small !== undefined) copy.#small = [...this.#small];
    else {
      copy.#small = undefined;
      copy.#bits = new Uint32Array(this.#bits as Uint32Array);
    }
    copy.#size = this.#size;
    return copy;
  }

  #toBitmap(): void {
    const bits = new Uint32Array(WORDS);
    for (const p of this.#small ?? []) bits[p >>> 5] = ((bits[p >>> 5] as number) | (1 << (p & 31))) >>> 0;
    this.#bits = bits;
    this.#small = undefined;
  }
}

function popcount(x: number): number {
  let v = x >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
