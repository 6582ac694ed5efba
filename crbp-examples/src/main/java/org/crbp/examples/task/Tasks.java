/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.task;

import org.crbp.examples.CliException;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.SettingNames;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The program's tasks by name; Pathfinder is the default (and that of older run folders). */
public final class Tasks {

    /** The default task's name. */
    public static final String DEFAULT = PathfinderTask.NAME;

    private static final Map<String, Task> KNOWN = new LinkedHashMap<>();

    static {
        register(new PathfinderTask());
        register(new org.crbp.examples.instances.InstancesTask());
    }

    private Tasks() {}

    /**
     * Adds a task (tests add their own).
     *
     * @param task the task; one of the same name is replaced
     */
    public static synchronized void register(Task task) {
        KNOWN.put(task.name().toLowerCase(Locale.ROOT), task);
    }

    /**
     * Returns the known tasks' names in order of registration.
     *
     * @return the names
     */
    public static synchronized List<String> names() {
        return new ArrayList<>(KNOWN.keySet());
    }

    /**
     * Looks a task up by name.
     *
     * @param name the name (null: the default)
     * @param n how an error names the setting
     * @return the task
     * @throws CliException (usage) naming the known tasks if there is none of that name
     */
    public static synchronized Task byName(String name, SettingNames n) {
        String key = name == null ? DEFAULT : name.trim().toLowerCase(Locale.ROOT);
        Task t = KNOWN.get(key);
        if (t == null) {
            throw new CliException(n.of("task") + " must be " + String.join(", ", KNOWN.keySet())
                    + ", got '" + name + "'");
        }
        return t;
    }

    /**
     * Returns a run's task.
     *
     * @param c the configuration (its task null: the default)
     * @return the task
     * @throws CliException if the configuration names an unknown task
     */
    public static Task of(RunConfig c) {
        return byName(c.task, SettingNames.KEYS);
    }
}
