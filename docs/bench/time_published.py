"""Seconds per training iteration of the published hConvGRU code on the CPU.

usage: python3 time_published.py SIZE BATCH KERNEL STEPS ALGO(bptt|rbp) PENALTY(0|1) REPEATS THREADS
Prints one line: median wall seconds and median process CPU seconds over REPEATS timed
iterations after one warm-up (forward, loss, penalty, backward, optimizer step), then, for rbp,
the median seconds per phase in the order `crbp benchmark` prints them: the forward solve (encoder
and the steps without gradient), the recorded step with the penalty's product, readout, loss and
the loss's backward to the state, the Neumann products, the backward to the parameters, the
optimizer step; and the Neumann products taken.
"""
import sys, time, statistics
import torch
torch.Tensor.cuda = lambda self, *a, **k: self  # the published code calls .cuda() in forward
sys.path.insert(0, '.')
import models.hgrucleanSEG as published
from models.hgrucleanSEG import hConvGRU
from utils.misc_functions import FocalLoss

size, batch, kernel, steps = (int(v) for v in sys.argv[1:5])
algo, penalty = sys.argv[5], sys.argv[6] == '1'
repeats, threads = int(sys.argv[7]), int(sys.argv[8])
torch.set_num_threads(threads)
torch.manual_seed(1)
model = hConvGRU(timesteps=steps, filt_size=kernel, num_iter=15, exp_name='t',
                 jacobian_penalty=penalty, grad_method=algo)
criterion = FocalLoss(gamma=2)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.rand(batch, 1, size, size)
target = (torch.rand(batch, size, size) > 0.9).long()

# phase clock: the times of the cell's calls and of the Neumann backward's start, end and products
marks = {}
cell_forward = model.unit1.forward
def timed_cell(*a, **k):
    out = cell_forward(*a, **k)
    marks['penultimate'], marks['last'] = marks.get('last'), time.perf_counter()
    return out
model.unit1.forward = timed_cell
neumann = published.dummyhgru.backward
def timed_neumann(ctx, grad):
    marks['adjointStart'] = time.perf_counter()
    grad_fn = torch.autograd.grad
    def counted(*a, **k):
        marks['products'] = marks.get('products', 0) + 1
        return grad_fn(*a, **k)
    torch.autograd.grad = counted
    try:
        return neumann(ctx, grad)
    finally:
        torch.autograd.grad = grad_fn
        marks['adjointEnd'] = time.perf_counter()
published.dummyhgru.backward = staticmethod(timed_neumann)

wall, cpu, phases, products = [], [], [], []
for r in range(repeats + 1):
    marks.clear()
    w0, c0 = time.perf_counter(), time.process_time()
    optimizer.zero_grad()
    output, jv_penalty, loss = model.forward(x, 0, r, target, criterion)
    if penalty:
        loss = loss + jv_penalty.mean() * 1e1
    loss.backward()
    backward_end = time.perf_counter()
    optimizer.step()
    end = time.perf_counter()
    if r > 0:
        wall.append(end - w0)
        cpu.append(time.process_time() - c0)
        if 'adjointStart' in marks:
            solve_end = marks['penultimate']
            phases.append((solve_end - w0, marks['adjointStart'] - solve_end,
                           marks['adjointEnd'] - marks['adjointStart'],
                           backward_end - marks['adjointEnd'], end - backward_end))
            products.append(marks.get('products', 0))
print("published %s%s T=%d k%d %dx%d batch %d threads %d: %.3f s, cpu %.3f s" % (
    'c-' if penalty else '', algo, steps, kernel, size, size, batch, threads,
    statistics.median(wall), statistics.median(cpu)))
if phases:
    print("phases: " + " | ".join("%.3f" % statistics.median(p) for p in zip(*phases))
          + " | products %g" % statistics.median(products))
