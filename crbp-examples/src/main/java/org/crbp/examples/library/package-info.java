/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * An example of the library used on its own: a custom recurrent cell trained with crbp-core,
 * without the program around it.
 */
package org.crbp.examples.library;
