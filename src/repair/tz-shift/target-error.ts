/** The sync cannot be repaired this way (another stream, another database, no table): exit 2 with the message. */
export class TzShiftTargetError extends Error {
  override readonly name = 'TzShiftTargetError';
}
