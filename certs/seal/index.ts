/**
 * GB/T 38540-2020 electronic seals (电子印章) and signatures made with them (电子签章), reading the
 * older GM/T 0031-2014 layout as well, and the seal's picture drawn by the project.
 */
export * from './model.js';
export { createSeal, drawnPicture, newSealId, parseSeal, sealPeriod, verifySeal, DEFAULT_SEAL_VALID_DAYS, DEFAULT_VID, SEAL_VERSION } from './seal.js';
export type { CreateSealOptions, SealPeriod, SealVerdict, VerifySealOptions } from './seal.js';
export { buildSesSignature, parseSesSignature, verifySesSignature } from './ses-signature.js';
export type { BuildSesSignatureOptions, SesSignatureVerdict, SignerInfo, VerifySesSignatureOptions } from './ses-signature.js';
export { encodeSeal, encodeSealInfo, decodeSeal, MAX_SEAL_BYTES } from './seal-codec.js';
export { encodeTbsSign, encodeSesSignature, decodeSesSignature, TBS_SIGN_VERSION } from './signature-codec.js';
export { DEFAULT_SEAL_DIAMETER_MM, SEAL_RED, drawSealSvg, sealGeometry, sealGeometryToSvg } from './picture.js';
export type { SealDrawing, SealGeometry } from './picture.js';
export { renderSealPng } from './picture-png.js';
export type { PngOptions } from './picture-png.js';
export { loadSealFont, sealFontPath } from './font.js';
export type { SealFontWeight } from './font.js';
