// Response bodies in the two formats the gateway speaks: JSON, or XML when `Format=XML` (or no
// Format at all, the documented default: docs/spec/api-reference.md §1).

export const JSON_TYPE = "application/json;charset=utf-8";
export const XML_TYPE = "application/xml;charset=utf-8";

/** Escapes text for an XML element. */
function xmlText(value) {
  return String(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/**
 * Renders a record under a root element, or as a JSON object. Values are strings, or records of
 * strings for a nested object such as `NumberDetail` (an element with child elements in XML).
 *
 * @param {"JSON" | "XML"} format
 * @param {string} root XML root element name (unused for JSON)
 * @param {Record<string, string | Record<string, string>>} fields in the order they should appear
 * @returns {{ contentType: string, body: string }}
 */
export function renderRecord(format, root, fields) {
  if (format === "XML") {
    return {
      contentType: XML_TYPE,
      body: `<?xml version="1.0" encoding="UTF-8"?><${root}>${xmlFields(fields)}</${root}>`,
    };
  }
  return { contentType: JSON_TYPE, body: JSON.stringify(fields) };
}

function xmlFields(fields) {
  return Object.entries(fields)
    .map(([name, value]) =>
      `<${name}>${typeof value === "object" && value !== null ? xmlFields(value) : xmlText(value)}</${name}>`)
    .join("");
}

/**
 * The gateway error body: `{RequestId, HostId, Code, Message, Recommend}` (docs/spec/api-reference.md §2),
 * or `<Error>…</Error>` in XML.
 *
 * @param {"JSON" | "XML"} format
 * @param {{ requestId: string, hostId: string, code: string, message: string }} error
 */
export function renderGatewayError(format, { requestId, hostId, code, message }) {
  return renderRecord(format, "Error", {
    RequestId: requestId,
    HostId: hostId,
    Code: code,
    Message: message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=Dysmsapi&requestId=${requestId}`,
  });
}

/** A small HTML page, the kind a load balancer sends when the service behind it fails. */
export function renderHtmlError(status, reason) {
  return (
    `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n` +
    `<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n`
  );
}
