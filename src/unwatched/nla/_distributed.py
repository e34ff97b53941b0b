"""PyTorch distributed, when the run was started by ``torchrun``; a no-op otherwise.

One code path serves one CPU here and many GPUs elsewhere: ``torchrun`` sets ``RANK`` and
``WORLD_SIZE``, each process takes its share of every global batch, and
``DistributedDataParallel`` averages gradients, so the update equals the single-process
update on the whole batch (up to floating-point summation order). CPUs use the ``gloo``
backend, GPUs ``nccl``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
import torch.distributed as dist
from torch import nn

T = TypeVar("T")


@dataclass(frozen=True)
class Dist:
    rank: int = 0
    world: int = 1

    @property
    def main(self) -> bool:
        return self.rank == 0

    def shard(self, items: list[T]) -> list[T]:
        """This process's share of a global batch (the global batch must divide evenly)."""
        if len(items) % self.world:
            raise ValueError(
                f"a global batch of {len(items)} does not split over {self.world} processes"
            )
        return items[self.rank :: self.world]

    def wrap(self, module: nn.Module) -> Any:
        if self.world == 1:
            return module
        return nn.parallel.DistributedDataParallel(module)

    def mean(self, value: float) -> float:
        """The mean of a scalar over processes (for logging the global loss)."""
        if self.world == 1:
            return value
        t = torch.tensor([value], dtype=torch.float64)
        dist.all_reduce(t)
        return float(t.item()) / self.world

    def barrier(self) -> None:
        if self.world > 1:
            dist.barrier()


def init() -> Dist:
    """Join the process group torchrun describes in the environment, if any."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return Dist()
    if not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return Dist(rank=dist.get_rank(), world=dist.get_world_size())


def shutdown() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()
