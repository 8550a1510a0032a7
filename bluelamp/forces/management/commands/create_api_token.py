from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluelamp.forces.models import ApiToken, Force, hash_token


class Command(BaseCommand):
    help = "Create an API token for a force's system. Prints only the token; it is stored hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", required=True, help="The force's slug")
        parser.add_argument("--name", required=True, help="What the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        force = Force.objects.filter(slug=options["force"]).first()
        if force is None:
            raise CommandError(f"force: no force with slug {options['force']!r}")
        token = ApiToken.generate()
        ApiToken.objects.create(
            force=force, name=options["name"], digest=hash_token(token), prefix=token[:8]
        )
        self.stdout.write(token)
