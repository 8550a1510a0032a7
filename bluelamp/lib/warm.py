"""A web worker made ready to serve: its code loaded, then its garbage collector told to leave
what was loaded alone.

Django, the apps and their modules are a few hundred thousand long-lived objects. Python's
full collection walks them all (some 40 ms here), now and then in the middle of a request,
which is most of the live view's slowest answers. ``gc.freeze`` moves everything alive now
out of the collector's sight (what Instagram and others do in their web workers); what a
request leaves behind is still collected as before.
"""

import gc


def worker_ready() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module now, not per request)
    gc.collect()
    gc.freeze()
