/**
 * The byte pipe every driver speaks its protocol over (serial port, device file, TCP socket, ...). Drivers
 * hold only this interface, so one ESC/POS or SAM driver works over any cable, and tests can run the real
 * driver over a pty, a pty slave opened as a file, or a socket on 127.0.0.1.
 */
export interface ByteTransport {
  /** e.g. "serial /dev/ttyUSB0 @115200". */
  readonly description: string;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Resolves when the bytes are handed to the OS (drained). */
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (chunk: Uint8Array) => void): () => void;
  /** Called once when the transport closes: `err` set when it failed (unplugged, reset) rather than closed by us. */
  onClose(listener: (err?: Error) => void): () => void;
  readonly isOpen: boolean;
}

export type DataListener = (chunk: Uint8Array) => void;
export type CloseListener = (err?: Error) => void;

/** Listener bookkeeping shared by the transports (a listener that throws cannot break the read loop). */
export class TransportListeners {
  private readonly data = new Set<DataListener>();
  private readonly close = new Set<CloseListener>();

  onData(listener: DataListener): () => void {
    this.data.add(listener);
    return () => this.data.delete(listener);
  }

  onClose(listener: CloseListener): () => void {
    this.close.add(listener);
    return () => this.close.delete(listener);
  }

  emitData(chunk: Uint8Array): void {
    for (const l of [...this.data]) {
      try {
        l(chunk);
      } catch {
        // a listener's bug must not stop the transport from reading
      }
    }
  }

  emitClose(err?: Error): void {
    for (const l of [...this.close]) {
      try {
        l(err);
      } catch {
        // as above
      }
    }
  }
}

/** A Node Buffer viewed as a plain Uint8Array (no copy). */
export function bytesOf(chunk: Buffer): Uint8Array {
  return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
