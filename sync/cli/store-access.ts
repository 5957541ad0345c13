import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../../base/errors.js';
import { ENDPOINT_DB_FILE } from '../endpoint/store/index.js';

/** Refuses (exit 3) a data directory without an endpoint store, rather than making an empty one there. */
export function endpointStoreExists(dataDir: string): void {
  if (!existsSync(join(dataDir, ENDPOINT_DB_FILE))) {
    throw new EnvironmentError('env.noEndpointStore', `${dataDir} holds no endpoint store (${ENDPOINT_DB_FILE}): check --data, or start the endpoint there first`);
  }
}
