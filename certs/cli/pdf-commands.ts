/**
 * Sealed PDFs on the command line:
 *   tongban certs issue     render a certificate from a template and seal it
 *   tongban certs seal add  add another department's seal (incremental update; earlier seals stay valid)
 *   tongban certs verify    check every seal of a PDF: exit 0 all valid and trusted, 1 not, 2 unreadable
 */
import { booleanOption, integerOption, stringOption, stringsOption, writeJson, type Command, type CommandContext, type ParsedArgs } from '../../base/cli.js';
import { ExitCode, InputError, UsageError, messageOf } from '../../base/errors.js';
import { readPrivateKey } from '../keys.js';
import { parseSeal } from '../seal/index.js';
import { parseCertificate, parseCertificates, type Certificate } from '../x509.js';
import { PT_PER_MM, sealAppearance } from '../pdf/sign-appearance.js';
import { issueSealedDocument } from '../pdf/sign-issue.js';
import { validateData } from '../pdf/templates/index.js';
import { defaultPlacement, pdfPageSizes, sealPdf, type Placement } from '../pdf/sign.js';
import { verifyPdf, type PdfSignatureReport, type PdfVerification } from '../pdf/verify.js';
import { inFile, readInputFile, readPassphraseFile, writeOutputFile } from './files.js';

// --- shared ---

const SIGNER_OPTIONS = {
  seal: { type: 'string', valueName: 'SEAL.der', description: 'the seal (GB/T 38540 SESeal, DER)' },
  key: { type: 'string', valueName: 'SIGNER.key', description: "the signer's SM2 private key (PEM or DER)" },
  'passphrase-file': { type: 'string', valueName: 'F', description: 'passphrase of an encrypted --key (first line of F)' },
  cert: { type: 'string', valueName: 'SIGNER.pem', description: "the signer's certificate (one the seal lists)" },
  out: { type: 'string', valueName: 'OUT.pdf', description: 'where to write the sealed PDF' },
  json: { type: 'boolean', description: 'report as JSON' },
} as const;

interface Signer {
  seal: Uint8Array;
  key: Uint8Array;
  cert: Certificate;
}

function loadSigner(args: ParsedArgs, ctx: CommandContext): Signer {
  const sealFile = stringOption(args, 'seal', true);
  const keyFile = stringOption(args, 'key', true);
  const certFile = stringOption(args, 'cert', true);
  const passFile = stringOption(args, 'passphrase-file');
  const seal = readInputFile(ctx, sealFile);
  inFile(sealFile, () => parseSeal(seal));
  const keyBytes = readInputFile(ctx, keyFile);
  const passphrase = passFile === undefined ? undefined : readPassphraseFile(ctx, passFile);
  let key: Uint8Array;
  try {
    key = inFile(keyFile, () => readPrivateKey(keyBytes, passphrase));
  } catch (err) {
    if (err instanceof InputError && err.code === 'keys.passphraseRequired') throw new InputError(err.code, `${err.message} (give --passphrase-file FILE)`);
    throw err;
  }
  const certBytes = readInputFile(ctx, certFile);
  const cert = inFile(certFile, () => parseCertificate(certBytes));
  return { seal, key, cert };
}

/** Puts the PDF's name in front of errors about the PDF (not of those about the seal or the key). */
async function inPdf<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InputError && err.code.startsWith('pdf.')) throw new InputError(err.code, `${path}: ${err.message}`, { cause: err });
    throw err;
  }
}

const mm = (pt: number): number => Math.round((pt / PT_PER_MM) * 10) / 10;

// --- issue ---

export const issueCommand: Command = {
  name: 'issue',
  summary: 'render a certificate from a template and seal it (sealed PDF)',
  usage: '--template NAME --data DATA.json --seal SEAL.der --key SIGNER.key --cert SIGNER.pem --out OUT.pdf',
  description: `Renders the template (see: tongban certs templates) with the data, then seals it at the
template's signing spot, over the issuing organisation and the date. Bad data is refused (exit 2) with
the field named. A co-issuing department adds its seal afterwards with: tongban certs seal add.`,
  options: {
    template: { type: 'string', valueName: 'NAME', description: 'the template (e.g. social-insurance-proof)' },
    data: { type: 'string', valueName: 'DATA.json', description: "the document's data (tongban certs templates --example NAME prints a sample)" },
    ...SIGNER_OPTIONS,
  },
  async run(args, ctx) {
    const template = stringOption(args, 'template', true);
    const dataFile = stringOption(args, 'data', true);
    const out = stringOption(args, 'out', true);
    const signer = loadSigner(args, ctx);
    const text = Buffer.from(readInputFile(ctx, dataFile)).toString('utf8');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new InputError('certs.dataJson', `${dataFile}: not valid JSON (${messageOf(err)})`);
    }
    // Bad data is reported with the file and the field ("DATA.json: social-insurance-proof: person.name is missing").
    inFile(dataFile, () => validateData(template, data));
    const doc = await issueSealedDocument({ template, data, seal: signer.seal, signerKey: signer.key, signerCert: signer.cert });
    writeOutputFile(ctx, out, doc.pdf);
    const report = {
      out,
      template,
      documentId: doc.documentId,
      verificationReference: doc.verificationReference,
      pages: doc.pageCount,
      bytes: doc.pdf.length,
      seal: { name: doc.sealName, esID: doc.esID },
      signer: signer.cert.subjectString,
      page: doc.placement.pageIndex + 1,
      centreMm: { x: mm(doc.placement.centerX), y: mm(doc.placement.centerY) },
      coIssuerSpots: doc.otherSealSpots.map((s) => ({ page: s.pageIndex + 1, xMm: mm(s.centerX), yMm: mm(s.centerY) })),
    };
    if (booleanOption(args, 'json')) writeJson(ctx, report);
    else {
      ctx.stdout.write(`issued ${out}: ${template} ${doc.documentId}, ${doc.pageCount} page(s), ${doc.pdf.length} bytes\n`);
      ctx.stdout.write(`  sealed by ${doc.sealName} (esID ${doc.esID}) on page ${report.page}\n`);
      for (const s of report.coIssuerSpots) ctx.stdout.write(`  co-issuer seal spot: page ${s.page}, --x ${s.xMm} --y ${s.yMm} (mm from the lower left)\n`);
    }
  },
};

// --- seal add ---

export const sealAddCommand: Command = {
  name: 'add',
  summary: "add a seal to a PDF (another department's, 多地联办); earlier seals stay valid",
  usage: '--in IN.pdf --seal SEAL.der --key SIGNER.key --cert SIGNER.pem --out OUT.pdf [--page N --x MM --y MM]',
  description: `A PDF that already has a seal gets the new one by an incremental update appended to the
file, so the earlier seals keep verifying (each covers its own revision). Without --x/--y the seal goes
beside the last seal (to its left); --x and --y give its centre in millimetres from the lower left corner
of the page (as PDF measures), --page the page (default: the last seal's, else the last page).`,
  options: {
    in: { type: 'string', valueName: 'IN.pdf', description: 'the PDF to seal' },
    ...SIGNER_OPTIONS,
    page: { type: 'string', valueName: 'N', description: 'page number, from 1' },
    x: { type: 'string', valueName: 'MM', description: "the seal centre's distance from the left edge, mm" },
    y: { type: 'string', valueName: 'MM', description: "the seal centre's distance from the bottom edge, mm" },
  },
  async run(args, ctx) {
    const inFileName = stringOption(args, 'in', true);
    const out = stringOption(args, 'out', true);
    const signer = loadSigner(args, ctx);
    const input = readInputFile(ctx, inFileName);
    const page = integerOption(args, 'page', 1, 100_000);
    const x = millimetres(args, 'x');
    const y = millimetres(args, 'y');
    if ((x === undefined) !== (y === undefined)) throw new UsageError('give both --x and --y, or neither', 'usage.badValue');
    const placement = await inPdf(inFileName, async (): Promise<Placement> => {
      if (x !== undefined && y !== undefined) {
        const sizes = await pdfPageSizes(input);
        const index = page === undefined ? sizes.length - 1 : page - 1;
        const size = sizes[index];
        if (!size) throw new InputError('pdf.page', `the PDF has ${sizes.length} page(s); there is no page ${index + 1}`);
        if (x * PT_PER_MM > size.width || y * PT_PER_MM > size.height) {
          throw new InputError('pdf.placement', `(${x}, ${y}) mm is off page ${index + 1} (${mm(size.width)} x ${mm(size.height)} mm)`);
        }
        return { pageIndex: index, centerX: x * PT_PER_MM, centerY: y * PT_PER_MM };
      }
      return defaultPlacement(input, sealAppearance(parseSeal(signer.seal).picture), page === undefined ? undefined : page - 1);
    });
    const sealed = await inPdf(inFileName, () => sealPdf(input, { seal: signer.seal, signerKey: signer.key, signerCert: signer.cert, placement }));
    writeOutputFile(ctx, out, sealed.pdf);
    const report = {
      out,
      mode: sealed.mode,
      field: sealed.fieldName,
      bytes: sealed.pdf.length,
      seal: { name: sealed.sealName, esID: sealed.esID },
      signer: signer.cert.subjectString,
      page: placement.pageIndex + 1,
      centreMm: { x: mm(placement.centerX), y: mm(placement.centerY) },
    };
    if (booleanOption(args, 'json')) writeJson(ctx, report);
    else {
      const how = sealed.mode === 'incremental' ? 'appended as an incremental update' : 'first seal of the file';
      ctx.stdout.write(`sealed ${out}: ${sealed.sealName} (esID ${sealed.esID}) on page ${report.page} at (${report.centreMm.x}, ${report.centreMm.y}) mm, ${how}\n`);
    }
  },
};

function millimetres(args: ParsedArgs, name: string): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,4}(\.\d{1,3})?$/.test(raw)) throw new UsageError(`--${name} takes millimetres (e.g. 120 or 37.5), not "${raw}"`, 'usage.badValue');
  return Number(raw);
}

// --- verify ---

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'verify the seals of a PDF (exit 0 all valid and trusted, 1 not, 2 unreadable or unsealed)',
  usage: 'FILE.pdf [--trust CA.pem ...] [--json]',
  description: `Checks every seal: its ByteRange and integrity (SM3 of the covered bytes = the signed
dataHash, SM2 signature over TBS_Sign), the seal and the signer certificate in force at the signing time
(or --at), the chains to the --trust CAs, and coverage: an earlier seal covers its revision, the last
must cover the whole file. Exit 0 only when every seal is valid and trusted and nothing was appended
after the last one; 1 otherwise; 2 when the file cannot be read or has no seal.`,
  positionals: [1, 1],
  options: {
    trust: { type: 'string', valueName: 'CA.pem', multiple: true, description: 'a trusted root certificate (a PEM file may hold several)' },
    at: { type: 'string', valueName: 'TIME', description: 'judge validity at this time (ISO 8601) instead of each signing time' },
    json: { type: 'boolean', description: 'report as JSON' },
  },
  run(args, ctx) {
    const file = args.positionals[0]!;
    const trusted: Certificate[] = [];
    for (const t of stringsOption(args, 'trust')) {
      const bytes = readInputFile(ctx, t);
      trusted.push(...inFile(t, () => parseCertificates(bytes)));
    }
    const atText = stringOption(args, 'at');
    let at: Date | undefined;
    if (atText !== undefined) {
      at = new Date(atText);
      if (!/^\d{4}-\d{2}-\d{2}/.test(atText) || Number.isNaN(at.getTime())) throw new UsageError(`--at takes an ISO 8601 time, not "${atText}"`, 'usage.badValue');
    }
    const bytes = readInputFile(ctx, file);
    const v = inFile(file, () => verifyPdf(bytes, { trusted, ...(at ? { at } : {}) }));
    if (booleanOption(args, 'json')) writeJson(ctx, { file, ...v });
    else ctx.stdout.write(formatVerification(file, v));
    return Promise.resolve(v.valid ? ExitCode.ok : ExitCode.negative);
  },
};

const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : '?');
const time = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC') : 'unknown');

function formatSignature(s: PdfSignatureReport): string[] {
  const yes = (ok: boolean, good: string, bad: string): string => (ok ? good : bad);
  const lines = [
    `Seal ${s.index}${s.fieldName ? ` (${s.fieldName})` : ''}: ${s.valid ? 'VALID' : 'NOT VALID'}`,
    `  seal:         ${s.sealName ?? 'unknown'}${s.esID ? ` (esID ${s.esID})` : ''}`,
    `  signer:       ${s.signer ?? 'unknown'}`,
    `  signed at:    ${time(s.signingTime)}`,
    `  certificate:  ${yes(s.certificateValid, 'in force', 'NOT in force')} (${day(s.certificateNotBefore)} to ${day(s.certificateNotAfter)}); ${yes(s.trusted, 'trusted', 'NOT trusted')}`,
    `  seal period:  ${s.sealPeriod === 'valid' ? 'valid' : s.sealPeriod ? s.sealPeriod.toUpperCase() : 'unknown'} (${day(s.sealValidStart)} to ${day(s.sealValidEnd)})`,
    `  covers:       ${s.coverage?.description ?? 'nothing usable'}`,
    `  integrity:    ${yes(s.integrity, 'intact (SM3 of the covered bytes matches, SM2 signature valid)', 'BROKEN')}`,
  ];
  for (const r of s.reasons) lines.push(`  ! ${r}`);
  return lines;
}

export function formatVerification(file: string, v: PdfVerification): string {
  const lines = [`${file}: ${v.signatures.length} seal(s), ${v.revisions} revision(s), ${v.fileBytes} bytes`, ''];
  for (const s of v.signatures) lines.push(...formatSignature(s), '');
  if (v.valid) lines.push('Verdict: VALID (every seal valid and trusted; the last one covers the whole file)');
  else {
    lines.push('Verdict: NOT VALID');
    for (const r of v.reasons) lines.push(`  ! ${r}`);
  }
  return lines.join('\n') + '\n';
}
