/** The sync commands, composed into `tongban` by agent/cli/main.ts. */
export { endpointCommand } from './endpoint-command.js';
