package io.batchpool.testkit;

import io.restassured.RestAssured;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 on a plain socket to the service under test ({@code RestAssured.port}), for what a regular client will not
 * send: any {@code Host}, control characters in headers, malformed request lines, a chunked body that stops half-way
 * (the answer is read while the body is still "coming").
 */
public final class RawHttp {
    private RawHttp() {
    }

    /**
     * One answer: its status (0 when the server closed the connection without one), headers, body, and whether the
     * server closed the connection within 2 seconds after it.
     */
    public record Answer(int status, Map<String, String> headers, String body, boolean closed) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Sends {@code head} (request line and headers, without the blank line) and {@code body}, then reads the answer. */
    public static Answer exchange(String head, byte[] body) throws IOException {
        return send((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), body);
    }

    /** Sends {@code bytes} as they are and reads the answer. */
    public static Answer send(byte[] bytes, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(bytes);
                if (body != null) {
                    out.write(body);
                }
                out.flush();
            } catch (SocketException e) {
                // the server may answer and close before it has read everything: read what it said
            }
            return read(socket);
        }
    }

    /** {@code count} chunks of {@code size} bytes of chunked encoding, without the last (empty) chunk. */
    public static byte[] chunks(int count, int size, byte fill) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] data = new byte[size];
        java.util.Arrays.fill(data, fill);
        for (int i = 0; i < count; i++) {
            out.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(data);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** A whole chunked body: {@code text} in one chunk and the last chunk. */
    public static byte[] chunked(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(bytes);
        out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static Answer read(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        String statusLine;
        try {
            statusLine = line(in);
        } catch (SocketException e) {
            return new Answer(0, Map.of(), "", true); // reset before any answer
        }
        if (statusLine.isEmpty()) {
            return new Answer(0, Map.of(), "", true);
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.writeBytes(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; size = Integer.parseInt(line(in).trim(), 16)) {
                body.writeBytes(in.readNBytes(size));
                line(in);
            }
        }
        return new Answer(status, headers, body.toString(StandardCharsets.UTF_8), closedSoon(socket));
    }

    private static boolean closedSoon(Socket socket) throws IOException {
        socket.setSoTimeout(2_000);
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                s.append((char) c);
            }
        }
        return s.toString();
    }
}
