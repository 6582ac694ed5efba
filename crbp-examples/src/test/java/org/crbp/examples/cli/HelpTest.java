/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --help} of every command: readable labels ({@code <n>}, not {@code <validationSize>}),
 * the default of every option that has one, lines of at most 100 characters and no word broken
 * across lines.
 */
class HelpTest {

    private static final Pattern LABEL = Pattern.compile("=?(<[^>]+>|[A-Z][A-Z_]+\\b)");

    private static List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        CommandLine main = Main.commandLine();
        all.add(main);
        for (Map.Entry<String, CommandLine> e : main.getSubcommands().entrySet()) {
            // picocli's own help command is not the program's text
            if (!e.getValue().getCommandSpec().usageMessage().hidden()
                    && !e.getKey().equals("help")) {
                all.add(e.getValue());
            }
        }
        return all;
    }

    @Test
    void readableLabelsAndDefaults() {
        for (CommandLine cl : commands()) {
            CommandSpec spec = cl.getCommandSpec();
            String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            for (ArgSpec a : spec.args()) {
                if (a.hidden() || (a instanceof OptionSpec && ((OptionSpec) a).arity().max() == 0)) {
                    continue;
                }
                String label = a.paramLabel();
                assertTrue(label.matches("<[a-z][a-z0-9-]*>(\\.\\.\\.)?"),
                        spec.qualifiedName() + ": label " + label + " of " + name(a));
            }
            Matcher m = LABEL.matcher(help);
            while (m.find()) {
                String label = m.group(1);
                assertFalse(label.startsWith("<") && !label.equals(label.toLowerCase()),
                        spec.qualifiedName() + ": Java-style label " + label + " in\n" + help);
            }
            for (OptionSpec o : spec.options()) {
                if (o.hidden() || o.usageHelp() || o.versionHelp()) {
                    continue;
                }
                String sentence = String.join(" ", o.description()).strip();
                assertTrue(!sentence.isEmpty() && (Character.isUpperCase(sentence.charAt(0))
                        || sentence.startsWith("hGRU")), spec.qualifiedName() + " "
                        + o.longestName() + ": not a sentence: " + sentence);
                if (o.defaultValue() == null) {
                    continue;
                }
                String text = String.join(" ", o.description());
                assertTrue(text.contains("Default: "), spec.qualifiedName() + " " + o.longestName()
                        + " has a default (" + o.defaultValue() + ") its help does not show: "
                        + text);
                assertFalse(text.contains("${"), text);
                assertTrue(text.strip().endsWith("."), spec.qualifiedName() + " "
                        + o.longestName() + ": not a whole sentence: " + text);
            }
        }
    }

    @Test
    void linesFitAndNoWordIsBroken() {
        for (CommandLine cl : commands()) {
            CommandSpec spec = cl.getCommandSpec();
            String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            Set<String> words = new HashSet<>(Arrays.asList("Usage", "Options", "Commands",
                    "Parameters", "Show", "this", "help", "message", "and", "exit", "Print",
                    "version", "information", "crbp", "COMMAND"));
            StringBuilder source = new StringBuilder(spec.qualifiedName() + " "
                    + String.join(" ", spec.usageMessage().description()));
            for (ArgSpec a : spec.args()) {
                source.append(' ').append(String.join(" ", a.description())).append(' ')
                        .append(a.paramLabel()).append(' ').append(a.defaultValue());
                if (a instanceof OptionSpec) {
                    source.append(' ').append(String.join(" ", ((OptionSpec) a).names()));
                }
            }
            for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
                source.append(' ').append(String.join(" ", e.getValue().getCommandSpec()
                        .usageMessage().header()));
                source.append(' ').append(e.getKey()).append(' ').append(String.join(" ",
                        e.getValue().getCommandSpec().usageMessage().description()));
            }
            words.addAll(Arrays.asList(source.toString().split("[^A-Za-z]+")));
            for (String line : help.split("\n")) {
                assertTrue(line.length() <= 100, spec.qualifiedName() + ": line of "
                        + line.length() + " characters: " + line);
                // option names and short-option clusters ([-hV]) are not prose
                String prose = line.replaceAll("(?<![A-Za-z])-{1,2}[A-Za-z][A-Za-z-]*", " ");
                for (String w : prose.split("[^A-Za-z]+")) {
                    assertTrue(w.isEmpty() || words.contains(w), spec.qualifiedName()
                            + ": '" + w + "' is not a word of the help text (broken?) in: "
                            + line);
                }
            }
        }
    }

    private static String name(ArgSpec a) {
        return a instanceof OptionSpec ? ((OptionSpec) a).longestName() : a.paramLabel();
    }

    @Test
    void everyCommandHasHelp() {
        for (CommandLine cl : commands()) {
            String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertTrue(help.contains("--help"), cl.getCommandName());
            assertEquals(-1, help.indexOf("null"), cl.getCommandName() + ":\n" + help);
        }
    }
}
