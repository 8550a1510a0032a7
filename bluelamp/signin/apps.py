from django.apps import AppConfig


class SigninConfig(AppConfig):
    """Sign-in through the force's identity provider: who a person is, mapped to force, role
    and teams, every sign-in and refusal audited (hence above ``forces`` and ``audit``)."""

    name = "bluelamp.signin"
    label = "signin"
