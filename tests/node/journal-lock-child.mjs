// A process that opens a file journal (tests/node/journal-lock.test.mjs): argv[2] is the path,
// argv[3] how long to hold it (ms) before closing and exiting normally. Prints one JSON line:
// { held: true } or { held: false, code, message } when fileJournal refused.
import { fileJournal } from "aliyun-globe-sms/journal";

const [path, holdMs] = process.argv.slice(2);
let journal;
try {
  journal = fileJournal(path);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ held: false, code: error.code, name: error.name, message: error.message })}\n`);
  process.exit(0);
}
journal.append(`{"pid":${process.pid}}\n`);
process.stdout.write(`${JSON.stringify({ held: true, pid: process.pid })}\n`);
setTimeout(() => journal.close(), Number(holdMs));
