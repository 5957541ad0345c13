/**
 * The factories of the kinds whose drivers exist in this build. A kind missing here is reported by the
 * manager as "no driver" rather than faked.
 */
import type { DeviceFactories } from '../device.js';
import { idCardFactory } from './idcard.js';

export const defaultFactories: DeviceFactories = {
  idcard: idCardFactory,
};
