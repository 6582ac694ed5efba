/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import org.crbp.core.RecurrentNet;
import org.crbp.models.ConvLstmCell;
import org.crbp.models.GaborInputLayer;
import org.crbp.models.HgruCell;
import org.crbp.models.SegmentationReadout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves the weights of the hGRU and convLSTM Pathfinder models (built by {@link
 * org.crbp.models.PathfinderModels}) to and from NumPy {@code .npz} files keyed by the reference
 * PyTorch implementation's {@code state_dict} names, so that trained weights move both ways.
 *
 * <p>The files are read and written with DJL's NumPy support ({@link NDList#encode(NDList.Encoding)}
 * with {@link NDList.Encoding#NPZ}, {@link NDList#decode(NDManager, byte[])}): one {@code
 * <name>.npy} entry per parameter, as {@code numpy.savez} writes them; files from {@code
 * numpy.savez_compressed} are read as well.
 *
 * <p>On the PyTorch side: {@code np.savez(f, **{k: v.cpu().numpy() for k, v in
 * model.state_dict().items()})} writes a file {@link #load} reads, and {@code
 * model.load_state_dict({k: torch.from_numpy(v) for k, v in np.load(f).items()})} reads one
 * {@link #save} writes. A {@code module.} prefix (from {@code DataParallel}) is accepted when
 * loading.
 *
 * <p>hGRU names (the reference's {@code models/hgrucleanSEG.py}, in {@code state_dict} order):
 * {@code conv0.weight}, {@code conv0.bias} (the input convolution), {@code unit1.w_gate_inh},
 * {@code unit1.w_gate_exc} (the horizontal kernels), {@code unit1.alpha}, {@code unit1.gamma},
 * {@code unit1.kappa}, {@code unit1.w}, {@code unit1.mu} (per-channel mixing coefficients),
 * {@code unit1.u1_gate.weight}, {@code unit1.u1_gate.bias}, {@code unit1.u2_gate.weight}, {@code
 * unit1.u2_gate.bias} (the 1x1 gates), {@code unit1.bn.0.weight} … {@code unit1.bn.3.bias} (the
 * cell's four normalisations), {@code bn.weight}, {@code bn.bias}, {@code conv6.weight}, {@code
 * conv6.bias} (the readout).
 *
 * <p>convLSTM names (the reference's {@code models/convlstm.py}, in {@code state_dict} order):
 * {@code conv0.*}, then for each gate {@code g} in {@code i, f, c, o}: {@code unit1.Wxg.weight},
 * {@code unit1.Wxg.bias} (input convolution) and {@code unit1.Whg.weight} (hidden convolution,
 * no bias), then {@code bn.*} and {@code conv6.*}.
 */
public final class ReferenceWeights {

    private ReferenceWeights() {}

    /**
     * Returns the reference's key for each parameter of a Pathfinder model, in the reference's
     * {@code state_dict} order.
     *
     * @param net an hGRU or convLSTM model from {@link org.crbp.models.PathfinderModels}
     * @return the parameters by reference key
     * @throws IllegalArgumentException if the network is not such a model
     */
    public static Map<String, Parameter> referenceKeys(RecurrentNet net) {
        if (!(net.getEncoder() instanceof GaborInputLayer)
                || !(net.getReadout() instanceof SegmentationReadout)) {
            throw new IllegalArgumentException(
                    "Reference weights need a GaborInputLayer encoder and a SegmentationReadout,"
                            + " as PathfinderModels builds them");
        }
        GaborInputLayer encoder = (GaborInputLayer) net.getEncoder();
        SegmentationReadout readout = (SegmentationReadout) net.getReadout();
        Map<String, Parameter> keys = new LinkedHashMap<>();
        keys.put("conv0.weight", encoder.getConv().getWeight());
        keys.put("conv0.bias", encoder.getConv().getBias());
        Block cell = net.getCell();
        if (cell instanceof HgruCell) {
            for (String name : new String[] {"w_gate_inh", "w_gate_exc", "alpha", "gamma", "kappa",
                "w", "mu"}) {
                keys.put("unit1." + name, param(cell, name));
            }
            for (int u = 1; u <= 2; u++) {
                keys.put("unit1.u" + u + "_gate.weight", param(cell, "u" + u + "_weight"));
                keys.put("unit1.u" + u + "_gate.bias", param(cell, "u" + u + "_bias"));
            }
            for (int i = 0; i < 4; i++) {
                keys.put("unit1.bn." + i + ".weight", param(cell, "bn" + i + "_weight"));
                keys.put("unit1.bn." + i + ".bias", param(cell, "bn" + i + "_bias"));
            }
        } else if (cell instanceof ConvLstmCell) {
            for (String g : new String[] {"i", "f", "c", "o"}) {
                keys.put("unit1.Wx" + g + ".weight", param(cell, "Wx" + g + "_weight"));
                keys.put("unit1.Wx" + g + ".bias", param(cell, "Wx" + g + "_bias"));
                keys.put("unit1.Wh" + g + ".weight", param(cell, "Wh" + g + "_weight"));
            }
        } else {
            throw new IllegalArgumentException(
                    "Reference weights exist for HgruCell and ConvLstmCell, not "
                            + cell.getClass().getSimpleName());
        }
        keys.put("bn.weight", readout.getNorm().getWeight());
        keys.put("bn.bias", readout.getNorm().getBias());
        keys.put("conv6.weight", readout.getConv().getWeight());
        keys.put("conv6.bias", readout.getConv().getBias());
        return Collections.unmodifiableMap(keys);
    }

    private static Parameter param(Block block, String name) {
        return block.getDirectParameters().get(name);
    }

    /**
     * Saves an initialised model's weights to an {@code .npz} file under the reference's names,
     * in the parameters' data type (float32 in training). The file is written beside the target
     * and moved into place, so a failed save never leaves a partial file under that name.
     *
     * @param net the model, initialised
     * @param file the file to write
     * @throws IOException if the file cannot be written
     * @throws IllegalStateException if the model is not initialised
     */
    public static void save(RecurrentNet net, Path file) throws IOException {
        Map<String, Parameter> keys = referenceKeys(net);
        for (Map.Entry<String, Parameter> e : keys.entrySet()) {
            if (!e.getValue().isInitialized()) {
                throw new IllegalStateException(
                        "Initialise the model before saving: " + e.getKey() + " has no value");
            }
        }
        byte[] npz;
        NDManager manager = keys.get("conv0.weight").getArray().getManager();
        try (NDManager scope = manager.newSubManager()) {
            NDList list = new NDList(keys.size());
            for (Map.Entry<String, Parameter> e : keys.entrySet()) {
                // a named copy: renaming the parameter's own array would rename the parameter's
                NDArray copy = e.getValue().getArray().duplicate();
                copy.attach(scope);
                copy.setName(e.getKey());
                list.add(copy);
            }
            npz = list.encode(NDList.Encoding.NPZ);
        }
        writeAtomically(file, npz);
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads every array of a NumPy {@code .npz} file, keyed by entry name (without {@code .npy}),
     * in the archive's order.
     *
     * @param file the file
     * @param manager the manager that owns the arrays
     * @return the arrays by name
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the file is not an {@code .npz} archive
     */
    static Map<String, NDArray> readNpz(Path file, NDManager manager) throws IOException {
        NDList list;
        try {
            list = NDList.decode(manager, Files.readAllBytes(file));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException(
                    file + " is not a NumPy .npz archive (" + e.getMessage() + ")", e);
        }
        Map<String, NDArray> byName = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            NDArray a = list.get(i);
            // numpy names unnamed arrays arr_0, arr_1, ...; DJL gives them no name
            String name = a.getName() == null ? "arr_" + i : a.getName();
            if (byName.put(name, a) != null) {
                throw new IllegalArgumentException(file + " holds " + name + " twice");
            }
        }
        return byName;
    }

    /**
     * Loads weights from an {@code .npz} file with the reference's names into an initialised
     * model, in place: every parameter must be present with its exact shape and every entry must
     * be known (a {@code module.} prefix is dropped). Values are converted to the parameters'
     * data type and device.
     *
     * @param net the model, initialised
     * @param file the file to read
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the file is not an {@code .npz} archive, keys are missing
     *     or unknown, or a shape differs
     */
    public static void load(RecurrentNet net, Path file) throws IOException {
        Map<String, Parameter> keys = referenceKeys(net);
        for (Map.Entry<String, Parameter> e : keys.entrySet()) {
            if (!e.getValue().isInitialized()) {
                throw new IllegalStateException(
                        "Initialise the model before loading: " + e.getKey() + " has no value");
            }
        }
        NDManager manager = keys.get("conv0.weight").getArray().getManager();
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> read = readNpz(file, scope);
            Map<String, NDArray> byKey = new LinkedHashMap<>();
            List<String> unknown = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : read.entrySet()) {
                String k = e.getKey().startsWith("module.") ? e.getKey().substring(7) : e.getKey();
                if (keys.containsKey(k)) {
                    byKey.put(k, e.getValue());
                } else {
                    unknown.add(e.getKey());
                }
            }
            List<String> missing = new ArrayList<>();
            for (String k : keys.keySet()) {
                if (!byKey.containsKey(k)) {
                    missing.add(k);
                }
            }
            if (!missing.isEmpty() || !unknown.isEmpty()) {
                throw new IllegalArgumentException(
                        file + " does not match the model: missing " + missing + ", unknown "
                                + unknown);
            }
            for (Map.Entry<String, Parameter> e : keys.entrySet()) {
                NDArray target = e.getValue().getArray();
                NDArray value = byKey.get(e.getKey());
                if (!value.getShape().equals(target.getShape())) {
                    throw new IllegalArgumentException(
                            e.getKey() + " has shape " + value.getShape() + " in " + file
                                    + ", the model needs " + target.getShape());
                }
                NDArray converted = value.toType(target.getDataType(), false);
                target.set(converted.toByteBuffer());
            }
        }
    }
}
