/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/** Double-precision gradient checks for cells and gradient methods. */
package org.crbp.core.check;
