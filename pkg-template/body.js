// Reading a request's body with a byte limit, shared by the signing handler (signing.js) and the
// report receiver (reports.js): a body over the limit is never buffered whole (issue 12).

/** A body stream that failed or gave something other than bytes. */
export class UnreadableBody extends Error {}

/**
 * The body's bytes, read chunk by chunk into one buffer of at most `limit` bytes: undefined as
 * soon as it is longer, the stream then cancelled so the rest is never read. Each chunk is copied,
 * so no chunk (which may be a view into a runtime's larger buffer) is held. `expected` is the
 * declared length, the first size of the buffer (a lie costs at most `limit`).
 * @throws {UnreadableBody} when the stream fails or gives something other than bytes.
 */
export async function readBytes(request, limit, expected) {
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  let bytes = new Uint8Array(Math.min(limit, expected ?? 16 * 1024));
  let size = 0;
  for (;;) {
    let next;
    try {
      next = await reader.read();
    } catch {
      throw new UnreadableBody("could not be read");
    }
    if (next.done) break;
    const chunk = next.value;
    if (!ArrayBuffer.isView(chunk)) {
      reader.cancel().catch(() => {});
      throw new UnreadableBody("could not be read (not bytes)");
    }
    const end = size + chunk.byteLength;
    if (end > limit) {
      // Not awaited: a source whose cancel never settles must not hold the answer.
      reader.cancel().catch(() => {});
      return undefined;
    }
    if (end > bytes.length) {
      const grown = new Uint8Array(Math.min(limit, Math.max(end, bytes.length * 2)));
      grown.set(bytes.subarray(0, size));
      bytes = grown;
    }
    bytes.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), size);
    size = end;
  }
  return bytes.subarray(0, size);
}

/**
 * The declared `Content-Length`, when it is a plain number: anything else is the server's to
 * refuse, and the read's own limit holds whatever the header says (it may lie either way).
 */
export function declaredLength(request) {
  const declared = request.headers.get("content-length");
  return declared !== null && /^\s*\d+\s*$/.test(declared) ? Number(declared) : undefined;
}
