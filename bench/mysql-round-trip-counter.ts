/**
 * Counts database round trips by reading the MySQL client/server protocol (client → server).
 *
 * Every packet is a 3-byte little-endian payload length, a 1-byte sequence id, then the payload.
 * A client starts each command with sequence id 0 and the command byte first in the payload; the
 * handshake response, auth-switch replies, LOAD DATA LOCAL file contents and the continuation of a
 * packet over 16 MiB all carry sequence ids > 0, so they are never counted. Each command packet is
 * one round trip, except the ones the server does not answer: COM_QUIT, COM_STMT_SEND_LONG_DATA,
 * COM_STMT_CLOSE. (LOAD DATA LOCAL is counted as its one COM_QUERY, though the server asking for
 * the file and the client sending it add a second exchange on the wire.)
 * Packets may be split across chunks or packed several to a chunk; payloads are skipped, not copied.
 */
import type { ProtocolCounter } from './round-trip-counter.ts';

const COM_QUIT = 0x01;
const COM_STMT_SEND_LONG_DATA = 0x18;
const COM_STMT_CLOSE = 0x19;
const NO_REPLY = new Set([COM_QUIT, COM_STMT_SEND_LONG_DATA, COM_STMT_CLOSE]);

export class MysqlRoundTripCounter implements ProtocolCounter {
  roundTrips = 0;
  private readonly header = Buffer.alloc(4);
  private headerLength = 0;
  /** Payload bytes of the current packet still to skip. */
  private skip = 0;
  /** The current packet is a new command: its first payload byte is the command. */
  private awaitingCommand = false;

  feed(chunk: Buffer): number {
    const before = this.roundTrips;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.awaitingCommand) {
        this.awaitingCommand = false;
        if (!NO_REPLY.has(chunk[offset]!)) this.roundTrips++;
        continue; // the command byte is skipped with the rest of the payload
      }
      if (this.skip > 0) {
        const taken = Math.min(this.skip, chunk.length - offset);
        this.skip -= taken;
        offset += taken;
        continue;
      }
      const taken = Math.min(4 - this.headerLength, chunk.length - offset);
      chunk.copy(this.header, this.headerLength, offset, offset + taken);
      this.headerLength += taken;
      offset += taken;
      if (this.headerLength < 4) break;
      this.headerLength = 0;
      this.skip = this.header.readUIntLE(0, 3);
      this.awaitingCommand = this.header[3] === 0 && this.skip > 0;
    }
    return this.roundTrips - before;
  }
}
