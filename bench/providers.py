"""Sends per second through the real Notify and Twilio clients to their fakes (issue 3).

The fake runs as its own process, as in the dispatch benchmark, so it does not share this
process's interpreter lock. One sender is one thread, as one worker sends; then two sender
processes at once against one fake, to show the fake keeps up with two workers. Target: at
least 50 sends a second for each worker (Notify's own limit is 3,000 a minute).

    .venv/bin/python bench/providers.py [--messages 2000]
"""

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bluelamp.delivery.providers import NotifyProvider, TwilioProvider  # noqa: E402
from tests.fakes import notify as fake_notify  # noqa: E402
from tests.fakes import twilio as fake_twilio  # noqa: E402

TARGET = 50.0


def start_fake(module: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, f"http://127.0.0.1:{int(process.stdout.readline())}"


def provider(kind: str, url: str) -> NotifyProvider | TwilioProvider:
    if kind == "notify":
        return NotifyProvider(
            api_key=fake_notify.API_KEY, base_url=url, sms_template_id=fake_notify.SMS_TEMPLATE_ID
        )
    return TwilioProvider(
        account_sid=fake_twilio.ACCOUNT_SID,
        auth_token=fake_twilio.AUTH_TOKEN,
        from_number=fake_twilio.FROM_NUMBER,
        base_url=url,
        status_callback_url="https://bluelamp.example/delivery/twilio/status",
    )


def send(kind: str, url: str, messages: int, worker: int = 0) -> float:
    """Messages a second from one thread."""
    sender = provider(kind, url)
    sender.send_sms(to="+447700900123", body="warm-up", reference=f"warm-{worker}")
    started = time.perf_counter()
    for n in range(messages):
        sender.send_sms(
            to="+447700900123",
            body=f"Test Constabulary: how did we do? https://example.police.uk/s/{worker}-{n}",
            reference=f"{worker}-{n}",
        )
    return messages / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="per sender")
    options = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    missed = False
    for kind, module in (("notify", "tests.fakes.notify"), ("twilio", "tests.fakes.twilio")):
        process, url = start_fake(module)
        try:
            one = send(kind, url, options.messages)
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                two = pool.starmap(send, [(kind, url, options.messages, w) for w in (1, 2)])
        finally:
            process.kill()
            process.wait()
        print(
            f"{kind:7} one sender {one:6.0f}/s; two senders at once "
            f"{two[0]:5.0f}/s and {two[1]:5.0f}/s (together {sum(two):5.0f}/s)"
        )
        missed = missed or min(one, *two) < TARGET
    print(f"target {TARGET:.0f}/s per worker: {'MISSED' if missed else 'met'}")


if __name__ == "__main__":
    main()
