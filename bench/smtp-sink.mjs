// The SMTP sink of bench/notifications.ts, in a child process (plain JavaScript, started with `fork`): the SMTP
// server's work does not share the event loop or the CPU-time figure of the process under test, as a remote relay
// would not. Answers 'count' messages with how many mails it accepted and its own CPU time.
import { SMTPServer } from 'smtp-server';

let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  disableReverseLookup: true,
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => {
      received++;
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.server.address().port }));
process.on('message', (message) => {
  if (message === 'count') {
    const cpu = process.cpuUsage();
    process.send({ received, cpu_ms: Math.round((cpu.user + cpu.system) / 1000) });
  }
});
process.on('disconnect', () => server.close(() => process.exit(0)));
