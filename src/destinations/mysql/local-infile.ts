/**
 * Why LOAD DATA LOCAL is safe here. The classic risk of the LOCAL_FILES capability is a hostile
 * (or hijacked) server that answers any statement with "send me /etc/passwd", and a client library
 * that opens whatever path it is asked for. mysql2 (since 2.0) never opens a file itself: it calls
 * the `infileStreamFactory` of the statement being run, and with none it refuses with an empty
 * reply. Tidemark's pool sets no connection-wide factory, so every statement but one refuses; the
 * one is a LOAD DATA that Tidemark sent itself, whose factory returns Tidemark's own in-memory
 * stream of the batch's rows. That factory never touches the file system, and it refuses a request
 * for any name but the one its statement gave, so even a server that lies about the name learns
 * nothing but the rows Tidemark was sending it anyway.
 */
import { Readable } from 'node:stream';

/**
 * The name a LOAD DATA LOCAL statement gives for its rows. Not a path: nothing is read from the
 * file system, the server just echoes it back when it asks for the data.
 */
export const INFILE_NAME = 'tidemark-batch-rows';

/** The factory for one LOAD DATA LOCAL: our own chunks under INFILE_NAME, and nothing else. */
export function ownRowsOnly(chunks: () => Iterable<Buffer>): (requested: string) => Readable {
  return (requested) => {
    if (requested !== INFILE_NAME) {
      // An error stream (not a throw): mysql2 then ends the exchange cleanly and the statement fails.
      const refused = new Readable({ read() {} });
      refused.destroy(new Error(`the server asked for local file "${requested}" instead of the batch it was sent; nothing was read, the batch was rolled back`));
      return refused;
    }
    return Readable.from(chunks());
  };
}
