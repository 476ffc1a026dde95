# SPDX-License-Identifier: MIT
"""A minimal PostgreSQL frontend/backend protocol (v3) client for the sandbox.

The machine image's Python has boto3 but no psycopg2, and the sandbox's load
generator and session holder must not spawn a psql process per query.  This
client speaks the simple-query protocol over a Unix or TCP socket, with trust
or SCRAM-SHA-256 authentication.  Values are spliced into SQL only by the
sandbox itself, from integers and fixed strings it generates (never from user
input); literal() quotes text anyway.
"""

import base64
import hashlib
import hmac
import os
import socket
import struct


class PgError(Exception):
    """An ErrorResponse from the server; .fields maps field codes ('C', 'M', ...) to text."""

    def __init__(self, fields):
        self.fields = fields
        self.sqlstate = fields.get("C", "")
        super().__init__("%s: %s (%s)" % (fields.get("S", "ERROR"), fields.get("M", "?"), self.sqlstate))


def literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


class Connection:
    def __init__(self, host, port, user, database, password=None, application_name="petforce-sandbox",
                 options=None, timeout=15.0):
        """host: a directory (Unix socket) or an address (TCP)."""
        self.user = user
        self.password = password
        if host.startswith("/"):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            address = os.path.join(host, ".s.PGSQL.%d" % int(port))
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            address = (host, int(port))
        self.sock.settimeout(timeout)
        self.buf = b""
        self.backend_pid = None
        self.status = "I"
        try:
            self.sock.connect(address)
            params = {"user": user, "database": database, "application_name": application_name,
                      "client_encoding": "UTF8"}
            if options:
                params["options"] = options
            body = struct.pack("!I", 196608)
            for key, val in params.items():
                body += key.encode() + b"\0" + val.encode() + b"\0"
            body += b"\0"
            self.sock.sendall(struct.pack("!I", len(body) + 4) + body)
            self._startup()
        except BaseException:
            self.sock.close()
            raise

    # -- low level ---------------------------------------------------------
    def _recv_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buf)))
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _read_message(self):
        header = self._recv_exact(5)
        kind = header[:1]
        (length,) = struct.unpack("!I", header[1:])
        return kind, self._recv_exact(length - 4)

    def _send(self, kind, payload):
        self.sock.sendall(kind + struct.pack("!I", len(payload) + 4) + payload)

    @staticmethod
    def _error_fields(payload):
        fields = {}
        for part in payload.split(b"\0"):
            if part:
                fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
        return fields

    def _startup(self):
        scram = None
        while True:
            kind, payload = self._read_message()
            if kind == b"R":
                (code,) = struct.unpack("!I", payload[:4])
                if code == 0:
                    continue
                if code == 10:  # SASL: mechanisms list
                    if b"SCRAM-SHA-256" not in payload[4:].split(b"\0"):
                        raise PgError({"M": "server offers no SCRAM-SHA-256", "C": "28000"})
                    scram = _Scram(self.password or "")
                    first = scram.client_first().encode()
                    self._send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!I", len(first)) + first)
                elif code == 11:
                    self._send(b"p", scram.client_final(payload[4:].decode()).encode())
                elif code == 12:
                    scram.verify(payload[4:].decode())
                elif code == 3:  # cleartext password
                    self._send(b"p", (self.password or "").encode() + b"\0")
                else:
                    raise PgError({"M": "unsupported authentication method %d" % code, "C": "28000"})
            elif kind == b"K":
                self.backend_pid = struct.unpack("!I", payload[:4])[0]
            elif kind == b"Z":
                self.status = payload.decode()
                return
            elif kind == b"E":
                raise PgError(self._error_fields(payload))
            # 'S' parameter status, 'N' notices: ignored

    # -- API ---------------------------------------------------------------
    def query(self, sql):
        """Run one simple query (it may hold several statements).

        Returns the rows of the last statement that returned rows, as lists of
        str/None.  Raises PgError after the server is ready again."""
        self._send(b"Q", sql.encode() + b"\0")
        rows, current, error = [], None, None
        while True:
            kind, payload = self._read_message()
            if kind == b"T":
                current = []
            elif kind == b"D":
                (count,) = struct.unpack("!H", payload[:2])
                pos, row = 2, []
                for _ in range(count):
                    (length,) = struct.unpack("!i", payload[pos:pos + 4])
                    pos += 4
                    if length < 0:
                        row.append(None)
                    else:
                        row.append(payload[pos:pos + length].decode("utf-8", "replace"))
                        pos += length
                if current is None:
                    current = []
                current.append(row)
            elif kind == b"C":
                if current is not None:
                    rows = current
                current = None
            elif kind == b"E":
                error = PgError(self._error_fields(payload))
            elif kind == b"Z":
                self.status = payload.decode()
                if error:
                    raise error
                return rows
            # 'I' empty query, 'N' notice, 'S' parameter status: ignored

    def scalar(self, sql):
        rows = self.query(sql)
        return rows[0][0] if rows and rows[0] else None

    def close(self):
        try:
            self._send(b"X", b"")
        except OSError:
            pass
        self.sock.close()


class _Scram:
    def __init__(self, password):
        self.password = password.encode()
        self.nonce = base64.b64encode(os.urandom(18)).decode()
        self.first_bare = "n=,r=" + self.nonce
        self.server_signature = None

    def client_first(self):
        return "n,," + self.first_bare

    def client_final(self, server_first):
        attrs = dict(item.split("=", 1) for item in server_first.split(","))
        if not attrs["r"].startswith(self.nonce):
            raise PgError({"M": "SCRAM nonce mismatch", "C": "28000"})
        salted = hashlib.pbkdf2_hmac("sha256", self.password, base64.b64decode(attrs["s"]), int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = "c=biws,r=" + attrs["r"]
        auth_message = ",".join([self.first_bare, server_first, without_proof]).encode()
        signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        self.server_signature = hmac.new(server_key, auth_message, hashlib.sha256).digest()
        return without_proof + ",p=" + base64.b64encode(proof).decode()

    def verify(self, server_final):
        attrs = dict(item.split("=", 1) for item in server_final.split(","))
        if "v" not in attrs or base64.b64decode(attrs["v"]) != self.server_signature:
            raise PgError({"M": "SCRAM server signature mismatch", "C": "28000"})
