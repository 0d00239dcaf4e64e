"""A mail sink for the demo: an SMTP server on localhost that accepts every message and keeps it in a file.

    python3 scripts/smtp_sink.py --port 2525 --dir /opt/odoo/state/mail-sink

``./dev run`` starts it beside Odoo; the demo's outgoing mail server points at it, so reminders show as sent in
Odoo and can be read as .eml files, and no mail leaves the machine. Standard library only (asyncio).
"""
import argparse
import asyncio
import email
import email.policy
import pathlib
import time


class Sink:
    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def keep(self, sender, recipients, data):
        self.count += 1
        path = self.directory / f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:05d}.eml"
        path.write_bytes(data)
        message = email.message_from_bytes(data, policy=email.policy.default)
        print(f"[smtp-sink] {sender} -> {', '.join(recipients)}: {message.get('Subject', '')} ({path.name})",
              flush=True)

    async def session(self, reader, writer):
        def reply(line):
            writer.write(line.encode() + b"\r\n")

        reply("220 localhost debtor demo mail sink")
        sender, recipients = None, []
        while line := await reader.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("HELO", "EHLO"):
                reply("250 localhost")
            elif verb == "MAIL":
                sender, recipients = command.partition(":")[2].strip(" <>"), []
                reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.partition(":")[2].strip(" <>"))
                reply("250 OK")
            elif verb == "DATA":
                reply("354 End data with <CR><LF>.<CR><LF>")
                await writer.drain()
                lines = []
                while (chunk := await reader.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                self.keep(sender, recipients, b"".join(lines))
                reply("250 OK: kept")
            elif verb == "QUIT":
                reply("221 Bye")
                await writer.drain()
                break
            else:  # RSET, NOOP, ...
                reply("250 OK")
            await writer.drain()
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", default="mail-sink")
    args = parser.parse_args()
    server = await asyncio.start_server(Sink(args.dir).session, args.host, args.port)
    print(f"[smtp-sink] listening on {args.host}:{args.port}, keeping mail in {args.dir}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
