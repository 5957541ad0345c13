/**
 * Adding a signature field to a PDF, independent of what signs: a /Sig dictionary with placeholders,
 * a widget annotation showing the appearance at the given spot, the AcroForm entry; then the
 * placeholders are completed by the caller's `sign` (sign-placeholder.ts).
 *
 * The first signature of a file is added by pdf-lib (which may rewrite the whole file: nothing is
 * signed yet); every later one by an incremental update (incremental.ts), which leaves earlier
 * signatures valid.
 */
import { PDFContext, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFString } from 'pdf-lib';
import { InputError, messageOf } from '../../base/errors.js';
import { appendIncrementalUpdate, type UpdateObject } from './incremental.js';
import { PdfFile, isArray, isDict, isName, isRef, isString, pdf, pdfError, type PdfDict, type PdfRef, type PdfValue } from './parse.js';
import type { Appearance } from './sign-appearance.js';
import { BYTE_RANGE_PLACEHOLDER, completeSignature, type ByteRange } from './sign-placeholder.js';

/**
 * Filter and SubFilter of our signature dictionaries. The SES_Signature of GB/T 38540 is neither PKCS#7
 * nor CAdES, so claiming /Adobe.PPKLite with a standard SubFilter would make generic readers try to
 * parse it as CMS and report a corrupt signature. A filter name of our own says plainly "a handler for
 * the national seal format is needed" (readers then show the seal's appearance and "unknown handler");
 * the SubFilter names the encoding of /Contents: a DER SES_Signature.
 */
export const SIG_FILTER = 'GB.SES';
export const SIG_SUBFILTER = 'GB.SES_Signature';


/** Where the appearance goes: page index (0-based) and the centre in PDF user-space points. */
export interface Placement {
  readonly pageIndex: number;
  readonly centerX: number;
  readonly centerY: number;
}

export interface SignatureFieldOptions {
  readonly placement: Placement;
  readonly appearance: Appearance;
  /** Bytes reserved for the DER in /Contents. */
  readonly contentsSize: number;
  /** /Name (who signed), /Reason, /Location; /M is `time`. */
  readonly name?: string;
  readonly reason?: string;
  readonly location?: string;
  readonly time: Date;
  /** Produces the DER for /Contents from the hash of the covered bytes. */
  readonly sign: (dataHash: Uint8Array, range: ByteRange) => Uint8Array;
}

export interface SignedField {
  readonly bytes: Uint8Array;
  readonly range: ByteRange;
  readonly dataHash: Uint8Array;
  /** 'rewrite' for the first signature (pdf-lib), 'incremental' for later ones. */
  readonly mode: 'rewrite' | 'incremental';
  readonly fieldName: string;
}

/** True when the file already holds a signature dictionary (then only an incremental update is safe). */
export function hasSignature(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('/ByteRange', 0, 'latin1') >= 0;
}

export async function addSignatureField(input: Uint8Array, options: SignatureFieldOptions): Promise<SignedField> {
  if (!Number.isSafeInteger(options.contentsSize) || options.contentsSize < 64 || options.contentsSize > 16 << 20) {
    throw new RangeError(`contentsSize ${options.contentsSize} out of range`);
  }
  return hasSignature(input) ? addIncremental(input, options) : addByRewrite(input, options);
}

function rectFor(p: Placement, a: Appearance): number[] {
  const r = (n: number): number => Math.round(n * 100) / 100;
  return [r(p.centerX - a.widthPt / 2), r(p.centerY - a.heightPt / 2), r(p.centerX + a.widthPt / 2), r(p.centerY + a.heightPt / 2)];
}

/** PDF date string with the local offset written as the standard says: D:YYYYMMDDHHmmSS+08'00'. */
export function pdfDate(d: Date, offsetMinutes = -d.getTimezoneOffset()): string {
  const t = new Date(d.getTime() + offsetMinutes * 60_000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return (
    `D:${p(t.getUTCFullYear(), 4)}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}` +
    `${sign}${p(Math.floor(abs / 60))}'${p(abs % 60)}'`
  );
}

// --- first signature: pdf-lib ---

async function addByRewrite(input: Uint8Array, o: SignatureFieldOptions): Promise<SignedField> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(input, { updateMetadata: false, throwOnInvalidObject: true });
  } catch (err) {
    throw new InputError('pdf.unreadable', `cannot read the PDF: ${messageOf(err)}`);
  }
  const pages = doc.getPages();
  const page = pages[o.placement.pageIndex];
  if (!page) throw new InputError('pdf.page', `the PDF has ${pages.length} page(s); there is no page ${o.placement.pageIndex + 1}`);
  const ctx = doc.context;
  const sig = ctx.obj({
    Type: 'Sig',
    Filter: SIG_FILTER,
    SubFilter: SIG_SUBFILTER,
    ByteRange: [...BYTE_RANGE_PLACEHOLDER],
    Contents: PDFHexString.of('0'.repeat(o.contentsSize * 2)),
    M: PDFString.of(pdfDate(o.time)),
  });
  if (o.name) sig.set(PDFName.of('Name'), PDFHexString.fromText(o.name));
  if (o.reason) sig.set(PDFName.of('Reason'), PDFHexString.fromText(o.reason));
  if (o.location) sig.set(PDFName.of('Location'), PDFHexString.fromText(o.location));
  const sigRef = ctx.register(sig);

  const a = o.appearance;
  const apRef = await a.embed(ctx);

  const fieldName = 'Seal1';
  const widget = ctx.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFString.of(fieldName),
    V: sigRef,
    Rect: rectFor(o.placement, a),
    F: 4,
    P: page.ref,
    AP: { N: apRef },
  });
  const widgetRef = ctx.register(widget);
  page.node.addAnnot(widgetRef);
  const form = doc.catalog.getOrCreateAcroForm();
  form.addField(widgetRef);
  form.dict.set(PDFName.of('SigFlags'), PDFNumber.of(3));

  const bytes = await doc.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false, objectsPerTick: Infinity });
  // Locate the signature dictionary through the cross-reference table just written.
  const entry = new PdfFile(bytes).xref.get(sigRef.objectNumber);
  if (!entry) throw pdfError('signature', 'the saved file lost the signature dictionary');
  const { range, dataHash } = completeSignature(bytes, entry.offset, o.sign);
  return { bytes, range, dataHash, mode: 'rewrite', fieldName };
}

// --- later signatures: incremental update ---

async function addIncremental(input: Uint8Array, o: SignatureFieldOptions): Promise<SignedField> {
  const file = new PdfFile(input);
  if (file.trailer.entries.has('Encrypt')) throw new InputError('pdf.encrypted', 'the PDF is encrypted; it cannot take a seal');
  const pages = file.pages();
  const pageRef = pages[o.placement.pageIndex];
  if (!pageRef) throw new InputError('pdf.page', `the PDF has ${pages.length} page(s); there is no page ${o.placement.pageIndex + 1}`);
  const pageObj = file.getObject(pageRef.num);
  if (!pageObj || !isDict(pageObj.value) || pageObj.stream) throw pdfError('pages', `page object ${pageRef.num} is not a dictionary`);
  const root = file.root;

  // The appearance is built by pdf-lib in a scratch context numbered from here on, then written as is.
  const scratch = PDFContext.create();
  scratch.largestObjectNumber = file.size - 1;
  const apRef = await o.appearance.embed(scratch);
  const objects: UpdateObject[] = [];
  for (const [ref, obj] of scratch.enumerateIndirectObjects()) {
    const raw = new Uint8Array(obj.sizeInBytes());
    obj.copyBytesInto(raw, 0);
    objects.push({ num: ref.objectNumber, gen: ref.generationNumber, raw });
  }
  let next = scratch.largestObjectNumber + 1;
  const sigRef = pdf.ref(next++);
  const widgetRef = pdf.ref(next++);

  const sig = pdf.dict({
    Type: pdf.name('Sig'),
    Filter: pdf.name(SIG_FILTER),
    SubFilter: pdf.name(SIG_SUBFILTER),
    ByteRange: pdf.array([...BYTE_RANGE_PLACEHOLDER]),
    Contents: pdf.bytes(new Uint8Array(o.contentsSize)),
    M: pdf.text(pdfDate(o.time)),
  });
  if (o.name) sig.entries.set('Name', pdf.text(o.name));
  if (o.reason) sig.entries.set('Reason', pdf.text(o.reason));
  if (o.location) sig.entries.set('Location', pdf.text(o.location));
  objects.push({ num: sigRef.num, value: sig });
  const a = o.appearance;

  // The AcroForm: its fields give the new field a unique name.
  const acroValue = root.dict.entries.get('AcroForm');
  const acro = file.resolve(acroValue);
  const fieldsValue = isDict(acro) ? acro.entries.get('Fields') : undefined;
  const fields = file.resolve(fieldsValue);
  const existing = isArray(fields) ? fields.items : [];
  const names = new Set<string>();
  for (const f of existing.slice(0, 10_000)) {
    const fd = file.resolve(f);
    const t = isDict(fd) ? fd.entries.get('T') : undefined;
    if (isString(t)) names.add(Buffer.from(t.bytes).toString('latin1'));
  }
  let n = existing.length + 1;
  while (names.has(`Seal${n}`)) n++;
  const fieldName = `Seal${n}`;

  objects.push({
    num: widgetRef.num,
    value: pdf.dict({
      Type: pdf.name('Annot'),
      Subtype: pdf.name('Widget'),
      FT: pdf.name('Sig'),
      T: pdf.text(fieldName),
      V: sigRef,
      Rect: pdf.array(rectFor(o.placement, a)),
      F: 4,
      P: pageRef,
      AP: pdf.dict({ N: pdf.ref(apRef.objectNumber, apRef.generationNumber) }),
    }),
  });

  // The page's /Annots: rewrite the array object when it is indirect, else the page.
  const annots = pageObj.value.entries.get('Annots');
  if (isRef(annots)) {
    const arr = file.resolve(annots);
    if (!isArray(arr)) throw pdfError('pages', `the /Annots of page ${o.placement.pageIndex + 1} is not an array`);
    objects.push({ num: annots.num, gen: annots.gen, value: pdf.array([...arr.items, widgetRef]) });
  } else {
    const page = pdf.dict(pageObj.value.entries);
    page.entries.set('Annots', pdf.array([...(isArray(annots) ? annots.items : []), widgetRef]));
    objects.push({ num: pageRef.num, gen: pageRef.gen, value: page });
  }

  // The AcroForm: /Fields gains the widget, /SigFlags 3 (signatures exist; append only).
  const newFields = pdf.array([...existing, widgetRef]);
  if (isRef(acroValue) && isDict(acro)) {
    const form = pdf.dict(acro.entries);
    form.entries.set('SigFlags', 3);
    if (isRef(fieldsValue)) objects.push({ num: fieldsValue.num, gen: fieldsValue.gen, value: newFields });
    else form.entries.set('Fields', newFields);
    objects.push({ num: acroValue.num, gen: acroValue.gen, value: form });
  } else {
    const form = pdf.dict(isDict(acro) ? acro.entries : new Map<string, PdfValue>());
    form.entries.set('SigFlags', 3);
    if (isRef(fieldsValue)) objects.push({ num: fieldsValue.num, gen: fieldsValue.gen, value: newFields });
    else form.entries.set('Fields', newFields);
    const catalog = pdf.dict(root.dict.entries);
    catalog.entries.set('AcroForm', form);
    objects.push({ num: root.ref.num, gen: root.ref.gen, value: catalog });
  }

  const update = appendIncrementalUpdate(file, dedupe(objects));
  const bytes = update.bytes;
  const { range, dataHash } = completeSignature(bytes, update.offsets.get(sigRef.num)!, o.sign);
  return { bytes, range, dataHash, mode: 'incremental', fieldName };
}

/** When the page itself is the catalog or a field array is the annots array (odd but legal), the last write wins. */
function dedupe(objects: UpdateObject[]): UpdateObject[] {
  const byNum = new Map<number, UpdateObject>();
  for (const ob of objects) byNum.set(ob.num, ob);
  return [...byNum.values()];
}

/** Rects of existing signature widgets, per page index (for placing a further seal beside them). */
export function signatureWidgets(bytes: Uint8Array): { pageIndex: number; rect: [number, number, number, number] }[] {
  const file = new PdfFile(bytes);
  const out: { pageIndex: number; rect: [number, number, number, number] }[] = [];
  file.pages().forEach((ref, pageIndex) => {
    const page = file.resolve(ref);
    const annots = isDict(page) ? file.resolve(page.entries.get('Annots')) : undefined;
    if (!isArray(annots)) return;
    for (const a of annots.items.slice(0, 1000)) {
      const w = file.resolve(a);
      if (!isDict(w) || !isName(w.entries.get('FT'), 'Sig')) continue;
      const rect = file.resolve(w.entries.get('Rect'));
      if (isArray(rect) && rect.items.length === 4 && rect.items.every((x) => typeof x === 'number')) {
        out.push({ pageIndex, rect: rect.items as [number, number, number, number] });
      }
    }
  });
  return out;
}

/** The page sizes (points), for placing a seal. */
export function pageSizes(bytes: Uint8Array): { width: number; height: number }[] {
  const file = new PdfFile(bytes);
  return file.pages().map((ref) => {
    let node: PdfValue | undefined = file.resolve(ref);
    // /MediaBox is inheritable: climb /Parent a bounded number of steps.
    for (let i = 0; i < 32 && isDict(node); i++) {
      const box = file.resolve(node.entries.get('MediaBox'));
      if (isArray(box) && box.items.length === 4 && box.items.every((x) => typeof x === 'number')) {
        const [x0, y0, x1, y1] = box.items as number[];
        return { width: Math.abs(x1! - x0!), height: Math.abs(y1! - y0!) };
      }
      node = file.resolve((node as PdfDict).entries.get('Parent') as PdfRef | undefined);
    }
    return { width: 595.28, height: 841.89 };
  });
}
