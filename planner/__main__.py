from planner.cli import run

raise SystemExit(run())
