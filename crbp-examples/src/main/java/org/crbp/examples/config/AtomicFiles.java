/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

import org.crbp.models.io.FileDigest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Durable, atomic writing of result files that honours the umask.
 *
 * <p>{@code Files.createTempFile} and {@code Files.createTempDirectory} create 0600 files and 0700
 * folders whatever the umask, so results renamed from them are unreadable to a shared group.
 * Here temporary files and folders are created with the ordinary modes (0666 and 0777 less the
 * umask), written, flushed to disk ({@code fsync}), renamed over the target in one atomic move,
 * and the folder holding them is flushed as well, so that a power loss leaves either the old file
 * or the new one, never a torn or empty one.
 */
public final class AtomicFiles {

    /** Writes the content of a file to a path (the temporary file). */
    @FunctionalInterface
    public interface Writer {
        /**
         * Writes the content.
         *
         * @param target the path to write to; it exists, empty
         * @throws IOException if writing fails
         */
        void write(Path target) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Writes a file atomically and durably.
     *
     * @param file the target
     * @param writer writes the content into the temporary file it is given
     * @throws IOException if writing fails, naming {@code file} (see {@link #named}); the target
     *     is then unchanged
     */
    public static void write(Path file, Writer writer) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        createDirectories(parent);
        Path tmp = null;
        try {
            tmp = createHidden(parent, "." + file.getFileName() + ".", ".tmp", false);
            writer.write(tmp);
            fsync(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(parent);
        } catch (IOException e) {
            // the temporary file's name means nothing to the user: name the file being written
            throw named(file, e);
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Names the file that was being written in a failure to write it: the result is a {@link
     * FileSystemException} (an {@link AccessDeniedException} for a denied permission) whose file
     * is {@code file} and whose reason is the root cause's ("No space left on device",
     * "Read-only file system", ...), with {@code e} as its cause.
     *
     * @param file the file being written (not its temporary file)
     * @param e the failure
     * @return the failure, naming {@code file}
     */
    public static FileSystemException named(Path file, IOException e) {
        if (e instanceof FileSystemException && file.toString().equals(
                ((FileSystemException) e).getFile())) {
            return (FileSystemException) e;
        }
        String reason = reason(e);
        FileSystemException named = e instanceof AccessDeniedException
                || "Permission denied".equals(reason)
                ? new AccessDeniedException(file.toString(), null, "Permission denied")
                : new FileSystemException(file.toString(), null, reason);
        named.initCause(e);
        return named;
    }

    /** The deepest reason in a chain of I/O failures ("No space left on device"). */
    private static String reason(Throwable e) {
        String reason = null;
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof AccessDeniedException) {
                return "Permission denied";
            }
            String r = c instanceof FileSystemException ? ((FileSystemException) c).getReason()
                    : c.getMessage();
            if (r != null && !r.isBlank()) {
                reason = r.strip();
            }
        }
        return reason == null ? e.getClass().getSimpleName() : reason;
    }

    /**
     * Makes sure that files can be written in a folder before any work is done: creates it and
     * its missing parents, then creates and removes a hidden file in it.
     *
     * @param dir the folder
     * @throws IOException if it cannot be created or written in (a {@link FileSystemException}
     *     that names the folder, such as an {@link AccessDeniedException})
     */
    public static void checkWritable(Path dir) throws IOException {
        createDirectories(dir);
        Path probe;
        try {
            probe = createHidden(dir, ".crbp-write-check.", ".tmp", false);
        } catch (IOException e) {
            throw named(dir, e);
        }
        Files.deleteIfExists(probe);
    }

    /**
     * Writes a UTF-8 text file atomically and durably.
     *
     * @param file the target
     * @param text the text
     * @throws IOException if writing fails
     */
    public static void writeString(Path file, String text) throws IOException {
        write(file, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }

    /**
     * Creates a folder and its missing parents; a path that exists as a file is named in the
     * error.
     *
     * @param dir the folder
     * @return the folder
     * @throws IOException if it cannot be created, with a one-line message naming the path
     */
    public static Path createDirectories(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new FileAlreadyExistsException(dir.toString(), null,
                    "exists and is not a folder");
        }
        try {
            return Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            // a parent is a file: name it
            Path p = dir.toAbsolutePath();
            while (p != null && !Files.isRegularFile(p)) {
                p = p.getParent();
            }
            throw new FileAlreadyExistsException(p == null ? dir.toString() : p.toString(), null,
                    "exists and is not a folder");
        }
    }

    /**
     * Creates a new hidden file or folder with a random name in {@code parent}, with the ordinary
     * modes (the umask applies).
     *
     * @param parent the folder
     * @param prefix the name's beginning (start it with a dot to hide it)
     * @param suffix the name's end
     * @param directory whether to create a folder
     * @return the new path
     * @throws IOException if it cannot be created
     */
    public static Path createHidden(Path parent, String prefix, String suffix, boolean directory)
            throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = parent.resolve(prefix
                    + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + suffix);
            try {
                return directory ? Files.createDirectory(p) : Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /**
     * Flushes a file's content and metadata to the disk.
     *
     * @param file the file
     * @throws IOException if it cannot be flushed
     */
    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /**
     * Flushes a folder's entries (new names, renames) to the disk. File systems that cannot open
     * a folder for this are skipped.
     *
     * @param dir the folder
     */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not supported here (for example on Windows); the rename itself is still atomic
        }
    }

    /**
     * Flushes every file under a folder, then the folders, deepest first.
     *
     * @param dir the folder
     * @throws IOException if a file cannot be flushed
     */
    public static void fsyncTree(Path dir) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isDirectory(p)) {
                    dirs.add(p);
                } else if (Files.isRegularFile(p)) {
                    fsync(p);
                }
            }
        }
        Collections.reverse(dirs);
        for (Path d : dirs) {
            fsyncDirectory(d);
        }
    }

    /**
     * Deletes a folder and everything in it; a missing folder is fine.
     *
     * @param dir the folder
     * @throws IOException if something cannot be deleted
     */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(paths::add);
        }
        Collections.reverse(paths);
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Returns the SHA-256 of a file as 64 lower-case hex digits.
     *
     * @param file the file
     * @return the digest
     * @throws IOException if the file cannot be read
     */
    public static String sha256(Path file) throws IOException {
        return FileDigest.sha256(file);
    }
}
