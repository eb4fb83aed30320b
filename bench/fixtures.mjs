// The batches every figure uses, the same strings for both clients: valid, distinct recipients
// (Singapore, Hong Kong, UK mobiles; none ends in 0000, which the sandbox fails) and one
// personalised message per recipient.

/**
 * `n` distinct numbers in the form the service takes (dialing code + digits): the official SDK
 * sends `To` verbatim, so it gets what it needs; ours parses and checks the same strings.
 */
export function recipients(n) {
  return Array.from({ length: n }, (_, i) => {
    switch (i % 3) {
      case 0:
        return `65${91000001 + i}`;
      case 1:
        return `852${61000001 + i}`;
      default:
        return `4477009${String(10001 + i).padStart(5, "0")}`;
    }
  });
}

/** Exactly 100 ASCII (GSM-7) characters each. */
export function asciiMessages(n) {
  return Array.from({ length: n }, (_, i) =>
    `Hello customer ${i}, your order #${100000 + i} has shipped. Track it at example.com/t/${i}. `
      .padEnd(100, "-")
      .slice(0, 100),
  );
}

/** Exactly 70 Chinese characters each (UCS-2, one segment). */
export function chineseMessages(n) {
  const text = "尊敬的客户，您的订单已发货，请注意查收。感谢您的支持，祝您生活愉快！如有疑问请联系客服，我们将竭诚为您服务。";
  return Array.from({ length: n }, (_, i) => `${i}号${text}`.slice(0, 70).padEnd(70, "。"));
}

/** Sender ID and type sent with every batch. */
export const FROM = "Alicloud";
export const TYPE = "NOTIFY";

/** Batches by name, built on demand: `{ to, messages }`. */
export function batch(name) {
  switch (name) {
    case "ascii1000":
      return { to: recipients(1000), messages: asciiMessages(1000) };
    case "chinese1000":
      return { to: recipients(1000), messages: chineseMessages(1000) };
    case "ascii100":
      return { to: recipients(100), messages: asciiMessages(100) };
    default:
      throw new Error(`no batch named ${name}`);
  }
}
