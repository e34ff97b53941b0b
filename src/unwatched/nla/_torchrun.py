"""``torchrun`` entry point: ``torchrun --nproc_per_node N -m unwatched.nla._torchrun RUN_DIR``.

The same training code runs in one process (``unwatched nla train``) or in N under
PyTorch distributed; this module only parses the arguments torchrun passes through.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UnwatchedError
from ._train import STAGES, train


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m unwatched.nla._torchrun")
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--no-resume", action="store_true")
    parser.add_argument("--stop-after", type=int, default=None)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    try:
        train(
            args.run_dir,
            tuple(s for s in args.stages.split(",") if s),
            resume=not args.no_resume,
            stop_after=args.stop_after,
            progress=not args.no_progress,
        )
    except UnwatchedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
