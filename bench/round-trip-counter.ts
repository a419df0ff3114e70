/**
 * Counts database round trips by reading the Postgres frontend protocol (client → server).
 *
 * The first message of a connection has no type byte (int32 length, int32 protocol code); after it,
 * every message is a type byte and an int32 length that counts itself but not the type byte.
 * A round trip is one 'Q' (simple query: the client waits for ReadyForQuery) or one 'S' (Sync: it
 * ends an extended-protocol exchange, Parse/Bind/Describe/Execute/Sync, sent in one write by `pg`).
 * Messages may be split across chunks or packed several to a chunk; bodies are skipped, not copied.
 */

/** SSLRequest and GSSENCRequest are followed by another message in the startup form. */
const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;
const Q = 0x51; // 'Q'
const S = 0x53; // 'S'

/** A protocol reader fed the client's bytes, counting the round trips they start. */
export interface ProtocolCounter {
  readonly roundTrips: number;
  /** Feed the next chunk the client sent; returns the round trips it completed. */
  feed(chunk: Buffer): number;
}

export class RoundTripCounter implements ProtocolCounter {
  /** Round trips seen on this connection. */
  roundTrips = 0;
  private startup = true;
  private readonly header = Buffer.alloc(8);
  private headerLength = 0;
  /** Body bytes of the current message still to skip. */
  private skip = 0;

  /** Feed the next chunk the client sent; returns the round trips it completed. */
  feed(chunk: Buffer): number {
    const before = this.roundTrips;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.skip > 0) {
        const taken = Math.min(this.skip, chunk.length - offset);
        this.skip -= taken;
        offset += taken;
        continue;
      }
      const need = this.startup ? 8 : 5;
      const taken = Math.min(need - this.headerLength, chunk.length - offset);
      chunk.copy(this.header, this.headerLength, offset, offset + taken);
      this.headerLength += taken;
      offset += taken;
      if (this.headerLength < need) break;
      this.headerLength = 0;
      if (this.startup) {
        const length = this.header.readInt32BE(0);
        const code = this.header.readInt32BE(4);
        this.startup = code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE;
        this.skip = length - 8;
      } else {
        const type = this.header[0];
        if (type === Q || type === S) this.roundTrips++;
        this.skip = this.header.readInt32BE(1) - 4;
      }
    }
    return this.roundTrips - before;
  }
}
