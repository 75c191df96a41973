"""A minimal WebSocket client (RFC 6455): the handshake, masked text frames out,
unmasked frames in, pongs for pings. Enough to subscribe and read events."""

import base64
import hashlib
import json
import os
import socket
import struct
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class WebSocketError(Exception):
    pass


class WebSocket:
    def __init__(self, host, port, path, token, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""
        self.closed = None
        self.messages = []
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: souk.v1, bearer.{token}\r\n"
            "\r\n"
        )
        self.sock.sendall(request.encode())
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = lines[0].split()
        if len(status) < 2 or status[1] != "101":
            raise WebSocketError(f"handshake refused: {lines[0]}")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        expected = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != expected:
            raise WebSocketError("bad Sec-WebSocket-Accept")
        self.protocol = headers.get("sec-websocket-protocol")

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise WebSocketError("connection closed by the server")
        self.buffer += chunk

    def _take(self, n):
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def send_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send_json(self, message):
        self.send_frame(TEXT, json.dumps(message).encode())

    def recv_frame(self):
        """One frame: (opcode, payload). Fragments are not expected from souk."""
        b0, b1 = self._take(2)
        opcode, n = b0 & 0x0F, b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", self._take(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", self._take(8))
        mask = self._take(4) if b1 & 0x80 else None
        payload = self._take(n)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return opcode, payload

    def poll(self, until=None, timeout=5.0):
        """Reads messages for up to `timeout` s, or until `until(message)` is true.
        Returns the message that matched, else None. Every message is kept."""
        deadline = time.monotonic() + timeout
        while self.closed is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                opcode, payload = self.recv_frame()
            except socket.timeout:
                return None
            if opcode == PING:
                self.send_frame(PONG, payload)
            elif opcode == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                self.closed = (code, payload[2:].decode("utf-8", "replace"))
            elif opcode == TEXT:
                message = json.loads(payload)
                self.messages.append(message)
                if until and until(message):
                    return message
        return None

    def subscribe(self, topic, timeout=5.0):
        """Subscribes; returns the server's answer (`subscribed` or `error`)."""
        self.send_json({"type": "subscribe", "topic": topic})

        def answer(m):
            return m.get("type") in ("subscribed", "error") and m.get("topic", topic) == topic

        return self.poll(answer, timeout)

    def events(self):
        return [m for m in self.messages if m.get("type") == "event"]

    def close(self):
        try:
            if self.closed is None:
                self.send_frame(CLOSE, struct.pack("!H", 1000))
                self.poll(timeout=1.0)
        except (OSError, WebSocketError):
            pass
        finally:
            self.sock.close()
