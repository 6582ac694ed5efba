"""Seconds per training iteration of the published hConvGRU code on the CPU.

usage: python3 time_published.py SIZE BATCH KERNEL STEPS ALGO(bptt|rbp) PENALTY(0|1) REPEATS THREADS
Prints one line: median wall seconds and median process CPU seconds over REPEATS timed
iterations after one warm-up (forward, loss, penalty, backward, optimizer step).
"""
import sys, time, statistics
import torch
torch.Tensor.cuda = lambda self, *a, **k: self  # the published code calls .cuda() in forward
sys.path.insert(0, '.')
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
wall, cpu = [], []
for r in range(repeats + 1):
    w0, c0 = time.perf_counter(), time.process_time()
    optimizer.zero_grad()
    output, jv_penalty, loss = model.forward(x, 0, r, target, criterion)
    if penalty:
        loss = loss + jv_penalty.mean() * 1e1
    loss.backward()
    optimizer.step()
    if r > 0:
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
print("published %s%s T=%d k%d %dx%d batch %d threads %d: %.3f s, cpu %.3f s" % (
    'c-' if penalty else '', algo, steps, kernel, size, size, batch, threads,
    statistics.median(wall), statistics.median(cpu)))
