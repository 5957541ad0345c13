/**
 * `tongban certs keygen | cert | sign | verify-sig`: SM2 keys, certificates and raw signatures from the
 * command line, in the file formats OpenSSL uses (PKCS#8 / SPKI / X.509 PEM, DER signatures), so every
 * result can be checked with `openssl ... distid:1234567812345678`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { booleanOption, integerOption, stringOption, writeJson, type Command, type CommandContext, type ParsedArgs } from '../../base/cli.js';
import { ExitCode, InputError, UsageError } from '../../base/errors.js';
import { bytesToHex } from '../bytes.js';
import { privateKeyToPem, publicKeyToPem, readKey, readPrivateKey, readPublicKey } from '../keys.js';
import { DEFAULT_SM2_ID, generateKeyPair, sign, verifyDetailed } from '../sm2.js';
import { certificateToPem, issueCertificate, KEY_USAGES, parseCertificate, type Certificate, type KeyUsage } from '../x509.js';
import { inFile, readInputFile, readPassphraseFile, writeOutputFile } from './files.js';

const PASSPHRASE_HINT = 'give --passphrase-file FILE';

/** Reads a private key file, asking for --passphrase-file when it is encrypted. */
function loadPrivateKey(ctx: CommandContext, path: string, passphraseFile: string | undefined, option = '--passphrase-file'): Uint8Array {
  const bytes = readInputFile(ctx, path);
  const passphrase = passphraseFile === undefined ? undefined : readPassphraseFile(ctx, passphraseFile);
  try {
    return inFile(path, () => readPrivateKey(bytes, passphrase));
  } catch (err) {
    if (err instanceof InputError && err.code === 'keys.passphraseRequired') {
      throw new InputError(err.code, `${err.message} (${PASSPHRASE_HINT.replace('--passphrase-file', option)})`);
    }
    throw err;
  }
}

function loadCertificate(ctx: CommandContext, path: string): Certificate {
  const bytes = readInputFile(ctx, path);
  return inFile(path, () => parseCertificate(bytes));
}

function refuseOverwrite(ctx: CommandContext, path: string, force: boolean): void {
  if (!force && existsSync(resolve(ctx.cwd, path))) {
    throw new UsageError(`${path} exists; remove it or pass --force to overwrite a key`, 'usage.exists');
  }
}

function when(d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'generate an SM2 key pair (PKCS#8 private key, SPKI public key, PEM)',
  usage: '--out KEY.pem [--pub PUB.pem] [--passphrase-file F]',
  description: `The private key is written with mode 0600; with --passphrase-file it is encrypted (PBES2:
PBKDF2-HMAC-SHA256, AES-256-CBC) under the file's first line, and OpenSSL opens it with -passin.`,
  options: {
    out: { type: 'string', valueName: 'KEY.pem', description: 'where to write the private key' },
    pub: { type: 'string', valueName: 'PUB.pem', description: 'also write the public key here' },
    'passphrase-file': { type: 'string', valueName: 'F', description: 'encrypt the private key under the first line of F' },
    force: { type: 'boolean', description: 'overwrite an existing key file' },
  },
  run(args, ctx) {
    const out = stringOption(args, 'out', true);
    const pub = stringOption(args, 'pub');
    const passFile = stringOption(args, 'passphrase-file');
    refuseOverwrite(ctx, out, booleanOption(args, 'force'));
    const passphrase = passFile === undefined ? undefined : readPassphraseFile(ctx, passFile);
    const kp = generateKeyPair();
    writeOutputFile(ctx, out, privateKeyToPem(kp.privateKey, passphrase === undefined ? {} : { passphrase }), { secret: true });
    if (pub !== undefined) writeOutputFile(ctx, pub, publicKeyToPem(kp.publicKey));
    ctx.stdout.write(`SM2 private key${passphrase === undefined ? '' : ' (encrypted)'} written to ${out}${pub === undefined ? '' : `, public key to ${pub}`}\n`);
    return Promise.resolve(ExitCode.ok);
  },
};

function parseKeyUsage(raw: string | undefined): KeyUsage[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const u of list) {
    if (!(KEY_USAGES as readonly string[]).includes(u)) throw new UsageError(`--key-usage: unknown usage "${u}" (known: ${KEY_USAGES.join(', ')})`, 'usage.badValue');
  }
  if (list.length === 0) throw new UsageError('--key-usage is empty', 'usage.badValue');
  return list as KeyUsage[];
}

/** A certificate as JSON: what `cert --json` prints. */
export function certificateJson(cert: Certificate): Record<string, unknown> {
  return {
    subject: cert.subjectString,
    issuer: cert.issuerString,
    serial: cert.serialHex,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    isCa: cert.isCa,
    keyUsage: cert.keyUsage,
    publicKey: bytesToHex(cert.publicKey),
  };
}

export const certCommand: Command = {
  name: 'cert',
  summary: 'issue an SM2 X.509 certificate (self-signed when no CA is given)',
  usage: '--key KEY.pem --subject "CN=...,O=..." [--ca-key CAKEY.pem --ca-cert CA.pem] [--days N] [--ca] --out CERT.pem',
  description: `--subject is most specific first: "CN=亳州市不动产登记中心,O=...,L=亳州市,ST=安徽省,C=CN" (escape a
comma in a value as \\,). A self-signed certificate is a root CA unless --leaf is given; a certificate a CA
issues is a signer certificate (digitalSignature, nonRepudiation) unless --ca is given. With a CA, --key
may be the subject's public key. Signed with SM2-with-SM3 and the ID 1234567812345678, as
\`openssl verify -vfyopt distid:1234567812345678\` checks.`,
  options: {
    key: { type: 'string', valueName: 'KEY.pem', description: "the subject's key (private; or public when a CA issues)" },
    subject: { type: 'string', valueName: 'DN', description: 'subject name, e.g. "CN=...,O=...,C=CN"' },
    'ca-key': { type: 'string', valueName: 'CAKEY.pem', description: "the CA's private key" },
    'ca-cert': { type: 'string', valueName: 'CA.pem', description: "the CA's certificate" },
    days: { type: 'string', valueName: 'N', description: 'validity in days (default 3650 for a CA, 365 otherwise)' },
    ca: { type: 'boolean', description: 'make a CA certificate (basicConstraints cA, keyCertSign, cRLSign)' },
    leaf: { type: 'boolean', description: 'make a self-signed certificate that is not a CA' },
    'key-usage': { type: 'string', valueName: 'LIST', description: `comma-separated key usages (${KEY_USAGES.join(', ')})` },
    'passphrase-file': { type: 'string', valueName: 'F', description: 'passphrase of an encrypted --key' },
    'ca-passphrase-file': { type: 'string', valueName: 'F', description: 'passphrase of an encrypted --ca-key' },
    out: { type: 'string', valueName: 'CERT.pem', description: 'where to write the certificate (PEM)' },
    json: { type: 'boolean', description: 'print the certificate as JSON' },
  },
  run(args, ctx) {
    const keyPath = stringOption(args, 'key', true);
    const subject = stringOption(args, 'subject', true);
    const out = stringOption(args, 'out', true);
    const caKeyPath = stringOption(args, 'ca-key');
    const caCertPath = stringOption(args, 'ca-cert');
    if ((caKeyPath === undefined) !== (caCertPath === undefined)) throw new UsageError('--ca-key and --ca-cert go together', 'usage.badOption');
    if (booleanOption(args, 'ca') && booleanOption(args, 'leaf')) throw new UsageError('--ca and --leaf exclude each other', 'usage.badOption');
    const days = integerOption(args, 'days', 1, 36500);
    const keyUsage = parseKeyUsage(stringOption(args, 'key-usage'));

    const keyBytes = readInputFile(ctx, keyPath);
    const passFile = stringOption(args, 'passphrase-file');
    const passphrase = passFile === undefined ? undefined : readPassphraseFile(ctx, passFile);
    const key = inFile(keyPath, () => {
      try {
        return readKey(keyBytes, passphrase);
      } catch (err) {
        if (err instanceof InputError && err.code === 'keys.passphraseRequired') throw new InputError(err.code, `${err.message} (${PASSPHRASE_HINT})`);
        throw err;
      }
    });
    let issuerKey: Uint8Array;
    let issuerCert: Certificate | undefined;
    if (caKeyPath !== undefined && caCertPath !== undefined) {
      issuerCert = loadCertificate(ctx, caCertPath);
      issuerKey = loadPrivateKey(ctx, caKeyPath, stringOption(args, 'ca-passphrase-file'), '--ca-passphrase-file');
    } else {
      if (!key.privateKey) throw new InputError('keys.notPrivate', `${keyPath}: holds only a public key; a self-signed certificate needs the private key`);
      issuerKey = key.privateKey;
    }
    const isCa = booleanOption(args, 'ca') ? true : booleanOption(args, 'leaf') ? false : undefined;
    const cert = issueCertificate({
      subject,
      publicKey: key.publicKey,
      issuerKey,
      ...(issuerCert ? { issuerCert } : {}),
      ...(days !== undefined ? { days } : {}),
      ...(isCa !== undefined ? { isCa } : {}),
      ...(keyUsage ? { keyUsage } : {}),
    });
    writeOutputFile(ctx, out, certificateToPem(cert));
    if (booleanOption(args, 'json')) writeJson(ctx, { file: out, ...certificateJson(cert) });
    else {
      const kind = cert.isCa ? 'CA certificate' : 'certificate';
      const by = issuerCert ? `issued by ${cert.issuerString}` : 'self-signed';
      ctx.stdout.write(`${kind} ${cert.subjectString} (${by}, serial ${cert.serialHex}, valid until ${when(cert.notAfter)}) written to ${out}\n`);
    }
    return Promise.resolve(ExitCode.ok);
  },
};

function signerId(args: ParsedArgs): string {
  const id = stringOption(args, 'id') ?? DEFAULT_SM2_ID;
  if (id.length === 0) throw new UsageError('--id is empty', 'usage.badValue');
  return id;
}

export const signCommand: Command = {
  name: 'sign',
  summary: 'sign a file with SM2 (SM3, DER signature)',
  usage: '--key KEY.pem --in FILE --out SIG.der [--id ID]',
  description: `The signature is DER SEQUENCE { r, s } over SM3(Z_A || FILE), Z_A with the signer ID (default
1234567812345678). OpenSSL checks it with:
  openssl dgst -sm3 -verify PUB.pem -sigopt distid:ID -signature SIG.der FILE`,
  options: {
    key: { type: 'string', valueName: 'KEY.pem', description: 'the private key' },
    in: { type: 'string', valueName: 'FILE', description: 'the file to sign' },
    out: { type: 'string', valueName: 'SIG.der', description: 'where to write the signature' },
    id: { type: 'string', valueName: 'ID', description: `signer ID (default ${DEFAULT_SM2_ID})` },
    'passphrase-file': { type: 'string', valueName: 'F', description: 'passphrase of an encrypted key' },
  },
  run(args, ctx) {
    const keyPath = stringOption(args, 'key', true);
    const inPath = stringOption(args, 'in', true);
    const out = stringOption(args, 'out', true);
    const id = signerId(args);
    const key = loadPrivateKey(ctx, keyPath, stringOption(args, 'passphrase-file'));
    const message = readInputFile(ctx, inPath);
    writeOutputFile(ctx, out, sign(key, message, { id }));
    ctx.stdout.write(`signature of ${inPath} written to ${out}\n`);
    return Promise.resolve(ExitCode.ok);
  },
};

export const verifySigCommand: Command = {
  name: 'verify-sig',
  summary: 'verify an SM2 signature of a file (exit 0 valid, 1 invalid, 2 unreadable)',
  usage: '(--pub PUB.pem | --cert CERT.pem) --in FILE --sig SIG.der [--id ID] [--json]',
  description: `Checks the signature only: with --cert the certificate's public key is used, but the
certificate itself is not checked (validity, chain); use \`tongban certs verify\` for sealed documents.`,
  options: {
    pub: { type: 'string', valueName: 'PUB.pem', description: "the signer's public key (SPKI PEM or DER)" },
    cert: { type: 'string', valueName: 'CERT.pem', description: "the signer's certificate (PEM or DER)" },
    in: { type: 'string', valueName: 'FILE', description: 'the signed file' },
    sig: { type: 'string', valueName: 'SIG.der', description: 'the DER signature' },
    id: { type: 'string', valueName: 'ID', description: `signer ID (default ${DEFAULT_SM2_ID})` },
    json: { type: 'boolean', description: 'print the verdict as JSON' },
  },
  run(args, ctx) {
    const pubPath = stringOption(args, 'pub');
    const certPath = stringOption(args, 'cert');
    if ((pubPath === undefined) === (certPath === undefined)) throw new UsageError('give exactly one of --pub and --cert', 'usage.badOption');
    const inPath = stringOption(args, 'in', true);
    const sigPath = stringOption(args, 'sig', true);
    const id = signerId(args);
    let publicKey: Uint8Array;
    let signer: string | undefined;
    if (certPath !== undefined) {
      const cert = loadCertificate(ctx, certPath);
      publicKey = cert.publicKey;
      signer = cert.subjectString;
    } else {
      const bytes = readInputFile(ctx, pubPath!);
      publicKey = inFile(pubPath!, () => readPublicKey(bytes));
    }
    const message = readInputFile(ctx, inPath);
    const signature = readInputFile(ctx, sigPath);
    const verdict = inFile(sigPath, () => verifyDetailed(publicKey, message, signature, { id }));
    if (booleanOption(args, 'json')) {
      writeJson(ctx, {
        valid: verdict.valid,
        ...(verdict.valid ? {} : { reason: verdict.reason }),
        ...(signer !== undefined ? { signer } : {}),
        publicKey: bytesToHex(publicKey),
        id,
      });
    } else {
      const who = signer === undefined ? '' : ` (signer ${signer})`;
      ctx.stdout.write(verdict.valid ? `signature valid${who}\n` : `signature invalid: ${verdict.reason}${who}\n`);
    }
    return Promise.resolve(verdict.valid ? ExitCode.ok : ExitCode.negative);
  },
};
