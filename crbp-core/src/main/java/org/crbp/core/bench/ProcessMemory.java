/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Resident memory of this process, read from {@code /proc/self/status} (Linux): what the
 * operating system charges for the JVM, its heap and every native tensor together.
 */
public final class ProcessMemory {

    private static final Path STATUS = Paths.get("/proc/self/status");

    private ProcessMemory() {}

    /**
     * Returns whether the numbers can be read on this system.
     *
     * @return whether {@code /proc/self/status} exists
     */
    public static boolean isAvailable() {
        return Files.isReadable(STATUS);
    }

    /**
     * Returns the current resident set size ({@code VmRSS}).
     *
     * @return bytes, or -1 when unavailable
     */
    public static long residentBytes() {
        return read("VmRSS:");
    }

    /**
     * Returns the peak resident set size of the process so far ({@code VmHWM}).
     *
     * @return bytes, or -1 when unavailable
     */
    public static long peakResidentBytes() {
        return read("VmHWM:");
    }

    private static long read(String key) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Returns the CPU time of this process, all threads, in nanoseconds.
     *
     * @return the CPU time, or -1 where the JVM does not report it
     */
    public static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }
}
