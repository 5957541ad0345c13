/**
 * The factories of the kinds whose drivers exist in this build. A kind missing here is reported by the
 * manager as "no driver" rather than faked.
 */
import type { DeviceFactories } from '../device.js';
import { documentFactory } from './document.js';
import { idCardFactory } from './idcard.js';
import { receiptFactory } from './receipt.js';
import { scannerFactory } from './scanner.js';

export const defaultFactories: DeviceFactories = {
  idcard: idCardFactory,
  scanner: scannerFactory,
  receipt: receiptFactory,
  document: documentFactory,
};
