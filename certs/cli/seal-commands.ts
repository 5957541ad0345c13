/**
 * `tongban certs seal create` and `tongban certs seal show`: make a GB/T 38540 seal from the maker's
 * key and certificate and the signers' certificates, and show what a seal file holds.
 */
import { booleanOption, integerOption, stringOption, stringsOption, writeJson, type Command, type CommandContext } from '../../base/cli.js';
import { ExitCode, InputError, UsageError, messageOf } from '../../base/errors.js';
import { readPrivateKey } from '../keys.js';
import { createSeal, drawnPicture, parseSeal, renderSealPng, verifySeal, type Seal, type SealVerdict } from '../seal/index.js';
import { parseCertificate, parseCertificates, type Certificate } from '../x509.js';
import { inFile, readInputFile, readPassphraseFile, writeOutputFile } from './files.js';

const DAY_MS = 86_400_000;

/** Reads a private key file, asking for a passphrase file when it is encrypted. */
function loadKey(ctx: CommandContext, path: string, passphraseFile: string | undefined, option: string): Uint8Array {
  const bytes = readInputFile(ctx, path);
  const passphrase = passphraseFile === undefined ? undefined : readPassphraseFile(ctx, passphraseFile);
  try {
    return inFile(path, () => readPrivateKey(bytes, passphrase));
  } catch (err) {
    if (err instanceof InputError && err.code === 'keys.passphraseRequired') throw new InputError(err.code, `${err.message} (give ${option} FILE)`);
    throw err;
  }
}

const SEAL_TYPES: Readonly<Record<number, string>> = { 1: 'organisation seal (单位印章)', 2: 'personal seal (个人印章)' };

function iso(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, 'Z');
}

/** The picture of a seal as a file: PNG when FILE ends in .png (an SVG picture is rendered), else as stored. */
function pictureFile(seal: Pick<Seal, 'picture'>, file: string, dpi: number): Uint8Array {
  const type = seal.picture.type.toUpperCase();
  if (/\.png$/i.test(file)) {
    if (type === 'PNG') return seal.picture.data;
    if (type === 'SVG') return renderSealPng(Buffer.from(seal.picture.data).toString('utf8'), { dpi });
    throw new InputError('seal.picture', `the seal's picture is ${seal.picture.type}; it cannot be written as PNG (write it to a .${seal.picture.type.toLowerCase()} file)`);
  }
  return seal.picture.data;
}

export const sealCreateCommand: Command = {
  name: 'create',
  summary: 'make a GB/T 38540 electronic seal (SESeal DER) signed by the seal maker',
  usage:
    '--maker-key K.pem --maker-cert C.pem --signer-cert S.pem --name NAME --out SEAL.der [--type N] [--purpose TEXT] [--organisation TEXT] [--valid-days N] [--esid ID] [--picture-out SEAL.png]',
  description: `The seal lists the signer certificates that may use it (--signer-cert, repeatable), is valid
from now for --valid-days (default 1095), and carries the red round seal drawn by tongban as its
picture (SVG, at its real size): --organisation along the upper arc (default: the seal's name), --purpose
below the star (default 电子印章专用; "" for none), --code along the lower arc.`,
  options: {
    'maker-key': { type: 'string', valueName: 'K.pem', description: "the seal maker's SM2 private key (PEM or DER)" },
    'maker-passphrase-file': { type: 'string', valueName: 'F', description: 'passphrase of an encrypted --maker-key (first line of F)' },
    'maker-cert': { type: 'string', valueName: 'C.pem', description: "the seal maker's certificate" },
    'signer-cert': { type: 'string', valueName: 'S.pem', multiple: true, description: 'a certificate of a signer who may use the seal (a PEM file may hold several)' },
    name: { type: 'string', valueName: 'NAME', description: "the seal's name (印章名称)" },
    out: { type: 'string', valueName: 'SEAL.der', description: 'where to write the seal (DER)' },
    type: { type: 'string', valueName: 'N', description: 'seal type: 1 organisation (default), 2 personal' },
    purpose: { type: 'string', valueName: 'TEXT', description: 'the line below the star (default 电子印章专用)' },
    organisation: { type: 'string', valueName: 'TEXT', description: 'the text along the upper arc (default: the name)' },
    code: { type: 'string', valueName: 'TEXT', description: 'a code along the lower arc (e.g. the 13-digit seal code)' },
    'diameter-mm': { type: 'string', valueName: 'MM', description: 'the seal picture\'s diameter (default 42)' },
    'valid-days': { type: 'string', valueName: 'N', description: 'days the seal is valid from now (default 1095)' },
    esid: { type: 'string', valueName: 'ID', description: "the seal's unique code (default: region + date + random digits)" },
    region: { type: 'string', valueName: 'CODE', description: 'the 6-digit region code for the default esID (default 000000)' },
    'picture-out': { type: 'string', valueName: 'SEAL.png', description: "also write the seal's picture (PNG when the name ends in .png, else SVG)" },
    dpi: { type: 'string', valueName: 'N', description: 'resolution of --picture-out PNG (default 300)' },
    json: { type: 'boolean', description: 'report as JSON' },
  },
  run(args, ctx) {
    const makerKeyFile = stringOption(args, 'maker-key', true);
    const makerCertFile = stringOption(args, 'maker-cert', true);
    const signerFiles = stringsOption(args, 'signer-cert');
    if (signerFiles.length === 0) throw new UsageError('missing required option --signer-cert', 'usage.missingOption');
    const name = stringOption(args, 'name', true);
    const out = stringOption(args, 'out', true);
    const type = integerOption(args, 'type', 1, 255) ?? 1;
    const days = integerOption(args, 'valid-days', 1, 36_500) ?? 1095;
    const diameterMm = integerOption(args, 'diameter-mm', 20, 100) ?? 42;
    const dpi = integerOption(args, 'dpi', 36, 2400) ?? 300;
    if (!name.trim()) throw new UsageError('--name must not be empty', 'usage.badValue');

    const makerKey = loadKey(ctx, makerKeyFile, stringOption(args, 'maker-passphrase-file'), '--maker-passphrase-file');
    const makerCert = inFile(makerCertFile, () => parseCertificate(readInputFile(ctx, makerCertFile)));
    const signerCerts: Certificate[] = signerFiles.flatMap((f) => inFile(f, () => parseCertificates(readInputFile(ctx, f))));
    const purpose = stringOption(args, 'purpose') ?? '电子印章专用';
    const code = stringOption(args, 'code');
    const drawing = { organisation: stringOption(args, 'organisation') ?? name, diameterMm, ...(purpose ? { purpose } : {}), ...(code ? { code } : {}) };
    const now = new Date();
    const esID = stringOption(args, 'esid');
    const region = stringOption(args, 'region');
    const der = createSeal({
      makerKey,
      makerCert,
      signerCerts,
      name,
      type,
      createDate: now,
      validEnd: new Date(now.getTime() + days * DAY_MS),
      picture: drawnPicture(drawing),
      ...(esID !== undefined ? { esID } : {}),
      ...(region !== undefined ? { region } : {}),
    });
    const seal = parseSeal(der);
    writeOutputFile(ctx, out, der);
    const pictureOut = stringOption(args, 'picture-out');
    if (pictureOut) writeOutputFile(ctx, pictureOut, pictureFile(seal, pictureOut, dpi));
    if (booleanOption(args, 'json')) {
      writeJson(ctx, { file: out, ...describeSeal(seal, verifySeal(seal, { at: now })), ...(pictureOut ? { pictureFile: pictureOut } : {}) });
    } else {
      ctx.stdout.write(
        `seal written: ${out}\n  name: ${seal.property.name}\n  esID: ${seal.esID}\n  valid: ${iso(seal.property.validStart)} to ${iso(seal.property.validEnd)}\n` +
          `  signers: ${signerCerts.length}\n` +
          (pictureOut ? `  picture: ${pictureOut}\n` : ''),
      );
    }
    return Promise.resolve(ExitCode.ok);
  },
};

interface CertSummary {
  subject: string;
  issuer?: string;
  serial?: string;
  notBefore?: string;
  notAfter?: string;
  error?: string;
}

function certSummary(der: Uint8Array): CertSummary {
  try {
    const c = parseCertificate(der);
    return { subject: c.subjectString, issuer: c.issuerString, serial: c.serialHex, notBefore: iso(c.notBefore), notAfter: iso(c.notAfter) };
  } catch (err) {
    return { subject: '(unreadable certificate)', error: messageOf(err) };
  }
}

function describeSeal(seal: Seal, verdict: SealVerdict) {
  return {
    layout: seal.layout,
    version: seal.header.version,
    vid: seal.header.vid,
    name: seal.property.name,
    esID: seal.esID,
    type: seal.property.type,
    typeName: SEAL_TYPES[seal.property.type] ?? 'vendor-defined',
    createDate: iso(seal.property.createDate),
    validStart: iso(seal.property.validStart),
    validEnd: iso(seal.property.validEnd),
    period: verdict.period,
    maker: certSummary(seal.makerCert),
    makerSignatureValid: verdict.makerSignatureValid,
    ...(verdict.makerTrusted === undefined ? {} : { makerTrusted: verdict.makerTrusted }),
    certListType: seal.property.certListType,
    signers: seal.property.certs.map(certSummary),
    signerDigests: seal.property.certDigests.map((d) => ({ type: d.type, value: Buffer.from(d.value).toString('hex') })),
    picture: { type: seal.picture.type, widthMm: seal.picture.widthMm, heightMm: seal.picture.heightMm, bytes: seal.picture.data.length },
    extensions: seal.extDatas.map((e) => ({ id: e.extnID, critical: e.critical, bytes: e.extnValue.length })),
    reasons: verdict.reasons,
  };
}

export const sealShowCommand: Command = {
  name: 'show',
  summary: 'show what a seal file holds and check its maker signature',
  usage: 'SEAL.der [--json] [--picture-out FILE] [--trust CA.pem ...]',
  description: `Reads GB/T 38540-2020 (v4) and GM/T 0031-2014 seals. Exit 0 when the seal is readable and the
maker's signature holds (and, with --trust, the maker's certificate chains to a trusted root); 1 when
not; 2 when the file is not a seal. The validity period is shown, judged now (or at --at).`,
  positionals: [1, 1],
  options: {
    json: { type: 'boolean', description: 'report as JSON' },
    'picture-out': { type: 'string', valueName: 'FILE', description: "write the seal's picture (PNG when FILE ends in .png, else as stored)" },
    dpi: { type: 'string', valueName: 'N', description: 'resolution of a PNG picture rendered from SVG (default 300)' },
    trust: { type: 'string', valueName: 'CA.pem', multiple: true, description: "trusted root certificate(s) for the maker's certificate" },
    at: { type: 'string', valueName: 'TIME', description: 'judge the validity period at this ISO time (default now)' },
  },
  run(args, ctx) {
    const file = args.positionals[0]!;
    const dpi = integerOption(args, 'dpi', 36, 2400) ?? 300;
    const atText = stringOption(args, 'at');
    const at = atText === undefined ? new Date() : new Date(atText);
    if (Number.isNaN(at.getTime())) throw new UsageError(`--at takes an ISO time such as 2026-01-01T00:00:00Z, not "${atText}"`, 'usage.badValue');
    const trustFiles = stringsOption(args, 'trust');
    const trusted = trustFiles.flatMap((f) => inFile(f, () => parseCertificates(readInputFile(ctx, f))));
    const seal = inFile(file, () => parseSeal(readInputFile(ctx, file)));
    const verdict = verifySeal(seal, { at, ...(trusted.length ? { trusted } : {}) });
    const pictureOut = stringOption(args, 'picture-out');
    if (pictureOut) writeOutputFile(ctx, pictureOut, pictureFile(seal, pictureOut, dpi));
    const info = describeSeal(seal, verdict);
    if (booleanOption(args, 'json')) {
      writeJson(ctx, { file, ...info, ...(pictureOut ? { pictureFile: pictureOut } : {}) });
    } else {
      const yes = (b: boolean): string => (b ? 'yes' : 'NO');
      const lines = [
        `seal: ${file}`,
        `  name:       ${info.name}`,
        `  esID:       ${info.esID}`,
        `  type:       ${info.type} (${info.typeName})`,
        `  layout:     ${info.layout}, header version ${info.version}, vendor ${info.vid}`,
        `  valid:      ${info.validStart} to ${info.validEnd} (${info.period} at ${iso(new Date(Math.floor(at.getTime() / 1000) * 1000))})`,
        `  made:       ${info.createDate}`,
        `  maker:      ${info.maker.subject}`,
        `  maker signature valid: ${yes(info.makerSignatureValid)}`,
        ...(info.makerTrusted === undefined ? [] : [`  maker trusted: ${yes(info.makerTrusted)}`]),
        `  signers (${info.signers.length + info.signerDigests.length}):`,
        ...info.signers.map((s) => `    ${s.subject}${s.notAfter ? ` (valid ${s.notBefore} to ${s.notAfter})` : ''}`),
        ...info.signerDigests.map((d) => `    ${d.type} digest ${d.value}`),
        `  picture:    ${info.picture.type}, ${info.picture.widthMm} x ${info.picture.heightMm} mm, ${info.picture.bytes} bytes${pictureOut ? ` -> ${pictureOut}` : ''}`,
        ...verdict.reasons.map((r) => `  ! ${r}`),
      ];
      ctx.stdout.write(lines.join('\n') + '\n');
    }
    const ok = verdict.makerSignatureValid && verdict.makerTrusted !== false;
    return Promise.resolve(ok ? ExitCode.ok : ExitCode.negative);
  },
};

/** The `seal` command group; `more` adds subcommands other parts define (e.g. `seal add` for PDFs). */
export function sealCommand(more: readonly Command[] = []): Command {
  const subcommands = [sealCreateCommand, sealShowCommand, ...more];
  return { name: 'seal', summary: `electronic seals (GB/T 38540): ${subcommands.map((c) => c.name).join(', ')}`, subcommands };
}
