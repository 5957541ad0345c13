/**
 * SM2 keys as files: PKCS#8 and SPKI (PEM or DER) laid out as OpenSSL 3 writes them (id-ecPublicKey
 * with the named curve sm2 1.2.156.10197.1.301), encrypted PKCS#8 (PBES2: PBKDF2 + AES-CBC) that
 * `openssl pkey -passin` opens, and OpenSSL's SEC1 "EC PRIVATE KEY" / "SM2 PRIVATE KEY" (also its
 * legacy "Proc-Type: 4,ENCRYPTED" form). Raw keys on the other side are those of sm2.ts: 32-byte d,
 * 65-byte 04||x||y.
 *
 * The password-based encryption uses only node:crypto's pbkdf2 and AES-CBC, which both OpenSSL (Node)
 * and BoringSSL (Electron) provide.
 */
import { createDecipheriv, createCipheriv, createHash, getCiphers, pbkdf2Sync, randomBytes } from 'node:crypto';
import { InputError } from '../base/errors.js';
import { OID, oidName } from './asn1-oids.js';
import {
  bitString, decodeDer, encodeDer, explicit, integer, isContext, isUniversal, nullValue, objectId, octetString,
  readBitStringBytes, readExplicit, readInteger, readOctetString, readOid, readSequence, readSmallInteger, sequence,
  Tag, type Asn1,
} from './asn1.js';
import { bigintToBytes, concatBytes, equalBytes, hexToBytes } from './bytes.js';
import { decodePem, encodePem, looksLikePem, type PemBlock } from './pem.js';
import { encodePublicKey, parsePublicKey, privateScalar, publicKeyFromPrivate } from './sm2.js';

export interface PrivateKeyWriteOptions {
  /** Encrypts the key (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC) under this passphrase. */
  readonly passphrase?: string;
  /** PBKDF2 iterations when encrypting; default 100,000. */
  readonly iterations?: number;
}

/** A key file's contents: always the public key, and the private key when the file held one. */
export interface KeyMaterial {
  readonly privateKey?: Uint8Array;
  readonly publicKey: Uint8Array;
}

export const DEFAULT_PBKDF2_ITERATIONS = 100_000;
/** Above this a key file is more likely an attempt to hang us than a real key. */
const MAX_PBKDF2_ITERATIONS = 10_000_000;

const fail = (code: string, message: string): InputError => new InputError(`keys.${code}`, message);

// --- SM2 domain parameters, to recognise keys that spell the curve out (ec_param_enc:explicit) ---
const SM2_P = hexToBytes('fffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff');
const SM2_A = hexToBytes('fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc');
const SM2_B = hexToBytes('28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93');
const SM2_G = hexToBytes(
  '0432c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0',
);
const SM2_N = hexToBytes('fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123');

// --- input forms ---

/** PEM text, or undefined for DER bytes; bytes that are neither are refused here with a plain message. */
function textOf(input: string | Uint8Array, what: string): string | undefined {
  if (typeof input === 'string') return input;
  if (looksLikePem(input)) return Buffer.from(input).toString('utf8');
  if (input.length > 0 && input[0] !== 0x30) throw fail('malformed', `${what}: neither PEM nor DER`);
  return undefined;
}

function keyKindOfLabel(label: string): string {
  if (label.includes('CERTIFICATE REQUEST')) return 'a certificate request';
  if (label.includes('CERTIFICATE')) return 'a certificate';
  if (label === 'PUBLIC KEY') return 'a public key';
  if (label.includes('RSA')) return 'an RSA key';
  if (label.includes('DSA')) return 'a DSA key';
  return `a PEM "${label}" block`;
}

// --- curve identification ---

/** Checks that an AlgorithmIdentifier (or ECParameters) names the SM2 curve; throws saying what it is otherwise. */
function expectSm2Algorithm(alg: Asn1, what: string): void {
  const parts = readSequence(alg, `${what} algorithm`, 1, 2);
  const oid = readOid(parts[0], `${what} algorithm`);
  if (oid === OID.sm2) return; // some encoders (GmSSL 1.x) put the curve OID in the algorithm slot
  if (oid !== OID.ecPublicKey) throw fail('notSm2', `${what} is ${describeKeyAlgorithm(oid)}, not SM2`);
  if (parts[1] === undefined) throw fail('notSm2', `${what} has no curve parameters (an EC key must name its curve)`);
  expectSm2Curve(parts[1], what);
}

function describeKeyAlgorithm(oid: string): string {
  switch (oid) {
    case OID.rsaEncryption: return 'an RSA key';
    case OID.ed25519: return 'an Ed25519 key';
    case OID.ed448: return 'an Ed448 key';
    case OID.x25519: return 'an X25519 key';
    case OID.dsa: return 'a DSA key';
    default: return `a key of algorithm ${oidName(oid)}`;
  }
}

/** ECParameters: namedCurve OID, or specifiedCurve that must equal SM2's domain. */
function expectSm2Curve(params: Asn1, what: string): void {
  if (isUniversal(params, Tag.OID)) {
    const curve = readOid(params, `${what} curve`);
    if (curve !== OID.sm2) throw fail('notSm2', `${what} is on curve ${oidName(curve)}, not SM2 (1.2.156.10197.1.301)`);
    return;
  }
  if (isUniversal(params, Tag.SEQUENCE)) {
    const [, field, curve, base, order] = readSequence(params, `${what} curve parameters`, 5, 6);
    const [fieldType, prime] = readSequence(field, `${what} curve field`, 2, 2);
    const [a, b] = readSequence(curve, `${what} curve coefficients`, 2, 3);
    const same =
      readOid(fieldType, `${what} curve field`) === OID.primeField &&
      equalBytes(bigintToBytes(readInteger(prime, `${what} curve prime`), 32), SM2_P) &&
      equalBytes(fixed(readOctetString(a, `${what} curve a`), 32), SM2_A) &&
      equalBytes(fixed(readOctetString(b, `${what} curve b`), 32), SM2_B) &&
      equalBytes(readOctetString(base, `${what} curve base point`), SM2_G) &&
      equalBytes(bigintToBytes(readInteger(order, `${what} curve order`), 32), SM2_N);
    if (!same) throw fail('notSm2', `${what} has explicit curve parameters that are not SM2's`);
    return;
  }
  if (isUniversal(params, Tag.NULL)) throw fail('notSm2', `${what} has implicit curve parameters; SM2 keys name their curve`);
  throw fail('malformed', `${what}: curve parameters are not an OID or a SEQUENCE`);
}

function fixed(bytes: Uint8Array, length: number): Uint8Array {
  let b = bytes;
  while (b.length > length && b[0] === 0) b = b.subarray(1);
  if (b.length > length) throw fail('malformed', `value of ${b.length} bytes where ${length} are expected`);
  return b.length === length ? b : concatBytes(new Uint8Array(length - b.length), b);
}

// --- public keys (SPKI) ---

/** SubjectPublicKeyInfo { id-ecPublicKey + sm2, BIT STRING 04||x||y }, as OpenSSL 3 writes it. */
export function spkiNode(publicKey: Uint8Array): Asn1 {
  const pub = encodePublicKey(parsePublicKey(publicKey));
  return sequence(sequence(objectId(OID.ecPublicKey), objectId(OID.sm2)), bitString(pub));
}

/** Reads a SubjectPublicKeyInfo node; returns the 65-byte uncompressed point, checked to be on the curve. */
export function decodeSpki(node: Asn1, what = 'public key'): Uint8Array {
  const [alg, bits] = readSequence(node, what, 2, 2);
  expectSm2Algorithm(alg!, what);
  const point = readBitStringBytes(bits, `${what} bits`);
  try {
    return encodePublicKey(parsePublicKey(point));
  } catch (err) {
    throw fail('badPoint', `${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function publicKeyToDer(publicKey: Uint8Array): Uint8Array {
  return encodeDer(spkiNode(publicKey));
}

export function publicKeyToPem(publicKey: Uint8Array): string {
  return encodePem('PUBLIC KEY', publicKeyToDer(publicKey));
}

/** The SubjectPublicKeyInfo of an X.509 certificate, found without a full parse (x509.ts does that). */
function spkiOfCertificate(cert: Asn1): Asn1 {
  const [tbs] = readSequence(cert, 'certificate', 3, 3);
  const fields = readSequence(tbs, 'certificate body', 6);
  const spki = isContext(fields[0], 0) ? fields[6] : fields[5];
  if (spki === undefined) throw fail('malformed', 'certificate body: no public key');
  return spki;
}

/**
 * Reads an SM2 public key from SPKI (PEM "PUBLIC KEY" or DER) or from a certificate (PEM or DER).
 * Returns 65 bytes 04||x||y. A private key file is refused with a message saying so.
 */
export function readPublicKey(input: string | Uint8Array): Uint8Array {
  const text = textOf(input, 'public key');
  if (text !== undefined) {
    const blocks = decodePem(text, 'public key');
    const block = blocks.find((b) => b.label === 'PUBLIC KEY' || b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE');
    if (!block) {
      const other = blocks[0]!.label;
      if (/PRIVATE KEY/.test(other) && !/RSA|DSA/.test(other)) throw fail('notPublic', 'found a private key where a public key or certificate is expected');
      throw fail('notPublic', `found ${keyKindOfLabel(other)}, not an SM2 public key or certificate`);
    }
    return publicFromDer(block.der, block.label === 'PUBLIC KEY' ? 'spki' : 'cert');
  }
  return publicFromDer(input as Uint8Array, 'any');
}

function publicFromDer(der: Uint8Array, kind: 'spki' | 'cert' | 'any'): Uint8Array {
  const node = decodeDer(der, kind === 'cert' ? 'certificate' : 'public key');
  const children = readSequence(node, 'public key', 2);
  // SPKI is SEQUENCE { SEQUENCE alg, BIT STRING }; a certificate is SEQUENCE { SEQUENCE tbs, SEQUENCE alg, BIT STRING }.
  if (kind === 'spki' || (kind === 'any' && children.length === 2 && isUniversal(children[1], Tag.BITSTRING))) return decodeSpki(node);
  if (kind === 'any') {
    // PKCS#8 and SEC 1 start with an INTEGER; EncryptedPrivateKeyInfo is { SEQUENCE, OCTET STRING }.
    if (isUniversal(children[0], Tag.INTEGER) || (children.length === 2 && isUniversal(children[1], Tag.OCTETSTRING))) {
      throw fail('notPublic', 'found a private key where a public key or certificate is expected');
    }
    if (children.length !== 3) throw fail('malformed', 'public key: neither a public key (SPKI) nor a certificate');
  }
  return decodeSpki(spkiOfCertificate(node), 'certificate public key');
}

// --- private keys ---

/** ECPrivateKey (SEC 1) { 1, d, [0] params, [1] public key } for d (and its public key). */
function sec1Node(d: Uint8Array, publicKey: Uint8Array, withParams: boolean): Asn1 {
  return sequence(
    integer(1),
    octetString(d),
    withParams ? explicit(0, objectId(OID.sm2)) : undefined,
    explicit(1, bitString(publicKey)),
  );
}

/** Reads SEC 1 ECPrivateKey; checks any curve parameters and the embedded public key. */
function decodeSec1(node: Asn1, what: string): Uint8Array {
  const fields = readSequence(node, what, 2, 4);
  const version = readSmallInteger(fields[0], `${what} version`, 255);
  if (version !== 1) throw fail('malformed', `${what}: ECPrivateKey version ${version}, expected 1`);
  const d = fixedPrivate(readOctetString(fields[1], `${what} value`), what);
  let embedded: Uint8Array | undefined;
  for (const f of fields.slice(2)) {
    if (isContext(f, 0)) expectSm2Curve(readExplicit(f, 0, `${what} parameters`), what);
    else if (isContext(f, 1)) embedded = readBitStringBytes(readExplicit(f, 1, `${what} public key`), `${what} public key`);
    else throw fail('malformed', `${what}: unexpected field in ECPrivateKey`);
  }
  const derived = publicKeyFromPrivate(d);
  if (embedded !== undefined) {
    let ok = false;
    try {
      ok = equalBytes(encodePublicKey(parsePublicKey(embedded)), derived);
    } catch {
      ok = false;
    }
    if (!ok) throw fail('mismatch', `${what}: the embedded public key does not belong to the private key (damaged key?)`);
  }
  return d;
}

function fixedPrivate(raw: Uint8Array, what: string): Uint8Array {
  if (raw.length === 0 || raw.length > 33) throw fail('malformed', `${what}: private value of ${raw.length} bytes`);
  const d = fixed(raw, 32);
  try {
    privateScalar(d);
  } catch {
    throw fail('malformed', `${what}: private value out of range for SM2`);
  }
  return d;
}

/** PrivateKeyInfo / OneAsymmetricKey (PKCS#8, RFC 5958). */
function decodePkcs8(node: Asn1, what: string): Uint8Array {
  const fields = readSequence(node, what, 3, 5);
  const version = readSmallInteger(fields[0], `${what} version`, 255);
  if (version > 1) throw fail('malformed', `${what}: PKCS#8 version ${version}`);
  expectSm2Algorithm(fields[1]!, what);
  const inner = decodeDer(readOctetString(fields[2], `${what} data`), `${what} data`);
  return decodeSec1(inner, what);
}

/** PKCS#8 PrivateKeyInfo for d, exactly as OpenSSL 3 writes an SM2 key. */
function pkcs8Node(d: Uint8Array): Asn1 {
  const publicKey = publicKeyFromPrivate(d);
  return sequence(integer(0), sequence(objectId(OID.ecPublicKey), objectId(OID.sm2)), octetString(encodeDer(sec1Node(d, publicKey, false))));
}

// --- PBES2 (RFC 8018) ---

const PRF_DIGESTS: Readonly<Record<string, string>> = {
  [OID.hmacWithSha1]: 'sha1',
  [OID.hmacWithSha224]: 'sha224',
  [OID.hmacWithSha256]: 'sha256',
  [OID.hmacWithSha384]: 'sha384',
  [OID.hmacWithSha512]: 'sha512',
};

const CIPHERS: Readonly<Record<string, { name: string; keyLength: number; ivLength: number }>> = {
  [OID.aes128Cbc]: { name: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
  [OID.aes192Cbc]: { name: 'aes-192-cbc', keyLength: 24, ivLength: 16 },
  [OID.aes256Cbc]: { name: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
  [OID.desEde3Cbc]: { name: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
  [OID.sm4Cbc]: { name: 'sm4-cbc', keyLength: 16, ivLength: 16 },
};

function passphraseRequired(): InputError {
  return fail('passphraseRequired', 'the private key is encrypted: a passphrase is needed');
}

function wrongPassphrase(): InputError {
  return fail('wrongPassphrase', 'wrong passphrase for the encrypted private key (or the key is damaged)');
}

function decryptPkcs8(node: Asn1, passphrase: string | undefined, what: string): Uint8Array {
  const [alg, data] = readSequence(node, what, 2, 2);
  const [schemeOid, schemeParams] = readSequence(alg, `${what} encryption`, 1, 2);
  const scheme = readOid(schemeOid, `${what} encryption`);
  if (scheme !== OID.pbes2) {
    throw fail('unsupportedEncryption', `${what} is encrypted with ${oidName(scheme)}; only PBES2 is supported (re-encrypt with: openssl pkcs8 -topk8 -v2 aes-256-cbc)`);
  }
  const [kdf, enc] = readSequence(schemeParams, `${what} PBES2 parameters`, 2, 2);
  const [kdfOid, kdfParams] = readSequence(kdf, `${what} key derivation`, 2, 2);
  const kdfName = readOid(kdfOid, `${what} key derivation`);
  if (kdfName !== OID.pbkdf2) throw fail('unsupportedEncryption', `${what}: key derivation ${oidName(kdfName)} is not supported (PBKDF2 is)`);
  const p = readSequence(kdfParams, `${what} PBKDF2 parameters`, 2, 4);
  const salt = readOctetString(p[0], `${what} PBKDF2 salt`);
  const iterations = readSmallInteger(p[1], `${what} PBKDF2 iterations`, MAX_PBKDF2_ITERATIONS);
  if (iterations < 1) throw fail('malformed', `${what}: PBKDF2 iterations must be at least 1`);
  let keyLength: number | undefined;
  let digest = 'sha1'; // RFC 8018 default PRF
  for (const extra of p.slice(2)) {
    if (isUniversal(extra, Tag.INTEGER)) keyLength = readSmallInteger(extra, `${what} PBKDF2 key length`, 64);
    else {
      const [prfOid] = readSequence(extra, `${what} PBKDF2 PRF`, 1, 2);
      const prf = readOid(prfOid, `${what} PBKDF2 PRF`);
      const d = PRF_DIGESTS[prf];
      if (!d) throw fail('unsupportedEncryption', `${what}: PBKDF2 PRF ${oidName(prf)} is not supported`);
      digest = d;
    }
  }
  const [encOid, ivNode] = readSequence(enc, `${what} cipher`, 2, 2);
  const cipherOid = readOid(encOid, `${what} cipher`);
  const cipher = CIPHERS[cipherOid];
  if (!cipher || !getCiphers().includes(cipher.name)) throw fail('unsupportedEncryption', `${what}: cipher ${oidName(cipherOid)} is not supported here`);
  const iv = readOctetString(ivNode, `${what} cipher IV`);
  if (iv.length !== cipher.ivLength) throw fail('malformed', `${what}: IV of ${iv.length} bytes for ${cipher.name}`);
  if (keyLength !== undefined && keyLength !== cipher.keyLength) throw fail('malformed', `${what}: key length ${keyLength} does not fit ${cipher.name}`);
  const ciphertext = readOctetString(data, `${what} encrypted data`);
  if (passphrase === undefined) throw passphraseRequired();

  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, cipher.keyLength, digest);
  let plain: Uint8Array;
  try {
    const decipher = createDecipheriv(cipher.name, key, iv);
    plain = concatBytes(decipher.update(ciphertext), decipher.final());
  } catch {
    throw wrongPassphrase();
  }
  try {
    return decodePkcs8(decodeDer(plain, what), what);
  } catch (err) {
    // CBC padding passes by chance about once in 256 wrong passphrases; the content then makes no sense.
    if (err instanceof InputError && err.code === 'keys.notSm2') throw err;
    throw wrongPassphrase();
  }
}

function encryptPkcs8(plain: Uint8Array, passphrase: string, iterations: number): Uint8Array {
  if (passphrase.length === 0) throw fail('passphrase', 'the passphrase is empty');
  if (!Number.isInteger(iterations) || iterations < 1000 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be from 1000 to ${MAX_PBKDF2_ITERATIONS}`);
  }
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = concatBytes(cipher.update(plain), cipher.final());
  const alg = sequence(
    objectId(OID.pbes2),
    sequence(
      sequence(objectId(OID.pbkdf2), sequence(octetString(salt), integer(iterations), sequence(objectId(OID.hmacWithSha256), nullValue()))),
      sequence(objectId(OID.aes256Cbc), octetString(iv)),
    ),
  );
  return encodeDer(sequence(alg, octetString(ciphertext)));
}

/** OpenSSL's legacy PEM encryption (Proc-Type: 4,ENCRYPTED): key = EVP_BytesToKey(MD5, salt = IV[0..8]). */
function decryptLegacyPem(block: PemBlock, passphrase: string | undefined, what: string): Uint8Array {
  const info = /^([A-Z0-9-]+),([0-9A-Fa-f]+)$/.exec(block.headers['DEK-Info'] ?? '');
  if (!info) throw fail('malformed', `${what}: encrypted PEM without a usable DEK-Info header`);
  const name = info[1]!.toLowerCase();
  const sizes: Record<string, number> = { 'aes-128-cbc': 16, 'aes-192-cbc': 24, 'aes-256-cbc': 32, 'des-ede3-cbc': 24 };
  const keyLength = sizes[name];
  if (keyLength === undefined || !getCiphers().includes(name)) throw fail('unsupportedEncryption', `${what}: PEM cipher ${info[1]} is not supported`);
  if (passphrase === undefined) throw passphraseRequired();
  const iv = Buffer.from(info[2]!, 'hex');
  const salt = iv.subarray(0, 8);
  const parts: Uint8Array[] = [];
  let prev = new Uint8Array(0);
  let have = 0;
  while (have < keyLength) {
    prev = new Uint8Array(createHash('md5').update(prev).update(passphrase, 'utf8').update(salt).digest());
    parts.push(prev);
    have += prev.length;
  }
  const key = concatBytes(...parts).subarray(0, keyLength);
  let plain: Uint8Array;
  try {
    const decipher = createDecipheriv(name, key, iv);
    plain = concatBytes(decipher.update(block.der), decipher.final());
  } catch {
    throw wrongPassphrase();
  }
  try {
    return decodeSec1(decodeDer(plain, what), what);
  } catch {
    throw wrongPassphrase();
  }
}

/** Reads whichever private-key structure `der` holds: PKCS#8, encrypted PKCS#8 or SEC 1. */
function privateFromDer(der: Uint8Array, passphrase: string | undefined, what: string): Uint8Array {
  const node = decodeDer(der, what);
  const children = readSequence(node, what, 2);
  if (isUniversal(children[0], Tag.SEQUENCE)) {
    if (isUniversal(children[1], Tag.BITSTRING)) throw fail('notPrivate', 'found a public key where a private key is expected');
    if (children.length === 3 && isUniversal(children[2], Tag.BITSTRING)) throw fail('notPrivate', 'found a certificate where a private key is expected');
    return decryptPkcs8(node, passphrase, what);
  }
  if (isUniversal(children[0], Tag.INTEGER)) {
    if (isUniversal(children[1], Tag.SEQUENCE)) return decodePkcs8(node, what);
    if (isUniversal(children[1], Tag.OCTETSTRING)) return decodeSec1(node, what);
    if (isUniversal(children[1], Tag.INTEGER)) throw fail('notSm2', `${what} is an RSA or DSA key, not SM2`);
  }
  throw fail('malformed', `${what}: not a PKCS#8, encrypted PKCS#8 or SEC 1 private key`);
}

/**
 * Reads an SM2 private key: PEM ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY", "SM2 PRIVATE
 * KEY", legacy encrypted PEM) or DER (PKCS#8, encrypted PKCS#8, SEC 1). Returns the 32-byte d.
 * Throws InputError with code keys.passphraseRequired / keys.wrongPassphrase for encrypted keys.
 */
export function readPrivateKey(input: string | Uint8Array, passphrase?: string): Uint8Array {
  const what = 'private key';
  const text = textOf(input, what);
  if (text === undefined) return privateFromDer(input as Uint8Array, passphrase, what);
  const blocks = decodePem(text, what);
  const block = blocks.find((b) => /^(|ENCRYPTED |EC |SM2 )PRIVATE KEY$/.test(b.label));
  if (!block) {
    const other = blocks.find((b) => b.label !== 'EC PARAMETERS' && b.label !== 'SM2 PARAMETERS') ?? blocks[0]!;
    throw fail(/PRIVATE KEY/.test(other.label) ? 'notSm2' : 'notPrivate', `found ${keyKindOfLabel(other.label)} where an SM2 private key is expected`);
  }
  if (block.headers['Proc-Type']?.includes('ENCRYPTED')) return decryptLegacyPem(block, passphrase, what);
  if (block.label === 'ENCRYPTED PRIVATE KEY') return decryptPkcs8(decodeDer(block.der, what), passphrase, what);
  if (block.label === 'PRIVATE KEY') return decodePkcs8(decodeDer(block.der, what), what);
  return decodeSec1(decodeDer(block.der, what), what);
}

/** True when the private key in `input` needs a passphrase (encrypted PKCS#8 or legacy encrypted PEM). */
export function isEncryptedPrivateKey(input: string | Uint8Array): boolean {
  try {
    readPrivateKey(input);
    return false;
  } catch (err) {
    return err instanceof InputError && err.code === 'keys.passphraseRequired';
  }
}

/**
 * Reads a key file that may hold either a private key or a public key (or a certificate): for commands
 * that need only the public half but accept either.
 */
export function readKey(input: string | Uint8Array, passphrase?: string): KeyMaterial {
  try {
    const privateKey = readPrivateKey(input, passphrase);
    return { privateKey, publicKey: publicKeyFromPrivate(privateKey) };
  } catch (err) {
    if (!(err instanceof InputError) || err.code !== 'keys.notPrivate') throw err;
  }
  return { publicKey: readPublicKey(input) };
}

/** PKCS#8 DER; EncryptedPrivateKeyInfo (PBES2) when a passphrase is given. */
export function privateKeyToDer(privateKey: Uint8Array, options: PrivateKeyWriteOptions = {}): Uint8Array {
  privateScalar(privateKey);
  const plain = encodeDer(pkcs8Node(privateKey));
  if (options.passphrase === undefined) return plain;
  return encryptPkcs8(plain, options.passphrase, options.iterations ?? DEFAULT_PBKDF2_ITERATIONS);
}

/** PKCS#8 PEM ("PRIVATE KEY"), or "ENCRYPTED PRIVATE KEY" when a passphrase is given. */
export function privateKeyToPem(privateKey: Uint8Array, options: PrivateKeyWriteOptions = {}): string {
  return encodePem(options.passphrase === undefined ? 'PRIVATE KEY' : 'ENCRYPTED PRIVATE KEY', privateKeyToDer(privateKey, options));
}

/** SHA-1 of the public key bits (RFC 5280 §4.2.1.2 method 1), as OpenSSL computes subjectKeyIdentifier. */
export function keyIdentifier(publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(encodePublicKey(parsePublicKey(publicKey))).digest());
}

