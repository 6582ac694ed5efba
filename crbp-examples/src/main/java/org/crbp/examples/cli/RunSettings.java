/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import org.crbp.examples.CliException;
import org.crbp.examples.config.RunConfig;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A training run's settings by option name ({@code "lr": 0.01}), as in a {@code --config} file
 * and the run folder's {@code config.json}: read from JSON or properties, turned into
 * command-line arguments, and taken from a parsed command with every default resolved.
 */
final class RunSettings {

    /** Options that are never part of a run's settings. */
    static final Set<String> NOT_SETTINGS = Set.of("config", "resume", "resume-from", "help",
            "version");

    /** Canonical JSON for comparing a stored value with a given one. */
    private static final Gson CANONICAL = new GsonBuilder().serializeSpecialFloatingPointValues()
            .create();

    private RunSettings() {}

    /**
     * Reads a settings file: a JSON object, or a properties file (by the name's ending).
     *
     * @param file the file
     * @return the settings by option name, without leading dashes, in the file's order
     * @throws CliException naming the file if it is missing or not readable
     */
    static Map<String, JsonElement> read(Path file) {
        Map<String, JsonElement> settings = new LinkedHashMap<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".properties")) {
                Properties p = new Properties();
                p.load(reader);
                for (String key : p.stringPropertyNames()) {
                    settings.put(strip(key), new JsonPrimitive(p.getProperty(key).trim()));
                }
                return settings;
            }
            JsonElement root = JsonParser.parseReader(reader);
            if (!root.isJsonObject()) {
                throw new CliException("config " + file + " must hold a JSON object of options"
                        + " by their long names, such as {\"lr\": 0.01}");
            }
            for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
                settings.put(strip(e.getKey()), e.getValue());
            }
            return settings;
        } catch (NoSuchFileException e) {
            throw new CliException("config file not found: " + file);
        } catch (JsonParseException e) {
            throw new CliException("config " + file + " is not valid JSON ("
                    + firstLine(e.getMessage()) + ")");
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("cannot read config " + file + ": " + firstLine(
                    e.getMessage()));
        }
    }

    /**
     * Turns settings into command-line arguments.
     *
     * @param spec the command whose options they are
     * @param settings the settings by option name
     * @param skip option names to leave out
     * @param source the file they came from, for the error message
     * @return the arguments
     * @throws CliException naming the file if a name is not an option of the command
     */
    static List<String> toArgs(CommandSpec spec, Map<String, JsonElement> settings,
            Set<String> skip, Path source) {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : settings.entrySet()) {
            String name = e.getKey();
            OptionSpec o = spec.findOption("--" + name);
            if (o == null || o.hidden() || o.usageHelp() || o.versionHelp()
                    || "config".equals(name)) {
                throw new CliException("config " + source + ": '" + name + "' is not an option of"
                        + " 'crbp " + spec.name() + "' (see 'crbp " + spec.name() + " --help')");
            }
            JsonElement v = e.getValue();
            if (skip.contains(name) || v == null || v.isJsonNull()) {
                continue;
            }
            if (o.arity().max() == 0) {
                boolean on = v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean()
                        ? v.getAsBoolean() : bool(v.getAsString(), name, source);
                if (on) {
                    args.add("--" + name);
                } else if (o.negatable()) {
                    args.add("--no-" + name);
                }
            } else if (v.isJsonArray()) {
                JsonArray a = v.getAsJsonArray();
                if (a.size() > 0) {
                    List<String> items = new ArrayList<>();
                    a.forEach(item -> items.add(item.getAsString()));
                    args.add("--" + name);
                    args.add(String.join(",", items));
                }
            } else if (v.isJsonPrimitive()) {
                args.add("--" + name);
                args.add(v.getAsString());
            } else {
                throw new CliException("config " + source + ": '" + name + "' must be a number,"
                        + " a string, true/false or a list, got " + v);
            }
        }
        return args;
    }

    /**
     * The effective settings of a parsed {@code train}: every option by its long name, with the
     * values the run uses (the recipe's where an option was left out).
     *
     * @param spec the parsed command
     * @param c the run's configuration
     * @param dir the run folder
     * @param configOnly only the settings of the configuration (the model, the data, the
     *     training), not the program's (time budget, threads, pictures)
     * @return the settings, in the order of the options
     */
    static Map<String, Object> effective(CommandSpec spec, RunConfig c, Path dir,
            boolean configOnly) {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            String name = o.longestName().substring(2);
            if (o.hidden() || NOT_SETTINGS.contains(name)) {
                continue;
            }
            Object value = o.getValue();
            if (o.userObject() instanceof Field) {
                try {
                    Field f = RunConfig.class.getField(((Field) o.userObject()).getName());
                    value = f.get(c);
                } catch (NoSuchFieldException e) {
                    // a setting of the program, not of the model: the option's value
                    if (configOnly) {
                        continue;
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
            if ("out".equals(name)) {
                value = dir;
            }
            if (value instanceof Path || value instanceof Enum) {
                value = value.toString();
            }
            settings.put(name, value);
        }
        return settings;
    }

    /**
     * Returns a value in a canonical JSON form, for comparing a stored setting with a given one.
     *
     * @param value a value of {@link #effective} or a stored JSON element
     * @return its compact JSON
     */
    static String canonical(Object value) {
        return CANONICAL.toJson(value instanceof JsonElement ? value
                : CANONICAL.toJsonTree(value));
    }

    /**
     * Reads a stored settings object.
     *
     * @param json the object
     * @return the settings by name
     */
    static Map<String, JsonElement> of(JsonObject json) {
        Map<String, JsonElement> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    private static boolean bool(String s, String name, Path source) {
        if ("true".equalsIgnoreCase(s) || "false".equalsIgnoreCase(s)) {
            return Boolean.parseBoolean(s);
        }
        throw new CliException("config " + source + ": '" + name + "' must be true or false, got '"
                + s + "'");
    }

    private static String strip(String key) {
        String k = key.trim();
        while (k.startsWith("-")) {
            k = k.substring(1);
        }
        return k;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
