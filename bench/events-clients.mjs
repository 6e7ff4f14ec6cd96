// The stream clients of bench/events.ts, in a worker thread (plain JavaScript: workers do not go through tsx):
// their parsing does not share the server's event loop, and the server's heap figure (main thread) does not
// include them. Posts, per title seen on every stream, the absolute arrival times (comparable across threads).
import { request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, authorization, streams } = workerData;
const arrivals = new Map();
const now = () => performance.timeOrigin + performance.now();

function seen(title) {
  let times = arrivals.get(title);
  if (!times) arrivals.set(title, (times = []));
  times.push(now());
  if (times.length === streams) {
    parentPort.postMessage({ title, times });
    arrivals.delete(title);
  }
}

// Opened 50 at a time, as clients reconnecting after a deploy would not all arrive in the same millisecond.
function openOne() {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        // One event per block: a block may arrive split over several chunks.
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          const title = data ? JSON.parse(data[1]).payload?.after?.title : undefined;
          if (typeof title === 'string' && title.startsWith('Bench ')) seen(title);
        }
      });
      resolve();
    });
    req.on('error', reject);
    req.end();
  });
}

try {
  for (let i = 0; i < streams; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, streams - i) }, openOne));
  }
  parentPort.postMessage({ open: streams });
} catch (error) {
  parentPort.postMessage({ error: error.message });
}
