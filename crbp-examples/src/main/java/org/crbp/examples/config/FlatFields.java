/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * JSON for objects whose named values sit among their own fields: a map field marked {@link
 * Inline} is written as keys of the object itself (after a named field), and every key that is
 * not a field is read back into it. A task's metrics are thus written where the fixed fields of
 * the first task stood, and files written before the map existed read unchanged. A field marked
 * {@link OmitWhenNull} is left out while null (a setting older files do not have).
 */
public final class FlatFields implements TypeAdapterFactory {

    /** Marks a {@code Map<String, Number>} field (transient) written as the object's own keys. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inline {
        /**
         * The field the entries follow.
         *
         * @return the field's name
         */
        String after();
    }

    /** Marks a field left out of the JSON while it is null. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface OmitWhenNull {}

    private final Gson plain;

    /**
     * Creates the factory.
     *
     * @param plain a Gson of the same settings without this factory, which writes the fields
     */
    FlatFields(Gson plain) {
        this.plain = plain;
    }

    /** {@inheritDoc} */
    @Override
    public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
        Class<?> raw = type.getRawType();
        Field inline = null;
        Set<String> omit = new HashSet<>();
        Set<String> fields = new HashSet<>();
        for (Field f : raw.getDeclaredFields()) {
            int m = f.getModifiers();
            if (f.isAnnotationPresent(Inline.class)) {
                inline = f;
            }
            if (f.isAnnotationPresent(OmitWhenNull.class)) {
                omit.add(f.getName());
            }
            if (!Modifier.isStatic(m) && !Modifier.isTransient(m)) {
                fields.add(f.getName());
            }
        }
        if (inline == null && omit.isEmpty()) {
            return null;
        }
        inline = inline == null ? null : accessible(inline);
        return new Adapter<>(raw, inline, omit, fields, gson.getAdapter(JsonElement.class));
    }

    private static Field accessible(Field f) {
        f.setAccessible(true);
        return f;
    }

    /** Writes through the plain Gson, then moves the map's entries into the object. */
    private final class Adapter<T> extends TypeAdapter<T> {
        private final Class<?> raw;
        private final Field inline;
        private final Set<String> omit;
        private final Set<String> fields;
        private final TypeAdapter<JsonElement> elements;

        Adapter(Class<?> raw, Field inline, Set<String> omit, Set<String> fields,
                TypeAdapter<JsonElement> elements) {
            this.raw = raw;
            this.inline = inline;
            this.omit = omit;
            this.fields = fields;
            this.elements = elements;
        }

        @Override
        public void write(JsonWriter out, T value) throws IOException {
            if (value == null) {
                out.nullValue();
                return;
            }
            JsonObject own = plain.toJsonTree(value).getAsJsonObject();
            Map<?, ?> entries = inline == null ? Map.of() : map(value);
            String after = inline == null ? null : inline.getAnnotation(Inline.class).after();
            JsonObject o = new JsonObject();
            boolean placed = entries.isEmpty();
            for (Map.Entry<String, JsonElement> e : own.entrySet()) {
                if (omit.contains(e.getKey()) && e.getValue().isJsonNull()) {
                    continue;
                }
                o.add(e.getKey(), e.getValue());
                if (!placed && e.getKey().equals(after)) {
                    put(o, entries);
                    placed = true;
                }
            }
            if (!placed) {
                put(o, entries);
            }
            elements.write(out, o);
        }

        private Map<?, ?> map(T value) {
            try {
                Object m = inline.get(value);
                return m == null ? Map.of() : (Map<?, ?>) m;
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        private void put(JsonObject o, Map<?, ?> entries) {
            for (Map.Entry<?, ?> e : entries.entrySet()) {
                Number n = (Number) e.getValue();
                o.add(String.valueOf(e.getKey()), n == null ? null : new JsonPrimitive(n));
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public T read(JsonReader in) throws IOException {
            JsonElement e = elements.read(in);
            if (e == null || e.isJsonNull()) {
                return null;
            }
            if (!e.isJsonObject()) {
                throw new com.google.gson.JsonSyntaxException("expected an object for "
                        + raw.getSimpleName() + ", got " + e);
            }
            JsonObject own = new JsonObject();
            Map<String, Number> extra = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> f : e.getAsJsonObject().entrySet()) {
                if (inline == null || fields.contains(f.getKey())) {
                    own.add(f.getKey(), f.getValue());
                } else {
                    extra.put(f.getKey(), number(f.getKey(), f.getValue()));
                }
            }
            T value = (T) plain.fromJson(own, raw);
            if (inline != null && value != null) {
                try {
                    inline.set(value, extra);
                } catch (IllegalAccessException x) {
                    throw new IllegalStateException(x);
                }
            }
            return value;
        }

        /** A stored number: a whole one as a long, NaN and infinities (written bare) as doubles. */
        private Number number(String key, JsonElement v) {
            if (v.isJsonNull()) {
                return Double.NaN;
            }
            if (!v.isJsonPrimitive()) {
                throw new com.google.gson.JsonSyntaxException("'" + key + "' of "
                        + raw.getSimpleName() + " must be a number, got " + v);
            }
            String text = v.getAsString();
            try {
                if (text.matches("-?\\d+")) {
                    return Long.parseLong(text);
                }
                return Double.parseDouble(text);
            } catch (NumberFormatException x) {
                throw new com.google.gson.JsonSyntaxException("'" + key + "' of "
                        + raw.getSimpleName() + " must be a number, got " + v);
            }
        }
    }
}
