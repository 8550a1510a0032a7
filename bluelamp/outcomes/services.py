"""Looking up a Home Office outcome code in the framework."""

from bluelamp.outcomes.models import OutcomeCode, OutcomeFramework


class OutcomeUnknown(ValueError):
    """The code is not in the framework's current version."""

    def __init__(self, code: str, version: int | None, *, seeded: bool = True) -> None:
        self.code = code
        self.version = version
        if not seeded:
            where = f"no version {version} seeded" if version else "no version seeded"
        else:
            where = f"version {version}"
        super().__init__(
            f"{code!r} is not a Home Office outcome code (outcomes framework, {where})"
        )


def outcome_get(*, code: str, version: int | None = None) -> OutcomeCode:
    """The outcome ``code`` (``"1"``, ``"1A"``, ``"18"``) in framework ``version``, the latest
    when not given. Raises OutcomeUnknown for a code not in it."""
    frameworks = OutcomeFramework.objects.all()
    if version is not None:
        frameworks = frameworks.filter(version=version)
    framework = frameworks.order_by("-version").first()
    if framework is None:
        raise OutcomeUnknown(code, version, seeded=False)
    found = (
        OutcomeCode.objects.select_related("framework")
        .filter(framework=framework, code=code.strip().upper())
        .first()
    )
    if found is None:
        raise OutcomeUnknown(code, framework.version)
    return found
