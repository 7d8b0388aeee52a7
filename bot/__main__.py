"""Command line of the gateway.

    python -m bot run        prepare (migrate, index, train if changed) and start everything
    python -m bot prepare    only the preparation steps
"""

import argparse
import logging
import signal
import sys
import time
from types import FrameType

from bot.processes import StartupError
from bot.settings import get_settings
from bot.stack import StackConfig, build_processes, prepare, start_all, stop_all

logger = logging.getLogger("bot")


def _config() -> StackConfig:
    settings = get_settings()
    from handoff import get_settings as handoff_settings  # noqa: PLC0415  (read the same env)

    return StackConfig(
        var_dir=settings.var_dir,
        database_url=handoff_settings().resolved_database_url(),
        host=settings.host,
        gateway_port=settings.port,
        rasa_port=settings.rasa_port,
        actions_port=settings.action_server_port,
        rasa_timeout_seconds=settings.rasa_timeout_seconds,
    )


def _cmd_prepare(_args: argparse.Namespace) -> int:
    prepare(_config())
    return 0


def _cmd_run(_args: argparse.Namespace) -> int:
    config = _config()
    started = time.monotonic()
    model = prepare(config)
    processes = build_processes(config, model)
    start_all(processes)
    base = get_settings().base_url()
    sys.stdout.write(
        f"\nDeskmate is ready ({time.monotonic() - started:.0f}s):\n"
        f"  demo page with the chat widget  {base}/\n"
        f"  widget and agent API docs       {base}/docs\n"
        f"  health                          {base}/health\n"
        f"  logs                            {config.var_dir / 'log'}\n"
        "Press Ctrl-C to stop.\n"
    )
    sys.stdout.flush()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)  # also when started in the background with SIGINT ignored
    try:
        while all(process.is_running() for process in processes):
            time.sleep(1)
        dead = [process for process in processes if not process.is_running()]
        for process in dead:
            logger.error("%s stopped unexpectedly; see %s\n%s", process.name, process.log_path, process.log_tail())
        return 1
    except KeyboardInterrupt:
        sys.stdout.write("\nStopping...\n")
        return 0
    finally:
        stop_all(processes)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="prepare and start the whole product").set_defaults(func=_cmd_run)
    commands.add_parser("prepare", help="migrate, index and train if needed").set_defaults(func=_cmd_prepare)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except StartupError as error:
        logger.error("%s", error)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
