/**
 * SM2 and SM3 against the peers issue #3 names, all measured in this run: sm-crypto-v2 and sm-crypto
 * (npm, JavaScript), `openssl speed sm2` (C), and Node's native SM3 (OpenSSL). The JavaScript SM3 is
 * benchmarked because it is what runs where there is no native one (Electron); Node uses the native one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { sm2 as smV2, sm3 as smV2Sm3 } from 'sm-crypto-v2';
import { bytesToHex } from '../certs/bytes.js';
import { generateKeyPair, sign, verify, type Sm2KeyPair } from '../certs/sm2.js';
import { Sm3Js } from '../certs/sm3.js';
import { type BenchModule, opensslSpeed } from './lib.js';

interface SmCrypto {
  sm2: {
    doSignature(msg: number[], privateKeyHex: string, options: { hash: boolean; der: boolean; publicKey?: string }): string;
    doVerifySignature(msg: number[], signatureHex: string, publicKeyHex: string, options: { hash: boolean; der: boolean }): boolean;
  };
  sm3(input: Uint8Array): string;
}
/** sm-crypto is CommonJS without types: only what this bench calls. */
const smCrypto = createRequire(import.meta.url)('sm-crypto') as SmCrypto;

const MiB = 1 << 20;

const percent = (ours: number, limit: number): string => `${Math.round((ours / limit) * 100)}%`;

function mustHold(ok: boolean, what: string): void {
  if (!ok) throw new Error(`benchmark setup: ${what}`);
}

const bench: BenchModule = {
  description: 'SM2 sign/verify and SM3 throughput: tongban vs sm-crypto-v2, sm-crypto, openssl speed sm2, native SM3',
  async run(b) {
    // Every signer signs the same 256-byte message with the default ID, Z_A included (hash: true), DER out.
    const message = randomBytes(256);
    const kp = generateKeyPair();
    const pubHex = bytesToHex(kp.publicKey);
    const privHex = bytesToHex(kp.privateKey);
    const ours = sign(kp.privateKey, message);
    const v2Options = { hash: true, der: true } as const;
    const v2Sig = smV2.doSignature(message, privHex, { ...v2Options, publicKey: pubHex });
    const oldSig = smCrypto.sm2.doSignature(Array.from(message), privHex, { ...v2Options, publicKey: pubHex });
    mustHold(verify(kp.publicKey, message, ours) && smV2.doVerifySignature(message, bytesToHex(ours), pubHex, v2Options), 'signatures cross-verify');
    mustHold(smCrypto.sm2.doVerifySignature(Array.from(message), oldSig, pubHex, v2Options), 'sm-crypto verifies its own');

    const signOurs = await b.measure('SM2 sign — tongban', () => sign(kp.privateKey, message));
    const signV2 = await b.measure('SM2 sign — sm-crypto-v2', () => smV2.doSignature(message, privHex, { ...v2Options, publicKey: pubHex }));
    await b.measure('SM2 sign — sm-crypto', () => smCrypto.sm2.doSignature(Array.from(message), privHex, { ...v2Options, publicKey: pubHex }), { minTimeMs: 1000, warmupMs: 100 });

    const verifyOurs = await b.measure('SM2 verify — tongban (same key)', () => verify(kp.publicKey, message, ours));
    // More keys than the per-key cache holds, in turn: every verification starts from a new key.
    const pairs: Sm2KeyPair[] = Array.from({ length: 200 }, generateKeyPair);
    const sigs = pairs.map((p) => sign(p.privateKey, message));
    let next = 0;
    const verifyFresh = await b.measure('SM2 verify — tongban (new key each time)', () => {
      const i = next++ % pairs.length;
      return verify(pairs[i]!.publicKey, message, sigs[i]!);
    });
    const verifyV2 = await b.measure('SM2 verify — sm-crypto-v2', () => smV2.doVerifySignature(message, v2Sig, pubHex, v2Options));
    const v2Point = smV2.precomputePublicKey(pubHex);
    await b.measure('SM2 verify — sm-crypto-v2 (precomputed key)', () => smV2.doVerifySignature(message, v2Sig, v2Point, v2Options));
    await b.measure('SM2 verify — sm-crypto', () => smCrypto.sm2.doVerifySignature(Array.from(message), oldSig, pubHex, v2Options), { minTimeMs: 1000, warmupMs: 100 });

    const openssl = await opensslSpeed('sm2', 3);
    b.record(openssl.sign);
    b.record(openssl.verify);

    const data = randomBytes(MiB);
    const want = createHash('sm3').update(data).digest('hex');
    mustHold(bytesToHex(new Sm3Js().update(data).digest()) === want && smV2Sm3(data) === want && smCrypto.sm3(data) === want, 'SM3 digests agree');
    const sm3Ours = await b.measure('SM3 1 MiB — tongban (JavaScript)', () => new Sm3Js().update(data).digest(), { bytesPerOp: MiB });
    const sm3Native = await b.measure('SM3 1 MiB — Node native (OpenSSL)', () => createHash('sm3').update(data).digest(), { bytesPerOp: MiB });
    const sm3V2 = await b.measure('SM3 1 MiB — sm-crypto-v2', () => smV2Sm3(data), { bytesPerOp: MiB });
    await b.measure('SM3 1 MiB — sm-crypto', () => smCrypto.sm3(data), { bytesPerOp: MiB, minTimeMs: 1000, warmupMs: 100 });

    b.ratio('SM2 sign: tongban / sm-crypto-v2', signOurs, signV2, 2);
    b.ratio('SM2 sign: tongban / openssl', signOurs, openssl.sign, 1);
    b.ratio('SM2 verify (same key): tongban / sm-crypto-v2', verifyOurs, verifyV2, 3);
    b.ratio('SM2 verify (same key): tongban / openssl', verifyOurs, openssl.verify, 0.5);
    b.ratio('SM2 verify (new key): tongban / sm-crypto-v2', verifyFresh, verifyV2, 3);
    b.ratio('SM2 verify (new key): tongban / openssl', verifyFresh, openssl.verify, 0.5);
    b.ratio('SM3 JavaScript: tongban / sm-crypto-v2', sm3Ours, sm3V2, 2);
    b.ratio('SM3 JavaScript: tongban / Node native', sm3Ours, sm3Native, 0.5);
    b.note(
      'ops/s (cpu) is per CPU-second of the measuring process, like openssl speed; ops/s (wall) drops when other ' +
        'processes share the CPUs. The C limit on these machines (GmSSL 3.1 with x86-64 assembly, see the ' +
        `reference): about 51,700 signs/s (Z_A cached) and 5,600 verifies/s (Z_A computed each time, no per-key ` +
        `tables); tongban signs at ${percent(signOurs.opsPerSec, 51_700)} of that, and verifies at ` +
        `${percent(verifyFresh.opsPerSec, 5_600)} of it with a new key each time (${percent(verifyOurs.opsPerSec, 5_600)} ` +
        'with a known key and its cached tables).',
    );
  },
};

export default bench;
