/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import org.crbp.examples.pathfinder.BadDataFileException;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Typed reading of a JSON file's fields, where anything missing or of the wrong type is a {@link
 * BadDataFileException} naming the file, the entry and the key.
 */
final class JsonFields {

    private final Path file;

    JsonFields(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Parses the file strictly (standard JSON, one value, nothing after it) as an object. */
    JsonObject parseObject() throws IOException {
        if (!Files.exists(file)) {
            throw new BadDataFileException(file, "is missing");
        }
        JsonElement root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                JsonReader jr = new JsonReader(r)) {
            jr.setStrictness(Strictness.STRICT);
            root = JsonParser.parseReader(jr);
            if (jr.peek() != JsonToken.END_DOCUMENT) {
                throw new BadDataFileException(file, "is not valid JSON (more data after the"
                        + " top-level value)");
            }
        } catch (NoSuchFileException e) {
            throw new BadDataFileException(file, "is missing", e);
        } catch (JsonParseException | IllegalStateException | java.nio.charset
                .MalformedInputException e) {
            throw new BadDataFileException(file, "is not valid JSON (" + describe(e) + ")", e);
        } catch (IOException e) {
            throw new BadDataFileException(file, "cannot be read (" + describe(e) + ")", e);
        }
        if (!root.isJsonObject()) {
            throw new BadDataFileException(file, "is not a JSON object at the top level");
        }
        return root.getAsJsonObject();
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        // Gson adds a line pointing at its troubleshooting page
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).strip();
    }

    BadDataFileException bad(String entry, String problem) {
        return new BadDataFileException(file, (entry.isEmpty() ? "" : entry + ": ") + problem);
    }

    JsonElement get(JsonObject o, String key, String entry) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw bad(entry, "has no '" + key + "'");
        }
        return e;
    }

    JsonArray array(JsonObject o, String key, String entry) {
        JsonElement e = get(o, key, entry);
        if (!e.isJsonArray()) {
            throw bad(entry, "'" + key + "' is not a list");
        }
        return e.getAsJsonArray();
    }

    JsonObject object(JsonElement e, String entry) {
        if (!e.isJsonObject()) {
            throw bad(entry, "is not a JSON object");
        }
        return e.getAsJsonObject();
    }

    String string(JsonObject o, String key, String entry) {
        JsonElement e = get(o, key, entry);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw bad(entry, "'" + key + "' is not a string");
        }
        return e.getAsString();
    }

    String optString(JsonObject o, String key, String entry, String fallback) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? fallback : string(o, key, entry);
    }

    long integer(JsonObject o, String key, String entry, long min, long max) {
        return integerValue(get(o, key, entry), "'" + key + "'", entry, min, max);
    }

    long optInteger(JsonObject o, String key, String entry, long min, long max, long fallback) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? fallback : integer(o, key, entry, min, max);
    }

    long integerValue(JsonElement e, String what, String entry, long min, long max) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw bad(entry, what + " is not a number");
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        BigDecimal d;
        try {
            d = new BigDecimal(p.getAsString());
        } catch (NumberFormatException ex) {
            throw bad(entry, what + " is not a number (" + p.getAsString() + ")");
        }
        long v;
        try {
            v = d.longValueExact();
        } catch (ArithmeticException ex) {
            throw bad(entry, what + " is " + p.getAsString() + ", not a whole number in range");
        }
        if (v < min || v > max) {
            throw bad(entry, what + " is " + v + ", outside " + min + ".." + max);
        }
        return v;
    }

    double number(JsonElement e, String what, String entry) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw bad(entry, what + " is not a number");
        }
        double v = e.getAsDouble();
        if (!Double.isFinite(v)) {
            throw bad(entry, what + " is not finite");
        }
        return v;
    }
}
