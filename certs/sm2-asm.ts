/**
 * A small WebAssembly assembler: enough of the binary format (types, functions, one memory, exports,
 * code; i32/i64 integer instructions, loads and stores, locals, calls, blocks and loops) to write the SM2
 * arithmetic of sm2-wasm.ts as readable TypeScript that emits its own bytes at load time, with no
 * toolchain and no binary blob in the repository. Reference: the WebAssembly core specification 1.0,
 * section 5 (binary format).
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
export type ValType = typeof I32 | typeof I64;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(value & 0x7fn);
    value >>= 7n;
    if ((value === 0n && (b & 0x40) === 0) || (value === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: readonly number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...new TextEncoder().encode(s)];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** One function's signature, locals and code, built by calling the instruction methods in order. */
export class Func {
  readonly index: number;
  private readonly localTypes: ValType[] = [];
  private readonly bytes: number[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
    index: number,
    readonly exported: boolean,
  ) {
    this.index = index;
  }

  /** A new local of the given type; returns its index. */
  local(type: ValType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  private emit(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }

  get(i: number): this { return this.emit(0x20, ...uleb(i)); }
  set(i: number): this { return this.emit(0x21, ...uleb(i)); }
  tee(i: number): this { return this.emit(0x22, ...uleb(i)); }
  i32(v: number): this { return this.emit(0x41, ...sleb(BigInt(v))); }
  i64(v: number | bigint): this { return this.emit(0x42, ...sleb(BigInt.asIntN(64, BigInt(v)))); }
  call(f: Func): this { return this.emit(0x10, ...uleb(f.index)); }
  drop(): this { return this.emit(0x1a); }

  // Memory (alignment hints: 2 = 4 bytes, 3 = 8 bytes).
  i32Load(offset: number): this { return this.emit(0x28, 2, ...uleb(offset)); }
  i64Load(offset: number): this { return this.emit(0x29, 3, ...uleb(offset)); }
  i64Load32U(offset: number): this { return this.emit(0x35, 2, ...uleb(offset)); }
  i32Store(offset: number): this { return this.emit(0x36, 2, ...uleb(offset)); }
  i64Store(offset: number): this { return this.emit(0x37, 3, ...uleb(offset)); }
  i64Store32(offset: number): this { return this.emit(0x3e, 2, ...uleb(offset)); }

  // i32 arithmetic and comparisons.
  i32Add(): this { return this.emit(0x6a); }
  i32Sub(): this { return this.emit(0x6b); }
  i32Mul(): this { return this.emit(0x6c); }
  i32Eq(): this { return this.emit(0x46); }
  i32Eqz(): this { return this.emit(0x45); }
  i32LtU(): this { return this.emit(0x49); }
  i32And(): this { return this.emit(0x71); }
  i32Or(): this { return this.emit(0x72); }
  i32Xor(): this { return this.emit(0x73); }
  i32ShrS(): this { return this.emit(0x75); }

  // i64 arithmetic.
  i64Add(): this { return this.emit(0x7c); }
  i64Sub(): this { return this.emit(0x7d); }
  i64Mul(): this { return this.emit(0x7e); }
  i64And(): this { return this.emit(0x83); }
  i64Or(): this { return this.emit(0x84); }
  i64Xor(): this { return this.emit(0x85); }
  i64Shl(): this { return this.emit(0x86); }
  i64ShrS(): this { return this.emit(0x87); }
  i64ShrU(): this { return this.emit(0x88); }
  i64Eqz(): this { return this.emit(0x50); }
  i64ExtendI32U(): this { return this.emit(0xad); }
  i32WrapI64(): this { return this.emit(0xa7); }

  // Structured control: block/loop/if with no result, and branches to the innermost labels.
  block(): this { return this.emit(0x02, 0x40); }
  loop(): this { return this.emit(0x03, 0x40); }
  if(): this { return this.emit(0x04, 0x40); }
  else(): this { return this.emit(0x05); }
  end(): this { return this.emit(0x0b); }
  return(): this { return this.emit(0x0f); }
  br(depth: number): this { return this.emit(0x0c, ...uleb(depth)); }
  brIf(depth: number): this { return this.emit(0x0d, ...uleb(depth)); }

  encode(): number[] {
    const locals = this.localTypes.map((t) => [1, t]);
    const body = [...vec(locals), ...this.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/** A module with one memory of a fixed number of 64 KiB pages, exported as "memory". */
export class ModuleBuilder {
  private readonly funcs: Func[] = [];

  constructor(private readonly memoryPages: number) {}

  func(name: string, params: readonly ValType[], results: readonly ValType[] = [], exported = true): Func {
    const f = new Func(name, params, results, this.funcs.length, exported);
    this.funcs.push(f);
    return f;
  }

  encode(): Uint8Array {
    const types = this.funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
    const exports = this.funcs.filter((f) => f.exported).map((f) => [...name(f.name), 0x00, ...uleb(f.index)]);
    exports.push([...name('memory'), 0x02, 0x00]);
    return new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, vec(types)),
      ...section(3, vec(this.funcs.map((f) => uleb(f.index)))),
      ...section(5, vec([[0x01, ...uleb(this.memoryPages), ...uleb(this.memoryPages)]])),
      ...section(7, vec(exports)),
      ...section(10, vec(this.funcs.map((f) => f.encode()))),
    ]);
  }
}
