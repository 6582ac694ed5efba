/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;

import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.SettingNames;
import org.crbp.examples.CliException;
import org.crbp.examples.task.Tasks;

import java.nio.file.Path;

/** A model loaded from a checkpoint, with the configuration it was trained with. */
public final class Loaded implements AutoCloseable {

    /** The checkpoint loaded. */
    public final Checkpoints.Found checkpoint;
    /** The settings it was trained with. */
    public final RunConfig config;
    /** The model holding its weights. */
    public final Model model;
    /** The model's block. */
    public final Block block;

    private Loaded(Checkpoints.Found checkpoint, Model model, Block block) {
        this.checkpoint = checkpoint;
        this.config = checkpoint.state.config;
        this.model = model;
        this.block = block;
    }

    /**
     * Loads a checkpoint named by the user.
     *
     * @param path a run folder, its checkpoints folder or one checkpoint
     * @param device the device
     * @return the loaded model
     * @throws CliException if the checkpoint is missing or corrupt
     */
    public static Loaded open(Path path, Device device) {
        Checkpoints.Found found = Checkpoints.resolve(path);
        RunConfig c = found.state.config;
        try {
            // named by their keys (as in config.json): the values come from a file, not options
            c.validate(SettingNames.KEYS);
        } catch (CliException e) {
            throw Checkpoints.corrupt(found.dir, "its configuration is invalid (" + e.getMessage()
                    + ")");
        }
        Block block = Tasks.of(c).model(c, c.steps);
        Model model = Model.newInstance("crbp", device);
        try {
            model.setBlock(block);
            Checkpoints.loadParameters(model, found);
            block.initialize(model.getNDManager(), DataType.FLOAT32,
                    Tasks.of(c).inputShapes(c));
        } catch (RuntimeException e) {
            model.close();
            if (e instanceof CliException) {
                throw e;
            }
            throw Checkpoints.corrupt(found.dir, "its parameters do not fit the model ("
                    + e.getMessage() + ")");
        }
        return new Loaded(found, model, block);
    }

    /** {@inheritDoc} */
    @Override
    public void close() {
        model.close();
    }
}
